/**
 * The CLI bundle (rolldown.config.mjs, built by `npm run build`) is a faster start-up of the same
 * program: bin/lmsim.js with the bundle and with LMSIM_BUNDLE=0 (the plain dist/src tree) print the
 * same bytes on stdout and stderr and exit with the same code, for runs, tables, errors and help;
 * so does the bundle without its V8 code cache (LMSIM_CODE_CACHE=0). The cache the build wrote is
 * taken by V8, and a cache is never used with any text but its own.
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

function lmsim(args: string[], bundle: boolean, codeCache = true) {
  const env = { ...process.env, LMSIM_BUNDLE: bundle ? '1' : '0', LMSIM_CODE_CACHE: codeCache ? '1' : '0' };
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
    if (args[0] === 'run' || args[0] === 'validate') assert.deepEqual(lmsim(args, true, false), plain, 'without the code cache');
  });
}

test('the build wrote a code cache that V8 takes for every chunk a run loads', () => {
  const env = { ...process.env, LMSIM_BUNDLE: '1', LMSIM_CODE_CACHE: 'check' };
  for (const args of [['--version'], ['run', 'examples/precopy-basic.yaml']]) {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env, cwd: root });
    const m = /code cache: (\d+) of (\d+) chunks/.exec(r.stderr);
    assert.ok(m, r.stderr);
    assert.ok(Number(m[2]) > 0 && m[1] === m[2], `lmsim ${args.join(' ')}: ${m[0]}`);
  }
});

test('a code cache is used only with the text it was made from', () => {
  // a stand-in bundle, its cache written, then its text changed without changing its length
  // (V8 itself checks only the length): the new text runs
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-cache-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'src', 'cli-bundle'), { recursive: true });
  copyFileSync(bin, join(dir, 'bin', 'lmsim.js'));
  copyFileSync(join(root, 'bin', 'chunks.cjs'), join(dir, 'bin', 'chunks.cjs'));
  const chunk = join(dir, 'dist', 'src', 'cli-bundle', 'lmsim.js');
  const stand = (word: string) => `exports.main = async function main() { process.stdout.write('${word}'); return 0; };\n`;
  const ran = (mode: string) =>
    spawnSync(process.execPath, [join(dir, 'bin', 'lmsim.js')], { encoding: 'utf8', env: { ...process.env, LMSIM_BUNDLE: '1', LMSIM_CODE_CACHE: mode, LMSIM_WARM_UP: '[]' } });
  writeFileSync(chunk, stand('one'));
  assert.equal(ran('write').status, 0);
  assert.ok(existsSync(`${chunk}.cache`));
  assert.equal(ran('check').stdout, 'one');
  assert.match(ran('check').stderr, /code cache: 1 of 1 chunks/);
  writeFileSync(chunk, stand('two'));
  const changed = ran('check');
  assert.equal(changed.stdout, 'two');
  assert.match(changed.stderr, /code cache: 0 of 1 chunks/);
});

test('the launcher runs the bundle only when it is at least as new as the compiled tree', () => {
  // A copy of bin/lmsim.js beside two stand-in trees that say which one ran.
  const dir = mkdtempSync(join(tmpdir(), 'lmsim-launcher-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'src', 'cli-bundle'), { recursive: true });
  mkdirSync(join(dir, 'dist', 'src', 'cli'), { recursive: true });
  copyFileSync(bin, join(dir, 'bin', 'lmsim.js'));
  copyFileSync(join(root, 'bin', 'chunks.cjs'), join(dir, 'bin', 'chunks.cjs'));
  // the bundle's chunks are CommonJS, the compiled tree ES modules
  const bundled = join(dir, 'dist', 'src', 'cli-bundle', 'lmsim.js');
  const compiled = join(dir, 'dist', 'src', 'cli', 'main.js');
  writeFileSync(bundled, `exports.main = async function main() { process.stdout.write('bundle'); return 0; };\n`);
  writeFileSync(compiled, `export async function main() { process.stdout.write('plain'); return 0; }\n`);
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

test("the bundle's commander loads node:child_process only when it spawns (lmsim never does)", () => {
  // the bundle loaded as bin/lmsim.js loads it, then a command run: Node's module list after
  const script = `
    const { chunkLoader } = require(${JSON.stringify(join(root, 'bin', 'chunks.cjs'))});
    const { main } = chunkLoader(${JSON.stringify(join(root, 'dist', 'src', 'cli-bundle'))}, '1', require).load('lmsim.js');
    main(['run', ${JSON.stringify(join(root, 'examples', 'precopy-basic.yaml'))}], { out() {}, err() {} }).then((code) => {
      console.log(JSON.stringify({ code, childProcess: process.moduleLoadList.includes('NativeModule child_process') }));
    });`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: root });
  assert.deepEqual(JSON.parse(r.stdout), { code: 0, childProcess: false }, r.stderr);
});
