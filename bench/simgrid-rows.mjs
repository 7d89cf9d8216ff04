// Reference rows from SimGrid 3.32's live-migration plugin (bench/simgrid/migrate.cpp, built with g++
// against Debian's libsimgrid-dev) for test/simgrid-rows.test.ts, which runs lmsim on each row.
//   npm run build && node bench/simgrid-rows.mjs > test/data/simgrid-rows.csv
//   node bench/simgrid-rows.mjs --check     # also runs lmsim on each row and prints both
// The grid: single migrations (idle and busy, latencies 0 to 40 ms, link-bound and speed-bound) and
// concurrent ones (1 to 1,000 over one link, both directions of a NIC at once, a ring of hosts,
// routes over different NICs into one host, migrations started 3.3 s apart),
// under both network models. Rows list the case (test/simgrid-cases.ts) and SimGrid's outcome.
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lmsimOutcome, rowColumns, rowLine, simgridArgs, simgridScenario, summarize } from '../dist/test/simgrid-cases.js';
import { runScenario, validateScenario } from '../dist/src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binary = join(root, 'bench', 'simgrid', 'migrate');

/** Builds the driver if it is missing or older than its source (the binary is git-ignored). */
export function buildDriver() {
  const source = join(root, 'bench', 'simgrid', 'migrate.cpp');
  const built = statSync(binary, { throwIfNoEntry: false });
  if (built && built.mtimeMs >= statSync(source).mtimeMs) return binary;
  execFileSync('g++', ['-O2', '-std=c++17', source, '-o', binary, '-lsimgrid'], { stdio: 'inherit' });
  return binary;
}

function grid() {
  const cases = [];
  const base = { hosts: 2, vms: 1, migrations: 1, layout: 'one-link', horizon: 120, stagger: 0 };
  for (const model of ['CM02', 'LV08']) {
    for (const latency of [0, 0.0001, 0.001, 0.01, 0.02, 0.04]) {
      // the link the limit (migration speed above 125 MB/s): the bandwidth factor and window show
      cases.push({ ...base, model, ram: 4096, intensity: 0, latency, speed: 1000 });
      cases.push({ ...base, model, ram: 2048, intensity: 3, latency, speed: 1000 });
      // SimGrid's usual 100 MiB/s migration speed, a third of it dirtied
      cases.push({ ...base, model, ram: 1024, intensity: 30, latency, speed: 100 });
    }
    // concurrent: one link, both directions of each NIC, a ring
    cases.push({ ...base, model, vms: 10, migrations: 10, ram: 1024, intensity: 1, latency: 0.001, speed: 100 });
    cases.push({ ...base, model, vms: 1000, migrations: 1000, ram: 256, intensity: 0, latency: 0.001, speed: 100, horizon: 10000 });
    cases.push({ ...base, model, vms: 20, migrations: 20, ram: 512, intensity: 0, latency: 0, layout: 'swap', speed: 1000 });
    cases.push({ ...base, model, vms: 20, migrations: 20, ram: 512, intensity: 1, latency: 0.01, layout: 'swap', speed: 1000, horizon: 600 });
    cases.push({ ...base, model, hosts: 10, vms: 100, migrations: 10, ram: 1024, intensity: 30, latency: 0.0001, layout: 'ring', speed: 100 });
    // routes over different NICs sharing one link (LV08's weight-S), with and without latency
    for (const latency of [0, 0.001]) cases.push({ ...base, model, hosts: 3, vms: 6, migrations: 6, ram: 1024, intensity: 0, latency, layout: 'mixed', speed: 1000 });
    // migrations started one after another, sharing the link part of the time
    cases.push({ ...base, model, vms: 5, migrations: 5, ram: 1024, intensity: 1, latency: 0.001, speed: 1000, horizon: 600, stagger: 3.3 });
  }
  return cases;
}

function simgrid(c) {
  const r = spawnSync(binary, simgridArgs(c), { encoding: 'utf8', maxBuffer: 2 ** 28 });
  if (r.status !== 0) throw new Error(`migrate ${simgridArgs(c).join(' ')}: ${r.stderr || `exit ${r.status}`}`);
  return summarize(JSON.parse(r.stdout).migrations);
}

function lmsim(c) {
  const result = runScenario(validateScenario(simgridScenario(c)));
  return summarize(result.migrations.map(lmsimOutcome));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildDriver();
  const check = process.argv.includes('--check');
  if (!check) {
    console.log('# SimGrid 3.32 live-migration plugin (bench/simgrid/migrate.cpp), one row per case: npm run build && node bench/simgrid-rows.mjs > test/data/simgrid-rows.csv');
    console.log(rowColumns.join(','));
  }
  for (const c of grid()) {
    const sg = simgrid(c);
    if (!check) {
      console.log(rowLine(c, sg));
      continue;
    }
    const lm = lmsim(c);
    const err = sg.sumTime > 0 ? Math.abs(lm.sumTime - sg.sumTime) / sg.sumTime : Math.abs(lm.sumTime);
    console.log(
      `${c.model} ${c.layout} x${c.migrations} ${c.ram}MiB i${c.intensity} L${c.latency * 1000}ms s${c.speed}: ` +
        `done ${lm.completed}/${sg.completed} time ${lm.sumTime.toFixed(6)}/${sg.sumTime.toFixed(6)} (${(err * 100).toFixed(4)}%) ` +
        `down ${lm.sumDowntime.toFixed(6)}/${sg.sumDowntime.toFixed(6)} rounds ${lm.minRounds}-${lm.maxRounds}/${sg.minRounds}-${sg.maxRounds}`,
    );
  }
}
