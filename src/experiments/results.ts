/**
 * @module experiments/results
 * Reading a results store: runs grouped by the grid's axes with mean, standard deviation and the
 * Student-t confidence interval over seeds (report/confidence.ts), free SQL, Parquet export, and
 * the run-by-run comparison of two stores.
 */
import { summarize, type Summary } from '../report/confidence.js';
import { coordText, ident, ResultsStore, StoreError, TIMING_COLUMNS } from './store.js';

export interface SweepInfo {
  name: string;
  kind: string;
  metrics: string[];
  axes: { name: string; paths: string[]; values: (string | null)[] }[];
}

/** A sweep of a store, as listed: its name, kind, metrics and how many runs it holds. */
export interface SweepListing {
  name: string;
  kind: string;
  metrics: string[];
  runs: number;
}

/** The sweeps of a store, the one run last first; refuses a database that is not a results store. */
export async function listSweeps(store: ResultsStore): Promise<SweepListing[]> {
  const tables = await store.query(`SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database() AND table_name IN ('runs', 'sweeps', 'axes')`);
  if (tables.rows.length < 3) throw new StoreError(`${store.path}: not an lmsim results store (no runs, sweeps and axes tables)`);
  const rows = await store.query(`SELECT s.name, s.kind, s.metrics, (SELECT count(*) FROM runs r WHERE r.sweep = s.name) AS runs FROM sweeps s ORDER BY s.updated_at DESC, s.name`);
  return rows.rows.map((r) => ({ name: String(r.name), kind: String(r.kind), metrics: JSON.parse(String(r.metrics)), runs: Number(r.runs) }));
}

/** The sweep to read: the named one, or the one run last. */
export async function sweepInfo(store: ResultsStore, name?: string): Promise<SweepInfo> {
  const sweeps = await listSweeps(store);
  if (sweeps.length === 0) throw new StoreError(`${store.path}: the store has no sweep yet`);
  const row = name === undefined ? sweeps[0] : sweeps.find((r) => r.name === name);
  if (!row) throw new StoreError(`--sweep: no sweep "${name}" in ${store.path} (sweeps: ${sweeps.map((r) => r.name).join(', ')})`);
  const axes = await store.query(`SELECT name, paths, "values" FROM axes WHERE sweep = '${String(row.name).replaceAll("'", "''")}' ORDER BY position`);
  return {
    name: row.name,
    kind: row.kind,
    metrics: row.metrics,
    axes: axes.rows.map((a) => ({ name: String(a.name), paths: JSON.parse(String(a.paths)), values: JSON.parse(String(a.values)) })),
  };
}

/** Columns of the runs table. */
export async function runColumns(store: ResultsStore): Promise<{ name: string; type: string }[]> {
  const r = await store.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = current_database() AND table_name = 'runs' ORDER BY ordinal_position`);
  return r.rows.map((c) => ({ name: String(c.column_name), type: String(c.data_type) }));
}

/** Metric columns: the DOUBLE columns that are not timing. */
export async function metricColumns(store: ResultsStore): Promise<string[]> {
  return (await runColumns(store)).filter((c) => c.type === 'DOUBLE' && !(TIMING_COLUMNS as readonly string[]).includes(c.name)).map((c) => c.name);
}

export interface Group {
  coords: Record<string, string | null>;
  stats: Record<string, Summary>;
}

export interface SummaryOptions {
  sweep?: string;
  metrics?: string[];
  by?: string[];
  where?: string;
  level?: number;
}

/** Runs of a sweep grouped by `by` (default: its axes), each metric summarized over the group's runs (its seeds). */
export async function summarizeSweep(store: ResultsStore, options: SummaryOptions = {}): Promise<{ info: SweepInfo; by: string[]; metrics: string[]; level: number; groups: Group[] }> {
  const info = await sweepInfo(store, options.sweep);
  const columns = new Set((await runColumns(store)).map((c) => c.name));
  const known = await metricColumns(store);
  const metrics = options.metrics ?? info.metrics;
  for (const m of metrics) if (!known.includes(m)) throw new StoreError(`--metric: no metric "${m}" in the store (metrics: ${known.join(', ')})`);
  const by = options.by ?? info.axes.map((a) => a.name);
  for (const b of by) if (!columns.has(b)) throw new StoreError(`--by: no column "${b}" in the store (axes: ${info.axes.map((a) => a.name).join(', ') || 'none'}; columns: ${[...columns].filter((c) => c !== 'result').join(', ')})`);
  const level = options.level ?? 0.95;
  let rows: Record<string, unknown>[];
  try {
    const sql = `SELECT ${[...by, ...metrics].map(ident).join(', ')} FROM runs WHERE sweep = '${info.name.replaceAll("'", "''")}'${options.where ? ` AND (${options.where})` : ''} ORDER BY key`;
    rows = (await store.query(sql)).rows;
  } catch (e) {
    throw new StoreError(`--where: ${(e as Error).message.split('\n')[0]}`);
  }
  const groups = new Map<string, { coords: Record<string, string | null>; values: Record<string, (number | null)[]> }>();
  for (const row of rows) {
    const coords = Object.fromEntries(by.map((b) => [b, coordText(row[b])]));
    const id = JSON.stringify(by.map((b) => coords[b]));
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { coords, values: Object.fromEntries(metrics.map((m) => [m, []])) }));
    for (const m of metrics) g.values[m].push(row[m] as number | null);
  }
  // groups in grid order: each axis' values as the grid lists them, others sorted
  const order = new Map(info.axes.map((a) => [a.name, new Map(a.values.map((v, i) => [v, i]))]));
  const rank = (b: string, v: string | null) => order.get(b)?.get(v) ?? Infinity;
  const sorted = [...groups.values()].sort((x, y) => {
    for (const b of by) {
      const d = rank(b, x.coords[b]) - rank(b, y.coords[b]);
      if (d !== 0 && Number.isFinite(d)) return d;
      const [p, q] = [x.coords[b] ?? '', y.coords[b] ?? ''];
      const [np, nq] = [Number(p), Number(q)];
      const c = p !== '' && q !== '' && Number.isFinite(np) && Number.isFinite(nq) ? np - nq : p < q ? -1 : p > q ? 1 : 0;
      if (c !== 0) return c;
    }
    return 0;
  });
  return {
    info,
    by,
    metrics,
    level,
    groups: sorted.map((g) => ({ coords: g.coords, stats: Object.fromEntries(metrics.map((m) => [m, summarize(g.values[m], level)])) })),
  };
}

/** A free query. */
export async function sqlQuery(store: ResultsStore, sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  try {
    return await store.query(sql);
  } catch (e) {
    throw new StoreError(`--sql: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** Writes the runs (every column, the result JSON included) to a Parquet file; returns the row count. */
export async function exportParquet(store: ResultsStore, file: string, where?: string): Promise<number> {
  const q = `SELECT * FROM runs${where ? ` WHERE (${where})` : ''} ORDER BY key`;
  try {
    await store.db.run(`COPY (${q}) TO '${file.replaceAll("'", "''")}' (FORMAT PARQUET)`);
    return Number((await store.query(`SELECT count(*) AS n FROM (${q})`)).rows[0].n);
  } catch (e) {
    throw new StoreError(`--parquet: ${(e as Error).message.split('\n')[0]}`);
  }
}

export interface MetricChange {
  key: string;
  coords: Record<string, string | null>;
  seed: number | null;
  metric: string;
  a: number | null;
  b: number | null;
}

export interface StoreDiff {
  both: number;
  onlyA: number;
  onlyB: number;
  /** Runs in both whose metrics are all equal. */
  same: number;
  /** Runs in both whose full result differs. */
  resultsDiffer: number;
  changes: MetricChange[];
}

/** Compares store A (open) with the store file B run by run: keys in both, metrics that changed. */
export async function diffStores(a: ResultsStore, bFile: string, axes: string[]): Promise<StoreDiff> {
  try {
    await a.db.run(`ATTACH '${bFile.replaceAll("'", "''")}' AS other (READ_ONLY)`);
  } catch (e) {
    throw new StoreError(`--diff: cannot open ${bFile}: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const bCols = (await a.query(`SELECT column_name FROM information_schema.columns WHERE table_catalog = 'other' AND table_name = 'runs'`)).rows.map((r) => String(r.column_name));
    if (bCols.length === 0) throw new StoreError(`--diff: ${bFile} is not an lmsim results store`);
    const metrics = (await metricColumns(a)).filter((m) => bCols.includes(m));
    const coordCols = axes.filter((x) => bCols.includes(x));
    const counts = (
      await a.query(`SELECT
        (SELECT count(*) FROM runs JOIN other.runs o USING (key)) AS both,
        (SELECT count(*) FROM runs WHERE key NOT IN (SELECT key FROM other.runs)) AS only_a,
        (SELECT count(*) FROM other.runs WHERE key NOT IN (SELECT key FROM runs)) AS only_b,
        (SELECT count(*) FROM runs r JOIN other.runs o USING (key) WHERE r.result::VARCHAR <> o.result::VARCHAR) AS results_differ`)
    ).rows[0];
    const differs = metrics.map((m) => `r.${ident(m)} IS DISTINCT FROM o.${ident(m)}`).join(' OR ') || 'false';
    const rows = (
      await a.query(`SELECT r.key, r.seed, ${coordCols.map((c) => `r.${ident(c)}`).join(', ')}${coordCols.length ? ',' : ''}
        ${metrics.map((m) => `r.${ident(m)} AS ${ident('a:' + m)}, o.${ident(m)} AS ${ident('b:' + m)}`).join(', ')}
        FROM runs r JOIN other.runs o USING (key) WHERE ${differs} ORDER BY r.key`)
    ).rows;
    const changes: MetricChange[] = [];
    for (const row of rows) {
      for (const m of metrics) {
        const [x, y] = [row['a:' + m] as number | null, row['b:' + m] as number | null];
        if (x === y || (x !== null && y !== null && Number.isNaN(x) && Number.isNaN(y))) continue;
        changes.push({ key: String(row.key), seed: row.seed as number | null, coords: Object.fromEntries(coordCols.map((c) => [c, coordText(row[c])])), metric: m, a: x, b: y });
      }
    }
    const both = Number(counts.both);
    return { both, onlyA: Number(counts.only_a), onlyB: Number(counts.only_b), same: both - rows.length, resultsDiffer: Number(counts.results_differ), changes };
  } finally {
    await a.db.run('DETACH other');
  }
}
