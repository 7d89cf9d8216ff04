/**
 * @module cli/sweep-run
 * What `lmsim sweep` and `lmsim worker` do (declared in cli/sweep.ts, loaded when they run).
 */
import { existsSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { executeJob } from '../experiments/job.js';
import { defaultWorkers, inlineBackend, poolBackend, type Backend } from '../experiments/local.js';
import { planSweep, type SweepPlan } from '../experiments/plan.js';
import { ResultsStore, StoreError } from '../experiments/store.js';
import { missingRuns, runSweep, type SweepCounts } from '../experiments/sweep.js';
import { gridSize, parseSeeds, parseSetFlag, parseZipFlag, type Axis } from '../scenario/grid.js';
import { ScenarioError } from '../scenario/errors.js';
import { parseDuration } from '../core/units.js';
import { UsageError } from './errors.js';
import { progressBar } from './progress.js';
import { summaryOutput } from './results-run.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

export interface SweepOptions {
  set?: string[];
  zip?: string[];
  seeds?: string;
  store?: string;
  workers?: string;
  queue?: string;
  queueName?: string;
  dryRun?: boolean;
  progress?: boolean;
  force?: boolean;
  metric?: string;
  csv?: boolean;
  json?: boolean;
}

export interface WorkerOptions {
  queue: string;
  queueName?: string;
  workers?: string;
  lockDuration?: string;
}

function workersOf(value: string | undefined, flag = '--workers'): number {
  if (value === undefined) return defaultWorkers();
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${flag}: expected a whole number of threads (0: run in this thread), got "${value}"`);
  return Number(value);
}

function backendOf(workers: number): Backend {
  return workers === 0 ? inlineBackend() : poolBackend(workers);
}

/** The default store of a sweep file: NAME.duckdb in the current folder. */
export function defaultStore(file: string): string {
  return `${basename(file, extname(file))}.duckdb`;
}

function header(plan: SweepPlan, counts: Pick<SweepCounts, 'distinct' | 'already'>, store: string): string {
  const { points, seeds } = gridSize(plan.grid);
  return `sweep ${plan.name}: ${plan.runs.length} runs (${points} point${points === 1 ? '' : 's'} x ${seeds} seed${seeds === 1 ? '' : 's'}, ${counts.distinct} distinct); store ${store}`;
}

/** `lmsim sweep FILE`. */
export async function sweepCommand(file: string, opts: SweepOptions, io: Io, setCode: (c: number) => void): Promise<void> {
  const workers = workersOf(opts.workers);
  let flags: { axes: Axis[]; seeds?: number[] };
  try {
    flags = {
      axes: [...(opts.set ?? []).map((s) => parseSetFlag(s)), ...(opts.zip ?? []).map(parseZipFlag)],
      seeds: opts.seeds === undefined ? undefined : parseSeeds(opts.seeds, '--seeds'),
    };
  } catch (e) {
    throw e instanceof ScenarioError ? new UsageError(e.issues.join('\n  ')) : e;
  }
  const plan = planSweep(file, { ...flags, force: opts.force });
  const storePath = opts.store ?? defaultStore(file);
  if (opts.dryRun) {
    io.out(await dryRun(plan, storePath, workers, opts.queue));
    return;
  }
  let store: ResultsStore;
  try {
    store = await ResultsStore.open(storePath);
  } catch (e) {
    throw new UsageError(`--store: ${(e as Error).message}`);
  }
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    io.err('\nlmsim: interrupted: finishing the runs in flight (Ctrl-C again to quit now; stored runs are kept)\n');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bar = progressBar(io, 'sweep', opts.progress);
  const t0 = performance.now();
  const onProgress = (done: number, total: number) => {
    const rate = done / Math.max(1e-9, (performance.now() - t0) / 1000);
    const eta = done > 0 && done < total ? `, ETA ${duration((total - done) / rate)}` : '';
    bar.update(done, total, `${done}/${total} runs${done > 0 ? `, ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)}/s` : ''}${eta}`);
  };
  let counts: SweepCounts;
  let backend: Backend | undefined;
  try {
    if (opts.queue !== undefined) {
      const { queueBackend } = await import('../experiments/queue.js');
      backend = await queueBackend(opts.queue, opts.queueName ?? 'lmsim', (t) => io.err(`lmsim: ${t}\n`));
    } else backend = backendOf(workers);
    counts = await runSweep(plan, store, backend, { signal: controller.signal, onProgress });
    bar.finish();
    let out = `${header(plan, counts, storePath)}\n${counts.already} already stored, ${counts.computed} computed${counts.failed.length ? `, ${counts.failed.length} failed` : ''}${counts.interrupted ? ', interrupted' : ''}\n\n`;
    if (!counts.interrupted && counts.failed.length === 0) out += await summaryOutput(store, { metric: opts.metric, csv: opts.csv, json: opts.json, sweep: plan.name });
    if (opts.csv || opts.json) {
      // stdout holds only the data; the counts go to stderr
      io.err(out.slice(0, out.indexOf('\n\n') + 1));
      out = out.slice(out.indexOf('\n\n') + 2);
    }
    io.out(out);
    for (const f of counts.failed.slice(0, 5)) io.err(`lmsim: run failed: ${f.source}: ${f.error}\n`);
    if (counts.failed.length > 5) io.err(`lmsim: ... and ${counts.failed.length - 5} more failed runs\n`);
    if (counts.interrupted) {
      io.err(`lmsim: interrupted; ${counts.already + counts.computed} of ${counts.distinct} runs are stored in ${storePath}; run the same command again to compute the rest\n`);
      setCode(130);
    } else if (counts.failed.length > 0) setCode(1);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    if (opts.queue !== undefined && e instanceof (await import('../experiments/queue.js')).QueueError) throw new UsageError(e.message);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await backend?.close();
    await store.close();
  }
}

/** `--dry-run`: the size, what is stored already, and an estimate from one measured run. */
async function dryRun(plan: SweepPlan, storePath: string, workers: number, queue: string | undefined): Promise<string> {
  let stored = new Set<string>();
  if (storePath !== ':memory:' && existsSync(storePath)) {
    const store = await ResultsStore.open(storePath, { readOnly: true }).catch((e) => {
      throw new UsageError(`--store: ${(e as Error).message}`);
    });
    stored = await store.keys().catch(() => new Set<string>());
    await store.close();
  }
  const { distinct, todo } = missingRuns(plan, stored);
  const lines = [header(plan, { distinct: distinct.size, already: distinct.size - todo.length }, storePath)];
  for (const a of plan.grid.axes) lines.push(`  axis ${a.name}: ${a.values.length} value${a.values.length === 1 ? '' : 's'} (${a.values.slice(0, 6).map((v) => (typeof v[0] === 'string' ? v[0] : JSON.stringify(v[0]))).join(', ')}${a.values.length > 6 ? ', ...' : ''})${a.paths.length > 1 || a.paths[0] !== a.name ? ` -> ${a.paths.join(', ')}` : ''}`);
  if (plan.grid.seeds) lines.push(`  seeds: ${plan.grid.seeds.length} (${plan.grid.seeds[0]}..${plan.grid.seeds[plan.grid.seeds.length - 1]})`);
  lines.push(`${distinct.size - todo.length} already stored, ${todo.length} to compute`);
  if (todo.length > 0) {
    const t0 = performance.now();
    const out = executeJob(todo[0]);
    const per = (performance.now() - t0) / 1000;
    const lanes = queue ? null : Math.max(1, workers);
    const total = (per * todo.length) / (lanes ?? 1);
    lines.push(
      `estimate: ${per.toFixed(3)} s per run (one run measured here, ${(out.result.length / 1024).toFixed(0)} KiB of result)` +
        (lanes ? `; ${todo.length} runs on ${lanes} thread${lanes === 1 ? '' : 's'}: about ${duration(total)}` : `; ${todo.length} runs: about ${duration(total)} of one core, divided by the cores of the workers`),
    );
  }
  return lines.join('\n') + '\n';
}

function duration(s: number): string {
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** `lmsim worker --queue URL`: takes runs from the queue until stopped (SIGINT, SIGTERM). */
export async function workerCommand(opts: WorkerOptions, io: Io): Promise<void> {
  const threads = workersOf(opts.workers);
  let lock = 30;
  if (opts.lockDuration !== undefined) {
    try {
      lock = parseDuration(opts.lockDuration);
    } catch (e) {
      throw new UsageError(`--lock-duration: ${(e as Error).message}`);
    }
    if (!(lock >= 0.1)) throw new UsageError(`--lock-duration: expected at least 100ms, got "${opts.lockDuration}"`);
  }
  const { serveQueue, QueueError } = await import('../experiments/queue.js');
  await serveQueue(opts.queue, opts.queueName ?? 'lmsim', backendOf(threads), Math.max(1, threads), lock, (t) => io.err(`lmsim worker: ${t}\n`)).catch((e) => {
    throw e instanceof QueueError ? new UsageError(e.message) : e;
  });
}
