/**
 * @module experiments/local
 * Where a sweep's runs execute: a Backend takes the jobs and reports each output as it finishes.
 * `inline` runs them one by one in this thread (the plain path, `--workers 0`); `pool` spreads them
 * over worker threads (piscina), one per core by default. Runs are pure and seeded, so both give
 * the same outputs; the store orders nothing by arrival.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { executeJob, type RunJob, type RunOutput } from './job.js';

export interface Backend {
  /**
   * Runs `jobs`, calling `onResult` for each output as it arrives (it resolves once the output is
   * accepted, with `written` for when it is stored) and `onFailure` for each run that threw;
   * stops dispatching when `signal` aborts (the runs in flight still report).
   */
  run(jobs: RunJob[], onResult: (out: RunOutput) => Promise<{ written: Promise<void> }>, onFailure: (job: RunJob, error: Error) => void, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
  /** What it is, for messages ("4 worker threads"). */
  readonly label: string;
}

/** The plain path: one run after the other in this thread. */
export function inlineBackend(): Backend {
  return {
    label: 'this thread',
    async run(jobs, onResult, onFailure, signal) {
      for (const job of jobs) {
        if (signal?.aborted) return;
        let out: RunOutput;
        try {
          out = executeJob(job);
        } catch (e) {
          onFailure(job, e as Error);
          continue;
        }
        await onResult(out);
        // let signals and timers in between runs
        await new Promise((r) => setImmediate(r));
      }
    },
    async close() {},
  };
}

/** The number of cores this process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/** A pool of `threads` worker threads. */
export function poolBackend(threads: number): Backend {
  const pool = new Piscina({
    // by way of the folder: from the CLI bundle (dist/src/cli-bundle/) too, this is the compiled thread.js
    filename: new URL('../experiments/thread.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    // the pool's own queue stays short: jobs are handed over as threads free up
    maxQueue: 'auto',
    idleTimeout: 60_000,
  });
  return {
    label: `${threads} worker thread${threads === 1 ? '' : 's'}`,
    async run(jobs, onResult, onFailure, signal) {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < jobs.length && !signal?.aborted) {
          const job = jobs[next++];
          let out: RunOutput;
          try {
            out = (await pool.run(job)) as RunOutput;
          } catch (e) {
            onFailure(job, e as Error);
            continue;
          }
          await onResult(out);
        }
      };
      await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, lane));
    },
    async close() {
      await pool.destroy();
    },
  };
}
