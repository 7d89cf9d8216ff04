/**
 * `lmsim calibrate qemu ../shared/validation/qemu/runs.csv`: the checks of docs/validation.md
 * on the measured QEMU migrations. The known misses are listed by run id with the mechanism that
 * is missing; they run as `todo` tests (reported, not failing), so a fix shows up as a passing todo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { calibrate, CalibrationReport, RowReport } from './calibrate.js';
import { qemuLabConstants } from './constants.js';
import { fitConstants } from './fit.js';
import { parseQemuRuns } from './qemu-runs.js';
import { quantile } from './stats.js';
import { main } from '../cli/main.js';
import { parseScenarioText } from '../scenario/load.js';
import { sharedDir } from '../../test/support.js';

const csvPath = resolve(sharedDir(), 'validation', 'qemu', 'runs.csv');
const runs = parseQemuRuns(readFileSync(csvPath, 'utf8'));
let cached: CalibrationReport | null = null;
const report = (): CalibrationReport => (cached ??= calibrate(runs, qemuLabConstants));

/**
 * Known downtime misses (host STOP -> RESUME) against max(20 %, 10 ms), each with its cause; the
 * evidence is in docs/validation.md "What the model gets wrong".
 */
const knownDowntimeMisses = new Map([
  // idle, QEMU 7.2, 128 MiB/s, repeat 2: the same stream as repeat 1 (live 335,603,831 vs
  // 335,603,815 bytes, final copy 12,052,002 on both) took 59.5 ms against 44.6; the bands
  // within max(20 %, 10 ms) meet only in 47.6-54.6 ms, and lmsim's 43.3 is within repeat 1's
  ['main-q72-m512-a256-ws0-r0-seq-byte-precopy-bw128-dl300-rep2', 'repeats differ: 59.5 vs 44.6 ms, same bytes'],
  // idle, QEMU 10, 128 MiB/s (one run): the destination starts its final copy about 16 ms after
  // the stop, still working through the window of 32,348 zero pages before it; the zero-page
  // check (ram_handle_zero, the same code as 7.2's) would need ~3 us a page where QEMU 7.2's
  // idle runs give 1.4-1.8 us; what remains is one run behind by the 7.2 repeats' spread (15 ms)
  ['qemu10-q10-m512-a256-ws0-r0-seq-byte-precopy-bw128-dl300-rep1', 'destination 16 ms behind after a zero-page window, single run; zero-page cost refuted by QEMU 7.2 rows'],
  // hybrid, 256 MiB @ 16,384 writes/s, 128 MiB/s: repeat 1 took 10.2 ms (band 0.2-20.2), repeat
  // 2 33.7 ms (band 23.7-43.7); the bands do not meet
  ['main-q72-m512-a256-ws256-r16384-seq-byte-hybrid-bw128-dl300-rep2', 'repeats differ: 33.7 vs 10.2 ms, bands disjoint'],
]);

const describe = (r: RowReport) =>
  `${r.run_id}: measured ${r.measured.converged ? 'converged' : 'not converged'} ${r.measured.totalTime?.toFixed(2)} s, predicted ${r.predicted.status} ${r.predicted.totalTime?.toFixed(2)} s`;

test('runs.csv: 79 rows parsed', () => {
  assert.equal(runs.length, 79);
});

test('--fit on runs.csv gives the shipped constants', () => {
  assert.deepEqual(fitConstants(runs).constants, qemuLabConstants);
});

test('convergence verdict right on every row but auto-converge', () => {
  const wrong = report().rows.filter((r) => r.algo !== 'autoconverge' && !r.verdictAgrees);
  assert.deepEqual(wrong.map(describe), []);
});

test('auto-converge verdicts (within 1 s of the timeout counts as agreeing)', () => {
  const wrong = report().rows.filter((r) => r.algo === 'autoconverge' && !r.verdictAgrees);
  assert.deepEqual(wrong.map(describe), []);
});

test('total time: p90 error <= 15 % over completed pre-copy and hybrid rows', () => {
  const errs = report()
    .rows.filter((r) => (r.algo === 'precopy' || r.algo === 'hybrid') && r.measured.converged)
    .map((r) => r.errors.totalTime!);
  assert.ok(errs.length >= 40, `only ${errs.length} rows`);
  const p90 = quantile(errs, 0.9);
  assert.ok(p90 <= 0.15, `p90 ${(p90 * 100).toFixed(1)} %`);
});

test('bytes transferred: p90 error <= 10 % over every row', () => {
  const p90 = quantile(report().rows.map((r) => r.errors.bytes!), 0.9);
  assert.ok(p90 <= 0.1, `p90 ${(p90 * 100).toFixed(1)} %`);
  assert.equal(report().summary.bytes.n, 79);
});

test('downtime within max(20 %, 10 ms) on completed rows (known misses apart)', () => {
  const scored = report().rows.filter((r) => r.downtimeOk !== null);
  assert.ok(scored.length >= 55, `only ${scored.length} rows scored`);
  const bad = scored.filter((r) => !r.downtimeOk && !knownDowntimeMisses.has(r.run_id));
  assert.deepEqual(bad.map((r) => `${r.run_id}: measured ${(r.measured.downtime! * 1000).toFixed(1)} ms, predicted ${(r.predicted.downtime! * 1000).toFixed(1)} ms`), []);
});

test('downtime of the known misses', { todo: 'repeats that differ, and a single QEMU 10 run behind by their spread (see docs/validation.md)' }, () => {
  const bad = report().rows.filter((r) => knownDowntimeMisses.has(r.run_id) && !r.downtimeOk);
  assert.deepEqual(bad.map((r) => `${r.run_id}: ${knownDowntimeMisses.get(r.run_id)}`), []);
});

test('post-copy requests and blocked time are scored on every hybrid and post-copy row', () => {
  const pc = report().rows.filter((r) => r.algo === 'hybrid' || r.algo === 'postcopy');
  assert.equal(pc.length, 24);
  for (const r of pc) {
    assert.equal(typeof r.measured.postcopyRequests, 'number', r.run_id);
    assert.equal(typeof r.measured.blockedTime, 'number', r.run_id);
    assert.equal(typeof r.predicted.postcopyRequests, 'number', r.run_id);
  }
  // the CSV's own figures, read in the right units (ms -> s)
  const row = pc.find((r) => r.run_id === 'main-q72-m512-a256-ws64-r16384-seq-byte-hybrid-bw32-dl300-rep1')!;
  assert.equal(row.measured.postcopyRequests, 38);
  assert.equal(row.measured.blockedTime, 1.262);
  for (const r of report().rows.filter((x) => x.algo !== 'hybrid' && x.algo !== 'postcopy')) {
    assert.equal(r.errors.postcopyRequests, null);
    assert.equal(r.errors.blockedTime, null);
  }
  assert.equal(report().summary.postcopyRequests.n, 24);
  assert.equal(report().summary.blockedTime.n, 24);
});

test('post-copy requests and blocked time: median error <= 30 % (machine constants only)', () => {
  const s = report().summary;
  assert.ok(s.postcopyRequests.median <= 0.3, `requests median ${(s.postcopyRequests.median * 100).toFixed(1)} %`);
  assert.ok(s.blockedTime.median <= 0.3, `blocked time median ${(s.blockedTime.median * 100).toFixed(1)} %`);
});

test('lmsim calibrate qemu runs.csv --json (the command)', async () => {
  const out: string[] = [], err: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-cal-'));
  try {
    const code = await main(['calibrate', 'qemu', csvPath, '--json', '--emit-scenarios', dir], { out: (t) => out.push(t), err: (t) => err.push(t) });
    assert.equal(code, 0, err.join(''));
    const j = JSON.parse(out.join(''));
    assert.equal(j.rows.length, 79);
    assert.deepEqual(Object.keys(j.rows[0]).slice(0, 3), ['run_id', 'line', 'family']);
    for (const k of ['totalTime', 'bytes', 'downtime', 'postcopyRequests', 'blockedTime']) {
      assert.equal(typeof j.summary[k].median, 'number');
      assert.equal(typeof j.summary[k].p90, 'number');
    }
    assert.equal(j.summary.verdictsTotal, 79);
    assert.deepEqual(j.summary, JSON.parse(JSON.stringify(report().summary)));
    const files = readdirSync(dir);
    assert.equal(files.length, 79);
    const spec = parseScenarioText(readFileSync(join(dir, files[0]), 'utf8'));
    assert.equal(spec.vms[0].memory, 512 * 2 ** 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lmsim calibrate qemu: bad input exits 2 with line and column, nothing on stdout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-cal-'));
  try {
    const lines = readFileSync(csvPath, 'utf8').split('\n');
    const cols = lines[0].split(',');
    const i = cols.indexOf('ram_mib');
    const bad = lines[2].split(',');
    bad[i] = 'five-twelve';
    lines[2] = bad.join(',');
    const file = join(dir, 'bad.csv');
    writeFileSync(file, lines.join('\n'));
    const out: string[] = [], err: string[] = [];
    const code = await main(['calibrate', 'qemu', file], { out: (t) => out.push(t), err: (t) => err.push(t) });
    assert.equal(code, 2);
    assert.equal(out.join(''), '');
    assert.match(err.join(''), /line 3, column \d+ \(ram_mib\): expected a number, got "five-twelve"/);
    const missing = await main(['calibrate', 'qemu', join(dir, 'nope.csv')], { out: (t) => out.push(t), err: () => {} });
    assert.equal(missing, 2);
    writeFileSync(join(dir, 'c.json'), '{"rateLimitFactor": "fast"}');
    const badConst = await main(['calibrate', 'qemu', csvPath, '--constants', join(dir, 'c.json')], { out: (t) => out.push(t), err: (t) => err.push(t) });
    assert.equal(badConst, 2);
    assert.equal(out.join(''), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
