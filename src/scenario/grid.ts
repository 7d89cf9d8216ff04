/**
 * @module scenario/grid
 * Parameter grids over a scenario (`lmsim sweep`): axes that set values at paths of the raw
 * scenario, expanded as a cartesian product (first axis slowest), with seeds as replications.
 *
 * ```yaml
 * name: downtime-limit
 * scenario: precopy-basic.yaml          # the base scenario (migration or consolidation), relative to this file
 * seeds: 1..10                          # replications: a range, a list or one seed
 * axes:
 *   migrations[0].downtimeLimit: [30ms, 100ms, 300ms]     # values
 *   network.bandwidth: 1Gbit/s..4Gbit/s:x2                # a range: A..B:STEP, A..B:xFACTOR, A..B/N, A..B/Nlog
 *   variant:                                              # a zipped group: its paths move together
 *     zip: { migrations[0].algorithm: [precopy, postcopy], migrations[0].preset: [qemu, null] }
 *   downtime: { path: migrations[0].downtimeLimit, values: [30ms, 300ms] }   # a named axis
 * ```
 *
 * Values are written as in a scenario file (units included) and reach the scenario before it is
 * validated, so a swept value gets exactly the checks a written one gets. `null` removes the field
 * (its default applies). Pure: no I/O.
 */
import { parse as parseYaml } from 'yaml';
import { ScenarioError } from './errors.js';
import { deletePath, OverlayError, overlayScenario, parsePath } from './overlay.js';

/** One axis: a name (the column in the results), the paths it sets, and its values (one list per path, same length). */
export interface Axis {
  name: string;
  paths: string[];
  /** values[i][p] is the value of paths[p] at the axis' i-th step. */
  values: unknown[][];
}

/** A grid over a base scenario. */
export interface Grid {
  name: string;
  axes: Axis[];
  /** Replication seeds, or null to keep the scenario's own seed. */
  seeds: number[] | null;
}

/** One point of the grid with one seed: its coordinates and the raw scenario it makes. */
export interface GridPoint {
  /** Axis name -> the value as written (for a zipped axis, its first path's value). */
  coords: Record<string, unknown>;
  seed: number | null;
  data: Record<string, unknown>;
}

/** Most points one axis may have (a typo in a range step should not make a billion runs). */
export const MAX_AXIS_VALUES = 100_000;

/**
 * A raw scenario with the values of one grid point set (`null` removes the field, so its default
 * applies), through the one overlay every variant of a scenario goes through (scenario/overlay.ts).
 */
export function applyPoint(data: Record<string, unknown>, entries: [string, unknown][]): Record<string, unknown> {
  const out = overlayScenario(data, entries.filter(([, v]) => v !== null));
  for (const [path, v] of entries) if (v === null) deletePath(out, path);
  return out;
}

/** Number of runs of a grid. */
export function gridSize(grid: Grid): { points: number; seeds: number; runs: number } {
  const points = grid.axes.reduce((n, a) => n * a.values.length, 1);
  const seeds = grid.seeds?.length ?? 1;
  return { points, seeds, runs: points * seeds };
}

/** Every point x seed of the grid over `base` (first axis slowest, seed fastest). */
export function* expandGrid(grid: Grid, base: Record<string, unknown>): Generator<GridPoint> {
  const { points } = gridSize(grid);
  const { sweep: _sweep, ...clean } = base; // a base's own `sweep:` list is replaced by the grid
  for (let p = 0; p < points; p++) {
    const coords: Record<string, unknown> = {};
    const entries: [string, unknown][] = [];
    let rest = p;
    for (let a = grid.axes.length - 1; a >= 0; a--) {
      const axis = grid.axes[a];
      const step = axis.values[rest % axis.values.length];
      rest = Math.floor(rest / axis.values.length);
      coords[axis.name] = step[0];
      axis.paths.forEach((path, i) => entries.unshift([path, step[i]]));
    }
    let data: Record<string, unknown>;
    try {
      data = applyPoint(clean, entries);
    } catch (e) {
      if (!(e instanceof OverlayError)) throw e;
      const axis = grid.axes.find((x) => x.paths.includes(e.path));
      throw new ScenarioError([`axes["${axis?.name ?? e.path}"]: ${e.message}`]);
    }
    const ordered = Object.fromEntries(grid.axes.map((a) => [a.name, coords[a.name]]));
    for (const seed of grid.seeds ?? [null]) {
      const withSeed = structuredClone(data);
      if (seed !== null) withSeed.seed = seed;
      yield { coords: ordered, seed, data: withSeed };
    }
  }
}

/**
 * A grid file's mapping -> a Grid and the base scenario it names.
 * @throws ScenarioError naming the field (`axes["network.bandwidth"]: ...`).
 */
export function parseGridData(raw: Record<string, unknown>, source: string): { grid: Grid; scenario: string | Record<string, unknown>; metrics: string[] | null } {
  const issues: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!['$schema', 'name', 'description', 'scenario', 'seeds', 'axes', 'metrics'].includes(key)) issues.push(`${key}: unknown field (a grid has name, description, scenario, seeds, axes, metrics)`);
  }
  const scenario = raw.scenario;
  if (typeof scenario !== 'string' && (scenario === null || typeof scenario !== 'object' || Array.isArray(scenario))) {
    issues.push('scenario: required: a scenario file (relative to the grid file) or a scenario mapping');
  }
  const axes: Axis[] = [];
  if (raw.axes !== undefined) {
    if (raw.axes === null || typeof raw.axes !== 'object' || Array.isArray(raw.axes)) issues.push('axes: expected a mapping of path (or name) -> values');
    else for (const [key, spec] of Object.entries(raw.axes)) collect(issues, () => axes.push(parseAxis(key, spec, `axes["${key}"]`)));
  }
  let seeds: number[] | null = null;
  if (raw.seeds !== undefined) collect(issues, () => (seeds = parseSeeds(raw.seeds, 'seeds')));
  let metrics: string[] | null = null;
  if (raw.metrics !== undefined) {
    if (!Array.isArray(raw.metrics) || !raw.metrics.every((m) => typeof m === 'string')) issues.push('metrics: expected a list of metric names');
    else metrics = raw.metrics as string[];
  }
  if (raw.name !== undefined && typeof raw.name !== 'string') issues.push('name: expected text');
  if (issues.length > 0) throw new ScenarioError(issues, source);
  const name = typeof raw.name === 'string' ? raw.name : 'sweep';
  return { grid: checkGrid({ name, axes, seeds }, source), scenario: scenario as string | Record<string, unknown>, metrics };
}

/** Axis names and paths must be distinct; a path swept twice would make one axis silently win. */
export function checkGrid(grid: Grid, source: string): Grid {
  const issues: string[] = [];
  const names = new Set<string>();
  const paths = new Map<string, string>();
  for (const a of grid.axes) {
    if (names.has(a.name)) issues.push(`axes["${a.name}"]: two axes have this name`);
    names.add(a.name);
    for (const p of a.paths) {
      if (paths.has(p)) issues.push(`axes["${a.name}"]: path ${p} is already swept by axis "${paths.get(p)}"`);
      paths.set(p, a.name);
      if (p === 'seed' && grid.seeds) issues.push(`axes["${a.name}"]: seed is set by seeds; sweep it there`);
    }
    if (['key', 'kind', 'seed', 'result', 'lmsim', 'scenario'].includes(a.name)) issues.push(`axes["${a.name}"]: "${a.name}" is a column of the results store; name the axis: { path: ${a.paths[0]}, values: [...] } under another key`);
  }
  if (issues.length > 0) throw new ScenarioError(issues, source);
  return grid;
}

function collect(issues: string[], f: () => void): void {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) issues.push(...e.issues);
    else throw e;
  }
}

function fail(at: string, message: string): never {
  throw new ScenarioError([`${at}: ${message}`]);
}

function checkPath(path: string, at: string): string {
  try {
    parsePath(path);
  } catch (e) {
    fail(at, `"${path}" is not a scenario path: ${(e as OverlayError).reason}`);
  }
  return path;
}

/** An axis of a grid file: `PATH: values`, `NAME: { path, values }` or `NAME: { zip: { PATH: values, ... } }`. */
export function parseAxis(key: string, spec: unknown, at: string): Axis {
  if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
    const o = spec as Record<string, unknown>;
    if ('zip' in o) {
      const extra = Object.keys(o).filter((k) => k !== 'zip');
      if (extra.length) fail(at, `unknown field "${extra[0]}" beside zip`);
      if (o.zip === null || typeof o.zip !== 'object' || Array.isArray(o.zip) || Object.keys(o.zip).length === 0) fail(`${at}.zip`, 'expected a mapping of path -> values (the paths move together)');
      const entries = Object.entries(o.zip as Record<string, unknown>).map(([p, v]) => [checkPath(p, `${at}.zip`), parseValues(v, `${at}.zip["${p}"]`)] as const);
      const n = entries[0][1].length;
      const bad = entries.find(([, v]) => v.length !== n);
      if (bad) fail(`${at}.zip`, `zipped paths need as many values each: ${entries[0][0]} has ${n}, ${bad[0]} has ${bad[1].length}`);
      return { name: key, paths: entries.map(([p]) => p), values: Array.from({ length: n }, (_, i) => entries.map(([, v]) => v[i])) };
    }
    if ('path' in o) {
      const extra = Object.keys(o).filter((k) => k !== 'path' && k !== 'values');
      if (extra.length) fail(at, `unknown field "${extra[0]}" (a named axis has path and values)`);
      if (typeof o.path !== 'string') fail(`${at}.path`, 'expected a scenario path like vms[0].count');
      return { name: key, paths: [checkPath(o.path, `${at}.path`)], values: parseValues(o.values, `${at}.values`).map((v) => [v]) };
    }
    fail(at, 'expected values, a range like "10ms..100ms:10ms", { path, values } or { zip: { path: values, ... } }');
  }
  return { name: key, paths: [checkPath(key, at)], values: parseValues(spec, at).map((v) => [v]) };
}

/** A list of values, a range string, or one value. */
export function parseValues(spec: unknown, at: string): unknown[] {
  if (spec === undefined) fail(at, 'required: values or a range');
  if (Array.isArray(spec)) {
    if (spec.length === 0) fail(at, 'expected at least one value');
    return spec.flatMap((v) => (typeof v === 'string' && v.includes('..') ? parseRange(v, at) : [v]));
  }
  if (typeof spec === 'string' && spec.includes('..')) return parseRange(spec, at);
  return [spec];
}

const NUMBER_WITH_UNIT = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*?)\s*$/;

function splitUnit(text: string, at: string, whole: string): { n: number; unit: string } {
  const m = NUMBER_WITH_UNIT.exec(text);
  if (!m) fail(at, `"${whole}": "${text}" is not a number with an optional unit`);
  return { n: Number(m[1]), unit: m[2] };
}

/** Rounds away float noise (0.1 + 0.2) so that generated values read as written ones. */
function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/**
 * A range: `A..B:STEP` (A, A+STEP, ... up to B), `A..B:xF` (A, A*F, ... up to B), `A..B/N`
 * (N evenly spaced values), `A..B/Nlog` (N values evenly spaced in log scale). The ends and the
 * step carry the same unit, which the values keep ("10ms..30ms:10ms" -> 10ms, 20ms, 30ms).
 */
export function parseRange(text: string, at: string): unknown[] {
  // units hold "/" (Gbit/s), so the step is found from the end: "/N" or "/Nlog", else the last ":"
  const m = /^(.+?)\.\.(.+?)(?:(\/)(\d+(?:log)?)|(:x|:)([^:]+))?$/.exec(text.trim());
  if (!m) fail(at, `"${text}" is not a range; expected A..B:STEP, A..B:xFACTOR, A..B/N or A..B/Nlog`);
  const [from, to] = [m[1], m[2]];
  const sep = m[3] ?? m[5];
  const arg = m[4] ?? m[6];
  const a = splitUnit(from, at, text);
  const b = splitUnit(to, at, text);
  if (a.unit !== b.unit) fail(at, `"${text}": both ends need the same unit (got "${a.unit}" and "${b.unit}")`);
  if (!(b.n >= a.n)) fail(at, `"${text}": the range ends below its start`);
  let values: number[];
  const tooMany = (n: number) => n > MAX_AXIS_VALUES && fail(at, `"${text}" makes ${Math.round(n)} values, more than ${MAX_AXIS_VALUES}`);
  if (sep === undefined) fail(at, `"${text}": say how to step: A..B:STEP, A..B:xFACTOR, A..B/N or A..B/Nlog`);
  if (sep === ':') {
    const s = splitUnit(arg, at, text);
    if (s.unit !== a.unit && s.unit !== '') fail(at, `"${text}": the step needs the unit of the ends ("${a.unit}"), got "${s.unit}"`);
    if (!(s.n > 0)) fail(at, `"${text}": the step must be > 0`);
    tooMany((b.n - a.n) / s.n + 1);
    values = [];
    for (let k = 0; ; k++) {
      const v = clean(a.n + k * s.n);
      if (v > b.n * (1 + 1e-12) + 1e-12) break;
      values.push(v);
    }
  } else if (sep === ':x') {
    const f = Number(arg);
    if (!(f > 1)) fail(at, `"${text}": the factor must be a number > 1, got "${arg}"`);
    if (!(a.n > 0)) fail(at, `"${text}": a geometric range needs a start > 0`);
    tooMany(Math.log(b.n / a.n) / Math.log(f) + 1);
    values = [];
    for (let k = 0; ; k++) {
      const v = clean(a.n * f ** k);
      if (v > b.n * (1 + 1e-12)) break;
      values.push(v);
    }
  } else {
    const lm = /^(\d+)(log)?$/.exec(arg.trim());
    if (!lm || Number(lm[1]) < 2) fail(at, `"${text}": /N needs a whole number of values >= 2 (or Nlog), got "${arg}"`);
    const n = Number(lm[1]);
    tooMany(n);
    if (lm[2] && !(a.n > 0)) fail(at, `"${text}": a log range needs a start > 0`);
    values = Array.from({ length: n }, (_, i) =>
      clean(lm[2] ? a.n * (b.n / a.n) ** (i / (n - 1)) : a.n + ((b.n - a.n) * i) / (n - 1)),
    );
  }
  return values.map((v) => (a.unit === '' ? v : `${v}${a.unit}`));
}

/** Seeds: `1..30`, a list of integers, or one integer. */
export function parseSeeds(spec: unknown, at: string): number[] {
  let seeds: unknown[];
  if (typeof spec === 'string' && spec.includes('..')) {
    const m = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*$/.exec(spec);
    if (!m) fail(at, `expected a range of integers like 1..30, got "${spec}"`);
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (b < a) fail(at, `"${spec}": the range ends below its start`);
    if (b - a + 1 > MAX_AXIS_VALUES) fail(at, `"${spec}" makes ${b - a + 1} seeds, more than ${MAX_AXIS_VALUES}`);
    seeds = Array.from({ length: b - a + 1 }, (_, i) => a + i);
  } else if (Array.isArray(spec)) seeds = spec;
  else if (typeof spec === 'string' && /^\s*-?\d+\s*(,\s*-?\d+\s*)*$/.test(spec)) seeds = spec.split(',').map(Number);
  else seeds = [spec];
  for (const s of seeds) if (!Number.isSafeInteger(s)) fail(at, `expected integer seeds (1..30, [1, 2, 3] or 7), got ${JSON.stringify(s)}`);
  if (new Set(seeds).size !== seeds.length) fail(at, 'a seed is listed twice');
  return seeds as number[];
}

/** A command-line value: YAML scalar syntax, so 5 is a number, true a boolean, null removes, 300ms stays text. */
function cliValue(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return text;
  }
}

/** `--set PATH=v1,v2,v3` or `--set PATH=10ms..100ms:10ms` -> an axis. */
export function parseSetFlag(text: string, flag = '--set'): Axis {
  const eq = text.indexOf('=');
  if (eq <= 0) fail(flag, `expected PATH=VALUES like migrations[0].downtimeLimit=30ms,300ms, got "${text}"`);
  const path = checkPath(text.slice(0, eq).trim(), `${flag} ${text}`);
  const values = text
    .slice(eq + 1)
    .split(',')
    .map((v) => v.trim());
  if (values.some((v) => v === '')) fail(`${flag} ${path}`, `an empty value in "${text.slice(eq + 1)}"`);
  return { name: path, paths: [path], values: values.flatMap((v) => (v.includes('..') ? parseRange(v, `${flag} ${path}`) : [cliValue(v)])).map((v) => [v]) };
}

/** `--zip "P1=a,b;P2=c,d"` -> one axis whose paths move together. */
export function parseZipFlag(text: string): Axis {
  const parts = text.split(';').map((p) => parseSetFlag(p.trim(), '--zip'));
  const n = parts[0].values.length;
  const bad = parts.find((p) => p.values.length !== n);
  if (bad) fail('--zip', `zipped paths need as many values each: ${parts[0].name} has ${n}, ${bad.name} has ${bad.values.length}`);
  return { name: parts[0].name, paths: parts.map((p) => p.paths[0]), values: Array.from({ length: n }, (_, i) => parts.map((p) => p.values[i][0])) };
}
