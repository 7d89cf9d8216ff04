// Consolidation benchmark: prints wall time and peak RSS for
//  1. one PlanetLab day (800 hosts, 1052 VMs, LR-MMT 1.2) in CloudSim-compatible mode,
//  2. a synthetic day with 10,000 hosts and 100,000 VMs (seeded traces), LR-MMT 1.2.
// Usage: npx tsc -p . && node bench/consolidation.mjs [--skip-large] [--hosts N --vms N]
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runConsolidation, cloudsimPlanetLabConfig, HOST_G4, HOST_G5 } from '../dist/src/datacenter/index.js';
import { loadPlanetLabFolder } from '../dist/src/io/planetlab.js';
import { Rng } from '../dist/src/core/random.js';

const here = dirname(fileURLToPath(import.meta.url));
const DAY_DIR = join(here, '..', '..', 'shared', 'data', 'planetlab', '20110303');
const SAMPLES = 288;
const MIB = 2 ** 20;
const SAMPLE_EVERY_MS = 20;
// Ten VMs per host do not fit the 2-core PlanetLab hosts at full capacity (CloudSim places VMs at
// their full MIPS first), so the synthetic day uses 12-core versions of the same machines.
const LARGE_HOST_PES = 12;
const LARGE_HOST_RAM = 64e9;
const LARGE_HOST_BW = 10e9 / 8;

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

/** Runs fn while sampling RSS; returns { value, ms, peakMiB }. */
async function measure(fn) {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, SAMPLE_EVERY_MS);
  const t0 = performance.now();
  // let the sampler start before the synchronous run
  await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
  const start = performance.now();
  const value = fn();
  const ms = performance.now() - start;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  void t0;
  return { value, ms, peakMiB: peak / MIB };
}

/**
 * PlanetLab-like synthetic traces: each VM has a seeded base level and a bounded random walk,
 * rounded to integer percent like the real files.
 */
function syntheticTraces(vms, seed) {
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

function report(name, m, extra = '') {
  const r = m.value;
  console.log(
    `${name}: wall ${(m.ms / 1000).toFixed(2)} s, peak RSS ${m.peakMiB.toFixed(0)} MiB; ` +
      `energy ${r.energyKWh.toFixed(2)} kWh, migrations ${r.migrations}, SLAV ${(r.slav * 100).toFixed(5)} %${extra}`,
  );
}

const planetlab = loadPlanetLabFolder(DAY_DIR);
const small = await measure(() => runConsolidation(cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2 }), planetlab.traces));
report('PlanetLab 20110303, 800 hosts, 1052 VMs, LR-MMT 1.2 (CloudSim 5.0: 35.61 s, 2817 MiB)', small);

if (!args.includes('--skip-large')) {
  const hosts = opt('--hosts', 10000);
  const vms = opt('--vms', 100000);
  const traces = syntheticTraces(vms, 42);
  const cfg = cloudsimPlanetLabConfig({ policy: 'lr-mmt', parameter: 1.2, hosts });
  const big = (t) => ({ ...t, name: `${t.name} x${LARGE_HOST_PES / t.pes}`, pes: LARGE_HOST_PES, ramBytes: LARGE_HOST_RAM, bandwidth: LARGE_HOST_BW });
  cfg.hostTypes = [big(HOST_G4), big(HOST_G5)];
  const large = await measure(() => runConsolidation(cfg, traces));
  report(`synthetic, ${hosts} hosts (12-core G4/G5), ${vms} VMs, LR-MMT 1.2`, large);
}
