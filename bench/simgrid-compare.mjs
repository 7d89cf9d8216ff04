// lmsim beside SimGrid 3.32's live-migration plugin on the same work, whole process each (start-up,
// platform, simulation, output). Builds bench/simgrid/migrate.cpp with g++ (Debian's
// libsimgrid-dev), writes the equivalent lmsim scenario per case, checks that the simulated
// migration times agree, then times alternated runs and prints medians, ranges and the ratio.
// Prints figures; asserts nothing.
//   node bench/simgrid-compare.mjs [runs per side, default 5] [case name ...]
//
// The equivalent model: SimGrid's pre-copy (stage 1 the whole RAM, stage-2 rounds of the bytes
// dirtied meanwhile, stop when they are below bandwidth x 30 ms) is lmsim's `simgrid` preset;
// SimGrid's dirtying (computed flops x migration speed x intensity / host speed, capped at the
// working set, 90 % of RAM) is a fluid `sweep` workload writing intensity x 100 MiB/s over 90 % of
// RAM; no page headers, device state or resume latency; the migration speed (100 MiB/s) is
// maxBandwidth; links 125 MB/s per host and direction, no latency; SimGrid's CM02 network model
// (no TCP bandwidth or latency factors); no stack guard pages (with them, 100,000 VMs' actors exceed
// Linux's default 65,536 memory mappings per process).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = join(root, 'bench', 'simgrid', 'migrate');
const source = join(root, 'bench', 'simgrid', 'migrate.cpp');

const cases = [
  // intensity: dirtying, percent of the 100 MiB/s migration speed. A thousand migrations sharing one
  // 125 MB/s link get 125 kB/s each: any dirtying SimGrid can express (1 %) never converges there.
  { name: 'one busy 4 GiB migration', hosts: 2, vms: 1, migrations: 1, ram: 4096, intensity: 30 },
  { name: '1,000 concurrent 1 GiB migrations over one link', hosts: 2, vms: 1000, migrations: 1000, ram: 1024, intensity: 0 },
  { name: '1,000 hosts, 10,000 VMs, 1,000 migrations', hosts: 1000, vms: 10000, migrations: 1000, ram: 1024, intensity: 30 },
  { name: '10,000 hosts, 100,000 VMs, 10,000 migrations', hosts: 10000, vms: 100000, migrations: 10000, ram: 1024, intensity: 30 },
];

function build() {
  if (existsSync(binary)) return;
  execFileSync('g++', ['-O2', '-std=c++17', source, '-o', binary, '-lsimgrid'], { stdio: 'inherit' });
}

/** The lmsim scenario of a case (the same placement as migrate.cpp). */
function scenario(c) {
  const oneLink = c.hosts === 2;
  const hosts = Array.from({ length: c.hosts }, (_, i) => ({ name: `h${i}`, memory: '100TiB' }));
  const vms = [], migrations = [];
  const busy = c.intensity > 0 ? { kind: 'sweep', writeRate: `${c.intensity}MiB/s`, workingSet: `${0.9 * c.ram}MiB` } : { kind: 'idle' };
  const vm = (name, host, count, workload) => ({ name, host, memory: `${c.ram}MiB`, resident: `${c.ram}MiB`, workload, ...(count > 1 ? { count } : {}) });
  const options = { at: 0, algorithm: 'precopy', preset: 'simgrid', maxBandwidth: '100MiB/s', pageHeader: 0, deviceState: 0, resumeLatency: 0 };
  if (oneLink) {
    vms.push(vm('b', 'h0', c.migrations, busy));
    migrations.push({ vm: 'b', to: 'h1', ...options });
    if (c.vms > c.migrations) vms.push(vm('idle', 'h0', c.vms - c.migrations, { kind: 'idle' }));
  } else {
    const perHost = c.vms / c.hosts;
    for (let i = 0; i < c.hosts; i++) {
      const busyHere = i < c.migrations ? 1 : 0;
      if (busyHere) {
        vms.push(vm(`b${i}`, `h${i}`, 1, busy));
        migrations.push({ vm: `b${i}`, to: `h${(i + 1) % c.hosts}`, ...options });
      }
      if (perHost - busyHere > 0) vms.push(vm(`idle${i}`, `h${i}`, perHost - busyHere, { kind: 'idle' }));
    }
  }
  return { name: c.name, fidelity: 'fluid', pageSize: 4096, horizon: '1000000s', network: { bandwidth: 1.25e8, latency: 0 }, hosts, vms, migrations };
}

function runLmsim(file, json) {
  return spawnSync(process.execPath, [join(root, 'bin', 'lmsim.js'), 'run', file, '--force', ...(json ? ['--json'] : [])], { encoding: 'utf8', maxBuffer: 2 ** 31 });
}

function runSimgrid(c) {
  return spawnSync(binary, [String(c.hosts), String(c.vms), String(c.migrations), String(c.ram), String(c.intensity), '--cfg=network/model:CM02', '--cfg=contexts/guard-size:0', '--log=root.thres:critical'], { encoding: 'utf8' });
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
build();
const dir = mkdtempSync(join(tmpdir(), 'lmsim-simgrid-'));
const startup = [];
for (let i = 0; i < runs; i++) startup.push(wall(() => spawnSync(process.execPath, [join(root, 'bin', 'lmsim.js'), '--version'], { encoding: 'utf8' })));
console.log(`lmsim start-up (node bin/lmsim.js --version): median ${fmt(median(startup))} s, range ${fmt(Math.min(...startup))}-${fmt(Math.max(...startup))} s`);
console.log(`\n${'case'.padEnd(48)} ${'sum of times: lmsim / SimGrid s'.padEnd(34)} ${'agree'.padEnd(8)} ${'lmsim s (range)'.padEnd(22)} ${'SimGrid s (range)'.padEnd(22)} lmsim/SimGrid`);
for (const c of cases) {
  if (only.length && !only.some((o) => c.name.includes(o))) continue;
  const file = join(dir, `case-${c.hosts}-${c.vms}.json`);
  writeFileSync(file, JSON.stringify(scenario(c)));
  const lm = JSON.parse(runLmsim(file, true).stdout);
  const lmSum = lm.migrations.reduce((s, m) => s + (m.totalTime ?? NaN), 0);
  const sg = JSON.parse(runSimgrid(c).stdout);
  const agree = Math.abs(lmSum - sg.sumTime) / sg.sumTime;
  const tl = [], ts = [];
  for (let i = 0; i < runs; i++) {
    tl.push(wall(() => runLmsim(file, false)));
    ts.push(wall(() => runSimgrid(c)));
  }
  const range = (xs) => `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
  console.log(
    `${c.name.padEnd(48)} ${`${lmSum.toFixed(3)} / ${sg.sumTime.toFixed(3)}`.padEnd(34)} ${`${(agree * 100).toFixed(3)}%`.padEnd(8)} ${range(tl).padEnd(22)} ${range(ts).padEnd(22)} ${(median(tl) / median(ts)).toFixed(2)}`,
  );
}
