/**
 * @module experiments/store
 * The results store of sweeps: one DuckDB file (embedded, no server). Schema (docs/experiments.md):
 *
 *   runs   one row per run: key (primary key), sweep, kind, scenario, seed, one VARCHAR column per
 *          grid axis (the value as written), one DOUBLE column per scalar metric, lmsim, result
 *          (the full RunResult or consolidation record, JSON), and the timing columns
 *          wall_seconds, worker, stored_at (not part of the result).
 *   axes   the grid of each sweep: sweep, position, name, paths (JSON), values (JSON, grid order).
 *   sweeps one row per sweep: name, kind, metrics (JSON: the default metrics), updated_at.
 *
 * Each result is inserted as it arrives (with those that arrived during the previous write, in one
 * transaction), `ON CONFLICT DO NOTHING` on the key: a killed coordinator loses only the runs in
 * flight, and nothing is stored twice.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { Axis } from '../scenario/grid.js';
import { VERSION } from '../version.js';
import type { RunOutput } from './job.js';

/** What the coordinator knows of a planned run, stored beside its output. */
export interface PlannedRun {
  key: string;
  kind: string;
  scenario: string;
  seed: number;
  coords: Record<string, unknown>;
}

/** Columns that are not the result: timing and provenance (left out when stores are compared). */
export const TIMING_COLUMNS = ['wall_seconds', 'worker', 'stored_at'] as const;
/** The fixed columns of `runs` before the axes. */
export const RUN_COLUMNS = ['key', 'sweep', 'kind', 'scenario', 'seed'] as const;

/** SQL identifier quoting ("migrations[0].downtimeLimit" is a valid column name). */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A coordinate as the store keeps it: text as written, anything else as JSON. */
export function coordText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export class StoreError extends Error {}

interface Waiting {
  sweep: string;
  plan: PlannedRun;
  out: RunOutput;
  resolve: (stored: boolean) => void;
  reject: (e: Error) => void;
}

/** The columns and values of a run's row (without stored_at). */
function rowOf({ sweep, plan, out }: Waiting): { cols: string[]; values: unknown[] } {
  const cols: string[] = [...RUN_COLUMNS, 'lmsim', 'result', 'wall_seconds', 'worker'];
  const values: unknown[] = [out.key, sweep, plan.kind, plan.scenario, plan.seed, VERSION, out.result, out.wallSeconds, out.worker];
  for (const [axis, v] of Object.entries(plan.coords)) {
    cols.push(axis);
    values.push(coordText(v));
  }
  for (const [m, v] of Object.entries(out.metrics)) {
    cols.push(m);
    values.push(v);
  }
  return { cols, values };
}

export class ResultsStore {
  private waiting: Waiting[] = [];
  private writing: Promise<void> | null = null;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly db: DuckDBConnection,
  ) {}

  /** Opens (or creates) a store; ':memory:' for one that lives as long as the process. */
  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<ResultsStore> {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, options.readOnly ? { access_mode: 'READ_ONLY' } : {});
    } catch (e) {
      const msg = (e as Error).message;
      throw new StoreError(/lock/i.test(msg) ? `${path}: the store is in use by another process (a sweep still running?): ${msg.split('\n')[0]}` : `${path}: cannot open the store: ${msg.split('\n')[0]}`);
    }
    const store = new ResultsStore(path, instance, await instance.connect());
    if (!options.readOnly) await store.createTables();
    return store;
  }

  private async createTables(): Promise<void> {
    await this.db.run(`CREATE TABLE IF NOT EXISTS runs (
      key VARCHAR PRIMARY KEY, sweep VARCHAR NOT NULL, kind VARCHAR NOT NULL, scenario VARCHAR, seed BIGINT,
      lmsim VARCHAR NOT NULL, result JSON NOT NULL, wall_seconds DOUBLE, worker VARCHAR, stored_at TIMESTAMP)`);
    await this.db.run(`CREATE TABLE IF NOT EXISTS axes (sweep VARCHAR NOT NULL, position INTEGER NOT NULL, name VARCHAR NOT NULL, paths JSON NOT NULL, "values" JSON NOT NULL, PRIMARY KEY (sweep, name))`);
    await this.db.run(`CREATE TABLE IF NOT EXISTS sweeps (name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, metrics JSON NOT NULL, updated_at TIMESTAMP)`);
  }

  /** Records a sweep's grid and adds the columns its axes and metrics need. */
  async declareSweep(name: string, kind: string, axes: Axis[], metricNames: readonly string[], defaultMetrics: readonly string[]): Promise<void> {
    for (const a of axes) await this.db.run(`ALTER TABLE runs ADD COLUMN IF NOT EXISTS ${ident(a.name)} VARCHAR`);
    for (const m of metricNames) await this.db.run(`ALTER TABLE runs ADD COLUMN IF NOT EXISTS ${ident(m)} DOUBLE`);
    await this.db.run('BEGIN TRANSACTION');
    await this.db.run('DELETE FROM axes WHERE sweep = $1', [name]);
    for (const [i, a] of axes.entries()) {
      await this.db.run('INSERT INTO axes VALUES ($1, $2, $3, $4, $5)', [name, i, a.name, JSON.stringify(a.paths), JSON.stringify(a.values.map((v) => coordText(v[0])))]);
    }
    await this.db.run('INSERT OR REPLACE INTO sweeps VALUES ($1, $2, $3, now())', [name, kind, JSON.stringify(defaultMetrics)]);
    await this.db.run('COMMIT');
  }

  /** Keys already stored. */
  async keys(): Promise<Set<string>> {
    const r = await this.db.runAndReadAll('SELECT key FROM runs');
    return new Set(r.getRows().map((row) => String(row[0])));
  }

  /**
   * Stores one finished run; resolves to false if the key was already there. Results are written
   * as they arrive; those that arrive while a write is under way go together in the next one (one
   * multi-row INSERT, one transaction): a row is as costly as a statement in a columnar store,
   * and a sweep's results come faster than single-row inserts go.
   */
  insert(sweep: string, plan: PlannedRun, out: RunOutput): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ sweep, plan, out, resolve, reject });
      if (!this.writing) this.writing = this.write().finally(() => (this.writing = null));
    });
  }

  private async write(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, 500);
      const groups = new Map<string, { cols: string[]; rows: { values: unknown[]; item: Waiting }[] }>();
      const seen = new Set<string>();
      for (const item of batch) {
        if (seen.has(item.out.key)) {
          item.resolve(false); // the same run twice in one batch: the first one is stored
          continue;
        }
        seen.add(item.out.key);
        const { cols, values } = rowOf(item);
        const id = cols.join('\u0000');
        let g = groups.get(id);
        if (!g) groups.set(id, (g = { cols, rows: [] }));
        g.rows.push({ values, item });
      }
      for (const g of groups.values()) {
        const n = g.cols.length;
        const tuple = (r: number) => `(${g.cols.map((c, i) => (c === 'seed' ? `$${r * n + i + 1}::BIGINT` : `$${r * n + i + 1}`)).join(', ')}, now())`;
        const sql = `INSERT INTO runs (${g.cols.map(ident).join(', ')}, stored_at) VALUES ${g.rows.map((_, r) => tuple(r)).join(', ')} ON CONFLICT DO NOTHING RETURNING key`;
        try {
          const r = await this.db.runAndReadAll(sql, g.rows.flatMap((x) => x.values) as never);
          const stored = new Set(r.getRows().map((row) => String(row[0])));
          for (const x of g.rows) x.item.resolve(stored.has(x.item.out.key));
        } catch (e) {
          for (const x of g.rows) x.item.reject(e as Error);
        }
      }
    }
  }

  /** Rows of a query as plain objects (BIGINT as number, JSON as text). */
  async query(sql: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    const r = await this.db.runAndReadAll(sql);
    const columns = r.columnNames();
    const rows = r.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
    return { columns, rows };
  }

  /** Waits for pending inserts, then closes (a checkpoint: the WAL is folded into the file). */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    this.db.closeSync();
    this.instance.closeSync();
  }
}
