// Benchmark: page-exact migration of a 16 GiB VM with a 256 MiB hot set written at 100,000 pages/s
// (and, for post-copy, read at 100,000 pages/s) over 10 Gbit/s: pre-copy (qemu preset), post-copy,
// hybrid. Prints wall time, simulated seconds per wall second, events and peak memory.
// Run after `npm run build`: node bench/migration.mjs
import { validateScenario } from '../dist/src/scenario/load.js';
import { runScenario } from '../dist/src/scenario/run.js';
import { peakRss, report, timed } from './support.mjs';

const cases = [
  { label: 'qemu, max-bandwidth unlimited', migration: { maxBandwidth: 'unlimited' } },
  { label: 'qemu, default 128 MiB/s cap, 5 min timeout', migration: { timeout: '5min' } },
  { label: 'xen-legacy (skip re-dirtied pages)', migration: { preset: 'xen-legacy' } },
  { label: 'post-copy (forward pre-paging)', migration: { algorithm: 'postcopy' } },
  { label: 'post-copy, preempt channel', migration: { algorithm: 'postcopy', preempt: true } },
  { label: 'hybrid (post-copy after the first pass)', migration: { algorithm: 'hybrid', maxBandwidth: 'unlimited' } },
  { label: 'qemu, max-bandwidth unlimited, fluid memory', migration: { maxBandwidth: 'unlimited' }, fidelity: 'fluid' },
  { label: 'post-copy, fluid memory', migration: { algorithm: 'postcopy' }, fidelity: 'fluid' },
];

for (const c of cases) {
  const spec = validateScenario({
    name: 'bench-16g',
    seed: 1,
    fidelity: c.fidelity ?? 'page',
    network: { bandwidth: '10Gbit/s', latency: '0.1ms' },
    hosts: [{ name: 'A', memory: '64GiB' }, { name: 'B', memory: '64GiB' }],
    vms: [{ name: 'big', host: 'A', memory: '16GiB', workload: { kind: 'hotcold', writeRate: '100000/s', readRate: '100000/s', hotSet: '256MiB', hotShare: 0.95 } }],
    migrations: [{ vm: 'big', to: 'B', algorithm: 'precopy', preset: 'qemu', ...c.migration }],
  });
  const { value: result, seconds } = timed(() => runScenario(spec));
  const m = result.migrations[0];
  report(`16 GiB VM, 256 MiB hot set @ 100k pages/s, 10 Gbit/s, ${c.label}`, {
    status: m.status,
    'simulated total time (s)': m.totalTime.toFixed(2),
    'downtime (ms)': m.downtime === null ? '-' : (m.downtime * 1000).toFixed(1),
    rounds: m.rounds.filter((r) => r.kind === 'live').length,
    faults: m.postcopy ? Math.round(m.postcopy.faults) : '-',
    'degradation %': m.postcopy ? (m.postcopy.degradation * 100).toFixed(1) : '-',
    'GiB sent': (m.bytesTransferred / 2 ** 30).toFixed(2),
    events: result.events,
    'wall time (s)': seconds.toFixed(3),
    'simulated s per wall s': (m.totalTime / seconds).toFixed(0),
    'peak RSS (MiB)': (peakRss() / 2 ** 20).toFixed(0),
  });
}
