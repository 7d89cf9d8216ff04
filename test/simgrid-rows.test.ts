/**
 * lmsim against SimGrid 3.32's live-migration plugin: each row of test/data/simgrid-rows.csv (made by
 * bench/simgrid-rows.mjs from bench/simgrid/migrate.cpp; the command is the file's first line) is
 * run as its lmsim scenario (`preset: simgrid`, the row's network model) and must agree within 0.1 %
 * of total time and downtime, with the same stage-2 round counts and the same verdicts (completed, or
 * still going at the horizon: SimGrid never converges there).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { validateScenario } from '../src/scenario/load.js';
import { runScenario } from '../src/scenario/run.js';
import { lmsimOutcome, parseRows, simgridScenario, summarize } from './simgrid-cases.js';
import { repoRoot } from './support.js';

const rows = parseRows(readFileSync(join(repoRoot(), 'test', 'data', 'simgrid-rows.csv'), 'utf8'));

/** Within 0.1 % (or a microsecond, for sums that are 0). */
function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= Math.max(1e-3 * Math.abs(expected), 1e-6);
}

test('the reference grid covers both models, idle and busy, 0-40 ms, single and concurrent (one link, both directions, a ring, different NICs, staggered starts), and both verdicts', () => {
  assert.ok(rows.length >= 40);
  for (const model of ['CM02', 'LV08']) {
    const mine = rows.filter((r) => r.case.model === model);
    assert.deepEqual([...new Set(mine.map((r) => r.case.latency))].sort((a, b) => a - b), [0, 0.0001, 0.001, 0.01, 0.02, 0.04]);
    assert.ok(mine.some((r) => r.case.intensity === 0) && mine.some((r) => r.case.intensity > 0));
    assert.ok(mine.some((r) => r.case.migrations === 1) && mine.some((r) => r.case.migrations >= 1000));
    assert.ok(mine.some((r) => r.case.layout === 'swap') && mine.some((r) => r.case.layout === 'ring') && mine.some((r) => r.case.layout === 'mixed' && r.case.latency > 0));
    assert.ok(mine.some((r) => r.simgrid.completed === 0) && mine.some((r) => r.simgrid.completed > 0));
    assert.ok(mine.some((r) => r.case.stagger > 0 && r.simgrid.completed > 1), 'migrations started at different times');
  }
});

for (const { case: c, simgrid } of rows) {
  const name = `${c.model} ${c.layout} ${c.migrations}x ${c.ram} MiB, intensity ${c.intensity} %, ${c.latency * 1000} ms, ${c.speed} MiB/s`;
  test(`SimGrid row: ${name}`, () => {
    const result = runScenario(validateScenario(simgridScenario(c, name)));
    const lmsim = summarize(result.migrations.map(lmsimOutcome));
    assert.equal(lmsim.completed, simgrid.completed, 'migrations completed by the horizon');
    assert.equal(lmsim.minRounds, simgrid.minRounds, 'fewest stage-2 rounds');
    assert.equal(lmsim.maxRounds, simgrid.maxRounds, 'most stage-2 rounds');
    assert.ok(close(lmsim.sumTime, simgrid.sumTime), `sum of total times: lmsim ${lmsim.sumTime} s, SimGrid ${simgrid.sumTime} s`);
    assert.ok(close(lmsim.maxTime, simgrid.maxTime), `longest total time: lmsim ${lmsim.maxTime} s, SimGrid ${simgrid.maxTime} s`);
    assert.ok(close(lmsim.sumDowntime, simgrid.sumDowntime), `sum of downtimes: lmsim ${lmsim.sumDowntime} s, SimGrid ${simgrid.sumDowntime} s`);
  });
}
