/**
 * @module cli/scenario-commands
 * What `lmsim run`, `compare`, `validate` and `schema` do; main.ts declares them and loads this
 * module only when one of them runs (it brings zod and yaml, ~0.2 s of start-up).
 */
import { readFileSync } from 'node:fs';
import { migrationCsv, migrationTable, MigrationRow } from '../report/migrations.js';
import { defaultScenario } from '../scenario/default.js';
import { roundTrip, roundTripCsv, roundTripTable, RoundTrip } from '../report/round-trip.js';
import { parseScenarioData, validateScenario } from '../scenario/load.js';
import { sweepVariants } from '../scenario/sweep.js';
import { applyVariant, RunResult, runScenario, variantName } from '../scenario/run.js';
import { scenarioJsonSchema, ScenarioSpec, Variant, VariantSpec } from '../scenario/schema.js';
import { algorithmNames } from '../migration/options.js';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import type { ReportInput } from '../report/views/input.js';

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export interface OutputOptions {
  json?: boolean;
  csv?: boolean;
  seed?: number;
}

/** `lmsim run FILE`. */
export function runCommand(file: string, opts: OutputOptions & { strict?: boolean }, io: Io, setCode: (code: number) => void): void {
  const raw = loadData(file);
  const variants = sweepVariants(raw, file);
  const runs = variants
    ? variants.map((v) => ({ name: v.label, result: runScenario(withSeed(validateScenario(v.data, `${file} (sweep "${v.label}")`), opts.seed)) }))
    : [{ name: undefined, result: runScenario(withSeed(validateScenario(raw, file), opts.seed)) }];
  io.out(variants ? sweepOutput(runs as Named[], opts) : runOutput(runs[0].result, opts));
  if (opts.strict && runs.some((r) => r.result.migrations.some((m) => m.status !== 'completed'))) setCode(1);
}

/** `lmsim compare [FILE]`. */
export function compareCommand(file: string | undefined, opts: OutputOptions & { algorithms?: string }, io: Io): void {
  const spec = withSeed(file ? loadFile(file) : validateScenario(defaultScenario, 'built-in default scenario'), opts.seed);
  const variants = opts.algorithms ? parseAlgorithms(opts.algorithms) : spec.compare;
  if (!variants || variants.length === 0) {
    throw new UsageError('nothing to compare: give --algorithms, or a "compare:" list in the scenario');
  }
  if (spec.migrations.length === 0) throw new UsageError('nothing to compare: the scenario has no migrations');
  const runs = variants.map((v) => ({ name: variantName(v), result: runScenario(applyVariant(spec, v)) }));
  const rows: MigrationRow[] = runs.flatMap((r) => r.result.migrations.map((m) => ({ variant: r.name, m })));
  const trips = roundTrips(runs);
  if (opts.json) io.out(json({ lmsim: VERSION, scenario: spec.name, seed: spec.seed, variants: runs }));
  else if (opts.csv) io.out(trips.length > 0 ? roundTripCsv(trips) : migrationCsv(rows));
  else io.out(`${spec.name} (seed ${spec.seed})\n\n${migrationTable(rows)}${trips.length > 0 ? `\nround trips\n${roundTripTable(trips)}` : ''}`);
}

/**
 * A scenario file's results for `lmsim report`: its sweep's variants, else its `compare:` list's
 * (the same records as `run --json` and `compare --json` print), else its one run.
 */
export function scenarioReportInput(file: string, seed: number | undefined): ReportInput {
  const raw = loadData(file);
  const variants = sweepVariants(raw, file);
  if (variants) {
    const runs = variants.map((v) => ({ name: v.label, result: runScenario(withSeed(validateScenario(v.data, `${file} (sweep "${v.label}")`), seed)) }));
    return { kind: 'compare', scenario: runs[0].result.scenario, seed: runs[0].result.seed, lmsim: VERSION, variants: runs };
  }
  const spec = withSeed(validateScenario(raw, file), seed);
  if (spec.compare && spec.compare.length > 0 && spec.migrations.length > 0) {
    const runs = spec.compare.map((v) => ({ name: variantName(v), result: runScenario(applyVariant(spec, v)) }));
    return { kind: 'compare', scenario: spec.name, seed: spec.seed, lmsim: VERSION, variants: runs };
  }
  return { kind: 'run', result: runScenario(spec) };
}

/** `lmsim validate FILE`. */
export function validateCommand(file: string, io: Io): void {
  const raw = loadData(file);
  const variants = sweepVariants(raw, file) ?? [{ label: '', data: raw }];
  const specs = variants.map((v) => validateScenario(v.data, v.label ? `${file} (sweep "${v.label}")` : file));
  const spec = specs[0];
  io.out(`${file}: valid${variants.length > 1 ? ` (${variants.length} sweep variants)` : ''} (${spec.hosts.length} hosts, ${spec.vms.reduce((n, v) => n + (v.count ?? 1), 0)} VMs, ${spec.migrations.length} migration entries)\n`);
}

/** `lmsim schema`. */
export function schemaCommand(io: Io): void {
  io.out(json(scenarioJsonSchema()));
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
  if (opts.csv) return migrationCsv(rows);
  return migrationTable(rows) + (trip ? `\nround trip\n${roundTripTable([trip])}` : '');
}

/** A sweep: one summary row per variant (round trips if VMs came back, else every migration). */
function sweepOutput(runs: Named[], opts: OutputOptions): string {
  if (opts.json) return json({ lmsim: VERSION, scenario: runs[0].result.scenario, seed: runs[0].result.seed, variants: runs });
  const trips = roundTrips(runs);
  if (trips.length === runs.length) return opts.csv ? roundTripCsv(trips) : roundTripTable(trips);
  const rows: MigrationRow[] = runs.flatMap((r) => r.result.migrations.map((m) => ({ variant: r.name, m })));
  return opts.csv ? migrationCsv(rows) : migrationTable(rows);
}

function roundTrips(runs: Named[]): RoundTrip[] {
  return runs.map((r) => roundTrip(r.result, r.name)).filter((t): t is RoundTrip => t !== null);
}

function withSeed(spec: ScenarioSpec, seed: number | undefined): ScenarioSpec {
  return seed === undefined ? spec : { ...spec, seed };
}

/** "precopy:qemu,stop-and-copy" -> variants, validated like scenario entries. */
export function parseAlgorithms(list: string): VariantSpec[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const [algorithm, preset] = item.split(':');
      const parsed = Variant.safeParse(preset ? { algorithm, preset } : { algorithm });
      if (!parsed.success) {
        throw new UsageError(
          `--algorithms: "${item}" is not an algorithm[:preset] (algorithms: ${algorithmNames.join(', ')}; presets: qemu, xen, xen-legacy, simgrid)`,
        );
      }
      return parsed.data;
    });
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
