/**
 * CloudSim 5.0 reproduction: one PlanetLab day (20110303, sorted file order, 800 hosts, 1052 VMs)
 * against the reference figures in shared/validation/cloudsim. Tolerances: energy and migrations
 * 1 %, SLA metrics 5 % (or half a unit of the last printed digit, since the reference CSV is rounded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudsimPlanetLabConfig, runConsolidation } from './index.js';
import { loadPlanetLabFolder } from '../io/planetlab.js';

/** The package root: the first folder up from this file that has a package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(new URL(import.meta.url)));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above the test file');
    dir = up;
  }
  return dir;
}

const shared = join(packageRoot(), '..', 'shared');
const day = join(shared, 'data', 'planetlab', '20110303');
const referenceCsv = join(shared, 'validation', 'cloudsim', 'planetlab-20110303-sorted.csv');

interface Row {
  [k: string]: string;
}

function readReference(): Row[] {
  const [header, ...lines] = readFileSync(referenceCsv, 'utf8').trim().split('\n');
  const keys = header.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
}

/** |actual - expected| within `rel` of expected, or within half a unit of the reference's last printed digit. */
function near(actual: number, text: string, rel: number, what: string): void {
  const expected = Number(text);
  const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  const tol = Math.max(rel * Math.abs(expected), 0.5 * 10 ** -decimals);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: lmsim ${actual}, CloudSim ${text} (tolerance ${tol})`);
}

const PERCENT = 100;
const ENERGY_TOL = 0.01;
const MIGRATION_TOL = 0.01;
const SLA_TOL = 0.05;

const available = existsSync(day) && existsSync(referenceCsv);
const traces = available ? loadPlanetLabFolder(day).traces : undefined;

for (const row of available ? readReference() : []) {
  const policy = row.selection ? `${row.policy}-${row.selection}` : row.policy;
  const parameter = row.parameter ? Number(row.parameter) : undefined;
  test(`CloudSim 5.0 PlanetLab 20110303: ${policy} ${row.parameter}`, () => {
    const r = runConsolidation(cloudsimPlanetLabConfig({ policy, parameter }), traces!);
    near(r.energyKWh, row.energy_kwh, ENERGY_TOL, 'energy kWh');
    near(r.migrations, row.migrations, MIGRATION_TOL, 'migrations');
    near(r.slav * PERCENT, row.slav_pct, SLA_TOL, 'SLAV %');
    near(r.pdm * PERCENT, row.pdm_pct, SLA_TOL, 'PDM %');
    near(r.slatah * PERCENT, row.slatah_pct, SLA_TOL, 'SLATAH %');
    near(r.overallSlaViolation * PERCENT, row.overall_slav_pct, SLA_TOL, 'overall SLA violation %');
    near(r.averageSlaViolation * PERCENT, row.average_slav_pct, SLA_TOL, 'average SLA violation %');
    near(r.hostShutdowns, row.host_shutdowns, SLA_TOL, 'host shutdowns');
    near(r.meanTimeBeforeHostShutdown, row.mean_time_before_host_shutdown_s, SLA_TOL, 'mean time before host shutdown');
    near(r.sdTimeBeforeHostShutdown, row.sd_time_before_host_shutdown_s, SLA_TOL, 'sd time before host shutdown');
    if (row.mean_time_before_vm_migration_s !== 'NaN') {
      near(r.meanTimeBeforeMigration, row.mean_time_before_vm_migration_s, SLA_TOL, 'mean time before VM migration');
      near(r.sdTimeBeforeMigration, row.sd_time_before_vm_migration_s, SLA_TOL, 'sd time before VM migration');
    } else assert.ok(Number.isNaN(r.meanTimeBeforeMigration));
    assert.doesNotThrow(() => JSON.stringify(r));
  });
}

test('the PlanetLab day and the CloudSim reference are present', { skip: available ? false : 'shared data not found' }, () => {
  assert.equal(traces!.values.length, 1052 * 288);
});
