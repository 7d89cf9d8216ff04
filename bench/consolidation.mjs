// Consolidation benchmark: prints wall time and peak RSS (each case in its own process, so the
// peak is that case's) for
//  1. one PlanetLab day (20110303: 800 hosts, 1052 VMs, LR-MMT 1.2) in CloudSim-compatible mode,
//  2. the same day with real migrations: the live-migration engine, pre-copy (qemu preset, fluid memory),
//  3. a synthetic day with 10,000 hosts and 100,000 VMs (seeded traces), LR-MMT 1.2, CloudSim mode
//     (target: under 60 s and 4 GiB).
//     The pre-copy day also runs twice in one process, to show the JIT warm-up (--case planetlab-precopy-twice).
// Usage: npx tsc -p . && node bench/consolidation.mjs [--skip-large] [--skip-live] [--hosts N --vms N]
//   [--case NAME] [--off SWITCHES] (RunOptions speed switches set false, comma-separated, e.g.
//   --off prefetch,dormantHosts; the whole bench passes them to every case) [--work] (also counts the
//   day's work, which does not depend on the machine: the allocation recomputations, run by every
//   host update and every change of a host's VM list, and the VM entries they read; the counting
//   wraps DataCenterState.reallocate, so `seconds` is then a little higher)
// Benchmarks print; they never assert. The speed of this shared machine swings (a fixed loop took
// 195-350 ms within a minute), so a fixed-work probe is timed before and after the cases: compare
// runs made at similar probe times.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { resourceUsage } from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const DAY_DIR = join(here, '..', '..', 'shared', 'data', 'planetlab', '20110303');
const SAMPLES = 288;
const MIB = 2 ** 20;
// Ten VMs per host do not fit the 2-core PlanetLab hosts at full capacity (CloudSim places VMs at
// their full MIPS first), so the synthetic day uses 12-core versions of the same machines.
const LARGE_HOST_PES = 12;
const LARGE_HOST_RAM = 64e9;
const LARGE_HOST_BW = 10e9 / 8;

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

/**
 * PlanetLab-like synthetic traces: each VM has a seeded base level and a bounded random walk,
 * rounded to integer percent like the real files.
 */
async function syntheticTraces(vms, seed) {
  const { Rng } = await import('../dist/src/core/random.js');
  const values = new Float32Array(vms * SAMPLES);
  for (let v = 0; v < vms; v++) {
    const rng = new Rng(seed, `trace/${v}`);
    const base = rng.float() * 0.4;
    let u = base;
    for (let k = 0; k < SAMPLES; k++) {
      u += (rng.float() - 0.5) * 0.1 + (base - u) * 0.05;
      u = Math.min(1, Math.max(0.01, u));
      values[v * SAMPLES + k] = Math.round(u * 100) / 100;
    }
  }
  return { samples: SAMPLES, values };
}

/**
 * The pre-copy day twice in one process: the first run pays for V8 compiling the code as it goes
 * (JIT warm-up), the second shows what the same work costs warm. Prints one JSON line.
 */
async function runTwice() {
  const dc = await import('../dist/src/datacenter/index.js');
  const { loadPlanetLabFolder } = await import('../dist/src/io/planetlab.js');
  const { liveMigrationModel } = await import('../dist/src/datacenter/live-migration.js');
  const { traces } = loadPlanetLabFolder(DAY_DIR);
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const model = liveMigrationModel({ algorithm: 'precopy', preset: 'qemu', fidelity: 'fluid' });
    const t0 = performance.now();
    dc.runConsolidation(dc.cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), traces, model);
    runs.push((performance.now() - t0) / 1000);
  }
  console.log(JSON.stringify({ runs }));
}

/** The RunOptions speed switches that `false` turns off (runConsolidation's options). */
const SPEED_SWITCHES = ['dormantHosts', 'updateUntouchedOnce', 'cachedHistories', 'prefetch', 'groupedPlacement', 'tieBuckets', 'placementScreen', 'wasmScan', 'sharedLayouts'];

/** The run options of `--off a,b`: those speed switches false, to time a technique alone. */
function switchedOff() {
  const names = opt('--off', '').split(',').filter((n) => n !== '');
  for (const n of names) {
    if (!SPEED_SWITCHES.includes(n)) {
      console.error(`--off: unknown speed switch "${n}"; expected a comma-separated list of ${SPEED_SWITCHES.join(', ')}`);
      process.exit(2);
    }
  }
  return Object.fromEntries(names.map((n) => [n, false]));
}

/** One case, in this (child) process: prints one JSON line. */
async function runCase(name) {
  if (name === 'planetlab-precopy-twice') return runTwice();
  const dc = await import('../dist/src/datacenter/index.js');
  const { loadPlanetLabFolder } = await import('../dist/src/io/planetlab.js');
  const { liveMigrationModel } = await import('../dist/src/datacenter/live-migration.js');
  let run;
  if (name === 'planetlab-cloudsim' || name === 'planetlab-precopy') {
    const { traces } = loadPlanetLabFolder(DAY_DIR);
    const cfg = dc.cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 });
    const model = name === 'planetlab-precopy' ? liveMigrationModel({ algorithm: 'precopy', preset: 'qemu', fidelity: 'fluid' }) : dc.cloudsimMigrationModel;
    run = () => dc.runConsolidation(cfg, traces, model, switchedOff());
  } else {
    const hosts = Number(opt('--hosts', 10000));
    const vms = Number(opt('--vms', 100000));
    const traces = await syntheticTraces(vms, 42);
    const cfg = dc.cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2, hosts });
    const big = (t) => ({ ...t, name: `${t.name} x${LARGE_HOST_PES / t.pes}`, pes: LARGE_HOST_PES, ramBytes: LARGE_HOST_RAM, bandwidth: LARGE_HOST_BW });
    cfg.hostTypes = [big(dc.HOST_G4), big(dc.HOST_G5)];
    run = () => dc.runConsolidation(cfg, traces, undefined, switchedOff());
  }
  const work = args.includes('--work') ? await countWork() : undefined;
  const t0 = performance.now();
  const r = run();
  const seconds = (performance.now() - t0) / 1000;
  const peakMiB = (resourceUsage().maxRSS * 1024) / MIB;
  const counted = work ? { work: { ...work, nsPerEntry: (seconds * 1e9) / work.vmEntries } } : {};
  console.log(JSON.stringify({ seconds, peakMiB, energyKWh: r.energyKWh, migrations: r.migrations, slav: r.slav, hosts: r.hosts, vms: r.vms, migration: r.migration, ...counted }));
}

/**
 * --work: counts every allocation recomputation (DataCenterState.reallocate) and the VM entries it
 * reads, from now on; returns the counts object, filled as the run goes.
 */
async function countWork() {
  const { DataCenterState } = await import('../dist/src/datacenter/state.js');
  const work = { reallocations: 0, vmEntries: 0 };
  const reallocate = DataCenterState.prototype.reallocate;
  DataCenterState.prototype.reallocate = function (h, out) {
    work.reallocations++;
    work.vmEntries += this.lists[h].length;
    return reallocate.call(this, h, out);
  };
  return work;
}

/**
 * The whole `lmsim consolidate` command, start to exit (CloudSim's reference time is its whole run,
 * JVM start and trace loading included): the best of three runs.
 */
function wholeCommand(cliArgs) {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const child = spawnSync(process.execPath, [join(here, '..', 'bin', 'lmsim.js'), 'consolidate', '--trace', DAY_DIR, ...cliArgs, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const seconds = (performance.now() - t0) / 1000;
    if (child.status !== 0) return `failed: ${child.stderr}`;
    best = Math.min(best, seconds);
  }
  return `${best.toFixed(2)} s`;
}

function report(title, caseName, extraArgs = []) {
  const off = args.includes('--off') ? ['--off', opt('--off')] : [];
  const work = args.includes('--work') ? ['--work'] : [];
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', caseName, ...extraArgs, ...off, ...work], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (child.status !== 0) {
    console.log(`${title}: failed\n${child.stderr}`);
    return;
  }
  const r = JSON.parse(child.stdout.trim().split('\n').pop());
  const m = r.migration;
  const live = m.model !== 'cloudsim' ? `; migration time mean ${m.totalTime.mean.toFixed(1)} s (p90 ${m.totalTime.p90.toFixed(1)} s), downtime mean ${(m.downtime.mean * 1000).toFixed(0)} ms, ${m.failed} not completed` : '';
  console.log(
    `${title}: wall ${r.seconds.toFixed(2)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB; energy ${r.energyKWh.toFixed(2)} kWh, migrations ${r.migrations}, SLAV ${(r.slav * 100).toFixed(5)} %${live}`,
  );
  if (r.work) console.log(`  work: ${r.work.reallocations} allocation recomputations reading ${r.work.vmEntries} VM entries (${r.work.nsPerEntry.toFixed(1)} ns of the run per entry)`);
}

/** Milliseconds for a fixed amount of arithmetic over 512 KiB: the machine's speed at the moment (lower is faster). */
function speedProbe() {
  const a = new Float64Array(1 << 16);
  let s = 0;
  const t0 = performance.now();
  for (let k = 0; k < 3000; k++) {
    for (let i = 0; i < a.length; i++) {
      a[i] = a[i] * 0.5 + i;
      s += a[i];
    }
  }
  const ms = performance.now() - t0;
  return s > 0 ? ms : NaN;
}

switchedOff(); // (checks --off before any case runs)
if (args.includes('--case')) {
  await runCase(opt('--case'));
} else {
  speedProbe(); // warm-up: compiled before it is timed
  const probeBefore = speedProbe();
  report('PlanetLab 20110303, 800 hosts, 1052 VMs, LR-MMT 1.2, CloudSim migrations (CloudSim 5.0: 35.61 s, 2817 MiB)', 'planetlab-cloudsim');
  console.log(`  whole command (lmsim consolidate ... --json, start to exit, best of 3): ${wholeCommand(['--policy', 'lr-mmt', '--param', '1.2'])}`);
  if (!args.includes('--skip-live')) {
    report('same day, pre-copy migrations (qemu preset, fluid memory)', 'planetlab-precopy');
    console.log(`  whole command (... --migration precopy --json, best of 3): ${wholeCommand(['--policy', 'lr-mmt', '--param', '1.2', '--migration', 'precopy'])}`);
    const twice = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--case', 'planetlab-precopy-twice'], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (twice.status !== 0) console.log(`  run twice in one process: failed\n${twice.stderr}`);
    else {
      const { runs } = JSON.parse(twice.stdout.trim().split('\n').pop());
      console.log(`  run twice in one process: ${runs[0].toFixed(2)} s, then ${runs[1].toFixed(2)} s (the difference is JIT warm-up)`);
    }
  }
  if (!args.includes('--skip-large')) {
    const hosts = opt('--hosts', '10000');
    const vms = opt('--vms', '100000');
    report(`synthetic, ${hosts} hosts (12-core G4/G5), ${vms} VMs, LR-MMT 1.2 (target < 60 s, < 4096 MiB)`, 'synthetic', ['--hosts', hosts, '--vms', vms]);
  }
  console.log(`machine speed probe (fixed work, lower is faster): ${probeBefore.toFixed(0)} ms before the cases, ${speedProbe().toFixed(0)} ms after`);
}
