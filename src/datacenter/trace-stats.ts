/**
 * @module datacenter/trace-stats
 * Statistics of a set of CPU-utilisation traces, to set synthetic traces beside real PlanetLab
 * days (bench/synthetic-traces.mjs prints them; synthetic-traces.test.ts holds them close).
 */
import type { CompactTraces } from './traces.js';

export interface TraceStatistics {
  vms: number;
  /** Over all samples (fractions). */
  mean: number;
  p10: number;
  p50: number;
  p90: number;
  p99: number;
  /** Share of samples that are 0. */
  zeroShare: number;
  /** Quantiles of the VMs' own means. */
  vmMeanP10: number;
  vmMeanP50: number;
  vmMeanP90: number;
  /** Median of the VMs' own standard deviations. */
  vmSdP50: number;
  /** Mean lag-1 autocorrelation of a VM's samples. */
  lag1: number;
  /** Share of VMs with at least one 0 sample, and the mean index of the first. */
  vmsWithZero: number;
  firstZero: number;
}

export function traceStatistics(t: CompactTraces): TraceStatistics {
  const { samples, values } = t;
  const n = values.length / samples;
  const all = Float64Array.from(values).sort();
  const q = (a: Float64Array, p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
  const means = new Float64Array(n);
  const sds = new Float64Array(n);
  let sum = 0, zeros = 0, ac = 0, acCount = 0, withZero = 0, firstSum = 0;
  for (let v = 0; v < n; v++) {
    const o = v * samples;
    let s = 0, first = -1;
    for (let k = 0; k < samples; k++) {
      const x = values[o + k];
      s += x;
      if (x === 0) {
        zeros++;
        if (first < 0) first = k;
      }
    }
    sum += s;
    const m = s / samples;
    means[v] = m;
    let ss = 0, c = 0;
    for (let k = 0; k < samples; k++) {
      const d = values[o + k] - m;
      ss += d * d;
      if (k > 0) c += d * (values[o + k - 1] - m);
    }
    sds[v] = Math.sqrt(ss / samples);
    if (ss > 0) {
      ac += c / ss;
      acCount++;
    }
    if (first >= 0) {
      withZero++;
      firstSum += first;
    }
  }
  means.sort();
  sds.sort();
  return {
    vms: n,
    mean: sum / values.length,
    p10: q(all, 0.1),
    p50: q(all, 0.5),
    p90: q(all, 0.9),
    p99: q(all, 0.99),
    zeroShare: zeros / values.length,
    vmMeanP10: q(means, 0.1),
    vmMeanP50: q(means, 0.5),
    vmMeanP90: q(means, 0.9),
    vmSdP50: q(sds, 0.5),
    lag1: acCount > 0 ? ac / acCount : 0,
    vmsWithZero: withZero / n,
    firstZero: withZero > 0 ? firstSum / withZero : NaN,
  };
}
