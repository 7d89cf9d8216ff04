/**
 * Bad input and long work through the CLI: --seed strict on every command, work over the bound
 * refused up front with its estimate (and --force to go on), a VM too large for page fidelity,
 * a closed pipe, and the progress bar on stderr only when asked.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { validateScenario } from '../src/scenario/load.js';
import { estimateWork, WORK_BOUND, workRefusal } from '../src/scenario/work.js';
import { repoRoot, sharedDir } from './support.js';

const root = repoRoot();
const example = (name: string) => join(root, 'examples', name);

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'lmsim-')), 's.yaml');
  writeFileSync(path, text);
  return path;
}

const scenario = (vm: string, extra = '', migration = '{ vm: db, to: B }') => `
network: { bandwidth: 1Gbit/s }
hosts: [ { name: A, memory: 64PiB }, { name: B, memory: 64PiB } ]
vms: [ ${vm} ]
migrations: [ ${migration} ]
${extra}`;

function refused(r: { code: number; out: string; err: string }, pattern: RegExp): void {
  assert.equal(r.code, 2, r.err);
  assert.equal(r.out, '', 'nothing on stdout');
  assert.match(r.err, pattern);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
}

test('--seed is a whole number in 0..2^53-1, written in digits, on every command', async () => {
  const day = join(sharedDir(), 'data', 'planetlab', '20110303');
  const consolidate = existsSync(day) ? [['consolidate', '--trace', day, '--policy', 'lr-mmt', '--param', '1.2', '--hosts', '5', '--vms', '5', '--duration', '1h']] : [];
  for (const cmd of [['run', example('precopy-basic.yaml')], ['compare', example('presets.yaml')], ...consolidate]) {
    for (const bad of ['1e3', '-1', '1.5', '0x10', '9007199254740992', '', ' 7', 'seven']) {
      refused(await lmsim([...cmd, '--seed', bad]), /--seed: expected a whole number from 0 to 9007199254740991/);
    }
  }
  const ok = await lmsim(['run', example('precopy-basic.yaml'), '--seed', '9007199254740991', '--json']);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(JSON.parse(ok.out).seed, 9007199254740991);
});

test('work past the bound is refused before it starts, with the estimate and --force', async () => {
  const cases: [string, string][] = [
    // a 16 GiB VM at 1M writes/s, no timeout: an hour of page writes
    ['16 GiB at 1M writes/s', scenario('{ name: db, host: A, memory: 16GiB, workload: { kind: uniform, writeRate: 1000000/s } }', '', '{ vm: db, to: B, timeout: unlimited }')],
    ['a count of 1e9', scenario('{ name: db, host: A, memory: 1MiB, count: 1000000000 }')],
    ['horizon: 1e9', scenario('{ name: db, host: A, memory: 1GiB, workload: { kind: uniform, writeRate: 100000/s } }', 'horizon: 1e9\nfidelity: fluid')],
  ];
  for (const [what, text] of cases) {
    const path = file(text);
    const t0 = Date.now();
    const r = await lmsim(['run', path]);
    refused(r, /estimated at [0-9.e+]+ page operations .*more than the bound .*--force/);
    assert.ok(Date.now() - t0 < 5000, `${what}: refused at once`);
    // validate accepts the file: it is valid, only large
    assert.equal((await lmsim(['validate', path])).code, 0, what);
  }
  // the estimate is an estimate: --force runs what it would have refused (here, a hot set that converges fast)
  const hot = file(scenario('{ name: db, host: A, memory: 64MiB, workload: { kind: hotcold, writeRate: 1000000/s, hotSet: 4KiB, hotShare: 1 } }'));
  refused(await lmsim(['run', hot]), /--force/);
  const forced = await lmsim(['run', hot, '--force', '--json']);
  assert.equal(forced.code, 0, forced.err);
  assert.equal(JSON.parse(forced.out).migrations[0].status, 'completed');
});

test('the examples are all well within the work bound', async () => {
  const { parseScenarioText } = await import('../src/scenario/load.js');
  const { readFileSync, readdirSync } = await import('node:fs');
  const { parse } = await import('yaml');
  for (const f of readdirSync(join(root, 'examples')).filter((n) => n.endsWith('.yaml') && !n.startsWith('consolidation'))) {
    // a sweep grid (examples/sweep-*.yaml) is checked on its base scenario when it is written inline
    const text = readFileSync(example(f), 'utf8');
    const data = parse(text);
    if ('scenario' in data && typeof data.scenario !== 'object') continue;
    const e = estimateWork(parseScenarioText('scenario' in data ? JSON.stringify(data.scenario) : text));
    assert.ok(e.pageOps < WORK_BOUND / 2, `${f}: ${e.pageOps}`);
    assert.equal(workRefusal(e), null);
  }
});

test('a VM too large for page fidelity says so and suggests fidelity: fluid', async () => {
  const path = file(scenario('{ name: db, host: A, memory: 20TiB }'));
  for (const cmd of ['run', 'validate']) refused(await lmsim([cmd, path]), /vms\[0\]\.memory: \d+ pages is more than fidelity: page holds per VM .*use fidelity: fluid/);
  assert.doesNotThrow(() => validateScenario({ network: { bandwidth: '1Gbit/s' }, fidelity: 'fluid', hosts: [{ name: 'A', memory: '64TiB' }], vms: [{ name: 'db', host: 'A', memory: '20TiB' }] }));
});

test('groups are checked without listing their members: duplicates and references still found', async () => {
  const dup = file(scenario('{ name: web, host: A, memory: 1MiB, count: 5 }, { name: web-3, host: A, memory: 1MiB }', '', '{ vm: web-5, to: B }'));
  refused(await lmsim(['validate', dup]), /vms\[1\]\.name: duplicate VM "web-3"/);
  const missing = file(scenario('{ name: web, host: A, memory: 1MiB, count: 5 }', '', '{ vm: web-6, to: B }'));
  refused(await lmsim(['validate', missing]), /migrations\[0\]\.vm: no VM named "web-6"/);
  const member = file(scenario('{ name: web, host: A, memory: 1MiB, count: 5 }', '', '{ vm: web-5, to: B }'));
  assert.equal((await lmsim(['run', member])).code, 0);
});

test('output cut by a closed pipe ends quietly (exit 0, no stack trace)', () => {
  const bin = join(root, 'bin', 'lmsim.js');
  // compare's JSON (~80 KB) is more than a pipe buffer: head closes the pipe while lmsim writes
  const r2 = spawnSync('bash', ['-c', `set -o pipefail; node "${bin}" compare "${example('migrate-back.yaml')}" --json | head -c 100 >/dev/null`], { encoding: 'utf8' });
  assert.equal(r2.stderr, '');
  assert.equal(r2.status, 0);
});

test('progress bar: on stderr when asked, never on stdout; nothing when not asked', async () => {
  const asked = await lmsim(['compare', example('presets.yaml'), '--progress', '--json']);
  assert.equal(asked.code, 0);
  assert.match(asked.err, /comparing \[#{30}\] 100% \(run 6 of 6, done\)/);
  assert.match(asked.err, /comparing: [0-9.]+ s wall time/);
  JSON.parse(asked.out);
  const quiet = await lmsim(['run', example('precopy-basic.yaml')]);
  assert.equal(quiet.err, '');
});

test('consolidation: a VM type that fits on no host type is refused by validate, naming the type', { skip: existsSync(join(sharedDir(), 'data', 'planetlab', '20110303')) ? false : 'shared PlanetLab data not found' }, async () => {
  const path = file(`trace: ${join(sharedDir(), 'data', 'planetlab', '20110303')}
policy: lr-mmt
param: 1.2
hosts: { count: 4, types: [ { name: h, cores: 2, mips: 1860, memory: 4096MB, bandwidth: 1Gbit/s, power: [86, 89.4, 92.6, 96, 99.5, 102, 106, 108, 112, 114, 117] } ] }
vms: { count: 4, types: [ { name: big, mips: 2500, memory: 870MB, bandwidth: 100Mbit/s } ] }
`);
  for (const cmd of ['validate', 'consolidate']) refused(await lmsim([cmd, path]), /vms\.types\[0\]: a VM of this type \(1 x 2500 MIPS.*fits on no host type/);
});

test('sweep: a grid point past the work bound is refused before anything runs', async () => {
  const path = file(`name: g
scenario:
  network: { bandwidth: 1Gbit/s }
  hosts: [ { name: A, memory: 64GiB }, { name: B, memory: 64GiB } ]
  vms: [ { name: db, host: A, memory: 16GiB, workload: { kind: uniform, writeRate: 1000000/s } } ]
  migrations: [ { vm: db, to: B, timeout: unlimited } ]
axes:
  "migrations[0].downtimeLimit": [30ms, 300ms]
`);
  refused(await lmsim(['sweep', path, '--store', ':memory:', '--workers', '1']), /the run at migrations\[0\]\.downtimeLimit=30ms is estimated at .*--force/);
});
