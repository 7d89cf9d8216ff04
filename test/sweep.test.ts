/**
 * `lmsim sweep` and `lmsim results` end to end on one machine: the same store from the plain path
 * and from 1 and 2 worker threads, a sweep killed mid-way and resumed (only the missing runs
 * computed), bad grids refused up front, and the analysis outputs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { ResultsStore, TIMING_COLUMNS } from '../src/experiments/store.js';
import { summarize } from '../src/report/confidence.js';
import { repoRoot, smallGrid as smallGridIn } from './support.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'lmsim-sweep-'));

export async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Every row of a store, timing columns left out, by key. */
export async function storeRows(path: string): Promise<Record<string, unknown>[]> {
  const store = await ResultsStore.open(path, { readOnly: true });
  try {
    return (await store.query(`SELECT * EXCLUDE (${TIMING_COLUMNS.join(', ')}) FROM runs ORDER BY key`)).rows;
  } finally {
    await store.close();
  }
}

const smallGrid = (name?: string, seeds?: string, memory?: string) => smallGridIn(dir, name, seeds, memory);

test('the same store from this thread, 1 and 2 worker threads (timing columns aside)', async () => {
  const grid = smallGrid();
  const stores = [0, 1, 2].map((w) => join(dir, `w${w}.duckdb`));
  const outs: string[] = [];
  for (const [w, store] of [0, 1, 2].entries()) {
    const r = await lmsim(['sweep', grid, '--store', stores[w], '--workers', String(store)]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '');
    outs.push(r.out.replace(/store \S+/, 'store X'));
  }
  assert.equal(outs[1], outs[0]);
  assert.equal(outs[2], outs[0]);
  assert.match(outs[0], /12 runs \(4 points x 3 seeds, 12 distinct\)/);
  assert.match(outs[0], /0 already stored, 12 computed/);
  const rows = await Promise.all(stores.map(storeRows));
  assert.equal(rows[0].length, 12);
  assert.deepEqual(rows[1], rows[0]);
  assert.deepEqual(rows[2], rows[0]);
  // every scalar metric as a column, the grid coordinates, the full result beside them
  const r0 = rows[0][0];
  for (const col of ['key', 'seed', 'migrations[0].downtimeLimit', 'algorithm', 'total_time_s', 'downtime_s', 'bytes_sent', 'result']) assert.ok(col in r0, col);
  const result = JSON.parse(String(r0.result));
  assert.equal(result.migrations[0].totalTime, r0.total_time_s);
  assert.equal(result.seed, r0.seed);
});

test('the summary is the mean, sd and t interval of the stored seeds', async () => {
  const store = join(dir, 'w0.duckdb');
  const r = await lmsim(['results', store, '--json', '--metric', 'downtime_s']);
  assert.equal(r.code, 0, r.err);
  const groups = JSON.parse(r.out).groups;
  assert.equal(groups.length, 4);
  assert.deepEqual([groups[0]['migrations[0].downtimeLimit'], groups[0].algorithm], ['30ms', 'precopy']);
  const raw = JSON.parse((await lmsim(['results', store, '--json', '--sql', `SELECT downtime_s FROM runs WHERE "migrations[0].downtimeLimit" = '30ms' AND algorithm = 'precopy'`])).out);
  const s = summarize(raw.map((x: { downtime_s: number }) => x.downtime_s));
  assert.equal(groups[0].downtime_s.n, 3);
  assert.equal(groups[0].downtime_s.mean, s.mean);
  assert.equal(groups[0].downtime_s.low, s.low);
  // --by, --where, --csv
  const byAlg = await lmsim(['results', store, '--csv', '--by', 'algorithm', '--where', 'seed <= 2', '--metric', 'total_time_s']);
  assert.equal(byAlg.code, 0, byAlg.err);
  const lines = byAlg.out.trim().split('\n');
  assert.equal(lines[0], 'algorithm,n,total_time_s_mean,total_time_s_sd,total_time_s_ci_low,total_time_s_ci_high');
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 2)), [['precopy', '4'], ['hybrid', '4']]);
});

test('results: Parquet export and the run-by-run diff of two stores', async () => {
  const a = join(dir, 'w0.duckdb');
  const parquet = join(dir, 'runs.parquet');
  const p = await lmsim(['results', a, '--parquet', parquet]);
  assert.equal(p.code, 0, p.err);
  assert.ok(existsSync(parquet));
  const back = await lmsim(['results', a, '--json', '--sql', `SELECT count(*) AS n, count(DISTINCT key) AS k FROM '${parquet}'`]);
  assert.deepEqual(JSON.parse(back.out), [{ n: 12, k: 12 }]);
  const same = await lmsim(['results', a, '--diff', join(dir, 'w2.duckdb')]);
  assert.equal(same.code, 0, same.err);
  assert.match(same.out, /12 runs in both, 12 with every metric equal, 0 changed .* 0 full results differ; only in .*: 0, only in .*: 0/);
  // a store with more seeds, and one run's metric changed by hand: the diff names it
  const b = join(dir, 'changed.duckdb');
  assert.equal((await lmsim(['sweep', smallGrid('g', '1..4'), '--store', b, '--workers', '0'])).code, 0);
  const store = await ResultsStore.open(b);
  const key = String((await store.query('SELECT key FROM runs ORDER BY key LIMIT 1')).rows[0].key);
  await store.db.run(`UPDATE runs SET downtime_s = downtime_s * 1.5 WHERE key = '${key}'`);
  await store.close();
  const d = await lmsim(['results', a, '--diff', b, '--json']);
  assert.equal(d.code, 0, d.err);
  const diff = JSON.parse(d.out);
  assert.equal(diff.both, 12);
  assert.equal(diff.onlyB, 4);
  assert.equal(diff.changes.length, 1);
  assert.equal(diff.changes[0].key, key);
  assert.equal(diff.changes[0].metric, 'downtime_s');
  assert.equal(diff.changes[0].b, diff.changes[0].a * 1.5);
});

test('a sweep killed mid-way keeps what it stored; the rerun computes only the missing runs', async () => {
  // 400 runs of a few milliseconds each: enough that the kill lands while the sweep is under way
  const runs = 400;
  const grid = smallGrid('resume', '1..100', '1GiB');
  const store = join(dir, 'resume.duckdb');
  const child = spawn(process.execPath, [join(root, 'bin', 'lmsim.js'), 'sweep', grid, '--store', store, '--workers', '1', '--progress'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      // progress lines come every 10 %: kill at the first one under way
      const m = [...err.matchAll(new RegExp(`(\\d+)/${runs} runs`, 'g'))].map((x) => Number(x[1]));
      if (m.some((n) => n > 0 && n < runs)) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => resolve());
    child.on('error', reject);
  });
  await new Promise((r) => child.on('close', r));
  const kept = (await storeRows(store)).length;
  assert.ok(kept > 0 && kept < runs, `stored before the kill: ${kept}\n${err}`);
  const rerun = await lmsim(['sweep', grid, '--store', store, '--workers', '0']);
  assert.equal(rerun.code, 0, rerun.err);
  assert.match(rerun.out, new RegExp(`${kept} already stored, ${runs - kept} computed`));
  const rows = await storeRows(store);
  assert.equal(rows.length, runs);
  assert.equal(new Set(rows.map((r) => r.key)).size, runs);
  // the same rows as a sweep that was never interrupted
  const clean = join(dir, 'clean.duckdb');
  assert.equal((await lmsim(['sweep', grid, '--store', clean, '--workers', '2'])).code, 0);
  assert.deepEqual(rows, await storeRows(clean));
  // run again: nothing to compute
  assert.match((await lmsim(['sweep', grid, '--store', store, '--workers', '0'])).out, new RegExp(`${runs} already stored, 0 computed`));
});

test('--set axes on a scenario file, --dry-run, and equal scenarios computed once', async () => {
  const scenario = join(root, 'examples', 'precopy-basic.yaml');
  const store = join(dir, 'set.duckdb');
  const dry = await lmsim(['sweep', scenario, '--set', 'vms[0].memory=4GiB,4096MiB', '--set', 'network.bandwidth=1Gbit/s..3Gbit/s:1Gbit/s', '--seeds', '1..2', '--store', store, '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /12 runs \(6 points x 2 seeds, 6 distinct\)/);
  assert.match(dry.out, /0 already stored, 6 to compute\nestimate: [\d.]+ s per run/);
  assert.ok(!existsSync(store), 'a dry run writes nothing');
});

const badGrids: [string, string[], RegExp][] = [
  ['an unknown path value', ['--set', 'network.bandwidth=1Gbit/s,fast'], /\(network\.bandwidth=fast.*\)[^]*network\.bandwidth: expected a rate/],
  ['a path outside the scenario', ['--set', 'nothing.here=1,2'], /nothing\.here|no "nothing"/],
  ['a bad range', ['--set', 'network.bandwidth=1Gbit/s..2Mbit/s:1Gbit/s'], /^lmsim: --set network\.bandwidth: .*same unit/m],
  ['bad seeds', ['--seeds', '1..x'], /--seeds: expected a range of integers/],
  ['bad workers', ['--workers', 'many'], /--workers: expected a whole number/],
];

for (const [what, flags, expected] of badGrids) {
  test(`bad sweep (${what}): exit 2 naming the axis or path, nothing written`, async () => {
    const store = join(dir, `bad-${what.replace(/\W+/g, '-')}.duckdb`);
    const r = await lmsim(['sweep', join(root, 'examples', 'precopy-basic.yaml'), '--store', store, ...flags]);
    assert.equal(r.code, 2, r.err);
    assert.equal(r.out, '');
    assert.match(r.err, expected);
    assert.doesNotMatch(r.err, /\n\s+at /);
    assert.ok(!existsSync(store));
  });
}

test('results: a missing store, an unknown metric or axis: exit 2', async () => {
  assert.equal((await lmsim(['results', join(dir, 'none.duckdb')])).code, 2);
  const m = await lmsim(['results', join(dir, 'w0.duckdb'), '--metric', 'speed']);
  assert.equal(m.code, 2);
  assert.match(m.err, /--metric: no metric "speed" in the store \(metrics: total_time_s/);
  const b = await lmsim(['results', join(dir, 'w0.duckdb'), '--by', 'colour']);
  assert.equal(b.code, 2);
  assert.match(b.err, /--by: no column "colour"/);
  const w = await lmsim(['results', join(dir, 'w0.duckdb'), '--where', 'no_such_column > 1']);
  assert.equal(w.code, 2);
  assert.match(w.err, /--where: /);
});

test('a consolidation sweep stores what lmsim consolidate computes for the same settings', async () => {
  const file = join(root, 'examples', 'consolidation-planetlab.yaml');
  const swept = await lmsim(['sweep', file, '--store', ':memory:', '--workers', '0', '--json', '--metric', 'energy_kwh,migrations,slav', '--set', 'migration=cloudsim,precopy', '--set', 'hosts.count=20', '--set', 'vms.count=20', '--set', 'duration=1h']);
  assert.equal(swept.code, 0, swept.err);
  const groups = JSON.parse(swept.out).groups;
  assert.equal(groups.length, 2);
  for (const g of groups) {
    const one = await lmsim(['consolidate', file, '--migration', g.migration, '--hosts', '20', '--vms', '20', '--duration', '1h', '--json']);
    assert.equal(one.code, 0, one.err);
    const r = JSON.parse(one.out);
    assert.equal(g.energy_kwh.mean, r.energyKWh, g.migration);
    assert.equal(g.migrations.mean, r.migrations, g.migration);
    assert.equal(g.slav.mean, r.slav, g.migration);
  }
});
