/**
 * @module scenario/work
 * How much work a run will be, estimated from the validated scenario before anything is allocated,
 * so that a run that cannot finish in reasonable time (a `count` of 1e9, `horizon: 1e9` with a
 * migration that never converges, a 16 GiB VM written at 1M pages/s with no timeout) is refused
 * with the estimate instead of running for hours or running out of memory.
 *
 * The unit is a *page operation*: one page allocated, written, read or sent in page fidelity, one
 * engine step of ~0.1 s simulated per migration in either fidelity. The estimate is an upper
 * bound's shape, not a prediction: a pre-copy that should converge (dirty rate under half the
 * link) is given three passes over its memory; one that may not is given until its timeout or the
 * horizon. The bound, WORK_BOUND, is about a minute of one core (the page engine does
 * ~2e7 page operations per second); `--force` goes past it.
 */
import { parsePageRate } from '../core/units.js';
import { resolveOptions } from './run.js';
import type { ScenarioSpec, WorkloadInput } from './schema.js';

/** Page operations above which the CLI refuses to start without --force (about a minute). */
export const WORK_BOUND = 1e9;
/** Page operations per second of one core, for the estimate's wall-time figure (a conservative rate). */
export const PAGE_OPS_PER_SECOND = 2e7;
/** Pages one VM may have in page fidelity (1 TiB at 4 KiB): its state is a few bytes per page. */
export const MAX_PAGE_FIDELITY_PAGES = 2 ** 28;

export interface WorkEstimate {
  /** Page operations, summed over the run. */
  pageOps: number;
  /** What dominates, in words ("vms[0] (db): 3.6e+9 page writes over 3600 s"). */
  largest: string;
}

/** Engine step the estimate counts per migration, s (QEMU's bandwidth window). */
const STEP = 0.1;

/** The work of one validated scenario. */
export function estimateWork(spec: ScenarioSpec): WorkEstimate {
  const page = spec.fidelity === 'page';
  const parts: { ops: number; what: string }[] = [];
  const hostNic = new Map(spec.hosts.map((h) => [h.name, h.nic ?? spec.network.bandwidth]));
  spec.vms.forEach((vm, i) => {
    const count = vm.count ?? 1;
    const pages = Math.ceil(vm.memory / spec.pageSize);
    const name = `vms[${i}] (${vm.name}${count > 1 ? ` x ${count}` : ''})`;
    // allocation and the first pass: every page, in page fidelity; a few regions in fluid
    parts.push({ ops: count * (page ? pages : 16), what: `${name}: ${fmt(count * pages)} pages of memory` });
    // the guest's writes and reads are drawn from 0 to the end of its last migration
    const rate = accessRate(vm.workload, spec.pageSize);
    let end = 0;
    let steps = 0;
    let sent = 0;
    for (const m of spec.migrations) {
      if (m.vm !== vm.name) continue;
      const o = resolveOptions(m);
      const bw = Math.min(hostNic.get(vm.host) ?? Infinity, hostNic.get(m.to) ?? Infinity, o.maxBandwidth);
      const pass = vm.memory / bw;
      let span: number;
      if (o.algorithm === 'postcopy' || o.algorithm === 'stop-and-copy') span = pass;
      else {
        const converges = rate * spec.pageSize < 0.5 * bw;
        span = converges ? 3 * pass : Infinity;
        if (Number.isFinite(o.maxRounds)) span = Math.min(span, (o.maxRounds + 1) * pass);
        if (Number.isFinite(o.maxSentFactor)) span = Math.min(span, (o.maxSentFactor + 1) * pass);
        if (o.algorithm === 'hybrid' && Number.isFinite(o.postcopyAfterRounds)) span = Math.min(span, (o.postcopyAfterRounds + 2) * pass);
      }
      span = Math.min(span, o.timeout, spec.horizon);
      end = Math.min(spec.horizon, Math.max(end, m.at) + span);
      steps += span / STEP;
      sent += page ? (bw * span) / spec.pageSize : 0;
    }
    if (end > 0) {
      const accesses = page ? count * rate * end : 0;
      parts.push({ ops: accesses, what: `${name}: ${fmt(accesses)} page writes and reads over ${fmt(end)} s simulated` });
      parts.push({ ops: count * (steps + sent), what: `${name}: ${fmt(count * steps)} engine steps and ${fmt(count * sent)} pages sent` });
    }
    // phase changes are events of their own, for as long as the run lasts
    const phase = shortestPhase(vm.workload);
    if (phase > 0 && isRepeating(vm.workload)) parts.push({ ops: (count * spec.horizon) / phase, what: `${name}: ${fmt(spec.horizon / phase)} workload phases` });
  });
  const pageOps = parts.reduce((s, p) => s + p.ops, 0);
  const largest = parts.reduce((a, b) => (b.ops > a.ops ? b : a), { ops: -1, what: 'nothing' }).what;
  return { pageOps, largest };
}

/** The refusal message of an estimate over the bound, or null when the run may start. */
export function workRefusal(estimate: WorkEstimate, what = 'this run'): string | null {
  if (!(estimate.pageOps > WORK_BOUND)) return null;
  return (
    `${what} is estimated at ${fmt(estimate.pageOps)} page operations (about ${duration(estimate.pageOps / PAGE_OPS_PER_SECOND)} of one core), ` +
    `more than the bound of ${fmt(WORK_BOUND)} (about a minute); most of it: ${estimate.largest}. ` +
    'Set a timeout, a shorter horizon, fewer or smaller VMs, or fidelity: fluid; or give --force to run it anyway'
  );
}

/** Page writes + reads per second at the workload's busiest. */
function accessRate(w: WorkloadInput, pageSize: number): number {
  if (w.kind === 'idle') return 0;
  if (w.kind === 'phases') return Math.max(...w.phases.map((p) => accessRate(p.workload, pageSize)));
  if (w.kind === 'mix') return w.parts.reduce((sum, p) => sum + accessRate(p, pageSize), 0);
  return parsePageRate(w.writeRate, pageSize) + (w.readRate === undefined ? 0 : parsePageRate(w.readRate, pageSize));
}

function shortestPhase(w: WorkloadInput): number {
  return w.kind === 'phases' ? Math.min(...w.phases.map((p) => p.duration)) : 0;
}

function isRepeating(w: WorkloadInput): boolean {
  return w.kind === 'phases' && w.repeat;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x < 1e6 ? String(Math.round(x)) : x.toExponential(1);
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return 'forever';
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}
