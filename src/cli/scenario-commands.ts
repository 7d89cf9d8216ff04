/**
 * @module cli/scenario-commands
 * What `lmsim run`, `compare`, `validate` and `schema` do; main.ts declares them and loads this
 * module only when one of them runs (it brings zod and yaml, ~0.2 s of start-up).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { migrationCsv, migrationTable, MigrationRow } from '../report/migrations.js';
import { defaultScenario } from '../scenario/default.js';
import { roundTrip, roundTripCsv, roundTripTable, RoundTrip } from '../report/round-trip.js';
import { parseScenarioData, ScenarioError, validateScenario } from '../scenario/load.js';
import { unusedOptions } from '../scenario/unused-options.js';
import { sweepVariants } from '../scenario/sweep.js';
import { RunResult, runScenario } from '../scenario/run.js';
import { scenarioJsonSchema, ScenarioSpec } from '../scenario/schema.js';
import { AlgorithmListError, parseAlgorithmList, variantSpecs, type VariantInput } from '../scenario/variants.js';
import { OverlayError, overlayScenario, parseSetArgument } from '../scenario/overlay.js';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import { reportInputOf, type ReportInput } from '../report/views/input.js';
import { scenarioResults } from '../scenario/results.js';
import { progressBar } from './progress.js';
import { estimateWork, workRefusal } from '../scenario/work.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface OutputOptions {
  json?: boolean;
  csv?: boolean;
  /** Print only this table (text or CSV): `migrations` or `round-trips`. */
  table?: string;
  seed?: number;
  /** `--set PATH=VALUE` overrides, applied to the file before it is validated. */
  set?: string[];
  /** Run even when the estimated work is over the bound. */
  force?: boolean;
  /** Draw the progress bar even when stderr is not a terminal. */
  progress?: boolean;
}

/** The tables `run` and `compare` print, by the name `--table` takes. */
export const SCENARIO_TABLES = ['migrations', 'round-trips'] as const;

/** `lmsim run FILE`. */
export function runCommand(file: string, opts: OutputOptions & { strict?: boolean }, io: Io, setCode: (code: number) => void): void {
  const raw = withSets(loadData(file), opts.set);
  const variants = sweepVariants(raw, file);
  const specs = variants
    ? variants.map((v) => ({ name: v.label as string | undefined, spec: withSeed(validateScenario(v.data, `${file} (sweep "${v.label}")`), opts.seed) }))
    : [{ name: undefined, spec: withSeed(validateScenario(raw, file), opts.seed) }];
  noteUnusedOptions(specs[0].spec, io);
  const runs = runAll(specs, opts, io, 'running');
  io.out(variants ? sweepOutput(runs as Named[], opts) : runOutput(runs[0].result, opts));
  if (opts.strict && runs.some((r) => r.result.migrations.some((m) => m.status !== 'completed'))) setCode(1);
}

/** `lmsim compare [FILE]`: each variant an overlay on every migration, validated like a file. */
export function compareCommand(file: string | undefined, opts: OutputOptions & { algorithms?: string }, io: Io): void {
  const source = file ?? 'built-in default scenario';
  const raw = withSets(file ? loadData(file) : (structuredClone(defaultScenario) as Record<string, unknown>), opts.set);
  const spec = withSeed(validateScenario(raw, source), opts.seed);
  let variants: VariantInput[] | undefined;
  try {
    variants = opts.algorithms !== undefined ? parseAlgorithmList(opts.algorithms) : (raw.compare as VariantInput[] | undefined);
  } catch (e) {
    if (e instanceof AlgorithmListError) throw new UsageError(e.message);
    throw e;
  }
  if (!variants || variants.length === 0) {
    throw new UsageError(`${source}: compare: nothing to compare: give --algorithms, or a "compare:" list in the scenario`);
  }
  if (spec.migrations.length === 0) throw new UsageError(`${source}: migrations: nothing to compare: the scenario has no migrations`);
  const specs = variantSpecs(raw, variants, source);
  const runs = runAll(specs.map(({ name, spec: v }) => ({ name, spec: withSeed(v, opts.seed) })), opts, io, 'comparing') as Named[];
  const rows: MigrationRow[] = runs.flatMap((r) => r.result.migrations.map((m) => ({ variant: r.name, m })));
  const trips = roundTrips(runs);
  if (opts.json) return io.out(json({ lmsim: VERSION, scenario: spec.name, seed: spec.seed, variants: runs }));
  const tables = { migrations: rows, 'round-trips': trips.length > 0 ? trips : undefined };
  if (opts.csv) return io.out(csvOf(tables, opts.table ?? (trips.length > 0 ? 'round-trips' : 'migrations')));
  if (opts.table) return io.out(textOf(tables, opts.table));
  io.out(`${spec.name} (seed ${spec.seed})\n\n${migrationTable(rows)}${trips.length > 0 ? `\nround trips\n${roundTripTable(trips)}` : ''}`);
}

/**
 * Runs validated scenarios one after the other, after checking that their estimated work is
 * within the bound (or --force), with one progress bar over all of them.
 */
function runAll<N extends string | undefined>(specs: { name: N; spec: ScenarioSpec }[], opts: OutputOptions, io: Io, label: string): { name: N; result: RunResult }[] {
  if (!opts.force) refuseLargeWork(specs.map((s) => s.spec));
  const bar = progressBar(io, label, opts.progress);
  try {
    return specs.map(({ name, spec }, i) => {
      const of = specs.length > 1 ? `run ${i + 1} of ${specs.length}, ` : '';
      const onProgress = (t: number, horizon: number) => bar.update(i + t / horizon, specs.length, `${of}${t.toFixed(1)} s of ${horizon} s simulated`);
      const result = runScenario(spec, { onProgress });
      bar.update(i + 1, specs.length, `${of}done`);
      return { name, result };
    });
  } finally {
    bar.finish();
  }
}

/** Refuses, with the estimate, work beyond the bound (see scenario/work.ts). */
function refuseLargeWork(specs: ScenarioSpec[]): void {
  const estimate = specs.map((s) => estimateWork(s)).reduce((a, b) => ({ pageOps: a.pageOps + b.pageOps, largest: b.pageOps > a.pageOps ? b.largest : a.largest }));
  const refusal = workRefusal(estimate, specs.length > 1 ? `these ${specs.length} runs` : 'this run');
  if (refusal) throw new UsageError(refusal);
}

/** A scenario file's results for `lmsim report` (see scenario/results.ts), work beyond the bound refused unless forced. */
export function scenarioReportInput(file: string, seed: number | undefined, force = false): ReportInput {
  return reportInputOf(scenarioResults(loadData(file), file, seed, undefined, force ? undefined : refuseLargeWork), file);
}

/** The `--set` overrides applied to a raw scenario (paths as in docs/options.md). */
export function withSets<T extends Record<string, unknown>>(raw: T, sets: string[] | undefined): T {
  if (!sets || sets.length === 0) return raw;
  try {
    return overlayScenario(raw, sets.map(parseSetArgument));
  } catch (e) {
    if (e instanceof OverlayError) throw new UsageError(`--set ${e.message}`);
    throw e;
  }
}

/** `lmsim validate FILE`: the file, and every variant `run` (sweep) or `compare` would run; or a consolidation scenario. */
export async function validateCommand(file: string, opts: { set?: string[] }, io: Io): Promise<void> {
  const raw = withSets(loadData(file), opts.set);
  if (isConsolidation(raw)) {
    // the consolidation format is loaded when asked for: run and compare do without it
    const [{ validateConsolidation }, { isFolder }] = await Promise.all([import('../scenario/consolidation.js'), import('../io/consolidation-file.js')]);
    const c = validateConsolidation(raw, file, dirname(resolve(file)), isFolder);
    io.out(`${file}: valid consolidation scenario (policy ${c.policy}${c.param !== undefined ? ` ${c.param}` : ''}, migration ${c.migration.model}, ${c.hostCount} hosts, trace ${c.trace})\n`);
    return;
  }
  const variants = sweepVariants(raw, file) ?? [{ label: '', data: raw }];
  const specs = variants.map((v) => validateScenario(v.data, v.label ? `${file} (sweep "${v.label}")` : file));
  const spec = specs[0];
  noteUnusedOptions(spec, io);
  const compare = Array.isArray(raw.compare) ? variantSpecs(raw, raw.compare as VariantInput[], file) : [];
  const counts = [variants.length > 1 ? `${variants.length} sweep variants` : '', compare.length > 0 ? `${compare.length} compare variants` : ''].filter(Boolean);
  io.out(`${file}: valid${counts.length ? ` (${counts.join(', ')})` : ''} (${spec.hosts.length} hosts, ${spec.vms.reduce((n, v) => n + (v.count ?? 1), 0)} VMs, ${spec.migrations.length} migration entries)\n`);
}

/** Options the file sets that its migrations' algorithms never read, on stderr: accepted, not silently. */
function noteUnusedOptions(spec: ScenarioSpec, io: Io): void {
  for (const note of unusedOptions(spec)) io.err(`lmsim: note: ${note}\n`);
}

/** A consolidation scenario names a policy and a trace; a migration scenario has hosts, vms and migrations. */
function isConsolidation(raw: Record<string, unknown>): boolean {
  return ('policy' in raw || 'trace' in raw) && !('migrations' in raw);
}

/** `lmsim schema [scenario|consolidation]`. */
export async function schemaCommand(format: string | undefined, io: Io): Promise<void> {
  if (format === undefined || format === 'scenario') io.out(json(scenarioJsonSchema()));
  else if (format === 'consolidation') io.out(json((await import('../scenario/consolidation.js')).consolidationJsonSchema()));
  else throw new UsageError(`schema: expected "scenario" or "consolidation", got "${format}"`);
}

function loadData(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseScenarioData(text, file);
}

function loadFile(file: string): ScenarioSpec {
  return validateScenario(loadData(file), file);
}

interface Named {
  name: string;
  result: RunResult;
}

/** One run: its migrations, and the round-trip summary when VMs came back. */
function runOutput(result: RunResult, opts: OutputOptions): string {
  if (opts.json) return json(result);
  const rows: MigrationRow[] = result.migrations.map((m) => ({ m }));
  const trip = roundTrip(result);
  const tables = { migrations: rows, 'round-trips': trip ? [trip] : undefined };
  if (opts.csv) return csvOf(tables, opts.table ?? 'migrations');
  if (opts.table) return textOf(tables, opts.table);
  return migrationTable(rows) + (trip ? `\nround trip\n${roundTripTable([trip])}` : '');
}

/** A sweep: one summary row per variant (round trips if VMs came back, else every migration). */
function sweepOutput(runs: Named[], opts: OutputOptions): string {
  if (opts.json) return json({ lmsim: VERSION, scenario: runs[0].result.scenario, seed: runs[0].result.seed, variants: runs });
  const trips = roundTrips(runs);
  const rows: MigrationRow[] = runs.flatMap((r) => r.result.migrations.map((m) => ({ variant: r.name, m })));
  const tables = { migrations: rows, 'round-trips': trips.length > 0 ? trips : undefined };
  // the summary is the round trips when every variant has one, else every migration
  const shown = opts.table ?? (trips.length === runs.length ? 'round-trips' : 'migrations');
  return opts.csv ? csvOf(tables, shown) : textOf(tables, shown);
}

interface Tables {
  migrations: MigrationRow[];
  'round-trips': RoundTrip[] | undefined;
}

/** The table `name` names, checked: a known table that this run has. */
function tableNamed(tables: Tables, name: string): (typeof SCENARIO_TABLES)[number] {
  if (name !== 'migrations' && name !== 'round-trips') {
    throw new UsageError(`--table: expected one of ${SCENARIO_TABLES.join(', ')}, got "${name}"`);
  }
  if (tables[name] === undefined) throw new UsageError(`--table ${name}: no VM came back to a host it had left, so there is no round-trip table`);
  return name;
}

function csvOf(tables: Tables, name: string): string {
  return tableNamed(tables, name) === 'migrations' ? migrationCsv(tables.migrations) : roundTripCsv(tables['round-trips']!);
}

function textOf(tables: Tables, name: string): string {
  return tableNamed(tables, name) === 'migrations' ? migrationTable(tables.migrations) : roundTripTable(tables['round-trips']!);
}

function roundTrips(runs: Named[]): RoundTrip[] {
  return runs.map((r) => roundTrip(r.result, r.name)).filter((t): t is RoundTrip => t !== null);
}

function withSeed(spec: ScenarioSpec, seed: number | undefined): ScenarioSpec {
  return seed === undefined ? spec : { ...spec, seed };
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
