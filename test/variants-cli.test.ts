/**
 * Variants as overlays, end to end: `compare` keeps everything a migration says unless the variant
 * sets it, `--algorithms` refuses what it cannot mean, `--set` reaches any path and is validated
 * like the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';
import { repoRoot } from './support.js';

const root = repoRoot();

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

function file(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'lmsim-variants-')), 's.yaml');
  writeFileSync(f, text);
  return f;
}

const busy = `
seed: 4
network: { bandwidth: 1Gbit/s, latency: 0.2ms }
hosts: [ { name: A, memory: 8GiB }, { name: B, memory: 8GiB } ]
vms:
  - { name: db, host: A, memory: 1GiB, workload: { kind: hotcold, writeRate: 20000/s, hotSet: 64MiB, hotShare: 0.9 } }
migrations: [ { vm: db, to: B, at: 1s, downtimeLimit: 30ms, timeout: 2min } ]
`;

test('compare keeps the migration\'s own options: a variant of its own algorithm gives the downtime run gives', async () => {
  const f = file(busy);
  const run = JSON.parse((await lmsim(['run', f, '--json'])).out);
  const cmp = JSON.parse((await lmsim(['compare', f, '--algorithms', 'precopy:qemu', '--json'])).out);
  assert.deepEqual(cmp.variants[0].result.migrations, run.migrations);
  assert.ok(run.migrations[0].downtime < 0.05, `downtime ${run.migrations[0].downtime} s under a 30 ms limit`);
  assert.equal(cmp.variants[0].result.input.migrations[0].timeout, 120);
});

test('presets.yaml: every compare variant keeps the migration\'s 10 min timeout', async () => {
  const cmp = JSON.parse((await lmsim(['compare', join(root, 'examples/presets.yaml'), '--json'])).out);
  for (const v of cmp.variants) assert.equal(v.result.input.migrations[0].timeout, 600, v.name);
});

test('--algorithms refuses a preset on an algorithm without pre-copy rounds, unknown names and duplicates', async () => {
  const f = file(busy);
  for (const [list, message] of [
    ['postcopy:qemu', /"postcopy:qemu": postcopy has no pre-copy rounds, so no preset/],
    ['stop-and-copy:xen', /stop-and-copy has no pre-copy rounds/],
    ['precopy:qemu,precopy:qemu', /"precopy:qemu" is listed twice/],
    ['precopy:kvm', /"precopy:kvm" is not an algorithm\[:preset\]/],
    ['precopy,,postcopy', /"" is not an algorithm/],
  ] as const) {
    const r = await lmsim(['compare', f, '--algorithms', list]);
    assert.equal(r.code, 2, list);
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
  // a switch to post-copy drops the migration's preset rather than refusing it
  const ok = await lmsim(['compare', file(busy.replace('at: 1s,', 'at: 1s, preset: xen,')), '--algorithms', 'postcopy,hybrid']);
  assert.equal(ok.code, 0, ok.err);
});

test('a bad compare entry exits 2 naming the path and the variant, in validate too', async () => {
  const f = file(`${busy}compare: [ { algorithm: precopy }, { label: fast, maxBandwidth: 12 parsecs } ]\n`);
  for (const cmd of ['compare', 'validate']) {
    const r = await lmsim([cmd, f]);
    assert.equal(r.code, 2, cmd);
    assert.match(r.err, /compare\[1\]\.maxBandwidth: expected a rate/);
  }
});

test('--set overrides any path before validation, on run, compare and validate', async () => {
  const f = file(busy);
  const direct = JSON.parse((await lmsim(['run', file(busy.replace('downtimeLimit: 30ms', 'downtimeLimit: 100ms')), '--json'])).out);
  const set = JSON.parse((await lmsim(['run', f, '--json', '--set', 'migration.downtimeLimit=100ms'])).out);
  assert.deepEqual(set.migrations, direct.migrations);
  const indexed = JSON.parse((await lmsim(['run', f, '--json', '--set', 'migrations[0].downtimeLimit=100ms', '--set', 'seed=4'])).out);
  assert.deepEqual(indexed.migrations, direct.migrations);
  const cmp = JSON.parse((await lmsim(['compare', f, '--json', '--algorithms', 'precopy', '--set', 'migration.downtimeLimit=100ms'])).out);
  assert.deepEqual(cmp.variants[0].result.migrations, direct.migrations);
  for (const [args, message] of [
    [['run', f, '--set', 'vms[3].count=2'], /--set vms\[3\]\.count: vms has 1 element, no \[3\]/],
    [['run', f, '--set', 'migration.downtimeLimit=12 parsecs'], /migrations\[0\]\.downtimeLimit: expected a duration/],
    [['run', f, '--set', 'migration.downtimeLimt=1s'], /migrations\[0\]: unknown field "downtimeLimt"/],
    [['validate', f, '--set', 'vms[0].memory=0.5'], /vms\[0\]\.memory/],
    [['run', f, '--set', 'novalue'], /expected PATH=VALUE/],
  ] as const) {
    const r = await lmsim([...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
    assert.equal(r.out, '');
  }
});

test('validate and schema cover consolidation scenarios; consolidate takes --set; VMs that fit nowhere are bad input (exit 2)', async () => {
  const example = join(root, 'examples/consolidation-planetlab.yaml');
  const v = await lmsim(['validate', example]);
  assert.equal(v.code, 0, v.err);
  assert.match(v.out, /valid consolidation scenario \(policy lr-mmt 1\.2, migration cloudsim, 800 hosts/);
  const bad = await lmsim(['validate', example, '--set', 'migration={ model: precopy, downtime_limit: 3 }']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /migration: unknown field "downtime_limit": did you mean downtimeLimit/);
  const schema = JSON.parse((await lmsim(['schema', 'consolidation'])).out);
  assert.ok(schema.properties.policy && schema.properties.migration);
  assert.equal((await lmsim(['schema', 'bogus'])).code, 2);
  const few = await lmsim(['consolidate', example, '--set', 'hosts.count=2', '--set', 'vms.count=40', '--set', 'duration=1h']);
  assert.equal(few.code, 2, few.err);
  assert.match(few.err, /fits on no host.*give more or larger hosts \(hosts\.count/);
  assert.doesNotMatch(few.err, /\n\s+at /);
  const live = await lmsim(['consolidate', example, '--json', '--set', 'migration.model=precopy', '--set', 'migration.downtime-limit=30', '--set', 'hosts.count=20', '--set', 'vms.count=30', '--set', 'duration=1h']);
  assert.equal(live.code, 0, live.err);
  assert.equal(JSON.parse(live.out).migrationSettings.downtimeLimit, 0.03);
});
