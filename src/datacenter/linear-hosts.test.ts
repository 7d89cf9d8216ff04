/**
 * The two host-update strategies (host-updates.ts): hosts carried by their linear model between
 * full updates (LinearHosts, the default) give the run of updating every host at every instant
 * (EveryHost, CloudSim's procedure, `updateEveryHost`): the same decisions, and the same figures
 * up to floating-point rounding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDir } from '../../test/support.js';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { cloudsimMigrationModel, delayModel, type MigrationModel } from './migration-model.js';
import { LinearHosts } from './linear-hosts.js';
import { liveMigrationModel } from './live-migration.js';
import { VmHistory } from './metrics.js';
import { cloudsimPlanetLabConfig } from './planetlab-config.js';
import { runConsolidation } from './run.js';
import { DataCenterState } from './state.js';
import { toTraceTable } from './traces.js';
import type { ConsolidationResult } from './types.js';

const { traces } = loadPlanetLabFolder(join(sharedDir(), 'data', 'planetlab', '20110303'));

/** Counts must be equal, real-valued figures equal within `rel`. */
function assertSameRun(linear: ConsolidationResult, every: ConsolidationResult, rel: number, what: string): void {
  const counts = ['migrations', 'hostShutdowns', 'retiredVms'] as const;
  for (const k of counts) assert.equal(linear[k], every[k], `${what}: ${k}`);
  assert.deepEqual(linear.migration, every.migration, `${what}: migration outcomes`);
  const figures = ['energyKWh', 'slatah', 'pdm', 'slav', 'esv', 'overallSlaViolation', 'averageSlaViolation', 'meanTimeBeforeHostShutdown', 'sdTimeBeforeHostShutdown', 'meanTimeBeforeMigration', 'sdTimeBeforeMigration'] as const;
  for (const k of figures) {
    const a = linear[k];
    const b = every[k];
    assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${k} ${a} vs ${b} (every host)`);
  }
}

function compare(policy: string, parameter: number, model: () => MigrationModel, hours: number): { linear: ConsolidationResult; every: ConsolidationResult } {
  const cfg = { ...cloudsimPlanetLabConfig({ policy, parameter }), simulationLimit: hours * 3600 };
  const every = runConsolidation(cfg, traces, model(), { updateEveryHost: true });
  const linear = runConsolidation(cfg, traces, model());
  return { linear, every };
}

test('CloudSim migrations, PlanetLab day: the same decisions and figures (within 1e-11) as updating every host', () => {
  for (const [policy, parameter] of [['lr-mmt', 1.2], ['thr-mu', 0.8]] as const) {
    const { linear, every } = compare(policy, parameter, () => cloudsimMigrationModel, 24);
    assertSameRun(linear, every, 1e-11, policy);
    assert.ok(every.migrations > 20000, 'a full consolidation day');
  }
});

test('live pre-copy migrations (sources and targets carried while VMs migrate), PlanetLab day: the same decisions and figures (within 1e-10)', () => {
  const { linear, every } = compare('lr-mmt', 1.2, () => liveMigrationModel({ algorithm: 'precopy', preset: 'qemu', fidelity: 'fluid' }), 24);
  assertSameRun(linear, every, 1e-10, 'lr-mmt precopy');
  assert.ok(every.migration.failed > 0, 'the window has timed-out migrations too');
});

test('migrations that complete exactly at the next scheduling step: the same decisions and figures (within 1e-11) as updating every host', () => {
  // each migration lasts one scheduling interval, so its completion and the next step share an
  // instant (steps are 0.1 s past the trace samples): that update grows every VM's history
  const oneInterval = delayModel('one interval', () => ({ duration: 300, downtime: 0, bytesTransferred: 0, completed: true }));
  for (const [policy, parameter] of [['lrr-mc', 1.2], ['mad-mmt', 2.5]] as const) {
    const { linear, every } = compare(policy, parameter, () => oneInterval, 6);
    assertSameRun(linear, every, 1e-11, `${policy}, completions at the steps`);
    assert.ok(every.migrations > 5000, 'migrations complete at the steps');
  }
});

test('steps half a trace interval off the samples (demands bend mid-step, spans end where a load reaches capacity or a demand 0): the same decisions and figures (within 1e-10)', () => {
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), startTime: 150.1, simulationLimit: 12 * 3600 };
  const model = () => liveMigrationModel({ algorithm: 'precopy', preset: 'qemu', fidelity: 'fluid' });
  const every = runConsolidation(cfg, traces, model(), { updateEveryHost: true });
  const linear = runConsolidation(cfg, traces, model());
  assertSameRun(linear, every, 1e-10, 'lr-mmt precopy, steps off the samples');
  assert.ok(every.retiredVms > 0 && every.hostShutdowns > 0, 'the window retires VMs and shuts hosts down');
});

test("a span whose host's VM list changed before it ends is refused (its slopes are kept in list order)", () => {
  const cfg = cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2, hosts: 2 });
  const dc = new DataCenterState(cfg, [0, 0, 0]);
  const table = toTraceTable([0.2, 0.3, 0.4].map((u) => new Float64Array(288).fill(u)));
  const start = (linear: LinearHosts): void => {
    linear.beginStep(300, 600);
    assert.equal(linear.start(0), true, 'the span starts');
  };
  for (const v of [0, 1]) {
    dc.create(v, 0);
    dc.setRequest(v, 500);
  }
  dc.setUtilization(0, 1000);
  const unchanged = new LinearHosts(dc, table, 300);
  start(unchanged);
  unchanged.addInstant(400);
  unchanged.end(0, 450, 1, new VmHistory(3));
  const changed = new LinearHosts(dc, table, 300);
  start(changed);
  changed.addInstant(400);
  dc.create(2, 0);
  assert.throws(() => changed.end(0, 450, 1, new VmHistory(3)), /host 0's VM list changed during its linear span/);
});
