/**
 * Each speed technique's off switch gives the plain path's results, whole runs compared field by
 * field: the placement (RunOptions.plainPlacement: CloudSim's scan of every host instead of the
 * indexed PABFD; groupedPlacement: false; tieBuckets: false; placementScreen: false; wasmScan: false) on CloudSim's PlanetLab day and on
 * a synthetic data center large enough for grouped placement; the updates' dormant hosts
 * (dormantHosts: false), one update per untouched host at a completion (updateUntouchedOnce: false),
 * the cached host histories (cachedHistories: false) and the read-ahead of VM figures (prefetch:
 * false), alone and all off together, in CloudSim
 * mode and with live migrations and memory reuse; the live migrations' shared fluid geometries
 * (sharedLayouts: false). The linear host updates (updateEveryHost) are
 * compared in linear-hosts.test.ts; each placement policy alone in placement/conformance.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5 } from './planetlab-config.js';
import { keptImageDefaults } from './kept-images.js';
import { liveMigrationModel } from './live-migration.js';
import { runConsolidation, type RunOptions } from './run.js';
import { syntheticTraces } from './synthetic-traces.js';
import type { HostType } from './types.js';

const day = join(process.cwd(), '..', 'shared', 'data', 'planetlab', '20110303');
const skip = existsSync(day) || process.env.CI === 'true' ? false : 'shared PlanetLab day not found';

test(
  'plain placement (every host scanned, no screen), the indexed PABFD without its screen and with its JavaScript loops choose as the indexed PABFD: PlanetLab half day, LR-MMT and THR-MMT',
  { skip },
  () => {
    const traces = loadPlanetLabFolder(day).traces;
    for (const [policy, parameter] of [
      ['lr-mmt', 1.2],
      ['thr-mmt', 0.8],
    ] as const) {
      const cfg = { ...cloudsimPlanetLabConfig({ policy, parameter }), simulationLimit: 12 * 3600 };
      const indexed = runConsolidation(cfg, traces);
      assert.ok(indexed.migrations > 1000);
      assert.deepEqual(runConsolidation(cfg, traces, undefined, { plainPlacement: true }), indexed, `${policy}, plain`);
      if (policy === 'lr-mmt') assert.deepEqual(runConsolidation(cfg, traces, undefined, { placementScreen: false }), indexed, `${policy}, no screen`);
      if (policy === 'lr-mmt') assert.deepEqual(runConsolidation(cfg, traces, undefined, { wasmScan: false }), indexed, `${policy}, JavaScript loops`);
    }
  },
);

test('plain placement, the indexed PABFD without groups and the grouped PABFD without tie buckets or with its JavaScript loops choose as the grouped placement on 1,500 hosts (groups in use)', () => {
  // 12-core hosts, as the bench's synthetic day: enough non-pristine hosts for the groups
  const big = (t: HostType): HostType => ({ ...t, pes: 12, ramBytes: 64e9, bandwidth: 10e9 / 8 });
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2, hosts: 1500 }), hostTypes: [big(HOST_G4), big(HOST_G5)], simulationLimit: 3600 };
  const traces = syntheticTraces(10000, 1);
  const grouped = runConsolidation(cfg, traces);
  assert.ok(grouped.migrations > 1000);
  assert.deepEqual(runConsolidation(cfg, traces, undefined, { groupedPlacement: false }), grouped, 'no groups');
  assert.deepEqual(runConsolidation(cfg, traces, undefined, { tieBuckets: false }), grouped, 'no tie buckets');
  assert.deepEqual(runConsolidation(cfg, traces, undefined, { wasmScan: false }), grouped, 'JavaScript loops');
  assert.deepEqual(runConsolidation(cfg, traces, undefined, { plainPlacement: true }), grouped, 'plain');
});

/** The update techniques' switches, each alone, then all off together. */
const updateSwitches: [string, RunOptions][] = [
  ['dormant hosts updated', { dormantHosts: false }],
  ['two updates at completions', { updateUntouchedOnce: false }],
  ['no cached histories', { cachedHistories: false }],
  ['no read-ahead', { prefetch: false }],
  ['all four off', { dormantHosts: false, updateUntouchedOnce: false, cachedHistories: false, prefetch: false }],
];

test(
  'dormant hosts, one update per untouched host, cached histories and read-ahead switched off give the same runs: PlanetLab half day, LR-MMT and MAD-MC, with and without linear hosts',
  { skip },
  () => {
    const traces = loadPlanetLabFolder(day).traces;
    for (const [policy, parameter] of [
      ['lr-mmt', 1.2],
      ['mad-mc', 2.5],
    ] as const) {
      const cfg = { ...cloudsimPlanetLabConfig({ policy, parameter }), simulationLimit: 12 * 3600 };
      for (const base of [{}, { updateEveryHost: true }] as RunOptions[]) {
        const fast = runConsolidation(cfg, traces, undefined, base);
        assert.ok(fast.migrations > 500 && fast.hostShutdowns > 100 && fast.retiredVms > 0);
        for (const [name, off] of updateSwitches) {
          assert.deepEqual(runConsolidation(cfg, traces, undefined, { ...base, ...off }), fast, `${policy}, ${JSON.stringify(base)}, ${name}`);
        }
      }
      // every switch off: CloudSim's procedure throughout
      const plain = { updateEveryHost: true, plainPlacement: true, dormantHosts: false, updateUntouchedOnce: false, cachedHistories: false, prefetch: false };
      assert.deepEqual(
        runConsolidation(cfg, traces, undefined, plain),
        runConsolidation(cfg, traces, undefined, { updateEveryHost: true }),
        `${policy}, all plain`,
      );
    }
  },
);

test(
  'the update techniques and the shared fluid geometries switched off give the same runs with live migrations (pre-copy, memory reuse): PlanetLab, 3 hours',
  { skip },
  () => {
    const traces = loadPlanetLabFolder(day).traces;
    const cfg = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), simulationLimit: 3 * 3600 };
    const model = () => liveMigrationModel({ algorithm: 'precopy', reuse: { ...keptImageDefaults, policy: 'keep-all' } });
    const fast = runConsolidation(cfg, traces, model());
    assert.ok(fast.migrations > 100 && fast.reuse !== undefined && fast.reuse.evictions > 0);
    for (const [name, off] of updateSwitches) assert.deepEqual(runConsolidation(cfg, traces, model(), off), fast, name);
    assert.deepEqual(runConsolidation(cfg, traces, model(), { sharedLayouts: false }), fast, 'layouts built whole');
  },
);
