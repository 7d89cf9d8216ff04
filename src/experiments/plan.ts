/**
 * @module experiments/plan
 * A sweep's plan: the grid file (or a scenario file with --set axes) read, every point expanded and
 * validated exactly like a scenario file, and keyed. Nothing runs and nothing is written until the
 * whole grid is valid: a bad value fails the sweep up front with exit 2, naming the point and path.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { DEFAULT_METRICS, METRIC_NAMES, type RunKind } from '../report/run-metrics.js';
import { ScenarioError } from '../scenario/errors.js';
import { checkGrid, expandGrid, gridSize, parseGridData, type Axis, type Grid } from '../scenario/grid.js';
import { parseScenarioData } from '../scenario/load.js';
import type { ScenarioSpec } from '../scenario/schema.js';
import { estimateWork, workRefusal } from '../scenario/work.js';
import { VERSION } from '../version.js';
import { kindOf, validateRun, type RunJob } from './job.js';
import type { PlannedRun } from './store.js';

/** Most runs a sweep plans without --force. */
export const MAX_RUNS = 1_000_000;

export interface SweepPlan {
  name: string;
  kind: RunKind;
  grid: Grid;
  /** Metrics `lmsim results` shows by default. */
  metrics: readonly string[];
  /** Every point x seed, grid order (a key may repeat when two points make the same scenario). */
  runs: (PlannedRun & { job: RunJob })[];
}

export interface PlanOptions {
  /** Extra axes (--set, --zip), after the file's own. */
  axes?: Axis[];
  /** Replaces the file's seeds (--seeds). */
  seeds?: number[];
  force?: boolean;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`], file);
  }
}

/** A grid file (it has `scenario:`) or a scenario file -> the validated plan. */
export function planSweep(file: string, options: PlanOptions = {}): SweepPlan {
  const raw = parseScenarioData(readText(file), file, 'a grid (scenario, axes, seeds) or a scenario');
  let grid: Grid;
  let base: Record<string, unknown>;
  let baseFile = file;
  let metrics: string[] | null = null;
  if ('scenario' in raw || 'axes' in raw) {
    const parsed = parseGridData(raw, file);
    grid = parsed.grid;
    metrics = parsed.metrics;
    if (typeof parsed.scenario === 'string') {
      baseFile = resolve(dirname(file), parsed.scenario);
      base = parseScenarioData(readText(baseFile), baseFile);
    } else base = parsed.scenario;
  } else {
    grid = { name: basename(file, extname(file)), axes: [], seeds: null };
    base = raw;
  }
  grid = checkGrid({ name: grid.name, axes: [...grid.axes, ...(options.axes ?? [])], seeds: options.seeds ?? grid.seeds }, file);
  const kind = kindOf(base);
  if (kind === 'consolidation' && typeof base.trace === 'string') base = { ...base, trace: resolve(dirname(baseFile), base.trace) };
  const size = gridSize(grid);
  if (size.runs > MAX_RUNS && !options.force) {
    throw new ScenarioError([`the grid has ${size.runs} runs (${size.points} points x ${size.seeds} seeds), more than ${MAX_RUNS}; narrow it, or give --force`], file);
  }
  const known = new Set(METRIC_NAMES[kind]);
  const unknown = (metrics ?? []).filter((m) => !known.has(m));
  if (unknown.length) throw new ScenarioError([`metrics: no metric "${unknown[0]}" for a ${kind} sweep (metrics: ${METRIC_NAMES[kind].join(', ')})`], file);
  const runs: SweepPlan['runs'] = [];
  for (const point of expandGrid(grid, base)) {
    const where = [...Object.entries(point.coords).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`), ...(point.seed !== null ? [`seed ${point.seed}`] : [])].join(', ');
    const source = where ? `${file} (${where})` : file;
    const { spec, key } = validateRun(kind, point.data, source);
    // one point past the work bound would hold a worker for hours: refused up front, as `lmsim run` does
    if (kind === 'migration' && !options.force) {
      const refusal = workRefusal(estimateWork(spec as ScenarioSpec), `the run at ${where || 'the base scenario'}`);
      if (refusal) throw new ScenarioError([refusal], file);
    }
    runs.push({
      key,
      kind,
      scenario: spec.name ?? grid.name,
      seed: spec.seed,
      coords: point.coords,
      job: { key, kind, lmsim: VERSION, data: point.data, source },
    });
  }
  return { name: grid.name, kind, grid, metrics: metrics ?? DEFAULT_METRICS[kind], runs };
}
