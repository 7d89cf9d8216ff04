/**
 * @module cli/results-run
 * What `lmsim results STORE` does (declared in cli/sweep.ts): the summary table grouped by the
 * grid's axes, free SQL, Parquet export, and the comparison of two stores. Also renders the
 * summary `lmsim sweep` prints when it finishes.
 */
import { existsSync } from 'node:fs';
import { diffStores, exportParquet, sqlQuery, summarizeSweep, type Group, type StoreDiff } from '../experiments/results.js';
import { ResultsStore, StoreError } from '../experiments/store.js';
import { renderTable, type Column } from '../report/table.js';
import { UsageError } from './errors.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

export interface ResultsOptions {
  metric?: string;
  by?: string;
  where?: string;
  sweep?: string;
  level?: string;
  csv?: boolean;
  json?: boolean;
  parquet?: string;
  sql?: string;
  diff?: string;
}

/** A number for a table: 5 significant digits, exponent form when very large or small. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '-';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e7 || a < 1e-3) return x.toExponential(3);
  return String(Number(x.toPrecision(5)));
}

function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csv(columns: string[], rows: unknown[][]): string {
  return [columns, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

/** The summary of a sweep as text, CSV or JSON. */
export async function summaryOutput(store: ResultsStore, opts: ResultsOptions): Promise<string> {
  const level = opts.level === undefined ? undefined : Number(opts.level);
  if (level !== undefined && !(level > 0 && level < 1)) throw new UsageError(`--level: expected a confidence level in (0, 1) like 0.95, got "${opts.level}"`);
  const s = await summarizeSweep(store, { sweep: opts.sweep, metrics: list(opts.metric), by: list(opts.by), where: opts.where, level });
  const pct = `${Number((s.level * 100).toPrecision(4))}%`;
  if (opts.json) {
    return JSON.stringify({ sweep: s.info.name, kind: s.info.kind, by: s.by, level: s.level, groups: s.groups.map((g) => ({ ...g.coords, n: nOf(g), ...Object.fromEntries(Object.entries(g.stats).map(([m, st]) => [m, { mean: num(st.mean), sd: num(st.sd), low: num(st.low), high: num(st.high), n: st.n }])) })) }, null, 2) + '\n';
  }
  if (opts.csv) {
    const cols = [...s.by, 'n', ...s.metrics.flatMap((m) => [`${m}_mean`, `${m}_sd`, `${m}_ci_low`, `${m}_ci_high`])];
    return csv(cols, s.groups.map((g) => [...s.by.map((b) => g.coords[b]), nOf(g), ...s.metrics.flatMap((m) => [g.stats[m].mean, g.stats[m].sd, g.stats[m].low, g.stats[m].high].map(num))]));
  }
  const columns: Column<Group>[] = [
    ...s.by.map((b) => ({ header: b, text: (g: Group) => g.coords[b] ?? '-', align: 'left' as const })),
    { header: 'n', text: (g) => String(nOf(g)) },
    ...s.metrics.flatMap((m): Column<Group>[] => [
      { header: `${m} mean`, text: (g) => fmt(g.stats[m].mean) },
      { header: 'sd', text: (g) => fmt(g.stats[m].sd) },
      { header: `${pct} CI`, text: (g) => (Number.isNaN(g.stats[m].half) ? '-' : `[${fmt(g.stats[m].low)}, ${fmt(g.stats[m].high)}]`), align: 'left' },
    ]),
  ];
  return renderTable(s.groups, columns);
}

function nOf(g: Group): number {
  return Math.max(0, ...Object.values(g.stats).map((st) => st.n));
}

function num(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

function rowsOutput(r: { columns: string[]; rows: Record<string, unknown>[] }, opts: ResultsOptions): string {
  if (opts.json) return JSON.stringify(r.rows, null, 2) + '\n';
  if (opts.csv) return csv(r.columns, r.rows.map((row) => r.columns.map((c) => row[c])));
  const cell = (v: unknown) => (typeof v === 'number' ? fmt(v) : v === null || v === undefined ? '-' : String(v));
  return renderTable(r.rows, r.columns.map((c) => ({ header: c, text: (row: Record<string, unknown>) => cell(row[c]), align: typeof r.rows[0]?.[c] === 'number' ? 'right' : 'left' })));
}

function diffOutput(d: StoreDiff, a: string, b: string, opts: ResultsOptions): string {
  if (opts.json) return JSON.stringify(d, null, 2) + '\n';
  const rel = (c: StoreDiff['changes'][number]) => (c.a !== null && c.b !== null && c.a !== 0 ? (c.b - c.a) / Math.abs(c.a) : null);
  if (opts.csv) return csv(['key', 'seed', 'coords', 'metric', 'a', 'b', 'delta', 'relative'], d.changes.map((c) => [c.key, c.seed, JSON.stringify(c.coords), c.metric, c.a, c.b, c.a !== null && c.b !== null ? c.b - c.a : null, rel(c)]));
  const runs = d.both - d.same;
  let out = `${a} vs ${b}: ${d.both} runs in both, ${d.same} with every metric equal, ${runs} changed (${d.changes.length} metric values); ${d.resultsDiffer} full results differ; only in ${a}: ${d.onlyA}, only in ${b}: ${d.onlyB}\n`;
  if (d.changes.length > 0) {
    out += '\n' + renderTable(d.changes, [
      { header: 'run', text: (c) => c.key.slice(0, 12), align: 'left' },
      { header: 'point', text: (c) => [...Object.entries(c.coords).map(([k, v]) => `${k}=${v}`), `seed ${c.seed}`].join(', '), align: 'left' },
      { header: 'metric', text: (c) => c.metric, align: 'left' },
      { header: 'A', text: (c) => fmt(c.a) },
      { header: 'B', text: (c) => fmt(c.b) },
      { header: 'B - A', text: (c) => (c.a !== null && c.b !== null ? fmt(c.b - c.a) : '-') },
      { header: 'relative', text: (c) => { const r = rel(c); return r === null ? '-' : `${(r * 100).toFixed(3)} %`; } },
    ]);
  }
  return out;
}

/** `lmsim results STORE`. */
export async function resultsCommand(file: string, opts: ResultsOptions, io: Io): Promise<void> {
  if (file !== ':memory:' && !existsSync(file)) throw new UsageError(`no store ${file}`);
  if (opts.diff !== undefined && !existsSync(opts.diff)) throw new UsageError(`--diff: no store ${opts.diff}`);
  if ([opts.sql, opts.diff, opts.parquet].filter((x) => x !== undefined).length > 1) throw new UsageError('--sql, --diff and --parquet go one at a time');
  let store: ResultsStore;
  try {
    store = await ResultsStore.open(file, { readOnly: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  try {
    let out: string;
    if (opts.sql !== undefined) out = rowsOutput(await sqlQuery(store, opts.sql), opts);
    else if (opts.parquet !== undefined) {
      const n = await exportParquet(store, opts.parquet, opts.where);
      io.err(`lmsim: wrote ${n} runs to ${opts.parquet}\n`);
      out = '';
    } else if (opts.diff !== undefined) {
      const { sweepInfo } = await import('../experiments/results.js');
      const axes = (await sweepInfo(store, opts.sweep).catch(() => ({ axes: [] as { name: string }[] }))).axes.map((x) => x.name);
      out = diffOutput(await diffStores(store, opts.diff, axes), file, opts.diff, opts);
    } else out = await summaryOutput(store, opts);
    io.out(out);
  } catch (e) {
    if (e instanceof StoreError) throw new UsageError(e.message);
    throw e;
  } finally {
    await store.close();
  }
}
