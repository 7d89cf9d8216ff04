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
 * Each result is inserted as it arrives, in its own transaction, `ON CONFLICT DO NOTHING` on the
 * key: a killed coordinator loses only the runs in flight, and nothing is stored twice.
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

export class ResultsStore {
  private chain: Promise<unknown> = Promise.resolve();

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
   * Stores one finished run (its own transaction); resolves to false if the key was already there.
   * Calls are serialized, so results arriving together are inserted one after the other.
   */
  insert(sweep: string, plan: PlannedRun, out: RunOutput): Promise<boolean> {
    const next = this.chain.then(() => this.insertNow(sweep, plan, out));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async insertNow(sweep: string, plan: PlannedRun, out: RunOutput): Promise<boolean> {
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
    const sql = `INSERT INTO runs (${cols.map(ident).join(', ')}, stored_at) VALUES (${cols.map((c, i) => (c === 'seed' ? `$${i + 1}::BIGINT` : `$${i + 1}`)).join(', ')}, now()) ON CONFLICT DO NOTHING`;
    const r = await this.db.run(sql, values as never);
    return r.rowsChanged > 0;
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
    await this.chain;
    this.db.closeSync();
    this.instance.closeSync();
  }
}
