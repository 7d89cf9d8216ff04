/**
 * @module workload/fluid-layout
 * Splits a VM's memory into the regions fluid memory needs: runs of pages with one write and read
 * density per workload phase. Boundaries are the resident limit and every working set's offset,
 * hot-set end and end, across all phases.
 */
import { FluidLayout } from '../memory/fluid.js';
import { WorkloadSpec } from './workload.js';

/** Workloads fluid memory can express: no zipf, no scattered working set, one level of phases. */
export function fluidSupports(spec: WorkloadSpec, nested = false): boolean {
  if (spec.kind === 'zipf') return false;
  if (spec.kind === 'phases') return !nested && spec.phases.every((p) => fluidSupports(p.workload, true));
  if (spec.kind === 'mix') return spec.parts.every((p) => fluidSupports(p, true));
  return spec.kind === 'idle' || spec.scatteredOver === undefined;
}

/** The patterns a phase's workload runs at once (a mix's parts, or the workload itself). */
const patternsOf = (w: WorkloadSpec): WorkloadSpec[] => (w.kind === 'mix' ? w.parts : [w]);

/**
 * The regions of a layout and what does not depend on the workload's rates: the boundaries, each
 * region's pages, resident pages and sweep flag, and the phases' durations. Workloads that differ
 * only in their rates share one (see withRates).
 */
export interface FluidGeometry {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly sizes: number[];
  readonly sweep: boolean[];
  readonly resident: number[];
  readonly durations: number[];
  readonly repeat: boolean;
}

export function fluidLayout(spec: WorkloadSpec, pageCount: number, residentPages: number, residentAt: 'start' | 'end' = 'start', topPages = 0): FluidLayout {
  return withRates(fluidGeometry(spec, pageCount, residentPages, residentAt, topPages), spec);
}

/** The geometry of `spec`'s layout (fluidLayout's arguments). */
export function fluidGeometry(
  spec: WorkloadSpec,
  pageCount: number,
  residentPages: number,
  residentAt: 'start' | 'end' = 'start',
  topPages = 0,
): FluidGeometry {
  if (!fluidSupports(spec)) throw new Error('fluid memory supports idle, uniform, hotcold and sweep workloads (contiguous), mixes and phases of them');
  // plain loops below: data-center runs build layouts for tens of thousands of migrations
  const phases = phasesOf(spec);
  const residentFrom = residentAt === 'end' ? Math.max(0, pageCount - residentPages) : 0;
  const residentTo = residentAt === 'end' ? pageCount : Math.min(pageCount, residentPages);
  const bounds: number[] = [];
  const cut = (c: number) => {
    if (c >= 0 && c <= pageCount && !bounds.includes(c)) bounds.push(c);
  };
  cut(0);
  cut(pageCount);
  cut(residentFrom);
  cut(residentTo);
  const topFrom = Math.max(residentTo, pageCount - Math.floor(topPages));
  cut(topFrom);
  for (const { workload } of phases)
    for (const w of patternsOf(workload)) {
      if (w.kind === 'idle' || w.kind === 'phases' || w.kind === 'zipf' || w.kind === 'mix') continue;
      cut(w.offset);
      cut(w.offset + w.workingSet);
      if (w.kind === 'hotcold') cut(w.offset + Math.min(w.hotSet, w.workingSet));
    }
  sortAscending(bounds);
  const regions = bounds.length - 1;
  // (arrays filled by push stay packed: the fluid model reads them in its inner loops)
  const starts: number[] = [],
    ends: number[] = [],
    sizes: number[] = [];
  for (let i = 0; i < regions; i++) {
    starts.push(bounds[i]);
    ends.push(bounds[i + 1]);
    sizes.push(bounds[i + 1] - bounds[i]);
  }
  const sweep = filled(regions, false);
  for (const { workload } of phases)
    for (const w of patternsOf(workload))
      if (w.kind === 'sweep') {
        for (let i = 0; i < regions; i++) if (overlap(starts, ends, i, w.offset, w.offset + w.workingSet) > 0) sweep[i] = true;
      }
  const resident: number[] = [];
  for (let i = 0; i < regions; i++) resident.push(overlap(starts, ends, i, residentFrom, residentTo) + overlap(starts, ends, i, topFrom, pageCount));
  const durations: number[] = [];
  for (const p of phases) durations.push(p.duration);
  return { starts, ends, sizes, sweep, resident, durations, repeat: spec.kind === 'phases' && spec.repeat };
}

/**
 * The layout of `spec` on `geometry`, which must be fluidGeometry's for a workload that differs
 * from `spec` at most in its rates: the geometry's arrays are shared (nothing writes to a layout),
 * the write and read rates per phase and region are `spec`'s.
 */
export function withRates(geometry: FluidGeometry, spec: WorkloadSpec): FluidLayout {
  const { starts, ends } = geometry;
  const regions = starts.length;
  const writeRates: number[][] = [],
    readRates: number[][] = [];
  for (const { workload } of phasesOf(spec)) {
    const writes = filled(regions, 0),
      reads = filled(regions, 0);
    for (const w of patternsOf(workload))
      if (w.kind === 'uniform' || w.kind === 'sweep') {
        spread(starts, ends, writes, w.writeRate, w.offset, w.offset + w.workingSet);
        spread(starts, ends, reads, w.readRate, w.offset, w.offset + w.workingSet);
      } else if (w.kind === 'hotcold') {
        const hot = Math.min(w.hotSet, w.workingSet);
        const coldShare = hot < w.workingSet ? 1 - w.hotShare : 0;
        spread(starts, ends, writes, w.writeRate * (1 - coldShare), w.offset, w.offset + hot);
        spread(starts, ends, writes, w.writeRate * coldShare, w.offset + hot, w.offset + w.workingSet);
        spread(starts, ends, reads, w.readRate * (1 - coldShare), w.offset, w.offset + hot);
        spread(starts, ends, reads, w.readRate * coldShare, w.offset + hot, w.offset + w.workingSet);
      }
    writeRates.push(writes);
    readRates.push(reads);
  }
  const { sizes, sweep, resident, durations, repeat } = geometry;
  return { sizes, sweep, resident, writeRates, readRates, durations, repeat };
}

/** The phases of a workload (one of Infinity for a plain workload). */
function phasesOf(spec: WorkloadSpec): { duration: number; workload: WorkloadSpec }[] {
  return spec.kind === 'phases' ? spec.phases : [{ duration: Infinity, workload: spec }];
}

/** Pages of region i within [from, to). */
function overlap(starts: readonly number[], ends: readonly number[], i: number, from: number, to: number): number {
  return Math.max(0, Math.min(ends[i], to) - Math.max(starts[i], from));
}

/** Per region: `rate` spread uniformly over [from, to). */
function spread(starts: readonly number[], ends: readonly number[], rates: number[], rate: number, from: number, to: number): void {
  if (rate <= 0 || to <= from) return;
  for (let i = 0; i < starts.length; i++) rates[i] += (rate * overlap(starts, ends, i, from, to)) / (to - from);
}

/** Insertion sort (a handful of cuts). */
function sortAscending(a: number[]): void {
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

function filled<T>(n: number, value: T): T[] {
  const a: T[] = [];
  for (let i = 0; i < n; i++) a.push(value);
  return a;
}
