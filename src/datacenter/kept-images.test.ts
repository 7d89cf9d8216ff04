/**
 * Memory reuse in consolidation, in closed form on small data centers: what a host keeps, what a
 * returning VM sends, and the memory bound (VMs plus kept images within a host's RAM).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation } from '../core/kernel.js';
import { defaultOptions } from '../migration/options.js';
import type { ReusePolicy } from '../migration/reuse.js';
import { keptImageDefaults, KeptImages } from './kept-images.js';
import { liveMigrationDefaults, liveMigrationModel } from './live-migration.js';
import type { MigrationOutcome } from './migration-model.js';
import { cloudsimPlanetLabConfig } from './planetlab-config.js';
import { runConsolidation } from './run.js';
import { DataCenterState } from './state.js';
import { toTraceTable } from './traces.js';

const PAGE = 4096;
const RAM = 870e6;
const U = 0.5;

/** Two hosts, one VM on host 0 at a constant utilisation U; the VM has left host 0 for host 1 at t0. */
function setUp(policy: ReusePolicy, hotWindow = 10) {
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8, hosts: 2 }), vmTypes: [{ name: 'vm', mips: 2500, pes: 1, ramBytes: RAM, bandwidth: 12.5e6 }] };
  const dc = new DataCenterState(cfg, Int32Array.of(0));
  const traces = toTraceTable([Float64Array.from({ length: 288 }, () => U)]);
  const model = liveMigrationModel({ algorithm: 'stop-and-copy', fidelity: 'fluid', reuse: { ...keptImageDefaults, policy, hotWindow } });
  const kept = new KeptImages(dc, traces, 300, model.reuse!);
  const mem = model.reuse!.memoryOf(RAM);
  dc.create(0, 1);
  return { dc, kept, model, mem };
}

/** Expected pages of a region of n pages written at w pages/s (at full load) left unwritten after dt s at U. */
const unwritten = (n: number, w: number, dt: number) => n * Math.exp((-w * U * dt) / n);

test('a VM returning after k pages changed sends k pages plus the bitmap exchange', () => {
  const { dc, kept, model, mem } = setUp('keep-all');
  const t0 = 1000, t1 = 1600;
  kept.left(0, 0, t0);
  const pages = Math.ceil(RAM / PAGE);
  assert.deepEqual([...mem.sizes], [Math.round(pages * liveMigrationDefaults.hotFraction), pages - Math.round(pages * liveMigrationDefaults.hotFraction)]);
  assert.equal(kept.keptOn(0), pages * PAGE, 'keep-all keeps the whole image');
  // the VM comes back at t1: its RAM is reserved on host 0, then the image is taken back
  dc.ramUsed[0] += RAM;
  const reusable = kept.arrive(0, 0, t1)!;
  assert.equal(kept.keptOn(0), 0, 'the image became part of the VM again');
  const expected = mem.sizes.map((n, r) => unwritten(n, mem.fullRates[r], t1 - t0));
  reusable.forEach((p, r) => assert.ok(Math.abs(p - expected[r]) < 1e-9 * mem.sizes[r], `region ${r}: ${p} vs ${expected[r]}`));
  const k = pages - expected[0] - expected[1];
  assert.ok(k > 0.05 * pages && k < 0.95 * pages, `k = ${k} of ${pages}: a test that can tell`);
  // the migration back (stop-and-copy, so no page is written while it runs)
  const sim = new Simulation();
  let out: MigrationOutcome | undefined;
  model.open(sim).start(
    [{ vm: 0, from: 1, to: 0, ramBytes: RAM, cpuUtilization: U, vmMips: 2500, fromBandwidth: 125e6, toBandwidth: 125e6, keptPages: reusable }],
    (_, o) => (out = o),
  );
  sim.run();
  const o = defaultOptions('stop-and-copy', 'qemu');
  const bytes = Math.ceil(pages / 8) + k * (PAGE + o.pageHeader) + o.deviceState;
  assert.ok(out!.completed);
  assert.ok(Math.abs(out!.bytesTransferred - bytes) < 1e-6 * bytes, `${out!.bytesTransferred} vs ${bytes}`);
  // without the image: every page
  const full = Math.ceil(RAM / PAGE) * (PAGE + o.pageHeader) + o.deviceState;
  assert.ok(out!.bytesTransferred < full - 0.04 * full);
});

test('drop-updated holds only the unwritten pages; skip-hot leaves out the pages written just before departure', () => {
  const t0 = 1000, t1 = 1300;
  {
    const { kept, mem } = setUp('drop-updated');
    kept.left(0, 0, t0);
    kept.step(t1);
    const held = mem.sizes.reduce((s, n, r) => s + unwritten(n, mem.fullRates[r], t1 - t0), 0);
    assert.ok(Math.abs(kept.keptOn(0) - held * PAGE) < 1e-6 * held * PAGE);
    const sum = kept.summary(t1);
    assert.ok(Math.abs(sum.keptAverageBytes - (((t1 - t0) * mem.sizes.reduce((a, b) => a + b, 0) * PAGE) / t1)) < 1, 'held whole until the report at t1');
  }
  {
    const H = 10;
    const { kept, mem } = setUp('skip-hot', H);
    kept.left(0, 0, t0);
    const held = mem.sizes.reduce((s, n, r) => s + unwritten(n, mem.fullRates[r], H), 0);
    assert.ok(Math.abs(kept.keptOn(0) - held * PAGE) < 1e-6 * held * PAGE);
    kept.step(t1);
    assert.ok(Math.abs(kept.keptOn(0) - held * PAGE) < 1e-6 * held * PAGE, 'skip-hot alone does not drop updated pages');
  }
});

test('an arriving VM evicts images oldest first, never its own; a host whose last VM leaves loses its images', () => {
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8, hosts: 2 }), vmTypes: [{ name: 'vm', mips: 500, pes: 1, ramBytes: 1300e6, bandwidth: 12.5e6 }] };
  const dc = new DataCenterState(cfg, Int32Array.of(0, 0, 0, 0));
  const traces = toTraceTable(Array.from({ length: 4 }, () => Float64Array.from({ length: 288 }, () => U)));
  const model = liveMigrationModel({ reuse: { ...keptImageDefaults, policy: 'keep-all' } });
  const kept = new KeptImages(dc, traces, 300, model.reuse!);
  const image = model.reuse!.memoryOf(1300e6).sizes.reduce((a, b) => a + b, 0) * PAGE;
  // host 0 (4096 MB) runs VM 3 (1300 MB) and once held VMs 0, 1, 2: two of their images fit beside it
  dc.create(3, 0);
  for (const v of [0, 1, 2]) dc.create(v, 1);
  kept.left(0, 0, 10);
  kept.left(1, 0, 20);
  assert.equal(kept.keptOn(0), 2 * image);
  kept.left(2, 0, 30); // VM 3 and three images > 4096 MB: the oldest goes
  assert.equal(kept.keptOn(0), 2 * image);
  // VM 1 comes back: its own image is taken back, then VM 0's was already gone, VM 2's stays
  dc.ramUsed[0] += 1300e6;
  assert.ok(kept.arrive(1, 0, 40));
  assert.equal(kept.keptOn(0), image);
  const s = kept.summary(40);
  assert.equal(s.evictions, 1);
  assert.equal(s.returns, 1);
  assert.ok(s.peakHostMemoryShare <= 1 && s.peakHostMemoryShare > 0.9, `${s.peakHostMemoryShare}`);
  kept.poweredOff(0, 50);
  assert.equal(kept.keptOn(0), 0);
  assert.equal(kept.summary(50).lostAtPowerOff, 1);
});

test('a consolidation run with reuse: VMs return to hosts holding their images, memory never over RAM, the same run twice', () => {
  const n = 40;
  const traces = Array.from({ length: n }, (_, v) => Float64Array.from({ length: 288 }, (_, k) => 0.05 + 0.9 * (0.5 + 0.5 * Math.sin((k + 7 * v) / 20))));
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'thr-mmt', parameter: 0.8, hosts: 30 }), reservationCheck: 'always' as const, simulationLimit: 12 * 3600 };
  const run = (policy: ReusePolicy, whenOff: 'drop' | 'keep' = 'keep') => runConsolidation(cfg, traces, liveMigrationModel({ reuse: { ...keptImageDefaults, policy, whenOff } }));
  assert.equal(run('none').reuse, undefined);
  // hosts emptied by the consolidation switch off and lose their images: few VMs find theirs
  const dropped = run('keep-all', 'drop').reuse!;
  assert.ok(dropped.lostAtPowerOff > 0 && dropped.peakHostMemoryShare <= 1 + 1e-12);
  for (const policy of ['keep-all', 'drop-updated+skip-hot'] as const) {
    const r = run(policy);
    const u = r.reuse!;
    assert.ok(u.returns > 0 && u.lostAtPowerOff === 0, `${policy}: returns ${u.returns}`);
    assert.ok(u.bytesSaved > 0 && u.keptPeakBytes > 0 && u.keptAverageBytes > 0);
    assert.ok(u.peakHostMemoryShare <= 1 + 1e-12, `${policy}: peak share ${u.peakHostMemoryShare}`);
    assert.deepEqual(JSON.parse(JSON.stringify(run(policy))), JSON.parse(JSON.stringify(r)));
  }
});
