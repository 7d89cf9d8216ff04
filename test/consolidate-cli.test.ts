/**
 * `lmsim consolidate` end to end (through registerConsolidate, so it runs whether or not main.ts
 * has wired the command yet): the golden PlanetLab example, CloudSim's reference figures through
 * the CLI, bad input (exit 2, a message naming the flag or path, nothing on stdout), --json purity,
 * and a small consolidation with real (pre-copy) migrations, including ones that time out.
 * Regenerate the golden file after a deliberate model change with: UPDATE_GOLDEN=1 npm test
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { registerConsolidate } from '../src/cli/consolidate.js';
import { repoRoot, sharedDir } from './support.js';

const root = repoRoot();
const day = join(sharedDir(), 'data', 'planetlab', '20110303');
const referenceCsv = join(sharedDir(), 'validation', 'cloudsim', 'planetlab-20110303-sorted.csv');
const haveData = existsSync(day) && existsSync(referenceCsv);
const skip = haveData ? false : 'shared PlanetLab data not found';

/** Runs `lmsim consolidate ...args` as main.ts does (exit codes, commander errors -> 2). */
async function consolidate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  let code = 0;
  const io = { out: (t: string) => (out += t), err: (t: string) => (err += t) };
  const program = new Command('lmsim').exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  registerConsolidate(program, io, (c) => (code = c));
  try {
    await program.parseAsync(['consolidate', ...args], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  }
  return { code, out, err };
}

interface Json {
  energyKWh: number;
  migrations: number;
  slatah: number;
  pdm: number;
  slav: number;
  overallSlaViolation: number;
  averageSlaViolation: number;
  hostShutdowns: number;
  meanTimeBeforeHostShutdown: number;
  meanTimeBeforeMigration: number;
  vms: number;
  migration: {
    model: string;
    totalTime: { mean: number; p50: number; p90: number; max: number };
    downtime: { mean: number; p50: number; p90: number; max: number };
    bytes: number;
    notCompleted: number;
    failures: Record<string, { count: number; example: string }>;
  };
}

test('example consolidation-planetlab.yaml matches its golden output', { skip }, async () => {
  const file = join(root, 'examples', 'consolidation-planetlab.yaml');
  const first = readFileSync(file, 'utf8').split('\n')[0];
  assert.equal(first, '# command: lmsim consolidate examples/consolidation-planetlab.yaml');
  const { code, out, err } = await consolidate([file]);
  assert.equal(err, '');
  assert.equal(code, 0);
  const golden = file.replace(/\.yaml$/, '.out');
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, out);
  assert.equal(out, readFileSync(golden, 'utf8'));
});

test('CloudSim mode through the CLI reproduces CloudSim 5.0 (THR-MMT 0.8, PlanetLab 20110303)', { skip }, async () => {
  const [header, ...lines] = readFileSync(referenceCsv, 'utf8').trim().split('\n');
  const keys = header.split(',');
  const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i], v])));
  const ref = rows.find((r) => r.policy === 'thr' && r.selection === 'mmt' && r.parameter === '0.8')!;
  const { code, out, err } = await consolidate(['--trace', day, '--policy', 'thr-mmt', '--param', '0.8', '--json']);
  assert.equal(code, 0, err);
  const r = JSON.parse(out) as Json;
  // CloudSim prints 192.62 kWh, 26711 migrations, SLAV 0.00318 %, SLATAH 4.91 %, PDM 0.06 %
  const near = (actual: number, text: string, scale = 1) => {
    const decimals = text.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
    assert.ok(Math.abs(actual * scale - Number(text)) <= 0.5 * 10 ** -decimals + 1e-12, `${actual * scale} vs ${text}`);
  };
  near(r.energyKWh, ref.energy_kwh);
  assert.equal(r.migrations, Number(ref.migrations));
  near(r.slav, ref.slav_pct, 100);
  near(r.slatah, ref.slatah_pct, 100);
  near(r.pdm, ref.pdm_pct, 100);
  near(r.overallSlaViolation, ref.overall_slav_pct, 100);
  near(r.averageSlaViolation, ref.average_slav_pct, 100);
  assert.equal(r.hostShutdowns, Number(ref.host_shutdowns));
  near(r.meanTimeBeforeHostShutdown, ref.mean_time_before_host_shutdown_s);
  near(r.meanTimeBeforeMigration, ref.mean_time_before_vm_migration_s);
  assert.equal(r.migration.model, 'cloudsim');
  assert.equal(r.migration.notCompleted, 0);
  assert.equal(r.migration.downtime.max, 0);
  assert.equal('wallSeconds' in r, false, 'no wall time in the deterministic JSON');
});

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-consolidate-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const badArgs: [string, () => string[], RegExp][] = [
  ['missing trace folder', () => ['--trace', '/no/such/folder', '--policy', 'lr-mmt', '--param', '1.2'], /--trace: no folder "\/no\/such\/folder"; expected a CloudSim PlanetLab day folder/],
  ['unknown policy', () => ['--trace', day, '--policy', 'lr-foo', '--param', '1.2'], /--policy: unknown policy "lr-foo": expected dvfs, npa or <thr\|iqr\|mad\|lr\|lrr>-<mmt\|mc\|mu\|rs>/],
  ['bad parameter', () => ['--trace', day, '--policy', 'lr-mmt', '--param', 'abc'], /--param: expected a positive number like 1\.2, got "abc"/],
  ['negative parameter', () => ['--trace', day, '--policy', 'lr-mmt', '--param', '-1'], /--param: expected a positive number like 1\.2, got "-1"|error: /],
  ['missing parameter', () => ['--trace', day, '--policy', 'mad-mmt'], /--param: required for policy "mad-mmt"/],
  ['THR threshold in percent', () => ['--trace', day, '--policy', 'thr-mmt', '--param', '80'], /--param: a THR threshold is a utilisation fraction in \(0, 1\], got 80/],
  ['unknown migration model', () => ['--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--migration', 'teleport'], /--migration: expected one of cloudsim, precopy, postcopy, hybrid, got "teleport"/],
  ['fidelity without live migration', () => ['--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--fidelity', 'fluid'], /--fidelity: applies to live migrations only/],
  ['bad host count', () => ['--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--hosts', '2.5'], /--hosts: expected a positive integer, got "2\.5"/],
  ['bad duration', () => ['--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--duration', 'long'], /--duration: expected a duration/],
  ['duration beyond the traces', () => ['--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--duration', '25h'], /--duration: the traces cover 86400 s, less than the 90000 s to simulate/],
  ['a parameter without a policy', () => ['--param', '1.2'], /--param: given without --policy/],
  ['unknown option', () => ['--trace', day, '--policy', 'lr-mmt', '--parm', '1.2'], /unknown option '--parm'/],
  ['missing file', () => ['/no/such/file.yaml'], /\/no\/such\/file\.yaml is not valid:\n {2}cannot read the file: ENOENT/],
  ['file with a bad field', () => [tempFile('c.yaml', `trace: ${day}\npolicy: lr-mmt\nparam: 1.2\nmigration: { model: precopy, preset: kvm }\n`)], /c\.yaml is not valid:\n {2}migration\.preset: expected one of "qemu", "xen", "xen-legacy", "simgrid", got "kvm"/],
  ['file with an unknown network model', () => [tempFile('c.yaml', `trace: ${day}\npolicy: lr-mmt\nparam: 1.2\nmigration: { model: precopy, networkModel: lv9 }\n`)], /c\.yaml is not valid:\n {2}migration\.networkModel: expected one of "once", "per-transfer", "cm02", "lv08", got "lv9"/],
  ['file with a trace relative to it', () => [tempFile('c.yaml', 'trace: day\npolicy: lr-mmt\nparam: 1.2\n')], /c\.yaml is not valid:\n {2}trace: no folder .*\/day \("day" relative to /],
  ['a folder that is not PlanetLab', () => ['--trace', root, '--policy', 'lr-mmt', '--param', '1.2'], /expected 288 lines|expected an integer CPU percent/],
];

for (const [what, args, expected] of badArgs) {
  test(`consolidate, bad input (${what}): exit 2, message names it, nothing on stdout`, { skip }, async () => {
    const { code, out, err } = await consolidate(args());
    assert.equal(code, 2, err);
    assert.equal(out, '');
    assert.match(err, expected);
    assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
  });
}

/** A few hosts, a few hours: small enough for the page-exact engine. */
const small = ['--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--hosts', '20', '--vms', '40', '--duration', '3h', '--json'];

test('--json is pure JSON on stdout; --progress draws on stderr only', { skip }, async () => {
  const { code, out, err } = await consolidate([...small, '--progress']);
  assert.equal(code, 0, err);
  const r = JSON.parse(out) as Json;
  for (const k of ['energyKWh', 'migrations', 'slatah', 'pdm', 'slav', 'hostShutdowns'] as const) assert.equal(typeof r[k], 'number', k);
  assert.equal(r.vms, 40);
  assert.match(err, /consolidating \[#+\] 100% \(3\.0 h of 3\.0 h simulated\)/);
  assert.doesNotMatch(out, /consolidating/);
});

test('real migrations: a small consolidation with pre-copy runs to completion; migrations take longer than CloudSim RAM/(BW/2)', { skip }, async () => {
  const cloudsim = JSON.parse((await consolidate(small)).out) as Json;
  const run = await consolidate([...small, '--migration', 'precopy']);
  assert.equal(run.code, 0, run.err);
  const live = JSON.parse(run.out) as Json;
  // Figures (20 hosts, 40 VMs, 3 h of 20110303, LR-MMT 1.2; pre-copy, qemu preset, fluid memory
  // (page-exact gives the same to ~0.1 %), 5000 pages/s at full load): CloudSim 113 migrations,
  // mean 18.6 s, p90 27.8 s (= 1740 MB over 62.5 MB/s), no downtime; pre-copy 113 migrations, mean
  // 67.3 s, p90 147.7 s, max 174.1 s, downtime mean 179 ms, PDM 0.199 % vs 0.048 %: several
  // migrations leave or enter the same host in one step and share its 1 Gbit/s NIC, and every
  // round re-sends the pages the guests dirtied meanwhile.
  assert.equal(cloudsim.migration.totalTime.p90, 27.84);
  assert.ok(live.migrations > 0.5 * cloudsim.migrations && live.migrations < 2 * cloudsim.migrations, `${live.migrations} vs ${cloudsim.migrations}`);
  assert.ok(live.migration.totalTime.mean > 1.5 * cloudsim.migration.totalTime.mean, `mean ${live.migration.totalTime.mean} vs ${cloudsim.migration.totalTime.mean}`);
  assert.ok(live.migration.totalTime.max > cloudsim.migration.totalTime.max, `max ${live.migration.totalTime.max}`);
  assert.ok(live.migration.downtime.mean > 0.01 && live.migration.downtime.max < 5, `downtime ${JSON.stringify(live.migration.downtime)}`);
  // longer migrations degrade the migrating VMs for longer: PDM (and SLAV) grow
  assert.ok(live.pdm > cloudsim.pdm, `PDM ${live.pdm} vs ${cloudsim.pdm}`);
  assert.ok(live.meanTimeBeforeMigration > cloudsim.meanTimeBeforeMigration);
});

test('real migrations under a network model: cm02 over 40 ms (window bound, per-transfer latency) makes them longer than once', { skip }, async () => {
  const file = (model: string) => tempFile('n.yaml', `trace: ${day}\npolicy: lr-mmt\nparam: 1.2\nhosts: { count: 20 }\nvms: { count: 40 }\nduration: 3h\nmigration: { model: precopy, latency: 40ms${model} }\n`);
  const once = await consolidate([file(''), '--json']);
  const cm02 = await consolidate([file(', networkModel: cm02'), '--json']);
  assert.equal(cm02.code, 0, cm02.err);
  const a = JSON.parse(once.out) as Json, b = JSON.parse(cm02.out) as Json;
  assert.ok(b.migration.totalTime.mean > a.migration.totalTime.mean, `mean ${b.migration.totalTime.mean} vs ${a.migration.totalTime.mean}`);
  assert.ok(b.migration.totalTime.max > a.migration.totalTime.max, `max ${b.migration.totalTime.max} vs ${a.migration.totalTime.max}`);
});

test('real migrations that time out leave the VM on its source and are counted', { skip }, async () => {
  // a 30 s timeout and guests that write 30,000 pages/s at full load: many pre-copies cannot converge
  const file = tempFile(
    't.yaml',
    `trace: ${day}\npolicy: lr-mmt\nparam: 1.2\nhosts: { count: 20 }\nvms: { count: 40 }\nduration: 3h\nmigration: { model: precopy, preset: qemu, timeout: 30s, writeRateAtFullLoad: 30000/s, hotFraction: 0.5 }\n`,
  );
  const { code, out, err } = await consolidate([file, '--json']);
  assert.equal(code, 0, err);
  const r = JSON.parse(out) as Json;
  assert.ok(r.migration.notCompleted > 0, 'some migrations time out');
  assert.ok(r.migration.notCompleted < r.migrations);
  assert.equal(r.migration.failures.timeout?.count, r.migration.notCompleted);
  assert.match(r.migration.failures.timeout.example, /not converged after the 30 s timeout; the VM keeps running on h\d+/);
  // a migration already in its stop-and-copy phase at the timeout finishes (30.17 s here)
  assert.ok(r.migration.totalTime.p90 <= 30 + 1e-9 && r.migration.totalTime.max < 31, JSON.stringify(r.migration.totalTime));
});

test('--csv prints the per-step series, the same rows as the JSON\'s series', { skip }, async () => {
  const args = small.filter((a) => a !== '--json');
  const csv = await consolidate([...args, '--csv']);
  const json = await consolidate([...args, '--json']);
  assert.equal(csv.code, 0);
  const series = JSON.parse(json.out).series;
  const lines = csv.out.trimEnd().split('\n');
  assert.equal(lines[0], 'time_s,active_hosts,overloaded_hosts,power_w,energy_kwh,migrations_started,migrations_completed,migrations_timed_out,migrations_failed,sla_violation_time_s');
  assert.equal(lines.length - 1, series.time.length);
  lines.slice(1).forEach((line, i) => {
    const [t, active, , power, , started] = line.split(',').map(Number);
    assert.deepEqual([t, active, power, started], [series.time[i], series.activeHosts[i], series.power[i], series.migrationsStarted[i]]);
  });
  const both = await consolidate([...args, '--csv', '--json']);
  assert.equal(both.code, 2, '--csv and --json conflict');
});

test('compare: variants run side by side (a table row, a JSON entry each); a bad variant names its entry and path', { skip }, async () => {
  const text = (compare: string) =>
    `trace: ${day}\npolicy: lr-mmt\nparam: 1.2\nhosts: { count: 20 }\nvms: { count: 40 }\nduration: 3h\nmigration: { model: precopy, reuse: none }\ncompare:\n${compare}`;
  const file = tempFile('c.yaml', text('  - { label: none, migration.reuse: none }\n  - { label: kept, migration.reuse: { policy: keep-all, whenOff: keep } }\n'));
  const table = await consolidate([file]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /2 variants, 20 hosts, 40 VMs, 10800 s simulated/);
  assert.match(table.out, /\nnone +[\d.]+ +\d+/);
  assert.match(table.out, /\nkept +[\d.]+ +\d+ .* \d+ +\d+$/m);
  const json = await consolidate([file, '--json']);
  assert.equal(json.code, 0, json.err);
  const runs = JSON.parse(json.out) as (Json & { variant: string; reuse?: { returns: number; peakHostMemoryShare: number } })[];
  assert.deepEqual(runs.map((r) => r.variant), ['none', 'kept']);
  assert.equal(runs[0].reuse, undefined);
  assert.ok(runs[1].reuse!.peakHostMemoryShare <= 1);
  const bad = await consolidate([tempFile('d.yaml', text('  - { migration.reuse: keep-some }\n'))]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /compare\[0\] is not valid:\n +migration\.reuse: expected one of "none", "keep-all", .* got "keep-some"/);
  assert.equal(bad.out, '');
  const page = await consolidate([tempFile('e.yaml', text('  - { migration.reuse: keep-all, migration.fidelity: page }\n'))]);
  assert.equal(page.code, 2);
  assert.match(page.err, /migration\.reuse: memory reuse in consolidation needs fluid memory/);
});

test('without a trace folder: a seeded synthetic data center (LR-MMT 1.2 unless told), the same for the same seed', async () => {
  const args = ['--hosts', '40', '--vms', '50', '--duration', '2h', '--json'];
  const a = await consolidate(args);
  assert.equal(a.code, 0, a.err);
  const r = JSON.parse(a.out) as Json & { trace: string | null; syntheticTraces: { seed: number }; policy: string; parameter: number };
  assert.equal(r.trace, null);
  assert.deepEqual(r.syntheticTraces, { seed: 0 });
  assert.equal(r.policy, 'lr-mmt');
  assert.equal(r.parameter, 1.2);
  assert.equal(r.vms, 50);
  assert.ok(r.migrations > 0 && r.energyKWh > 0);
  const strip = (text: string) => ({ ...JSON.parse(text), wallSeconds: 0 });
  assert.deepEqual(strip((await consolidate(args)).out), strip(a.out));
  const other = strip((await consolidate([...args, '--seed', '3'])).out);
  assert.notEqual(other.energyKWh, r.energyKWh);
  const table = await consolidate(['--hosts', '40', '--vms', '50', '--duration', '2h', '--policy', 'thr-mmt', '--param', '0.8']);
  assert.match(table.out, /^consolidation: thr-mmt 0\.8, migration cloudsim, 40 hosts, 50 VMs, synthetic traces \(seed 0\), 7200 s simulated/);
});

test("the dashboard's consolidation (report/synthetic-consolidation.ts) is lmsim consolidate FILE --json, byte for byte, compare: variants too; what it cannot run is refused at the field", async () => {
  const { syntheticConsolidationResult, defaultConsolidation } = await import('../src/report/synthetic-consolidation.js');
  const { ScenarioError } = await import('../src/scenario/errors.js');
  const file = join(mkdtempSync(join(tmpdir(), 'lmsim-dc-')), 'default.json');
  writeFileSync(file, JSON.stringify(defaultConsolidation));
  const cli = await consolidate([file, '--json']);
  assert.equal(cli.code, 0, cli.err);
  assert.equal(JSON.stringify(syntheticConsolidationResult(defaultConsolidation, 'x'), null, 2) + '\n', cli.out);
  const issues = (raw: object) => {
    try {
      syntheticConsolidationResult({ ...defaultConsolidation, ...raw }, 'x');
    } catch (e) {
      if (e instanceof ScenarioError) return e.issues;
      throw e;
    }
    return [];
  };
  assert.match(issues({ trace: 'day' })[0], /^trace: a PlanetLab folder is read from disk/);
  assert.match(issues({ compare: [{ trace: 'day' }] })[0], /^compare\[0\]: a PlanetLab folder is read from disk/);
  // compare: variants, each with its label, as the CLI prints them
  const withVariants = { ...defaultConsolidation, compare: [{ label: 'lr', policy: 'lr-mmt' }, { label: 'thr', policy: 'thr-mmt', param: 0.8 }] };
  writeFileSync(file, JSON.stringify(withVariants));
  const both = await consolidate([file, '--json']);
  assert.equal(both.code, 0, both.err);
  assert.equal(JSON.stringify(syntheticConsolidationResult(withVariants, 'x'), null, 2) + '\n', both.out);
  assert.match(issues({ hosts: { count: 100000 }, vms: { count: 1000000 } })[0], /^hosts\.count: this consolidation is estimated at 3\.2e\+8 host and VM steps/);
  assert.match(issues({ duration: '48h' })[0], /^duration: the traces cover 86400 s, less than the 172800 s to simulate/);
  assert.match(issues({ hosts: { count: 2 } })[0], /^hosts: VM \d+ .* fits on no host at the initial placement; give more or larger hosts/);
});
