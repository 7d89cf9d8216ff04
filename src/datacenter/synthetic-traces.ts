/**
 * @module datacenter/synthetic-traces
 * Seeded CPU-utilisation traces with the statistics of CloudSim's PlanetLab days (one sample every
 * 300 s, integer percent), for a data center without trace files. Measured on the ten days in
 * shared/data/planetlab (bench/planetlab-stats.mjs prints both side by side): a VM's mean is
 * spread over two orders of magnitude (median about 7 %, 10th percentile about 2 %, 90th about
 * 25 %), a sample varies around its VM's mean with a coefficient of variation near 0.8, samples
 * 5 min apart are nearly independent (lag-1 autocorrelation about 0.1), and about 16 % of the
 * samples are 0 %: three VMs in four are idle at some point, a median VM a few percent of the
 * time, one in ten 40 % of it or more, in runs (CloudSim retires a VM whose demand is 0 at an
 * update, so when the first idle sample comes matters).
 *
 * Model: VM v's level m_v is log-normal (median LEVEL_MEDIAN, log-sd LEVEL_LOG_SD); its sample k is
 * 0 while the VM is idle (a two-state chain: never for a share NEVER_IDLE of the VMs, else a
 * log-normal share of the time in runs of IDLE_RUN samples on average), else m_v x exp(x_k - s^2 / 2)
 * with x_k independent normal draws of sd s (samples 5 min apart are nearly independent; the idle
 * runs give the little correlation there is), rounded to an integer percent.
 */
import { Rng } from '../core/random.js';
import type { CompactTraces } from './traces.js';

const LEVEL_MEDIAN = 0.077;
const LEVEL_LOG_SD = 1.05;
const LEVEL_MAX = 0.6;
/** Log-sd of a sample around its VM's level. */
const SAMPLE_LOG_SD = 0.65;
/** Share of VMs never idle; the others are idle (0 %) a log-normal share of the time, in runs. */
const NEVER_IDLE = 0.3;
const IDLE_MEDIAN = 0.12;
const IDLE_LOG_SD = 1;
const IDLE_MAX = 0.6;
/** Mean length of an idle run, samples. */
const IDLE_RUN = 4;

/** PlanetLab's trace length: a day of 5-minute samples. */
export const SYNTHETIC_SAMPLES = 288;

/** `vms` traces of `samples` samples (fractions), reproducible from `seed`. */
export function syntheticTraces(vms: number, seed: number, samples = SYNTHETIC_SAMPLES): CompactTraces & { values: Float64Array } {
  const values = new Float64Array(vms * samples);
  for (let v = 0; v < vms; v++) {
    const rng = new Rng(seed, `trace/${v}`);
    const level = Math.min(LEVEL_MAX, LEVEL_MEDIAN * Math.exp(LEVEL_LOG_SD * normal(rng)));
    const idleShare = rng.float() < NEVER_IDLE ? 0 : Math.min(IDLE_MAX, IDLE_MEDIAN * Math.exp(IDLE_LOG_SD * normal(rng)));
    // a two-state chain with stationary idle share idleShare and mean idle runs of IDLE_RUN samples
    const leave = 1 / IDLE_RUN;
    const enter = idleShare > 0 ? (idleShare * leave) / (1 - idleShare) : 0;
    let idle = rng.float() < idleShare;
    for (let k = 0; k < samples; k++) {
      if (k > 0) idle = rng.float() < (idle ? 1 - leave : enter);
      const x = SAMPLE_LOG_SD * normal(rng);
      const u = idle ? 0 : level * Math.exp(x - (SAMPLE_LOG_SD * SAMPLE_LOG_SD) / 2);
      values[v * samples + k] = Math.min(100, Math.round(u * 100)) / 100;
    }
  }
  return { samples, values };
}

/** A standard normal draw (Box-Muller). */
function normal(rng: Rng): number {
  const a = 1 - rng.float();
  return Math.sqrt(-2 * Math.log(a)) * Math.cos(2 * Math.PI * rng.float());
}
