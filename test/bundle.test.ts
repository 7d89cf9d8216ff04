/**
 * The CLI bundle (rolldown.config.mjs, built by `npm run build`) is a faster start-up of the same
 * program: bin/lmsim.js with the bundle and with LMSIM_BUNDLE=0 (the plain dist/src tree) print the
 * same bytes on stdout and stderr and exit with the same code, for runs, tables, errors and help.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support.js';

const root = repoRoot();
const bin = join(root, 'bin', 'lmsim.js');

function lmsim(args: string[], bundle: boolean) {
  const env = { ...process.env, LMSIM_BUNDLE: bundle ? '1' : '0' };
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, cwd: root, maxBuffer: 2 ** 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('npm run build made the CLI bundle', () => {
  assert.ok(
    existsSync(join(root, 'dist', 'src', 'cli-bundle', 'lmsim.js')),
    'dist/src/cli-bundle/lmsim.js is missing: npm run build runs rolldown -c rolldown.config.mjs',
  );
});

const bad = join(mkdtempSync(join(tmpdir(), 'lmsim-bundle-')), 'bad.yaml');
writeFileSync(
  bad,
  'network: { bandwidth: 1Gbit/s }\nhosts: [{ name: A, memory: 4GiB }]\nvms: [{ name: v, host: B, memory: 8 gigs }]\nmigrations: [{ vm: v, to: A, downtime_limit: 30ms }]\n',
);

const commands: string[][] = [
  ['--version'],
  ['--help'],
  ['run', 'examples/precopy-basic.yaml', '--json'],
  ['run', 'examples/migrate-back.yaml', '--csv'],
  ['compare', 'examples/presets.yaml', '--json'],
  ['run', 'examples/sweep-downtime-limit.yaml'],
  ['consolidate', 'examples/consolidation-planetlab.yaml', '--vms', '50', '--hosts', '50', '--duration', '2h', '--migration', 'precopy'],
  // the sweep's worker threads load dist/src/experiments/thread.js from either tree
  ['sweep', 'examples/sweep-downtime-limit.yaml', '--store', ':memory:', '--workers', '2'],
  ['validate', bad],
  ['run', '/nonexistent.yaml'],
  ['schema'],
  ['options'],
];

for (const args of commands) {
  test(`lmsim ${args.map((a) => (a === bad ? 'BAD.yaml' : a)).join(' ')}: the bundle prints what the plain tree prints`, () => {
    const plain = lmsim(args, false);
    const bundled = lmsim(args, true);
    assert.ok(plain.stdout.length + plain.stderr.length > 0, 'the command printed something');
    assert.deepEqual(bundled, plain);
  });
}

test('the launcher runs the bundle only when it is at least as new as the compiled tree', () => {
  // A copy of bin/lmsim.js beside two stand-in trees that say which one ran.
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-launcher-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'src', 'cli-bundle'), { recursive: true });
  mkdirSync(join(dir, 'dist', 'src', 'cli'), { recursive: true });
  copyFileSync(bin, join(dir, 'bin', 'lmsim.js'));
  const stand = (name: string) => `export async function main() { process.stdout.write('${name}'); return 0; }\n`;
  const bundled = join(dir, 'dist', 'src', 'cli-bundle', 'lmsim.js');
  const compiled = join(dir, 'dist', 'src', 'cli', 'main.js');
  writeFileSync(bundled, stand('bundle'));
  writeFileSync(compiled, stand('plain'));
  const ran = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(dir, 'bin', 'lmsim.js')], { encoding: 'utf8', env: { ...process.env, LMSIM_BUNDLE: '', ...env } }).stdout;
  utimesSync(compiled, 1000, 1000);
  utimesSync(bundled, 2000, 2000);
  assert.equal(ran(), 'bundle');
  assert.equal(ran({ LMSIM_BUNDLE: '0' }), 'plain');
  utimesSync(compiled, 3000, 3000); // tsc again, no rolldown: the bundle is stale
  assert.equal(ran(), 'plain');
  rmSync(bundled);
  assert.equal(ran(), 'plain');
});
