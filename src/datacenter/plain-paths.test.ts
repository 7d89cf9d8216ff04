/**
 * Each speed technique's off switch gives the plain path's results: the placement index and LR's
 * screen (RunOptions.plainPlacement) on CloudSim's PlanetLab day and on a synthetic data center
 * large enough for grouped placement; the linear hosts (updateEveryHost) in linear-hosts.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { cloudsimPlanetLabConfig, HOST_G4, HOST_G5 } from './planetlab-config.js';
import { runConsolidation } from './run.js';
import { syntheticTraces } from './synthetic-traces.js';
import type { HostType } from './types.js';

const day = join(process.cwd(), '..', 'shared', 'data', 'planetlab', '20110303');
const skip = existsSync(day) || process.env.CI === 'true' ? false : 'shared PlanetLab day not found';

test('plain placement (every host scanned, no screen) chooses as the placement index: PlanetLab half day, LR-MMT and THR-MMT', { skip }, () => {
  const traces = loadPlanetLabFolder(day).traces;
  for (const [policy, parameter] of [['lr-mmt', 1.2], ['thr-mmt', 0.8]] as const) {
    const cfg = { ...cloudsimPlanetLabConfig({ policy, parameter }), simulationLimit: 12 * 3600 };
    const indexed = runConsolidation(cfg, traces);
    const plain = runConsolidation(cfg, traces, undefined, { plainPlacement: true });
    assert.ok(indexed.migrations > 1000);
    assert.deepEqual(plain, indexed, policy);
  }
});

test('plain placement chooses as the grouped placement on 1,500 hosts (groups in use)', () => {
  // 12-core hosts, as the bench's synthetic day: enough non-pristine hosts for the groups
  const big = (t: HostType): HostType => ({ ...t, pes: 12, ramBytes: 64e9, bandwidth: 10e9 / 8 });
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2, hosts: 1500 }), hostTypes: [big(HOST_G4), big(HOST_G5)], simulationLimit: 3600 };
  const traces = syntheticTraces(10000, 1);
  const indexed = runConsolidation(cfg, traces);
  const plain = runConsolidation(cfg, traces, undefined, { plainPlacement: true });
  assert.ok(indexed.migrations > 1000);
  assert.deepEqual(plain, indexed);
});
