/**
 * Closed-form oracles for the pre-copy engine.
 *
 * Geometric model (Clark et al. 2005; Liu et al.): a guest sweeps sequentially over a working set
 * at D pages/s, so every page it writes during a round is a new dirty page as long as the working
 * set is larger than what a round dirties. With link rate R bytes/s and w wire bytes per page, let
 * rho = D w / R < 1. Round 1 sends all M pages in M w / R seconds; round i sends M rho^(i-1) pages;
 * the stop-and-copy after k rounds sends M rho^k pages. Total time = sum_{i=0..k} M rho^i w / R,
 * downtime = M rho^k w / R (device state, latency and resume latency set to 0).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relErr, run, twoHostScenario } from '../../test/support.js';

const M = 262_144; // pages of a 1 GiB VM
const P = 4096;
const w = P + 8; // wire bytes of a data page
const R = 125e6; // 1 Gbit/s
const D = 15_000; // pages/s
const rho = (D * w) / R;

function sweep(preset: string) {
  return run(
    twoHostScenario({
      memory: '1GiB',
      workload: { kind: 'sweep', writeRate: D, workingSet: '1GiB' },
      migration: { preset, deviceState: 0, resumeLatency: 0 },
    }),
  ).migrations[0];
}

function checkGeometric(m: ReturnType<typeof sweep>, k: number) {
  assert.equal(m.status, 'completed');
  const live = m.rounds.filter((r) => r.kind === 'live');
  assert.equal(live.length, k);
  live.forEach((r, i) => {
    const expected = M * rho ** i;
    assert.ok(relErr(r.pagesSent, expected) < 0.01, `round ${i + 1}: ${r.pagesSent} pages vs ${expected.toFixed(0)}`);
    assert.ok(relErr(r.duration, (expected * w) / R) < 0.01, `round ${i + 1} duration`);
  });
  let total = 0;
  for (let i = 0; i <= k; i++) total += (M * rho ** i * w) / R;
  const downtime = (M * rho ** k * w) / R;
  assert.ok(relErr(m.totalTime!, total) < 0.01, `total ${m.totalTime} vs ${total}`);
  assert.ok(relErr(m.downtime!, downtime) < 0.01, `downtime ${m.downtime} vs ${downtime}`);
  assert.ok(relErr(m.bytesTransferred, total * R) < 0.01);
}

test('xen preset follows the geometric model: 5 rounds, then stop-and-copy of M rho^5 pages', () => {
  checkGeometric(sweep('xen'), 5);
});

test('simgrid preset follows the geometric model and stops at the first round with M rho^k P < R x 30 ms', () => {
  let k = 1;
  while (M * rho ** k * P >= R * 0.03) k++;
  checkGeometric(sweep('simgrid'), k);
});

test('simgrid stage rule: an idle VM of M bytes over rate r takes M / r plus latencies', () => {
  const latency = 0.001;
  const m = run(
    twoHostScenario({
      memory: '1GiB',
      latency,
      migration: { preset: 'simgrid', pageHeader: 0, deviceState: 0, resumeLatency: 0 },
    }),
  ).migrations[0];
  assert.equal(m.status, 'completed');
  assert.ok(relErr(m.totalTime!, 2 ** 30 / R + latency) < 1e-9, `${m.totalTime}`);
  assert.equal(m.rounds.filter((r) => r.kind === 'live').length, 1);
});

test('qemu preset, idle guest with zero pages: data pages + 9-byte zero pages at the cap, uncapped final copy', () => {
  const cap = 32 * 2 ** 20;
  const latency = 0.0005, resume = 0.003, state = 256 * 1024;
  const m = run(
    twoHostScenario({
      memory: '1GiB',
      resident: '512MiB',
      latency,
      migration: { preset: 'qemu', maxBandwidth: '32MiB/s', deviceState: state, resumeLatency: resume },
    }),
  ).migrations[0];
  const dataPages = 131_072, zeroPages = 131_072;
  const live = (dataPages * w + zeroPages * 9) / cap;
  const final = state / R + latency + resume;
  assert.equal(m.status, 'completed');
  assert.equal(m.zeroPages, zeroPages);
  assert.equal(m.pagesTransferred, M);
  assert.ok(relErr(m.totalTime!, live + final) < 1e-6, `${m.totalTime} vs ${live + final}`);
  assert.ok(relErr(m.downtime!, final) < 1e-6, `${m.downtime} vs ${final}`);
  assert.equal(m.bytesTransferred, dataPages * w + zeroPages * 9 + state);
});

test('stop-and-copy: downtime equals total time, every page sent once', () => {
  const m = run(twoHostScenario({ memory: '256MiB', workload: { kind: 'uniform', writeRate: 5000 }, migration: { algorithm: 'stop-and-copy', deviceState: 0, resumeLatency: 0 } })).migrations[0];
  assert.equal(m.status, 'completed');
  assert.equal(m.downtime, m.totalTime);
  assert.equal(m.pagesTransferred, 65_536);
  assert.ok(relErr(m.totalTime!, (65_536 * w) / R) < 1e-9);
});

test('a write rate above the link rate never converges under qemu: the timeout cancels it, the VM stays', () => {
  const r = run(
    twoHostScenario({
      memory: '1GiB',
      bandwidth: '100Mbit/s',
      workload: { kind: 'uniform', writeRate: '64MiB/s', workingSet: '256MiB' },
      migration: { preset: 'qemu', timeout: '60s' },
    }),
  );
  const m = r.migrations[0];
  assert.equal(m.status, 'timeout');
  assert.equal(m.downtime, null);
  assert.equal(m.totalTime, 60);
  assert.match(m.reason, /not converged after the 60 s timeout/);
  assert.equal(r.vms[0].host, 'A');
  assert.ok(Math.abs(m.bytesTransferred - 60 * 12.5e6) / (60 * 12.5e6) < 0.001, `${m.bytesTransferred}`);
  assert.equal(r.hosts.find((h) => h.name === 'B')!.used, 0); // destination reservation released
});
