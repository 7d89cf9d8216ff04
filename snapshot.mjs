// The lmsim command's startup snapshot (the last step of `npm run build`, after code-cache.mjs):
// `node --build-snapshot bin/snapshot.cjs` writes dist/src/cli-bundle/lmsim.blob, which bin/lmsim
// hands to node so that a command starts from a heap with the run path's code loaded and compiled.
//
// A blob fits only the node binary, V8 flags and CPU features it was built with: node refuses any
// other with an error and exit code 14. So the blob is built without NODE_OPTIONS, checked once by
// running `--version` through it, and written with a stamp (lmsim.blob.stamp): the node binary's
// path and the CPU's feature flags, one a line, the file's modification time set to the binary's.
// bin/lmsim uses the blob only when the node it would run is that file, unchanged, on that CPU, with
// no NODE_OPTIONS; otherwise it runs bin/lmsim.js, the same program without the snapshot.
//
// A node that cannot build the blob (Node without snapshot support) leaves none: the build goes on,
// says so, and the command starts without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keepBuiltinCodeCache } from './snapshot-builtins.mjs';

const root = dirname(fileURLToPath(import.meta.url));
const bundle = join(root, 'dist', 'src', 'cli-bundle');
const blob = join(bundle, 'lmsim.blob');
const stamp = join(bundle, 'lmsim.blob.stamp');
const building = `${blob}.building`;
const { NODE_OPTIONS: _ignored, ...env } = process.env;
// V8 flags of both the build and every start (bin/lmsim passes the same; V8 refuses the blob under
// other flags). --no-rehash-snapshot: a started node keeps the hash seed of the build's heap (drawn
// at random when the blob was built) instead of drawing a new one and rehashing every string and
// hash table of that heap, which is a good part of restoring it. The seed decides no output: only
// the layout of V8's internal tables.
// --interrupt-budget (4x V8's default) and --max-inlined-bytecode-size-cumulative (200 bytes of
// bytecode per optimized function instead of 920): a command is short, and V8's defaults spend
// more on optimizing its functions than the optimized code gives back before it ends. The first
// lets a function run longer in the interpreter and baseline code before V8 optimizes it (a
// command's functions mostly run a few thousand times), the second keeps what is optimized small
// and quick to compile. Optimized code compiles on a second thread: on a busy machine, less of it
// is also less waiting for a core. Long runs still optimize their hot loops. Neither flag changes
// what a program computes, only when and how V8 compiles it (bench/simgrid-compare.mjs).
const flags = ['--no-rehash-snapshot', '--interrupt-budget=270336', '--max-inlined-bytecode-size-cumulative=200'];

/** The CPU's feature flags as bin/lmsim reads them: the first `flags` (x86) or `Features` (Arm) line of /proc/cpuinfo. */
function cpuFlags() {
  let text;
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
  return text.split('\n').find((line) => line.startsWith('flags') || line.startsWith('Features')) ?? '';
}

/**
 * Commands a started node runs to see which of Node's built-in modules it compiles (those its heap
 * does not hold): a run, a comparison, a validation, a consolidation, a sweep with worker threads,
 * a report (its packages need Node's ES-module loader). Their output goes nowhere.
 */
const observed = (scratch) => [
  ['run', 'examples/precopy-basic.yaml'],
  ['run', 'examples/presets.yaml', '--set', 'fidelity=fluid', '--json'],
  ['compare'],
  ['validate', 'examples/presets.yaml'],
  ['consolidate', '--vms', '20', '--hosts', '20', '--duration', '1h'],
  ['sweep', 'examples/sweep-downtime-limit.yaml', '--store', ':memory:', '--workers', '2'],
  ['report', 'examples/precopy-basic.yaml', '-o', join(scratch, 'report.html')],
];

/**
 * Keeps in the blob being built only the code cache of the built-in modules the observed commands
 * compile when started from it (snapshot-builtins.mjs says why). Node names each module it compiles
 * under NODE_DEBUG_NATIVE=CODE_CACHE. Nothing is trimmed when none is seen or the blob's code cache
 * is not recognised, and the whole blob stays when node does not accept the trimmed one.
 */
function trimBuiltinCodeCache() {
  const scratch = mkdtempSync(join(tmpdir(), 'lmsim-snapshot-'));
  const compiled = new Set();
  for (const args of observed(scratch)) {
    const r = spawnSync(process.execPath, [...flags, '--snapshot-blob', building, '--', ...args], {
      cwd: root,
      env: { ...env, NODE_DEBUG_NATIVE: 'CODE_CACHE' },
      encoding: 'utf8',
      maxBuffer: 2 ** 28,
    });
    for (const [, id] of r.stderr.matchAll(/^Compiling (\S+) with(?:out)? code cache/gm)) compiled.add(id);
  }
  rmSync(scratch, { recursive: true, force: true });
  const trimmed = compiled.size > 0 ? keepBuiltinCodeCache(readFileSync(building), compiled) : undefined;
  if (!trimmed) return;
  const trial = `${building}.trimmed`;
  writeFileSync(trial, trimmed);
  const check = version([...flags, '--snapshot-blob', trial, '--', '--version']);
  if (check.status === 0 && check.stdout === plain.stdout && check.stderr === plain.stderr) renameSync(trial, building);
  else rmSync(trial, { force: true });
}

rmSync(blob, { force: true });
rmSync(stamp, { force: true });
const built = spawnSync(process.execPath, [...flags, '--snapshot-blob', building, '--build-snapshot', join(root, 'bin', 'snapshot.cjs')], {
  cwd: root,
  env,
  encoding: 'utf8',
});
// Node warns that some built-in modules are "not yet fully verified" in a snapshot: those the
// commands need are tested through the snapshot (test/snapshot.test.ts)
const said = built.stderr
  .split('\n')
  .filter((l) => l !== '' && !/not yet fully verified|^It may still work|^To request support|--trace-warnings/.test(l))
  .join('\n');
const version = (args) => spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8' });
const plain = version([join(root, 'bin', 'lmsim.js'), '--version']);
const snapped = built.status === 0 ? version([...flags, '--snapshot-blob', building, '--', '--version']) : undefined;
if (built.status !== 0 || snapped.status !== 0 || snapped.stdout !== plain.stdout || snapped.stderr !== plain.stderr) {
  rmSync(building, { force: true });
  const why = built.status !== 0 ? said || `exit ${built.status}` : `--version through it printed ${JSON.stringify(snapped.stdout + snapped.stderr)}`;
  console.error(`lmsim build: no startup snapshot (${why}); the lmsim command starts without it`);
  // in CI the snapshot is part of what is tested: fail there rather than test without it
  if (process.env.CI === 'true') process.exit(1);
} else {
  if (said) console.error(said);
  trimBuiltinCodeCache();
  renameSync(building, blob);
  writeFileSync(stamp, `${process.execPath}\n${cpuFlags()}\n`);
  // the stamp's modification time is the node binary's: bin/lmsim compares the two
  const touched = spawnSync('touch', ['-r', process.execPath, stamp]);
  if (touched.status !== 0) rmSync(stamp, { force: true });
}
