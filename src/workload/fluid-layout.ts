/**
 * @module workload/fluid-layout
 * Splits a VM's memory into the regions fluid memory needs: runs of pages with one write and read
 * density per workload phase. Boundaries are the resident limit and every working set's offset,
 * hot-set end and end, across all phases.
 */
import { FluidLayout } from '../memory/fluid.js';
import { WorkloadSpec } from './workload.js';

/** Workloads fluid memory can express. */
export function fluidSupports(spec: WorkloadSpec, nested = false): boolean {
  if (spec.kind === 'zipf') return false;
  if (spec.kind === 'phases') return !nested && spec.phases.every((p) => fluidSupports(p.workload, true));
  return true;
}

export function fluidLayout(spec: WorkloadSpec, pageCount: number, residentPages: number, residentAt: 'start' | 'end' = 'start'): FluidLayout {
  if (!fluidSupports(spec)) throw new Error('fluid memory supports idle, uniform, hotcold and sweep workloads and phases of them');
  const phases = spec.kind === 'phases' ? spec.phases : [{ duration: Infinity, workload: spec }];
  const residentFrom = residentAt === 'end' ? Math.max(0, pageCount - residentPages) : 0;
  const residentTo = residentAt === 'end' ? pageCount : Math.min(pageCount, residentPages);
  const cuts = new Set([0, pageCount, residentFrom, residentTo]);
  for (const { workload: w } of phases) {
    if (w.kind === 'idle' || w.kind === 'phases' || w.kind === 'zipf') continue;
    cuts.add(w.offset).add(w.offset + w.workingSet);
    if (w.kind === 'hotcold') cuts.add(w.offset + Math.min(w.hotSet, w.workingSet));
  }
  const bounds = [...cuts].filter((c) => c >= 0 && c <= pageCount).sort((a, b) => a - b);
  const starts = bounds.slice(0, -1), ends = bounds.slice(1);
  const sizes = starts.map((s, i) => ends[i] - s);
  const overlap = (i: number, from: number, to: number) => Math.max(0, Math.min(ends[i], to) - Math.max(starts[i], from));
  /** Per region: `rate` spread uniformly over [from, to). */
  const spread = (rates: number[], rate: number, from: number, to: number) => {
    if (rate <= 0 || to <= from) return;
    for (let i = 0; i < sizes.length; i++) rates[i] += (rate * overlap(i, from, to)) / (to - from);
  };
  const writeRates: number[][] = [], readRates: number[][] = [];
  const sweep = sizes.map(() => false);
  for (const { workload: w } of phases) {
    const writes = sizes.map(() => 0), reads = sizes.map(() => 0);
    if (w.kind === 'uniform' || w.kind === 'sweep') {
      spread(writes, w.writeRate, w.offset, w.offset + w.workingSet);
      spread(reads, w.readRate, w.offset, w.offset + w.workingSet);
      if (w.kind === 'sweep') for (let i = 0; i < sizes.length; i++) if (overlap(i, w.offset, w.offset + w.workingSet) > 0) sweep[i] = true;
    } else if (w.kind === 'hotcold') {
      const hot = Math.min(w.hotSet, w.workingSet);
      const coldShare = hot < w.workingSet ? 1 - w.hotShare : 0;
      for (const [rates, rate] of [[writes, w.writeRate], [reads, w.readRate]] as const) {
        spread(rates, rate * (1 - coldShare), w.offset, w.offset + hot);
        spread(rates, rate * coldShare, w.offset + hot, w.offset + w.workingSet);
      }
    }
    writeRates.push(writes);
    readRates.push(reads);
  }
  return {
    sizes,
    sweep,
    resident: starts.map((_, i) => overlap(i, residentFrom, residentTo)),
    writeRates,
    readRates,
    durations: phases.map((p) => p.duration),
    repeat: spec.kind === 'phases' && spec.repeat,
  };
}
