// lmsim beside SimGrid 3.32's live-migration plugin on the same work, whole process each (start-up,
// platform, simulation, output). Builds bench/simgrid/migrate.cpp with g++ (Debian's
// libsimgrid-dev), writes the equivalent lmsim scenario per case, checks that the simulated
// migration times agree, then times alternated runs and prints medians, ranges and the ratio.
// First it prints the floor under any whole-process run (Node's own start, a start from a startup
// snapshot holding nothing of lmsim's, one holding lmsim's engine alone running case 1, lmsim's
// start, and loading all of a run's code without simulating), and whether the lmsim command used
// its startup snapshot. Prints figures; asserts nothing.
//   node bench/simgrid-compare.mjs [runs per side, default 5] [case name ...]
//
// The equivalent model and the cases' arguments: test/simgrid-cases.ts (SimGrid's CM02 network model,
// cross-traffic included, as lmsim's `cm02`; no latency). No stack guard pages (with them, 100,000
// VMs' actors exceed Linux's default 65,536 memory mappings per process).
//
// Both sides run without NODE_EXTRA_CA_CERTS: when it is set, Node reads and parses that
// certificate file at every start, before any of lmsim's code runs, and SimGrid has no such step.
// The bench says when it removed it; LMSIM_BENCH_KEEP_ENV=1 keeps the environment as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { simgridArgs, simgridScenario } from '../dist/test/simgrid-cases.js';
import { buildDriver } from './simgrid-rows.mjs';
import { keepBuiltinCodeCache } from '../snapshot-builtins.mjs';
import { validateScenario } from '../dist/src/scenario/load.js';
import { build } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = join(root, 'bench', 'simgrid', 'migrate');

const cases = [
  // intensity: dirtying, percent of the 100 MiB/s migration speed. A thousand migrations sharing one
  // 125 MB/s link get 125 kB/s each: any dirtying SimGrid can express (1 %) never converges there.
  { name: 'one busy 4 GiB migration', hosts: 2, vms: 1, migrations: 1, ram: 4096, intensity: 30, layout: 'one-link' },
  { name: '1,000 concurrent 1 GiB migrations over one link', hosts: 2, vms: 1000, migrations: 1000, ram: 1024, intensity: 0, layout: 'one-link' },
  { name: '1,000 hosts, 10,000 VMs, 1,000 migrations', hosts: 1000, vms: 10000, migrations: 1000, ram: 1024, intensity: 30, layout: 'ring' },
  { name: '10,000 hosts, 100,000 VMs, 10,000 migrations', hosts: 10000, vms: 100000, migrations: 10000, ram: 1024, intensity: 30, layout: 'ring' },
].map((c) => ({ model: 'CM02', latency: 0, speed: 100, horizon: 1000000, stagger: 0, ...c }));

const keepEnv = process.env.LMSIM_BENCH_KEEP_ENV === '1';
const { NODE_EXTRA_CA_CERTS: extraCerts, ...cleanEnv } = process.env;
const env = keepEnv ? process.env : cleanEnv;

// the lmsim command as users run it (package.json's bin): bin/lmsim, which starts node with the
// startup snapshot when it fits (LMSIM_SNAPSHOT=0 in the bench's environment times it without)
const command = join(root, 'bin', 'lmsim');

function runLmsim(file, json) {
  return spawnSync(command, ['run', file, '--force', ...(json ? ['--json'] : [])], { encoding: 'utf8', maxBuffer: 2 ** 31, env });
}

function runSimgrid(c) {
  return spawnSync(binary, simgridArgs(c), { encoding: 'utf8', maxBuffer: 2 ** 28, env });
}

function wall(fn) {
  const t0 = performance.now();
  const r = fn();
  if (r.status !== 0) throw new Error(r.stderr || `exit ${r.status}`);
  return (performance.now() - t0) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (s) => (s < 10 ? s.toFixed(3) : s.toFixed(1));

const runs = Number(process.argv[2] ?? 5);
const only = process.argv.slice(3);
buildDriver();
const dir = mkdtempSync(join(tmpdir(), 'lmsim-simgrid-'));
// the floor under a whole-process run, alternated: Node's own start, lmsim's start, and a command
// that loads all of a run's code and validates case 1's file without simulating
const floorFile = join(dir, 'floor.json');
writeFileSync(floorFile, JSON.stringify(simgridScenario(cases[0], cases[0].name)));
// The floor of any start from a startup snapshot: node started from a blob that holds nothing of
// lmsim's (Node's own heap only, without its built-in modules' code cache, as snapshot.mjs trims it)
const emptyBlob = join(dir, 'empty.blob');
writeFileSync(join(dir, 'empty.cjs'), "require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {});\n");
spawnSync(process.execPath, ['--no-rehash-snapshot', '--snapshot-blob', emptyBlob, '--build-snapshot', join(dir, 'empty.cjs')], { env });
const emptied = existsSync(emptyBlob) ? keepBuiltinCodeCache(readFileSync(emptyBlob), new Set()) : undefined;
if (emptied) writeFileSync(emptyBlob, emptied);
// The least lmsim itself can add: a snapshot holding only the engine (bench/engine-floor.mjs) that
// runs case 1's validated scenario, trimmed like the empty one
const validatedFile = join(dir, 'floor.validated.json');
writeFileSync(validatedFile, JSON.stringify(validateScenario(JSON.parse(readFileSync(floorFile, 'utf8')))));
const engineBlob = join(dir, 'engine.blob');
await build({ input: join(root, 'bench', 'engine-floor.mjs'), platform: 'node', logLevel: 'silent', output: { file: join(dir, 'engine.cjs'), format: 'cjs', minify: true } });
spawnSync(process.execPath, ['--no-rehash-snapshot', '--snapshot-blob', engineBlob, '--build-snapshot', join(dir, 'engine.cjs')], { env: { ...env, LMSIM_FLOOR_WARMUP: validatedFile } });
const engineOnly = existsSync(engineBlob) ? keepBuiltinCodeCache(readFileSync(engineBlob), new Set()) : undefined;
if (engineOnly) writeFileSync(engineBlob, engineOnly);
if (engineOnly) {
  const check = spawnSync(process.execPath, ['--no-rehash-snapshot', '--snapshot-blob', engineBlob, validatedFile], { encoding: 'utf8', env });
  console.log(`lmsim's engine alone, from its snapshot: case 1 migrates in ${Number(check.stdout).toFixed(3)} s (simulated)`);
}
const floors = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ...(emptied ? [['node from an empty startup snapshot', process.execPath, ['--no-rehash-snapshot', '--snapshot-blob', emptyBlob]]] : []),
  ...(engineOnly ? [["node from a snapshot of lmsim's engine alone, running case 1 (no CLI, validation or output)", process.execPath, ['--no-rehash-snapshot', '--snapshot-blob', engineBlob, validatedFile]]] : []),
  ['lmsim start-up (lmsim --version)', command, ['--version']],
  ["lmsim loading a run's code (lmsim validate, case 1's file)", command, ['validate', floorFile]],
].map(([label, file, args]) => ({ label, file, args, times: [] }));
if (extraCerts !== undefined && !keepEnv)
  console.log(`NODE_EXTRA_CA_CERTS (${extraCerts}) removed from both sides' environment (LMSIM_BENCH_KEEP_ENV=1 keeps it)`);
const path = spawnSync(command, ['--version'], { encoding: 'utf8', env: { ...env, LMSIM_SNAPSHOT: env.LMSIM_SNAPSHOT ?? 'check' } });
console.log(
  `the lmsim command (${command}): ${/startup snapshot: used/.test(path.stderr) ? 'with its startup snapshot' : 'without the startup snapshot (bin/lmsim.js)'}`,
);
for (let i = 0; i < runs; i++) for (const f of floors) f.times.push(wall(() => spawnSync(f.file, f.args, { encoding: 'utf8', env })));
for (const f of floors) console.log(`${f.label}: median ${fmt(median(f.times))} s, range ${fmt(Math.min(...f.times))}-${fmt(Math.max(...f.times))} s`);
console.log(
  `\n${'case'.padEnd(48)} ${'sum of times: lmsim / SimGrid s'.padEnd(34)} ${'agree'.padEnd(8)} ${'lmsim s (range)'.padEnd(22)} ${'SimGrid s (range)'.padEnd(22)} lmsim/SimGrid`,
);
for (const c of cases) {
  if (only.length && !only.some((o) => c.name.includes(o))) continue;
  const file = join(dir, `case-${c.hosts}-${c.vms}.json`);
  writeFileSync(file, JSON.stringify(simgridScenario(c, c.name)));
  const lm = JSON.parse(runLmsim(file, true).stdout);
  const lmSum = lm.migrations.reduce((s, m) => s + (m.totalTime ?? NaN), 0);
  const sgSum = JSON.parse(runSimgrid(c).stdout).migrations.reduce((s, m) => s + m.time, 0);
  const agree = Math.abs(lmSum - sgSum) / sgSum;
  const tl = [],
    ts = [];
  for (let i = 0; i < runs; i++) {
    tl.push(wall(() => runLmsim(file, false)));
    ts.push(wall(() => runSimgrid(c)));
  }
  const range = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
  console.log(
    `${c.name.padEnd(48)} ${`${lmSum.toFixed(3)} / ${sgSum.toFixed(3)}`.padEnd(34)} ${`${(agree * 100).toFixed(3)}%`.padEnd(8)} ${range(tl).padEnd(22)} ${range(ts).padEnd(22)} ${(median(tl) / median(ts)).toFixed(2)}`,
  );
}
