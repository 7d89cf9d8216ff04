/**
 * The lmsim command's startup snapshot (bin/lmsim, bin/snapshot.cjs, snapshot.mjs) is a faster
 * start of the same program: with it and without it (LMSIM_SNAPSHOT=0, bin/lmsim.js) the command
 * prints the same bytes on stdout and stderr, exits with the same code and writes the same files,
 * for runs, tables, errors, help, workers and the report's external packages. What a command reads
 * from its process (environment, working directory, arguments) is read when it runs, not when the
 * blob was built; and a blob that does not fit (stale, another node, another CPU, NODE_OPTIONS) is
 * not used.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { repoRoot } from './support.js';

const root = repoRoot();
const blob = join(root, 'dist', 'src', 'cli-bundle', 'lmsim.blob');
// the environment of a user's shell: none of the launchers' switches set
const { NODE_OPTIONS: _o, LMSIM_SNAPSHOT: _s, LMSIM_BUNDLE: _b, LMSIM_CODE_CACHE: _c, GLIBC_TUNABLES: _t, LMSIM_GLIBC_TUNABLES: _m, ...userEnv } = process.env;

function lmsim(command: string, args: string[], env: Record<string, string> = {}, cwd = root) {
  const r = spawnSync('sh', [command, ...args], { encoding: 'utf8', env: { ...userEnv, ...env }, cwd, maxBuffer: 2 ** 28 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const bin = join(root, 'bin', 'lmsim');

// A snapshot needs a node built with snapshot support; `npm run build` says when it made none. In
// CI its absence is a failure (snapshot.mjs fails the build there too).
const missing = existsSync(blob) ? false : 'npm run build made no startup snapshot (dist/src/cli-bundle/lmsim.blob)';
if (missing && process.env.CI === 'true') test('npm run build made the startup snapshot', () => assert.fail(missing));

test('the lmsim command uses the snapshot the build made, and not when switched off', { skip: missing }, () => {
  const says = (env: Record<string, string>) => lmsim(bin, ['--version'], { LMSIM_SNAPSHOT: 'check', ...env }).stderr;
  assert.match(says({}), /startup snapshot: used/);
  const offs: Record<string, string>[] = [{ NODE_OPTIONS: '--max-old-space-size=3000' }, { LMSIM_BUNDLE: '1' }, { LMSIM_CODE_CACHE: '1' }];
  for (const off of offs) assert.match(says(off), /startup snapshot: not used/, JSON.stringify(off));
});

const dir = mkdtempSync(join(tmpdir(), 'lmsim-snapshot-'));
const bad = join(dir, 'bad.yaml');
writeFileSync(
  bad,
  'network: { bandwidth: 1Gbit/s }\nhosts: [{ name: A, memory: 4GiB }]\nvms: [{ name: v, host: B, memory: 8 gigs }]\nmigrations: [{ vm: v, to: A, downtime_limit: 30ms }]\n',
);

const commands: { args: string[]; cwd?: string; writes?: string }[] = [
  { args: ['--version'] },
  { args: ['--help'] },
  { args: ['run', '--help'] },
  { args: ['run', 'examples/precopy-basic.yaml', '--json'] },
  { args: ['run', 'examples/migrate-back.yaml', '--csv'] },
  { args: ['run', 'examples/presets.yaml', '--set', 'fidelity=fluid', '--seed', '7'] },
  // a path relative to the working directory the command runs in
  { args: ['run', 'precopy-basic.yaml', '--json'], cwd: join(root, 'examples') },
  { args: ['compare'] },
  { args: ['compare', 'examples/presets.yaml', '--json'] },
  { args: ['validate', bad] },
  { args: ['validate', 'examples/presets.yaml'] },
  { args: ['run', '/nonexistent.yaml'] },
  { args: ['run'] },
  { args: ['consolidate', '--vms', '20', '--hosts', '20', '--duration', '1h'] },
  // worker threads (piscina, a package left outside the bundle) and their execArgv
  { args: ['sweep', 'examples/sweep-downtime-limit.yaml', '--store', ':memory:', '--workers', '2'] },
  // the report's DOM and plot packages, required when the command runs; a file written
  { args: ['report', 'examples/precopy-basic.yaml', '-o', 'OUT'], writes: 'report.html' },
  { args: ['schema'] },
];

for (const { args, cwd, writes } of commands) {
  const name = `lmsim ${args.map((a) => (a === bad ? 'BAD.yaml' : a)).join(' ')}${cwd ? ` (in ${cwd.slice(root.length + 1)})` : ''}`;
  test(`${name}: the snapshot prints and writes what bin/lmsim.js does`, { skip: missing }, () => {
    const ran = (env: Record<string, string>, tag: string) => {
      const out = join(dir, `${tag}-${writes}`);
      const r = lmsim(
        bin,
        args.map((a) => (a === 'OUT' ? out : a)),
        env,
        cwd,
      );
      return {
        ...r,
        stdout: r.stdout.replaceAll(out, 'OUT'),
        stderr: r.stderr.replaceAll(out, 'OUT'),
        written: writes ? readFileSync(out, 'utf8') : undefined,
      };
    };
    const plain = ran({ LMSIM_SNAPSHOT: '0' }, 'plain');
    const snapped = ran({}, 'snap');
    assert.ok(plain.stdout.length + plain.stderr.length > 0, 'the command printed something');
    assert.deepEqual(snapped, plain);
  });
}

test('what a command reads from its process is read when it runs, not when the blob was built', { skip: missing }, () => {
  // A stand-in program built into a snapshot by the real build step and started by the real
  // launcher: it prints what it sees, and whether its module was set up while building.
  const pkg = mkdtempSync(join(tmpdir(), 'lmsim-snapshot-stand-in-'));
  for (const d of ['bin', 'dist/src/cli-bundle', 'dist/src/cli']) mkdirSync(join(pkg, d), { recursive: true });
  for (const f of ['bin/lmsim', 'bin/lmsim.js', 'bin/chunks.cjs', 'bin/snapshot.cjs', 'snapshot.mjs', 'snapshot-builtins.mjs'])
    copyFileSync(join(root, f), join(pkg, f));
  writeFileSync(join(pkg, 'dist/src/cli/main.js'), 'export async function main() { return 0; }\n');
  writeFileSync(
    join(pkg, 'dist/src/cli-bundle/lmsim.js'),
    `const built = Boolean(require('node:v8').startupSnapshot.isBuildingSnapshot());
exports.main = async function main(args, io) {
  if (io) return 0; // the build's warm-up commands
  if (args[0] === '--version') return process.stdout.write('1\\n'), 0; // the build's check
  const fresh = process.uptime() < 60 && performance.now() < 60000; // the clocks of this process
  const tunables = [process.env.GLIBC_TUNABLES, process.env.LMSIM_GLIBC_TUNABLES]; // bin/lmsim's, for node's memory only
  process.stdout.write(JSON.stringify({ built, env: process.env.LMSIM_PROBE, cwd: process.cwd(), args, argv1: process.argv[1], execArgv: process.execArgv, fresh, tunables }));
  return 3;
};
`,
  );
  utimesSync(join(pkg, 'dist/src/cli/main.js'), 1000, 1000);
  const build = spawnSync(process.execPath, [join(pkg, 'snapshot.mjs')], { encoding: 'utf8', env: { ...userEnv, LMSIM_PROBE: 'at build time' }, cwd: pkg });
  assert.equal(build.status, 0, build.stderr);
  const elsewhere = mkdtempSync(join(tmpdir(), 'lmsim-snapshot-cwd-'));
  const seen = (env: Record<string, string> = {}) => {
    const r = lmsim(join(pkg, 'bin', 'lmsim'), ['run', '--x', 'y z'], { LMSIM_PROBE: 'at run time', ...env }, elsewhere);
    assert.equal(r.status, 3, r.stderr);
    return JSON.parse(r.stdout);
  };
  const expected = {
    env: 'at run time',
    cwd: elsewhere,
    args: ['run', '--x', 'y z'],
    argv1: join(pkg, 'bin', 'lmsim.js'),
    execArgv: [],
    fresh: true,
    tunables: [null, null],
  };
  assert.deepEqual(seen(), { built: true, ...expected });
  assert.deepEqual(seen({ LMSIM_SNAPSHOT: '0' }), { built: false, ...expected });
  // GLIBC_TUNABLES as the user set it, or not at all
  const own = { ...expected, tunables: ['glibc.malloc.hugetlb=0', null] };
  assert.deepEqual(seen({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }), { built: true, ...own });
  assert.deepEqual(seen({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0', LMSIM_SNAPSHOT: '0' }), { built: false, ...own });

  // a blob that does not fit is not used
  const stamp = join(pkg, 'dist/src/cli-bundle/lmsim.blob.stamp');
  const [node, cpu] = readFileSync(stamp, 'utf8').split('\n');
  assert.equal(seen({ NODE_OPTIONS: '--max-old-space-size=3000' }).built, false, 'NODE_OPTIONS set');
  const withStamp = (text: string) => {
    writeFileSync(stamp, text);
    spawnSync('touch', ['-r', process.execPath, stamp]);
  };
  withStamp(`${node}\n${cpu} avx9000\n`);
  assert.equal(seen().built, false, 'another CPU');
  withStamp(`${join(pkg, 'bin', 'lmsim.js')}\n${cpu}\n`);
  assert.equal(seen().built, false, 'another node binary');
  withStamp(`${node}\n${cpu}\n`);
  assert.equal(seen().built, true, 'the stamp restored');
  utimesSync(stamp, new Date(), new Date());
  assert.equal(seen().built, false, 'the node binary changed since the build');
  withStamp(`${node}\n${cpu}\n`);
  const later = new Date(Date.now() + 5000);
  utimesSync(join(pkg, 'dist/src/cli-bundle/lmsim.js'), later, later);
  assert.equal(seen().built, false, 'the bundle rebuilt since');
});

test('the blob keeps the code cache of the built-in modules commands compile, and of no others', { skip: missing }, async () => {
  const { builtinCodeCache, keepBuiltinCodeCache } = (await import(pathToFileURL(join(root, 'snapshot-builtins.mjs')).href)) as {
    builtinCodeCache: (b: Buffer) => { start: number; entries: { id: string; from: number; to: number }[] } | undefined;
    keepBuiltinCodeCache: (b: Buffer, keep: Set<string>) => Buffer | undefined;
  };
  const bytes = readFileSync(blob);
  const found = builtinCodeCache(bytes);
  assert.ok(found, 'the code cache of the blob the build made is recognised');
  // a command started from the blob, main thread and worker threads, finds a cache for every
  // built-in module it compiles (Node says which under NODE_DEBUG_NATIVE=CODE_CACHE)
  const cached = new Set(found.entries.map((e) => e.id));
  let compiled = 0;
  for (const args of [
    ['run', 'examples/precopy-basic.yaml', '--json'],
    ['sweep', 'examples/sweep-downtime-limit.yaml', '--store', ':memory:', '--workers', '2'],
  ]) {
    const r = lmsim(bin, args, { NODE_DEBUG_NATIVE: 'CODE_CACHE' });
    assert.equal(r.status, 0, r.stderr);
    for (const [, id, without] of r.stderr.matchAll(/^Compiling (\S+) with(out)? code cache/gm)) {
      assert.ok(cached.has(id) && !without, `lmsim ${args[0]}: ${id} compiled with its code cache`);
      compiled++;
    }
  }
  assert.ok(compiled > 0, 'the worker threads compiled built-in modules');
  // and not of a module none of them compiles: fetch's HTTP client (Node holds a cache for it otherwise)
  assert.ok(!cached.has('internal/deps/undici/undici'), 'the code cache of modules no command compiles is left out');
  // the entries left are whole: dropping one keeps the others' bytes, and the blob stays a blob
  const [dropped, ...rest] = found.entries;
  const trimmed = keepBuiltinCodeCache(bytes, new Set(rest.map((e) => e.id)));
  assert.ok(trimmed);
  const again = builtinCodeCache(trimmed);
  assert.deepEqual(
    again?.entries.map((e) => e.id),
    rest.map((e) => e.id),
  );
  assert.equal(again.start, found.start);
  assert.deepEqual(trimmed.subarray(again.entries[0].from), bytes.subarray(rest[0].from));
  assert.ok(trimmed.length === bytes.length - (dropped.to - dropped.from) && !again.entries.some((e) => e.id === dropped.id));
  // a blob that does not end with a whole code cache is left alone
  assert.equal(builtinCodeCache(bytes.subarray(0, bytes.length - 1)), undefined);
  assert.equal(keepBuiltinCodeCache(bytes.subarray(0, bytes.length - 1), cached), undefined);
});
