/** QEMU's optimizations against hand-computed cases. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relErr, run, twoHostScenario } from '../../../test/support.js';
import { PageImage } from '../../memory/page-image.js';
import { QemuPageEncoder } from './encoder.js';
import { optimizationDefaults } from './options.js';
import { AutoConverge, throttledSpeed } from './throttle.js';

const P = 4096;

function encoder(o: Partial<typeof optimizationDefaults>, writeSize = 1) {
  const image = new PageImage(16, 16);
  const enc = new QemuPageEncoder(image, P, 8, 9, writeSize, 0.5, { ...optimizationDefaults, ...o });
  return { image, enc };
}

test('zero pages cost 9 bytes; data pages the page and an 8-byte header', () => {
  const { enc } = encoder({});
  assert.equal(enc.encode(3, true), 9);
  assert.equal(enc.encode(3, false), 4104);
  assert.equal(enc.normalPages, 1);
});

test('XBZRLE: inactive in the first pass; then miss (cached), hit (delta), unchanged (skipped), conflict, overflow', () => {
  const { image, enc } = encoder({ xbzrle: true, xbzrleCacheSize: 2 * P }); // two direct-mapped slots
  assert.equal(enc.encode(0, false), 4104); // first pass: no cache use
  assert.equal(enc.xbzrle!.cacheMiss, 0);
  enc.xbzrleActive = true;
  assert.equal(enc.encode(0, false), 4104); // miss: sent whole, cached
  assert.equal(enc.xbzrle!.cacheMiss, 1);
  image.write(0);
  assert.equal(enc.encode(0, false), 8 + 3 + 1 + 2); // hit: header, flag, length, 1 changed byte + 2 run bytes
  assert.deepEqual([enc.xbzrle!.pages, enc.xbzrle!.bytes], [1, 3]);
  assert.equal(enc.encode(0, false), 0); // unchanged since cached: nothing to send
  assert.equal(enc.encode(2, false), 4104); // slot 0 again: a miss that evicts page 0
  image.write(0);
  assert.equal(enc.encode(0, false), 4104); // so page 0 misses
  enc.writeSize = P; // whole-page rewrites: the delta is longer than the page
  image.write(0);
  assert.equal(enc.encode(0, false), 4104);
  assert.equal(enc.xbzrle!.overflow, 1);
  enc.lastStage = true; // the stop-and-copy does not cache misses
  enc.encode(4, false);
  image.write(4);
  assert.equal(enc.encode(4, false), 4104);
});

test('multifd with zlib: compressed pages, and the channels CPU caps the rate', () => {
  const { enc } = encoder({ multifdChannels: 4, compression: 'zlib' });
  assert.equal(enc.encode(1, false), 8 + 2048); // compressibility 0.5
  assert.equal(enc.cpuWireRate(), 4 * 100e6 * 0.5);
  const m = run(twoHostScenario({ memory: '256MiB', bandwidth: '10Gbit/s', migration: { maxBandwidth: 'unlimited', multifdChannels: 4, compression: 'zlib', deviceState: 0, resumeLatency: 0 } })).migrations[0];
  assert.ok(relErr(m.totalTime!, (65_536 * 2056) / 200e6) < 0.01, `${m.totalTime}`);
  const plain = run(twoHostScenario({ memory: '256MiB', bandwidth: '10Gbit/s', migration: { maxBandwidth: 'unlimited', multifdChannels: 4, deviceState: 0, resumeLatency: 0 } })).migrations[0];
  assert.ok(relErr(plain.totalTime!, (65_536 * 4104) / 1.25e9) < 0.01, 'no compression: the link sets the rate');
});

test('auto-converge: evaluated at syncs >= 1 s apart; throttles on the second high period: 20%, then +10%, up to 99%', () => {
  const ac = new AutoConverge({ ...optimizationDefaults, autoConverge: true }, 0);
  const MB = 1e6;
  // dirtied pages x 4096 vs 50% of bytes sent in the period
  assert.equal(ac.onSync(0.5, 10_000, 10 * MB, P), false); // too soon: only accumulates
  assert.equal(ac.onSync(1.2, 10_000, 40 * MB, P), false); // 20,000 pages = 81.9 MB > 20 MB: first high period
  assert.equal(ac.onSync(2.0, 10_000, 60 * MB, P), false); // too soon
  assert.equal(ac.onSync(2.3, 1_000, 80 * MB, P), true); // 11,000 pages = 45 MB > 20 MB: second -> throttle
  assert.equal(ac.percent, 20);
  assert.equal(ac.onSync(3.4, 100, 120 * MB, P), false); // 0.4 MB < 20 MB: not high
  assert.equal(ac.onSync(4.5, 20_000, 140 * MB, P), false);
  assert.equal(ac.onSync(5.6, 20_000, 160 * MB, P), true);
  assert.equal(ac.percent, 30);
  for (let i = 0; i < 30; i++) ac.onSync(6.7 + i * 1.1, 20_000, 160 * MB, P);
  assert.equal(ac.percent, 99);
  assert.deepEqual(ac.steps.slice(0, 3).map((s) => s.percent), [20, 30, 40]);
});

test('auto-converge makes a non-converging guest converge; the throttle counts as degradation', () => {
  const busy = { kind: 'sweep' as const, writeRate: '64MiB/s', workingSet: '64MiB' };
  const base = { memory: '512MiB', resident: '256MiB', bandwidth: '1Gbit/s', workload: busy };
  const plain = run(twoHostScenario({ ...base, migration: { maxBandwidth: '32MiB/s', timeout: '2min' } })).migrations[0];
  assert.equal(plain.status, 'timeout');
  const ac = run(twoHostScenario({ ...base, migration: { maxBandwidth: '32MiB/s', timeout: '2min', autoConverge: true } })).migrations[0];
  assert.equal(ac.status, 'completed');
  assert.deepEqual(ac.throttle!.steps.map((s) => s.percent).slice(0, 3), [20, 30, 40]);
  assert.ok(ac.degradation > 0.2, `${ac.degradation}`);
  assert.equal(ac.qemu!['cpu-throttle-percentage'], ac.throttle!.maxPercent);
  const limited = run(twoHostScenario({ ...base, migration: { maxBandwidth: '32MiB/s', timeout: '2min', dirtyLimit: '4MiB/s' } })).migrations[0];
  assert.equal(limited.status, 'completed');
});

test('the qemu block speaks QMP: an idle guest syncs 3 times; transferred is the RAM stream', () => {
  const m = run(twoHostScenario({ memory: '512MiB', resident: '256MiB', migration: { maxBandwidth: '32MiB/s', deviceState: 100_000 } })).migrations[0];
  const q = m.qemu!;
  assert.equal(q.status, 'completed');
  assert.equal(q['total-time'], Math.round(m.totalTime! * 1000));
  assert.equal(q.ram['dirty-sync-count'], 3); // setup, end of the bulk pass, completion
  assert.equal(q.ram.duplicate, 65_536);
  assert.equal(q.ram.normal, 65_536);
  assert.equal(q.ram.transferred, m.bytesTransferred - 100_000);
  assert.equal(q.ram.total, 512 * 2 ** 20);
  assert.ok(q.downtime! >= 0 && q.downtime! < m.downtime! * 1000);
});

test('a throttled guest: compute-bound loses (1 - p); a wall-clock-paced one catches up until sleeps exceed its backlog', () => {
  assert.equal(throttledSpeed(0, 0), 1);
  assert.ok(Math.abs(throttledSpeed(20, 0) - 0.8) < 1e-12);
  // sleep = 10 ms x p / (1 - p): 90% -> 90 ms <= 100 ms backlog: full speed
  assert.equal(throttledSpeed(90, 0.1), 1);
  // 99% -> 990 ms sleep > 100 ms: the backlog is dropped, the guest works 10 ms of each 1000 ms
  assert.ok(Math.abs(throttledSpeed(99, 0.1) - 0.01) < 1e-9);
});
