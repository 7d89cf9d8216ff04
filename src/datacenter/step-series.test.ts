/**
 * The per-step time series agree with the run's totals: started and ended migrations add up to the
 * run's counts, the mean powers integrate to the energy, and the series is the same whether hosts
 * are carried by their linear model or updated in full at every instant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { sharedDir } from '../../test/support.js';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { liveMigrationModel } from './live-migration.js';
import { cloudsimPlanetLabConfig } from './planetlab-config.js';
import { runConsolidation } from './run.js';
import { stepSeriesCsv } from './step-series.js';

const { traces } = loadPlanetLabFolder(join(sharedDir(), 'data', 'planetlab', '20110303'));
const sum = (a: number[]) => a.reduce((s, x) => s + x, 0);

test('per-step series: migrations add up, powers integrate to the energy, linear hosts change nothing', () => {
  const cfg = { ...cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), simulationLimit: 6 * 3600 };
  const model = () => liveMigrationModel({ algorithm: 'precopy', preset: 'qemu', fidelity: 'fluid' });
  const r = runConsolidation(cfg, traces, model());
  const s = r.series;
  const steps = Math.ceil((cfg.simulationLimit - cfg.startTime) / cfg.schedulingInterval) - 1;
  assert.equal(s.time.length, steps, 'one row per scheduling step');
  assert.equal(s.time[0], cfg.startTime + cfg.schedulingInterval);
  assert.equal(sum(s.migrationsStarted), r.migrations);
  assert.equal(sum(s.migrationsTimedOut) + sum(s.migrationsFailed), r.migration.failed);
  assert.equal(sum(s.migrationsTimedOut), r.migration.failures.timeout?.count ?? 0);
  assert.ok(sum(s.migrationsTimedOut) > 0, 'the window has timed-out migrations');
  const ended = sum(s.migrationsCompleted) + r.migration.failed;
  assert.ok(ended <= r.migrations && ended >= r.migrations - s.migrationsStarted.at(-1)!, "all but the last step's may still run at the end");
  // the mean powers times their intervals give the cumulative energy
  let joules = 0;
  for (let i = 0; i < s.time.length; i++) {
    joules += s.power[i] * (s.time[i] - (i === 0 ? 0 : s.time[i - 1]));
    assert.ok(Math.abs(joules / 3.6e6 - s.energyKWh[i]) <= 1e-9 * s.energyKWh[i] + 1e-12, `energy at step ${i}`);
  }
  assert.ok(s.energyKWh.at(-1)! <= r.energyKWh && s.energyKWh.at(-1)! > 0.95 * r.energyKWh);
  assert.ok(s.activeHosts.every((n) => n >= 0 && n <= r.hosts));
  assert.ok(s.overloadedHosts.some((n) => n > 0) && s.overloadedHosts.every((n, i) => n <= s.activeHosts[i]));
  assert.ok(
    s.slaViolationTime.every((v, i) => i === 0 || v >= s.slaViolationTime[i - 1]),
    'SLA violation time accumulates',
  );
  const every = runConsolidation(cfg, traces, model(), { updateEveryHost: true }).series;
  for (const k of ['time', 'activeHosts', 'overloadedHosts', 'migrationsStarted', 'migrationsCompleted', 'migrationsTimedOut', 'migrationsFailed'] as const) {
    assert.deepEqual(s[k], every[k], k);
  }
  s.energyKWh.forEach((e, i) => assert.ok(Math.abs(e - every.energyKWh[i]) <= 1e-10 * e, `energy ${i}`));
  const csv = stepSeriesCsv(s).trimEnd().split('\n');
  assert.equal(csv.length, steps + 1);
  assert.equal(csv[0].split(',').length, 10);
  assert.equal(Number(csv[5].split(',')[1]), s.activeHosts[4]);
});
