/**
 * Outputs that say what they hold: CSV headers name their unit and hold it (checked against the
 * JSON record), every table the text shows is reachable as CSV (`--table`), queued migrations show
 * their start and wait, and the JSON is deterministic (byte-identical on a second run).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import type { RunResult } from '../src/scenario/run.js';
import { repoRoot, sharedDir } from './support.js';

const root = repoRoot();
const example = (name: string) => join(root, 'examples', name);

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** CSV text -> records keyed by header (no quoted commas in these tables' numbers). */
function parseCsv(text: string): Record<string, string>[] {
  const [head, ...lines] = text.trimEnd().split('\n');
  const names = head.split(',');
  return lines.map((l) => {
    const cells = l.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, ''));
    return Object.fromEntries(names.map((n, i) => [n, cells[i]]));
  });
}

test('CSV headers name their unit, and the cells hold it (seconds and bytes, as in the JSON)', async () => {
  const file = example('precopy-basic.yaml');
  const json = JSON.parse((await lmsim(['run', file, '--json'])).out) as RunResult;
  const rows = parseCsv((await lmsim(['run', file, '--csv'])).out);
  assert.equal(rows.length, json.migrations.length);
  rows.forEach((r, i) => {
    const m = json.migrations[i];
    assert.equal(Number(r.downtime_s), m.downtime);
    assert.equal(Number(r.total_s), m.totalTime);
    assert.equal(Number(r.bytes_sent), m.bytesTransferred);
    assert.equal(Number(r.start_s), m.startTime);
    assert.equal(Number(r.queued_s), m.queuedFor);
    assert.equal(Number(r.pages_sent), m.pagesTransferred);
  });
  assert.ok(!Object.keys(rows[0]).some((h) => /_ms$|_mib$|_mb$/.test(h)), 'no header claims ms or MiB for seconds or bytes');
});

test('every table the text shows is reachable as CSV: migration rows and round trips alike', async () => {
  const file = example('migrate-back.yaml');
  const text = (await lmsim(['compare', file])).out;
  assert.match(text, /round trips/);
  const migrations = parseCsv((await lmsim(['compare', file, '--csv', '--table', 'migrations'])).out);
  const trips = parseCsv((await lmsim(['compare', file, '--csv', '--table', 'round-trips'])).out);
  assert.equal(migrations.length, 10);
  assert.equal(trips.length, 5);
  // the text's round-trip cells are the CSV's bytes in MiB
  const json = JSON.parse((await lmsim(['compare', file, '--json'])).out) as { variants: { name: string; result: RunResult }[] };
  const back = json.variants[1].result.migrations[1];
  assert.equal(Number(trips[1].bytes_sent_back), back.bytesTransferred);
  assert.match(text, new RegExp(`keep-all\\s+1/1\\s+\\d+\\s+\\d+\\s+\\d+\\s+${(back.bytesTransferred / 2 ** 20).toFixed(1)}`));
  // one table alone as text
  const only = (await lmsim(['compare', file, '--table', 'round-trips'])).out;
  assert.match(only, /^variant\s+VMs back\s+memory buffer MiB/);
  assert.doesNotMatch(only, /downtime ms/);
  // a run without a round trip has no such table: bad input, exit 2
  const none = await lmsim(['run', example('precopy-basic.yaml'), '--csv', '--table', 'round-trips']);
  assert.equal(none.code, 2);
  assert.equal(none.out, '');
  assert.match(none.err, /--table round-trips: no VM came back/);
  const unknown = await lmsim(['run', example('precopy-basic.yaml'), '--table', 'rounds']);
  assert.equal(unknown.code, 2);
});

test('text tables show start and queued when a migration waited for a slot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-'));
  const file = join(dir, 'queue.yaml');
  writeFileSync(
    file,
    `network: { bandwidth: 1Gbit/s }
hosts: [ { name: A, memory: 8GiB, maxConcurrent: 1 }, { name: B, memory: 8GiB } ]
vms: [ { name: a, host: A, memory: 256MiB }, { name: b, host: A, memory: 256MiB } ]
migrations: [ { vm: a, to: B }, { vm: b, to: B } ]
`,
  );
  const text = (await lmsim(['run', file])).out;
  assert.match(text.split('\n')[0], /status\s+start s\s+queued s\s+total s/);
  const csv = parseCsv((await lmsim(['run', file, '--csv'])).out);
  assert.equal(Number(csv[0].queued_s), 0);
  assert.ok(Number(csv[1].queued_s) > 0);
  assert.equal(Number(csv[1].start_s), Number(csv[1].queued_s), 'b starts when it stops waiting');
  // without a queue, the text table stays as it was
  assert.doesNotMatch((await lmsim(['run', example('precopy-basic.yaml')])).out, /queued/);
});

test('same inputs and seed: byte-identical JSON (run, compare)', async () => {
  for (const args of [['run', example('precopy-basic.yaml'), '--json'], ['compare', example('presets.yaml'), '--json', '--seed', '7']]) {
    const a = await lmsim(args);
    const b = await lmsim(args);
    assert.equal(a.code, 0);
    assert.equal(a.out, b.out);
    assert.doesNotMatch(a.out, /wall/i);
  }
});

const day = join(sharedDir(), 'data', 'planetlab', '20110303');
const skip = existsSync(day) ? false : 'shared PlanetLab data not found';

test('consolidate: byte-identical JSON, and every table as CSV', { skip }, async () => {
  const args = ['consolidate', '--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--hosts', '30', '--vms', '60', '--duration', '2h'];
  const a = await lmsim([...args, '--json']);
  const b = await lmsim([...args, '--json']);
  assert.equal(a.code, 0, a.err);
  assert.equal(a.out, b.out);
  assert.doesNotMatch(a.out, /wallSeconds/);
  const r = JSON.parse(a.out) as { energyKWh: number; migrations: number; migration: { totalTime: { mean: number } } };
  const [summary] = parseCsv((await lmsim([...args, '--csv', '--table', 'summary'])).out);
  assert.equal(Number(summary.energy_kwh), r.energyKWh);
  assert.equal(Number(summary.migrations), r.migrations);
  assert.equal(summary.policy, 'lr-mmt');
  const dist = parseCsv((await lmsim([...args, '--csv', '--table', 'migrations'])).out);
  assert.deepEqual(dist.map((d) => d.quantity), ['total_time_s', 'downtime_s']);
  assert.equal(Number(dist[0].mean), r.migration.totalTime.mean);
  const steps = parseCsv((await lmsim([...args, '--csv'])).out);
  assert.ok(steps.length > 0 && 'time_s' in steps[0]);
  const bad = await lmsim([...args, '--table', 'everything']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--table: expected one of summary, migrations, failures, steps/);
});

test('calibrate qemu --csv: the per-run table in seconds and bytes, the same figures as --json', async () => {
  const runs = join(sharedDir(), 'validation', 'qemu', 'runs.csv');
  const csv = await lmsim(['calibrate', 'qemu', runs, '--csv']);
  const js = await lmsim(['calibrate', 'qemu', runs, '--json']);
  assert.equal(csv.code, 0, csv.err);
  const rows = parseCsv(csv.out);
  const record = JSON.parse(js.out) as { rows: { run_id: string; measured: { totalTime: number | null; bytes: number }; predicted: { bytes: number; downtime: number | null } }[] };
  assert.equal(rows.length, record.rows.length);
  for (const [i, r] of record.rows.entries()) {
    assert.equal(rows[i].run_id, r.run_id);
    assert.equal(Number(rows[i].bytes_measured), r.measured.bytes);
    assert.equal(Number(rows[i].bytes_predicted), r.predicted.bytes);
    assert.equal(rows[i].downtime_s_predicted, r.predicted.downtime === null ? '' : String(r.predicted.downtime));
  }
});
