// Benchmark: a 1,000-run sweep of small scenarios (a 32 MiB VM, page fidelity: 4 grid points x 250
// seeds). Prints runs per second for: runScenario in a loop (the floor), the sweep in this thread
// (planning, keys, metrics, the DuckDB store: the per-run overhead), 1 and 2 worker threads (the
// scaling ratio), and BullMQ through a redis-server started here on loopback with 2 `lmsim worker`
// processes of 1 thread each. Each mode uses a fresh in-memory store. Prints; never asserts.
// Run after `npm run build`: node bench/sweep.mjs   (needs redis-server on the PATH for the last mode)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { inlineBackend, poolBackend } from '../dist/src/experiments/local.js';
import { planSweep } from '../dist/src/experiments/plan.js';
import { ResultsStore } from '../dist/src/experiments/store.js';
import { runSweep } from '../dist/src/experiments/sweep.js';
import { validateScenario } from '../dist/src/scenario/load.js';
import { runScenario } from '../dist/src/scenario/run.js';
import { report } from './support.mjs';

const RUNS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'lmsim-bench-sweep-'));
const grid = join(dir, 'bench.yaml');
writeFileSync(
  grid,
  `name: bench
scenario:
  network: { bandwidth: 1Gbit/s }
  hosts: [ { name: A, memory: 4GiB }, { name: B, memory: 4GiB } ]
  vms: [ { name: db, host: A, memory: 32MiB, workload: { kind: hotcold, writeRate: 2000/s, hotSet: 2MiB, hotShare: 0.9 } } ]
  migrations: [ { vm: db, to: B, at: 1s } ]
seeds: 1..${RUNS / 4}
axes:
  "migrations[0].downtimeLimit": [30ms, 300ms]
  "migrations[0].algorithm": [precopy, hybrid]
`,
);

const figures = {};
const plan = planSweep(grid);
figures['runs'] = `${plan.runs.length} (${plan.grid.axes.length} axes x ${plan.grid.seeds.length} seeds)`;

// the floor: the same validated scenarios through runScenario in a loop
const specs = plan.runs.map((r) => validateScenario(r.job.data));
let t0 = performance.now();
for (const s of specs) runScenario(s);
const loop = (performance.now() - t0) / 1000;
figures['runScenario loop'] = `${(RUNS / loop).toFixed(1)} runs/s (${loop.toFixed(2)} s)`;

async function local(backend) {
  const store = await ResultsStore.open(':memory:');
  const t = performance.now();
  const p = planSweep(grid); // planning (expansion, validation, keys) is part of a sweep's cost
  const counts = await runSweep(p, store, backend);
  const seconds = (performance.now() - t) / 1000;
  await backend.close();
  await store.close();
  if (counts.computed !== RUNS) throw new Error(`computed ${counts.computed}`);
  return seconds;
}

const inline = await local(inlineBackend());
figures['sweep, this thread'] = `${(RUNS / inline).toFixed(1)} runs/s (${inline.toFixed(2)} s); overhead ${(((inline - loop) / RUNS) * 1000).toFixed(2)} ms per run over the loop`;
const one = await local(poolBackend(1));
figures['sweep, 1 worker thread'] = `${(RUNS / one).toFixed(1)} runs/s (${one.toFixed(2)} s)`;
const two = await local(poolBackend(2));
figures['sweep, 2 worker threads'] = `${(RUNS / two).toFixed(1)} runs/s (${two.toFixed(2)} s); scaling ${(one / two).toFixed(2)}x over 1 thread`;

// BullMQ: our own redis-server on a free loopback port, two worker processes of one thread each
const redisBin = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
if (redisBin === '') figures['BullMQ, 2 workers'] = 'skipped: no redis-server on the PATH';
else {
  const port = await new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const redis = spawn(redisBin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const pong = () => new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' }, () => c.write('PING\r\n'));
    c.on('data', (d) => { c.destroy(); resolve(String(d).startsWith('+PONG')); });
    c.on('error', () => resolve(false));
  });
  while (!(await pong())) await new Promise((r) => setTimeout(r, 50));
  const url = `redis://127.0.0.1:${port}`;
  const bin = fileURLToPath(new URL('../bin/lmsim.js', import.meta.url));
  const workers = [0, 1].map(() => {
    const w = spawn(process.execPath, [bin, 'worker', '--queue', url, '--workers', '1'], { stdio: ['ignore', 'ignore', 'pipe'] });
    w.log = '';
    w.stderr.on('data', (d) => (w.log += d));
    return w;
  });
  while (!workers.every((w) => /takes runs/.test(w.log))) await new Promise((r) => setTimeout(r, 50));
  const { queueBackend } = await import('../dist/src/experiments/queue.js');
  const queued = await local(await queueBackend(url, 'lmsim', (t) => console.error(t)));
  figures['BullMQ, 2 worker processes'] = `${(RUNS / queued).toFixed(1)} runs/s (${queued.toFixed(2)} s); ${(queued / two).toFixed(2)}x the time of 2 local threads`;
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => w.on('exit', r))));
  redis.kill('SIGTERM');
}

figures['machine'] = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}`;
report(`sweep: ${RUNS} runs of a 32 MiB page-fidelity migration`, figures);
