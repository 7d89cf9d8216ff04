/**
 * Synthetic traces against the real PlanetLab days: the same statistics within stated bands
 * (bench/synthetic-traces.mjs prints them all side by side), reproducible from the seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { syntheticTraces } from './synthetic-traces.js';
import { traceStatistics, type TraceStatistics } from './trace-stats.js';

const root = join(process.cwd(), '..', 'shared', 'data', 'planetlab');
const days = existsSync(root) ? readdirSync(root).filter((d) => /^\d{8}$/.test(d)).sort() : [];
const skip = days.length > 0 ? false : process.env.CI === 'true' ? false : 'shared PlanetLab days not found';

test('synthetic traces are reproducible from their seed, and differ between seeds', () => {
  const a = syntheticTraces(50, 7), b = syntheticTraces(50, 7), c = syntheticTraces(50, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.values, c.values);
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i];
    assert.ok(x >= 0 && x <= 1 && Math.abs(x * 100 - Math.round(x * 100)) < 1e-9, `${x}: an integer percent`);
  }
});

test('synthetic traces have PlanetLab statistics (each figure within the range of the real days, widened by a stated margin)', { skip }, () => {
  const real = days.map((d) => traceStatistics(loadPlanetLabFolder(join(root, d)).traces));
  const within = (key: keyof TraceStatistics, s: TraceStatistics, margin: number) => {
    const lo = Math.min(...real.map((r) => r[key])), hi = Math.max(...real.map((r) => r[key]));
    assert.ok(s[key] >= lo - margin * (hi - lo + Math.abs(lo)) && s[key] <= hi + margin * (hi - lo + Math.abs(hi)), `${String(key)}: synthetic ${s[key]}, real days ${lo}..${hi}`);
  };
  for (const seed of [0, 1]) {
    const s = traceStatistics(syntheticTraces(1052, seed));
    for (const key of ['mean', 'p50', 'zeroShare', 'vmMeanP10', 'vmMeanP50', 'vmSdP50', 'lag1', 'vmsWithZero', 'firstZero'] as const) within(key, s, 0.1);
    // the tails: a little lighter at the 90th percentile of VM means, a little heavier at p99
    within('vmMeanP90', s, 0.25);
    within('p90', s, 0.25);
    within('p99', s, 0.25);
  }
});
