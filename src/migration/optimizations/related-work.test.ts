/**
 * The seed's related-work optimizations against their expected effects.
 * Figures measured with these scenarios (seed 1, 1 GiB VM, 1 Gbit/s) are in the comments.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { run, twoHostScenario } from '../../../test/support.js';
import { ScenarioInput } from '../../scenario/schema.js';

const MiB = 2 ** 20;

const hotcold = (writeRate: number) => ({ kind: 'hotcold' as const, writeRate, workingSet: '1GiB', hotSet: '64MiB', hotShare: 0.97 });
const one = (workload: object, migration: object) =>
  run(twoHostScenario({ memory: '1GiB', latency: '0.2ms', workload: workload as never, migration: { timeout: '5min', ...migration } })).migrations[0];

test('hot-page deferral: a hot set rewritten every round is sent once; downtime grows by at most its transfer time', () => {
  // xen, 30,000 writes/s, 97% into 64 MiB: plain 1257 MiB / 194 ms; deferred 1172 MiB / 417 ms
  const plain = one(hotcold(30_000), { preset: 'xen' });
  const deferred = one(hotcold(30_000), { preset: 'xen', deferHot: true });
  assert.equal(deferred.status, 'completed');
  assert.ok(deferred.bytesTransferred < plain.bytesTransferred * 0.96, `${deferred.bytesTransferred} vs ${plain.bytesTransferred}`);
  const hotSetTime = (64 * MiB * (4104 / 4096)) / 125e6;
  assert.ok(deferred.downtime! - plain.downtime! <= hotSetTime, `downtime +${deferred.downtime! - plain.downtime!} s`);
  assert.ok(deferred.deferral!.deferredPages > 0.7 * 16_384, 'most of the hot set is held back');
  assert.equal(deferred.stalePagesAtResume, 0);
});

test('hot-page deferral makes QEMU pre-copy converge where it did not', () => {
  // 60,000 writes/s into 64 MiB: plain QEMU pre-copy re-sends the hot set until the timeout
  assert.equal(one(hotcold(60_000), { preset: 'qemu' }).status, 'timeout');
  const deferred = one(hotcold(60_000), { preset: 'qemu', deferHot: true });
  assert.equal(deferred.status, 'completed');
  assert.equal(deferred.stalePagesAtResume, 0);
});

test('hot-page deferral defers little on a uniform workload with no stable hot set', () => {
  // 8,000 writes/s over 1 GiB: 4,580 of ~344,000 pages sent were deferred (1.3%), by either predictor
  for (const deferHot of [true, { predictor: 'time-series', threshold: 1.2 }]) {
    const m = one({ kind: 'uniform', writeRate: 8000 }, { preset: 'xen', deferHot });
    assert.ok(m.deferral!.deferredPages < 0.02 * m.pagesTransferred, `${m.deferral!.deferredPages} of ${m.pagesTransferred}`);
  }
});

test('free-page elimination: half the memory free, about half the pages sent; every used page current', () => {
  // 279,587 pages without hinting, 140,381 with it (130,702 free pages not sent)
  const vm = { resident: '1GiB', workload: { kind: 'uniform' as const, writeRate: 2000, workingSet: '256MiB' } };
  const scenario = (migration: Record<string, unknown>): ScenarioInput => {
    const s = twoHostScenario({ memory: '1GiB', ...vm, migration });
    s.vms[0].free = { size: '512MiB', churn: '200/s' };
    return s;
  };
  const without = run(scenario({})).migrations[0];
  const hinted = run(scenario({ freePageHinting: true })).migrations[0];
  const ratio = hinted.pagesTransferred / without.pagesTransferred;
  assert.ok(ratio > 0.45 && ratio < 0.55, `ratio ${ratio}`);
  assert.ok(hinted.freePagesSkipped > 0.9 * 131_072);
  assert.equal(hinted.stalePagesAtResume, 0, 'no page the guest uses is lost');
});

function gang(dedup: boolean, duplicates?: object): ScenarioInput {
  const vm = (name: string) => ({ name, host: 'A', memory: '1GiB', duplicates: duplicates as never, workload: { kind: 'uniform' as const, writeRate: 1000, workingSet: '128MiB', offset: '800MiB' } });
  return {
    network: { bandwidth: '1Gbit/s' },
    hosts: [
      { name: 'A', memory: '64GiB' },
      { name: 'B', memory: '64GiB' },
    ],
    vms: [vm('x'), vm('y')],
    migrations: [
      { vm: 'x', to: 'B', dedup },
      { vm: 'y', to: 'B', dedup },
    ],
  };
}

test('dedup: two identical VMs migrated together send the shared content once', () => {
  // 40% of each VM (104,857 pages) is the same OS image, 10% are pairs of equal pages
  const shared = Math.floor(262_144 * 0.4), pairs = Math.floor(262_144 * 0.1) / 2;
  const plain = run(gang(false, { image: 'debian', share: 0.4, internal: 0.1 })).migrations;
  const deduped = run(gang(true, { image: 'debian', share: 0.4, internal: 0.1 })).migrations;
  const refs = deduped[0].dedupPages + deduped[1].dedupPages;
  assert.equal(refs, shared + 2 * pairs, 'each shared page crosses once; each pair once per VM');
  const saved = plain[0].bytesTransferred + plain[1].bytesTransferred - deduped[0].bytesTransferred - deduped[1].bytesTransferred;
  // each reference saves a page less its 16 bytes; the shorter migration also re-sends less
  assert.ok(saved >= 0.98 * refs * (4104 - 16), `saved ${saved}`);
  for (const m of deduped) assert.equal(m.stalePagesAtResume, 0);
});

test('dedup with no shared content costs nothing on the wire', () => {
  const plain = run(gang(false)).migrations, deduped = run(gang(true)).migrations;
  assert.deepEqual(deduped.map((m) => m.bytesTransferred), plain.map((m) => m.bytesTransferred));
  assert.deepEqual(deduped.map((m) => m.dedupPages), [0, 0]);
});
