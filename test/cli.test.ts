/**
 * The lmsim command end to end: golden example outputs, bad input (exit 2 with a message naming
 * the path), --json purity, and the real bin (spawned once).
 * Regenerate the golden files after a deliberate model change with: UPDATE_GOLDEN=1 npm test
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { VERSION } from '../src/version.js';
import { repoRoot } from './support.js';

const root = repoRoot();

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** Every example declares its command on its first line; its output is kept beside it as .out. */
for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.yaml'))) {
  test(`example ${file} matches its golden output`, async () => {
    const path = join(root, 'examples', file);
    const first = readFileSync(path, 'utf8').split('\n')[0];
    const m = /^# command: lmsim (.+)$/.exec(first);
    assert.ok(m, `${file}: first line must be "# command: lmsim ..."`);
    const args = m[1].split(/\s+/).map((a) => (a.startsWith('examples/') ? join(root, a) : a));
    const { code, out, err } = await lmsim(args);
    assert.equal(err, '');
    assert.equal(code, 0);
    const golden = path.replace(/\.yaml$/, '.out');
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, out);
    assert.equal(out, readFileSync(golden, 'utf8'));
  });
}

const base = `
network: { bandwidth: 1Gbit/s }
hosts: [ { name: A, memory: 8GiB }, { name: B, memory: 8GiB } ]
vms: [ { name: db, host: A, memory: 1GiB } ]
migrations: [ { vm: db, to: B } ]
`;

function scenarioFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, text);
  return file;
}

const malformed: [string, string, RegExp][] = [
  ['wrong units', base.replace('memory: 1GiB', 'memory: 4 gigs'), /vms\[0\]\.memory: expected a size like 4GiB.*"4 gigs"/],
  ['unknown field', base.replace('{ vm: db, to: B }', '{ vm: db, to: B, downtimeLimt: 300ms }'), /migrations\[0\]: unknown field "downtimeLimt"/],
  ['negative size', base.replace('memory: 1GiB', 'memory: -1GiB'), /vms\[0\]\.memory: expected a size/],
  ['missing VM', base.replace('{ vm: db, to: B }', '{ vm: web, to: B }'), /migrations\[0\]\.vm: no VM named "web"/],
  ['missing host', base.replace('{ vm: db, to: B }', '{ vm: db, to: C }'), /migrations\[0\]\.to: no host named "C"/],
  ['VM larger than its host', base.replace('memory: 1GiB', 'memory: 16GiB'), /vms\[0\]\.memory: VM "db" needs 17179869184 bytes but host "A" has 8589934592/],
  ['wrong rate unit', base.replace('1Gbit/s', '1 gigabit'), /network\.bandwidth: expected a rate like 1Gbit\/s/],
  ['unknown preset', base.replace('{ vm: db, to: B }', '{ vm: db, to: B, preset: kvm }'), /migrations\[0\]\.preset: expected one of "qemu", "xen", "xen-legacy", "simgrid"/],
  ['unknown workload kind', base.replace('memory: 1GiB }', 'memory: 1GiB, workload: { kind: random } }'), /vms\[0\]\.workload\.kind: expected one of|vms\[0\]\.workload: expected a known "kind"/],
  ['missing field', base.replace('network: { bandwidth: 1Gbit/s }', 'network: { latency: 1ms }'), /network\.bandwidth: required/],
  ['not YAML', 'hosts: [ {', /not valid YAML\/JSON/],
];

for (const [what, text, expected] of malformed) {
  test(`bad scenario (${what}): exit 2 with a message naming the path`, async () => {
    const file = scenarioFile(text);
    for (const cmd of ['run', 'validate']) {
      const { code, out, err } = await lmsim([cmd, file]);
      assert.equal(code, 2);
      assert.equal(out, '', 'nothing on stdout');
      assert.match(err, expected);
      assert.doesNotMatch(err, /\n\s+at /, 'no stack trace');
    }
  });
}

test('bad command lines exit 2', async () => {
  assert.equal((await lmsim(['run'])).code, 2);
  assert.equal((await lmsim(['run', 'x.yaml', '--bogus'])).code, 2);
  assert.equal((await lmsim(['frobnicate'])).code, 2);
  const missing = await lmsim(['run', '/nonexistent/x.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read \/nonexistent\/x\.yaml: ENOENT/);
  const algos = await lmsim(['compare', '--algorithms', 'precopy:kvm']);
  assert.equal(algos.code, 2);
  assert.match(algos.err, /"precopy:kvm" is not an algorithm\[:preset\]/);
  assert.equal((await lmsim(['run', join(root, 'examples/precopy-basic.yaml'), '--seed', 'x'])).code, 2);
});

test('--help works on every command', async () => {
  for (const args of [['--help'], ['run', '--help'], ['compare', '--help'], ['validate', '--help'], ['schema', '--help']]) {
    const { code, out } = await lmsim(args);
    assert.equal(code, 0, args.join(' '));
    assert.match(out, /Usage: lmsim/);
  }
});

test('--json prints the RunResult and nothing else; --csv has one header and one row per migration', async () => {
  const file = join(root, 'examples/precopy-basic.yaml');
  const { code, out } = await lmsim(['run', file, '--json']);
  assert.equal(code, 0);
  const result = JSON.parse(out);
  assert.equal(result.lmsim, VERSION);
  assert.equal(result.migrations[0].status, 'completed');
  assert.ok(result.migrations[0].rounds.length > 1);
  const csv = (await lmsim(['run', file, '--csv'])).out.trim().split('\n');
  assert.equal(csv.length, 2);
  assert.match(csv[0], /^vm,route,algorithm,status,start_s,queued_s,total_s,downtime_s,bytes_sent,pages_sent,zero_pages_sent,live_rounds,reason$/);
});

test('--seed overrides the scenario seed; validate reports a summary', async () => {
  const file = join(root, 'examples/precopy-basic.yaml');
  const a = JSON.parse((await lmsim(['run', file, '--json', '--seed', '9'])).out);
  assert.equal(a.seed, 9);
  const v = await lmsim(['validate', file]);
  assert.equal(v.code, 0);
  assert.match(v.out, /valid \(2 hosts, 1 VMs, 1 migration entries\)/);
});

test('--strict exits 1 when a migration did not complete', async () => {
  const { code } = await lmsim(['run', join(root, 'examples/precopy-nonconvergent.yaml'), '--strict']);
  assert.equal(code, 1);
});

test('schema prints a JSON Schema that names the scenario fields', async () => {
  const { code, out } = await lmsim(['schema']);
  assert.equal(code, 0);
  const schema = JSON.parse(out);
  assert.ok(schema.properties.vms && schema.properties.migrations && schema.properties.network);
});

test('the version matches package.json', () => {
  assert.equal(VERSION, JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version);
});

test('the bin runs as a real process: compare with no file prints the default comparison', () => {
  const r = spawnSync(process.execPath, [join(root, 'bin/lmsim.js'), 'compare'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /precopy:qemu\s+completed/);
  const bad = spawnSync(process.execPath, [join(root, 'bin/lmsim.js'), 'run', '/nonexistent.yaml'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});
