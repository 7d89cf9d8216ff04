/**
 * @module experiments/sweep
 * Runs a planned sweep into a store: only the runs whose key is not stored yet, each result stored
 * as it arrives. Interrupted (Ctrl-C, a crash, a killed machine), a sweep loses at most the runs in
 * flight; run again, it computes only what is missing.
 */
import type { Backend } from './local.js';
import type { RunJob } from './job.js';
import type { SweepPlan } from './plan.js';
import { METRIC_NAMES } from '../report/run-metrics.js';
import type { PlannedRun, ResultsStore } from './store.js';

export interface SweepCounts {
  /** Points x seeds. */
  runs: number;
  /** Distinct scenarios among them (two points can make the same scenario). */
  distinct: number;
  /** Stored before this sweep started. */
  already: number;
  /** Computed and stored now. */
  computed: number;
  /** Runs that threw, with the error. */
  failed: { source: string; error: string }[];
  interrupted: boolean;
}

/** The distinct runs of a plan, in grid order, and those not in `stored`. */
export function missingRuns(plan: SweepPlan, stored: Set<string>): { distinct: Map<string, PlannedRun & { job: RunJob }>; todo: RunJob[] } {
  const distinct = new Map<string, PlannedRun & { job: RunJob }>();
  for (const r of plan.runs) if (!distinct.has(r.key)) distinct.set(r.key, r);
  return { distinct, todo: [...distinct.values()].filter((r) => !stored.has(r.key)).map((r) => r.job) };
}

/** Results computed but not yet written that a sweep lets pile up before it waits for the store. */
const MAX_UNWRITTEN = 256;

export async function runSweep(
  plan: SweepPlan,
  store: ResultsStore,
  backend: Backend,
  options: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<SweepCounts> {
  const stored = await store.keys();
  const { distinct, todo } = missingRuns(plan, stored);
  await store.declareSweep(plan.name, plan.kind, plan.grid.axes, METRIC_NAMES[plan.kind], plan.metrics);
  const counts: SweepCounts = { runs: plan.runs.length, distinct: distinct.size, already: distinct.size - todo.length, computed: 0, failed: [], interrupted: false };
  options.onProgress?.(0, todo.length);
  let done = 0;
  // the next run does not wait for the previous result's write: writes that pile up go together
  // (ResultsStore.insert), and at most MAX_UNWRITTEN results wait in memory
  const writes = new Set<Promise<void>>();
  let failure: Error | undefined;
  await backend.run(
    todo,
    async (out) => {
      const planned = distinct.get(out.key);
      if (!planned) throw new Error(`a result for key ${out.key.slice(0, 12)} that this sweep did not plan`);
      const w = store.insert(plan.name, planned, out).then(
        (stored) => {
          if (stored) counts.computed++;
          options.onProgress?.(++done, todo.length);
        },
        (e: Error) => void (failure ??= e),
      );
      writes.add(w);
      void w.finally(() => writes.delete(w));
      if (failure) throw failure;
      if (writes.size >= MAX_UNWRITTEN) await Promise.race(writes);
      return { written: w };
    },
    (job, error) => {
      counts.failed.push({ source: job.source, error: error.message.split('\n')[0] });
      options.onProgress?.(++done, todo.length);
    },
    options.signal,
  );
  await Promise.all(writes);
  if (failure) throw failure;
  counts.interrupted = options.signal?.aborted === true && counts.computed + counts.failed.length < todo.length;
  return counts;
}
