/**
 * @module experiments/queue
 * Runs of a sweep spread over machines with BullMQ on Redis. The coordinator (`lmsim sweep
 * --queue redis://HOST:PORT`) puts one job per missing run on the queue, with the run's key as the
 * job id, and stores each result as it comes back; `lmsim worker --queue ...` on any number of
 * machines takes jobs and runs them on its own cores.
 *
 * Delivery is at least once: a worker that dies mid-run stops renewing its job's lock, and after
 * the lock expires another worker's stalled-job check puts the job back on the queue. Keys make it
 * idempotent: a job id is added once, and the store keeps one row per key whatever arrives twice.
 * A coordinator that stops (Ctrl-C, a crash) leaves the jobs queued; run again, it collects the
 * ones finished meanwhile and waits for the rest.
 */
import { hostname } from 'node:os';
import { Job, Queue, QueueEvents, Worker, type ConnectionOptions } from 'bullmq';
import type { Backend } from './local.js';
import type { RunJob, RunOutput } from './job.js';

/** A queue that cannot be reached or a URL that is not one. */
export class QueueError extends Error {}

/** Attempts of a job whose run throws (a deterministic failure fails them all). */
const ATTEMPTS = 3;
/** Times a job may lose its worker (its lock expired) before it counts as failed. */
const MAX_STALLED = 10;
/** How often the coordinator looks at the jobs it has not heard about (events can be missed). */
const RECONCILE_MS = 2000;

/** `redis://[user:password@]HOST:PORT[/DB]` -> connection options. */
export function connectionOf(url: string): ConnectionOptions & { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new QueueError(`--queue: expected redis://HOST:PORT, got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new QueueError(`--queue: expected redis://HOST:PORT, got "${url}"`);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new QueueError(`--queue: the database after the port is a number (redis://HOST:PORT/0), got "${db}"`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

/** Fails fast, with the address, when Redis does not answer. */
async function reachable(url: string, connection: ConnectionOptions, name: string): Promise<Queue> {
  const queue = new Queue(name, { connection: { ...(connection as object), connectTimeout: 3000, retryStrategy: (n: number) => (n > 2 ? null : 200) } as ConnectionOptions });
  queue.on('error', () => undefined); // reported below
  try {
    await Promise.race([queue.waitUntilReady().then(() => queue.getJobCounts()), new Promise<never>((_, rej) => setTimeout(() => rej(new Error('no answer within 5 s')), 5000))]);
    return queue;
  } catch (e) {
    await queue.close().catch(() => undefined);
    throw new QueueError(`--queue: cannot reach Redis at ${url}: ${(e as Error).message}`);
  }
}

/** The coordinator's side: a Backend that queues the jobs and collects their outputs. */
export async function queueBackend(url: string, name: string, log: (t: string) => void): Promise<Backend> {
  const connection = connectionOf(url);
  const probe = await reachable(url, connection, name);
  await probe.close();
  const queue = new Queue(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on('error', (e) => log(`queue: ${e.message}`));
  events.on('error', (e) => log(`queue events: ${e.message}`));
  await events.waitUntilReady();
  return {
    label: `the queue "${name}" at ${url}`,
    async run(jobs, onResult, onFailure, signal) {
      const pending = new Map(jobs.map((j) => [j.key, j]));
      if (pending.size === 0) return;
      let wake: () => void = () => undefined;
      const collecting = new Set<string>();
      const collect = async (id: string, job?: Job): Promise<void> => {
        if (!pending.has(id) || collecting.has(id)) return;
        collecting.add(id);
        try {
          job ??= await queue.getJob(id);
          if (!job) return;
          const state = await job.getState();
          if (state === 'completed' && job.returnvalue) {
            pending.delete(id);
            // the job leaves Redis only once its result is in the store
            const { written } = await onResult(job.returnvalue as RunOutput);
            await written;
            await job.remove().catch(() => undefined);
          } else if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
            pending.delete(id);
            onFailure(job.data as RunJob, new Error(job.failedReason ?? 'failed'));
            await job.remove().catch(() => undefined);
          }
        } finally {
          collecting.delete(id);
          if (pending.size === 0) wake();
        }
      };
      // every collection in progress, awaited before returning (its result is being stored)
      const inflight = new Set<Promise<void>>();
      const track = (id: string) => {
        const p = collect(id).catch((e) => log(`collecting ${id}: ${(e as Error).message}`));
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      };
      events.on('completed', ({ jobId }) => track(jobId));
      events.on('failed', ({ jobId }) => track(jobId));
      // jobs left by an earlier coordinator keep their id: finished ones are collected, failed ones retried
      const keys = [...pending.keys()];
      for (const k of keys) {
        const old = await queue.getJob(k);
        if (old && (await old.getState()) === 'failed') await old.remove();
      }
      for (let i = 0; i < keys.length; i += 500) {
        const chunk = keys.slice(i, i + 500);
        await queue.addBulk(
          chunk.map((k) => ({
            name: 'run',
            data: pending.get(k)!,
            opts: { jobId: k, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false },
          })),
        );
      }
      // finished jobs the events did not bring (missed, or finished while no coordinator listened):
      // the finished lists stay short, since each job is removed once stored
      const reconcile = async () => {
        for (const type of ['completed', 'failed'] as const) {
          for (let start = 0; !signal?.aborted; start += 1000) {
            const page = await queue.getJobs([type], start, start + 999, true);
            for (const job of page) if (job?.id && pending.has(job.id)) await collect(job.id, job);
            if (page.length < 1000) break;
          }
        }
      };
      // a full pass now and then: a pending job that is nowhere (removed by hand) is queued again
      const requeueLost = async () => {
        for (const k of [...pending.keys()]) {
          if (signal?.aborted) return;
          if (!(await queue.getJob(k))) await queue.add('run', pending.get(k)!, { jobId: k, attempts: ATTEMPTS, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false });
        }
      };
      let passes = 0;
      await reconcile();
      while (pending.size > 0 && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, RECONCILE_MS);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
          signal?.addEventListener('abort', wake, { once: true });
        });
        if (pending.size > 0 && !signal?.aborted) await reconcile();
        if (++passes % 30 === 0 && pending.size > 0 && !signal?.aborted) await requeueLost();
      }
      events.removeAllListeners('completed');
      events.removeAllListeners('failed');
      while (inflight.size > 0) await Promise.all([...inflight]);
    },
    async close() {
      await events.close();
      await queue.close();
    },
  };
}

/**
 * A worker's side: takes jobs from the queue, `concurrency` at a time, runs them on `backend`,
 * until SIGINT or SIGTERM (then it finishes the runs in hand and stops).
 * @param lockSeconds how long a job stays with a worker that stopped answering before it is run again.
 */
export async function serveQueue(url: string, name: string, backend: Backend, concurrency: number, lockSeconds: number, log: (t: string) => void): Promise<void> {
  const connection = connectionOf(url);
  const probe = await reachable(url, connection, name);
  await probe.close();
  const me = `${hostname()}:${process.pid}`;
  const worker = new Worker(
    name,
    async (job: Job<RunJob>) => {
      log(`run ${job.id!.slice(0, 12)} start (${job.data.source}, attempt ${job.attemptsMade + 1})`);
      const out = await new Promise<RunOutput>((resolve, reject) => {
        void backend.run([job.data], async (o) => (resolve(o), { written: Promise.resolve() }), (_j, e) => reject(e)).catch(reject);
      });
      log(`run ${job.id!.slice(0, 12)} done in ${out.wallSeconds.toFixed(3)} s`);
      return out;
    },
    {
      connection,
      concurrency,
      lockDuration: Math.round(lockSeconds * 1000),
      stalledInterval: Math.max(100, Math.round((lockSeconds * 1000) / 2)),
      maxStalledCount: MAX_STALLED,
    },
  );
  worker.on('error', (e) => log(`error: ${e.message}`));
  worker.on('failed', (job, e) => log(`run ${job?.id?.slice(0, 12)} failed: ${e.message.split('\n')[0]}`));
  await worker.waitUntilReady();
  log(`${me} takes runs from "${name}" at ${url} on ${backend.label} (lock ${lockSeconds} s)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      log('stopping: finishing the runs in hand');
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await worker.close();
  await backend.close();
}
