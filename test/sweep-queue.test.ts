/**
 * Sweeps over a real Redis with BullMQ: two `lmsim worker` processes on loopback give the same
 * store as local threads; a worker SIGKILLed mid-run loses nothing (its job is run again once its
 * lock expires) and duplicates nothing. Each test file starts its own redis-server on a free
 * loopback port. In CI (CI=true) a missing redis-server fails; elsewhere these tests are skipped.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { main } from '../src/cli/main.js';
import { ResultsStore, TIMING_COLUMNS } from '../src/experiments/store.js';
import { repoRoot, smallGrid, writeGrid } from './support.js';

const root = repoRoot();
const dir = mkdtempSync(join(tmpdir(), 'lmsim-queue-'));
const redisBin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
const skip = redisBin === '' && process.env.CI !== 'true' ? 'redis-server is not installed (apt-get install redis-server); CI runs these tests' : false;

let redis: ChildProcess | undefined;
let url = '';
const workers: ChildProcess[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' }, () => c.write('PING\r\n'));
    c.on('data', (d) => {
      c.destroy();
      resolve(String(d).startsWith('+PONG'));
    });
    c.on('error', () => resolve(false));
  });
}

before(async () => {
  if (skip) return;
  assert.notEqual(redisBin, '', 'redis-server is required in CI (.ci/run installs it)');
  const port = await freePort();
  redis = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(await pong(port)); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(await pong(port), `redis-server did not answer on port ${port}`);
  url = `redis://127.0.0.1:${port}`;
});

after(() => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  redis?.kill('SIGTERM');
  // a failed test can leave an in-process coordinator waiting on its queue: end this file's
  // process once its results are out rather than hang the suite (node's --test-force-exit drops
  // tests of other files, so it is not used)
  setTimeout(() => process.exit(), 5000).unref();
});

async function lmsim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

async function rows(path: string): Promise<Record<string, unknown>[]> {
  const store = await ResultsStore.open(path, { readOnly: true });
  try {
    return (await store.query(`SELECT * EXCLUDE (${TIMING_COLUMNS.join(', ')}) FROM runs ORDER BY key`)).rows;
  } finally {
    await store.close();
  }
}

/** A worker process; its stderr is collected in `log`. */
function worker(queueName: string, lock = '1s'): ChildProcess & { log: string } {
  const w = spawn(process.execPath, [join(root, 'bin', 'lmsim.js'), 'worker', '--queue', url, '--queue-name', queueName, '--workers', '1', '--lock-duration', lock], { stdio: ['ignore', 'ignore', 'pipe'] }) as ChildProcess & { log: string };
  w.log = '';
  w.stderr!.on('data', (d) => (w.log += d));
  workers.push(w);
  return w;
}

async function until(what: string, f: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Four runs of a guest that never converges until its timeout: over a second of work each. */
function longGrid(name: string): string {
  return writeGrid(dir, name, {
    scenario: `
      network: { bandwidth: 1Gbit/s }
      hosts: [ { name: A, memory: 32GiB }, { name: B, memory: 32GiB } ]
      vms: [ { name: db, host: A, memory: 4GiB, workload: { kind: uniform, writeRate: 300000/s, workingSet: 1GiB } } ]
      migrations: [ { vm: db, to: B, at: 1s, timeout: 600s } ]`,
    seeds: '1..2',
    axes: '"migrations[0].downtimeLimit": [30ms, 300ms]',
  });
}

async function stop(ws: ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => (w.exitCode !== null || w.signalCode !== null ? undefined : new Promise((r) => { w.on('exit', r); w.kill('SIGTERM'); }))));
}

test('two worker processes over Redis give the same store as local threads', { skip }, async () => {
  const file = smallGrid(dir, 'q');
  const local = join(dir, 'local.duckdb');
  assert.equal((await lmsim(['sweep', file, '--store', local, '--workers', '2'])).code, 0);
  const ws = [worker('equal'), worker('equal')];
  await until('the workers to be ready', () => ws.every((w) => /takes runs/.test(w.log)));
  const store = join(dir, 'queue.duckdb');
  const r = await lmsim(['sweep', file, '--store', store, '--queue', url, '--queue-name', 'equal']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /0 already stored, 12 computed/);
  assert.deepEqual(await rows(store), await rows(local));
  // both workers took runs
  for (const w of ws) assert.match(w.log, /run [0-9a-f]{12} done/);
  await stop(ws);
});

test('a worker SIGKILLed mid-run: its run is taken again after the lock expires; every run stored exactly once', { skip }, async () => {
  const file = longGrid('kill');
  const [a, b] = [worker('kill'), worker('kill')];
  await until('the workers to be ready', () => /takes runs/.test(a.log) && /takes runs/.test(b.log));
  const store = join(dir, 'kill.duckdb');
  const sweep = lmsim(['sweep', file, '--store', store, '--queue', url, '--queue-name', 'kill']);
  // kill A as soon as it has started a run (each run takes over a second: the kill lands mid-run)
  await until('worker A to start a run', () => / start /.test(a.log));
  a.kill('SIGKILL');
  const killed = [...a.log.matchAll(/run ([0-9a-f]{12}) start/g)].map((m) => m[1]).pop()!;
  assert.doesNotMatch(a.log, new RegExp(`run ${killed} done`), 'killed mid-run');
  const r = await sweep;
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /0 already stored, 4 computed/);
  const stored = await rows(store);
  assert.equal(stored.length, 4);
  assert.equal(new Set(stored.map((x) => x.key)).size, 4);
  assert.ok(stored.some((x) => String(x.key).startsWith(killed)), 'the killed run is stored');
  // the killed run was delivered again, to B
  assert.match(b.log, new RegExp(`run ${killed} start`));
  // the same rows as an uninterrupted local sweep
  const local = join(dir, 'kill-local.duckdb');
  assert.equal((await lmsim(['sweep', file, '--store', local, '--workers', '2'])).code, 0);
  assert.deepEqual(stored, await rows(local));
  await stop([b]);
});

test('an unreachable queue: exit 2 naming --queue', { skip }, async () => {
  const port = await freePort();
  const r = await lmsim(['sweep', smallGrid(dir, 'none', '1'), '--store', join(dir, 'none.duckdb'), '--queue', `redis://127.0.0.1:${port}`]);
  assert.equal(r.code, 2);
  assert.match(r.err, /--queue: cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
  const bad = await lmsim(['sweep', smallGrid(dir, 'none', '1'), '--store', join(dir, 'none.duckdb'), '--queue', 'http://x']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--queue: expected redis:\/\/HOST:PORT/);
});
