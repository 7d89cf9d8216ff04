// Synthetic traces (datacenter/synthetic-traces.ts, what `lmsim consolidate` runs without a trace
// folder) beside the real PlanetLab days: one row of statistics each (percent unless stated).
// Usage: npx tsc -p . && node bench/synthetic-traces.mjs [--vms N] [--seeds 0,1,2]
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', 'shared', 'data', 'planetlab');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const { syntheticTraces } = await import('../dist/src/datacenter/synthetic-traces.js');
const { traceStatistics } = await import('../dist/src/datacenter/trace-stats.js');
const { loadPlanetLabFolder } = await import('../dist/src/io/planetlab.js');

const pct = (x) => (100 * x).toFixed(1);
const columns = [
  ['vms', (s) => String(s.vms)],
  ['mean', (s) => pct(s.mean)],
  ['p10', (s) => pct(s.p10)],
  ['p50', (s) => pct(s.p50)],
  ['p90', (s) => pct(s.p90)],
  ['p99', (s) => pct(s.p99)],
  ['zeros', (s) => pct(s.zeroShare)],
  ['VM mean p10', (s) => pct(s.vmMeanP10)],
  ['VM mean p50', (s) => pct(s.vmMeanP50)],
  ['VM mean p90', (s) => pct(s.vmMeanP90)],
  ['VM sd p50', (s) => pct(s.vmSdP50)],
  ['lag-1 (r)', (s) => s.lag1.toFixed(2)],
  ['VMs with a 0', (s) => pct(s.vmsWithZero)],
  ['first 0 (sample)', (s) => s.firstZero.toFixed(0)],
];
const rows = [];
const vms = Number(opt('--vms', 1052));
for (const seed of opt('--seeds', '0,1,2').split(',').map(Number)) rows.push([`synthetic seed ${seed}`, traceStatistics(syntheticTraces(vms, seed))]);
if (existsSync(root)) for (const d of readdirSync(root).filter((x) => /^\d{8}$/.test(x)).sort()) rows.push([`PlanetLab ${d}`, traceStatistics(loadPlanetLabFolder(join(root, d)).traces)]);
const table = [['traces', ...columns.map(([h]) => h)], ...rows.map(([name, s]) => [name, ...columns.map(([, f]) => f(s))])];
const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
for (const r of table) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
