/**
 * @module cli/consolidate-run
 * What `lmsim consolidate` does (declared in cli/consolidate.ts, loaded when it runs). With flags
 * alone it loads neither zod nor yaml (~0.2 s of start-up): the flags are checked here, then only
 * the checks a schema cannot express run (scenario/consolidation-spec.ts); a scenario file brings
 * the file format (scenario/consolidation.ts) on demand.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDuration, UnitError } from '../core/units.js';
import { parsePolicy } from '../datacenter/policy-name.js';
import { PlacementError, runConsolidation } from '../datacenter/run.js';
import { stepSeriesCsv } from '../datacenter/step-series.js';
import { FIDELITIES, MIGRATION_MODELS } from '../scenario/consolidation-names.js';
import {
  checkConsolidation,
  consolidationConfig,
  consolidationWorkProblem,
  FIELD_DEFAULTS,
  migrationModelOf,
  specTraces,
  type ConsolidationSpec,
} from '../scenario/consolidation-spec.js';
import type { ConsolidationFields } from '../scenario/consolidation.js';
import { ScenarioError as ConsolidationInputError } from '../scenario/errors.js';
import type { ConsolidationResult } from '../datacenter/types.js';
import { CONSOLIDATION_TABLES, ConsolidationTable, failuresCsv, failuresTable, failuresText, migrationStatsCsv, migrationStatsText, summaryCsv, summaryText } from '../report/consolidation.js';
import { progressBar } from './progress.js';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { consolidationRecord, migrationLabel } from '../report/consolidation-record.js';
import { comparisonText, reuseText } from '../report/consolidation-compare.js';
import { ConsolidateUsageError } from './errors.js';
import type { ConsolidateOptions } from './consolidate.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

/** `lmsim consolidate [FILE]`. */
export async function consolidate(file: string | undefined, opts: ConsolidateOptions, io: Io, setCode: (c: number) => void): Promise<void> {
  let runs: { label?: string; spec: ConsolidationSpec; traces: { samples: number; values: Float64Array }; vms: number }[];
  let table: ConsolidationTable | undefined;
  try {
    table = consolidationTable(opts);
    const spec = await consolidateSpec(file, opts);
    const variants: { label?: string; spec: ConsolidationSpec }[] = spec.variants ?? [{ spec }];
    if (spec.variants && (opts.csv || table)) {
      throw new ConsolidateUsageError(`${opts.csv ? '--csv' : '--table'}: applies to one run; the file compares ${spec.variants.length} variants (use the comparison table or --json)`);
    }
    const folders = new Map<string, ReturnType<typeof loadPlanetLabFolder>>();
    const load = (dir: string) => {
      let folder = folders.get(dir);
      if (!folder) folders.set(dir, (folder = loadPlanetLabFolder(dir)));
      return folder;
    };
    runs = variants.map(({ label, spec: s }) => {
      const { traces, vms } = specTraces(s, load);
      if (vms === 0) throw new ConsolidateUsageError(`${file ? 'trace' : '--trace'}: ${s.trace} has no trace files`);
      checkWork(s, traces, vms, opts);
      return { label, spec: s, traces, vms };
    });
  } catch (e) {
    if (e instanceof ConsolidationInputError || e instanceof ConsolidateUsageError) {
      io.err(`lmsim: ${e.message}\n`);
    } else {
      // trace files that are not PlanetLab files, unreadable folders
      io.err(`lmsim: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    setCode(2);
    return;
  }
  const results: { label?: string; spec: ConsolidationSpec; result: ConsolidationResult }[] = [];
  for (const { label, spec, traces, vms } of runs) {
    const bar = progressBar(io, label ? `consolidating ${label}` : 'consolidating', opts.progress);
    try {
      const onProgress = (t: number, limit: number) => bar.update(t, limit, `${hours(t)} of ${hours(limit)} simulated`);
      results.push({ label, spec, result: runConsolidation(consolidationConfig(spec, vms), traces, migrationModelOf(spec.migration), { onProgress }) });
    } catch (e) {
      bar.finish();
      if (e instanceof PlacementError) {
        // too many or too large VMs for the hosts: bad input
        io.err(`lmsim: ${file ?? 'command line'}${label ? ` (${label})` : ''}: ${e.message}; give more or larger hosts (${file ? 'hosts.count, hosts.types' : '--hosts'}) or fewer VMs (${file ? 'vms.count' : '--vms'})\n`);
        setCode(2);
        return;
      }
      io.err(`lmsim: the run${label ? ` ${label}` : ''} failed: ${e instanceof Error ? e.message : String(e)}\n`);
      setCode(1);
      return;
    }
    bar.finish();
  }
  if (results.length === 1 && results[0].label === undefined) {
    const { spec, result } = results[0];
    io.out(opts.json ? jsonOutput(spec, result) : opts.csv ? csvOutput(spec, result, table ?? 'steps') : tableOutput(spec, result, table));
    return;
  }
  if (opts.json) io.out(JSON.stringify(results.map((r) => ({ variant: r.label, ...consolidationRecord(r.spec, r.result) })), null, 2) + '\n');
  else io.out(comparisonText(results.map((r) => ({ label: r.label ?? '', name: r.spec.name, result: r.result }))));
}

/** The traces cover the span, and the work is within the bound (or --force). */
function checkWork(spec: ConsolidationSpec, traces: { samples: number }, vms: number, opts: ConsolidateOptions): void {
  const problem = consolidationWorkProblem(spec, traces.samples, vms);
  if (problem === null || (problem.field === null && opts.force)) return;
  if (problem.field === 'duration') throw new ConsolidateUsageError(`${opts.duration ? '--duration' : 'duration'}: ${problem.message}`);
  throw new ConsolidateUsageError(`${problem.message}, or give --force to run it anyway`);
}

/** `--table`, checked before the run. */
function consolidationTable(opts: ConsolidateOptions): ConsolidationTable | undefined {
  if (opts.table === undefined) return undefined;
  if (!(CONSOLIDATION_TABLES as readonly string[]).includes(opts.table)) {
    throw new ConsolidateUsageError(`--table: expected one of ${CONSOLIDATION_TABLES.join(', ')}, got "${opts.table}"`);
  }
  return opts.table as ConsolidationTable;
}

/** The policy of `lmsim consolidate` without a file or --policy: LR-MMT 1.2 (CCPE 2012's best). */
const DEFAULT_POLICY = { policy: 'lr-mmt', param: 1.2 } as const;

const FLAG_OF: Record<string, string> = { trace: '--trace', policy: '--policy', param: '--param', migration: '--migration' };

/** The validated spec from a file and/or flags (flags win). */
export async function consolidateSpec(file: string | undefined, opts: ConsolidateOptions): Promise<ConsolidationSpec> {
  const overlay: Record<string, unknown> = {};
  if (opts.trace !== undefined) {
    const dir = resolve(opts.trace);
    if (!(existsSync(dir) && statSync(dir).isDirectory())) {
      throw new ConsolidateUsageError(`--trace: no folder "${opts.trace}"; expected a CloudSim PlanetLab day folder (one file of 288 CPU percents per VM)`);
    }
    overlay.trace = dir;
  }
  if (opts.policy !== undefined) {
    try {
      parsePolicy(opts.policy);
    } catch (e) {
      throw new ConsolidateUsageError(`--policy: ${(e as Error).message}`);
    }
    overlay.policy = opts.policy;
  }
  if (opts.param !== undefined) {
    const x = Number(opts.param);
    if (opts.param.trim() === '' || !Number.isFinite(x) || !(x > 0)) throw new ConsolidateUsageError(`--param: expected a positive number like 1.2, got "${opts.param}"`);
    overlay.param = x;
  }
  if (opts.migration !== undefined && !(MIGRATION_MODELS as readonly string[]).includes(opts.migration)) {
    throw new ConsolidateUsageError(`--migration: expected one of ${MIGRATION_MODELS.join(', ')}, got "${opts.migration}"`);
  }
  if (opts.fidelity !== undefined && !(FIDELITIES as readonly string[]).includes(opts.fidelity)) {
    throw new ConsolidateUsageError(`--fidelity: expected one of ${FIDELITIES.join(', ')}, got "${opts.fidelity}"`);
  }
  if (opts.seed !== undefined) overlay.seed = opts.seed;
  const hosts = positiveInt(opts.hosts, '--hosts');
  const vms = positiveInt(opts.vms, '--vms');
  if (opts.duration !== undefined) {
    try {
      const d = parseDuration(opts.duration);
      if (!(d > 0)) throw new UnitError('a duration > 0 like 6h or 3600s', opts.duration);
      overlay.duration = d;
    } catch (e) {
      throw new ConsolidateUsageError(`--duration: ${(e as Error).message}`);
    }
  }

  let data: Record<string, unknown> = {};
  let source = 'command line';
  let baseDir = process.cwd();
  if (file !== undefined) {
    // the file format brings yaml and zod: loaded only for a file
    const { readConsolidationData } = await import('../io/consolidation-file.js');
    data = readConsolidationData(file);
    source = file;
    baseDir = resolve(file, '..');
  } else if (opts.policy === undefined) {
    // nothing to go on: CloudSim's best-known policy (on seeded synthetic traces unless --trace)
    if (opts.param !== undefined) throw new ConsolidateUsageError('--param: given without --policy (e.g. --policy lr-mmt --param 1.2)');
    overlay.policy = DEFAULT_POLICY.policy;
    overlay.param = DEFAULT_POLICY.param;
  }
  let merged: Record<string, unknown> = { ...data, ...overlay };
  if (opts.migration !== undefined || opts.fidelity !== undefined) {
    const current = data.migration;
    const base: Record<string, unknown> = typeof current === 'object' && current !== null ? { ...(current as Record<string, unknown>) } : typeof current === 'string' ? { model: current } : { model: 'cloudsim' };
    if (opts.migration !== undefined) {
      base.model = opts.migration;
      if (opts.migration === 'cloudsim') for (const k of Object.keys(base)) if (k !== 'model') delete base[k];
      if (opts.migration === 'postcopy') delete base.preset;
    }
    if (opts.fidelity !== undefined) {
      if (base.model === 'cloudsim') throw new ConsolidateUsageError('--fidelity: applies to live migrations only (--migration precopy, postcopy or hybrid)');
      base.fidelity = opts.fidelity;
    }
    merged.migration = base;
  }
  if (hosts !== undefined || vms !== undefined) {
    const pick = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? { ...(v as Record<string, unknown>) } : {});
    if (hosts !== undefined) merged.hosts = { ...pick(data.hosts), count: hosts };
    if (vms !== undefined) merged.vms = { ...pick(data.vms), count: vms };
  }
  if (opts.set && opts.set.length > 0) {
    const { OverlayError, overlayScenario, parseSetArgument } = await import('../scenario/overlay.js');
    try {
      merged = overlayScenario(merged, opts.set.map(parseSetArgument));
    } catch (e) {
      if (e instanceof OverlayError) throw new ConsolidateUsageError(`--set ${e.message}`);
      throw e;
    }
  }
  try {
    // Flags alone were checked above as strictly as the schema would: skip it (and zod), run only
    // the checks it cannot express (--trace is known to be a folder). A file, or numbers past the
    // schema's bounds (counts over 2^53, an infinite duration), go through it for its messages.
    const fitsSchema = [hosts, vms].every((n) => n === undefined || Number.isSafeInteger(n)) && Number.isFinite(overlay.duration ?? 0) && !opts.set?.length;
    if (file === undefined && fitsSchema) return checkConsolidation({ ...FIELD_DEFAULTS, ...merged } as ConsolidationFields, source, baseDir);
    const [{ validateConsolidation }, { isFolder }] = await Promise.all([import('../scenario/consolidation.js'), import('../io/consolidation-file.js')]);
    return validateConsolidation(merged, source, baseDir, isFolder);
  } catch (e) {
    if (e instanceof ConsolidationInputError && file === undefined) {
      // name the flags rather than the file fields
      throw new ConsolidateUsageError(e.issues.map((i) => i.replace(/^(\w+)(?=[:.[])/, (k) => FLAG_OF[k] ?? k)).join('\n  '));
    }
    throw e;
  }
}


function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !(n > 0)) throw new ConsolidateUsageError(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

function hours(s: number): string {
  return `${(s / 3600).toFixed(1)} h`;
}

function jsonOutput(spec: ConsolidationSpec, r: ConsolidationResult): string {
  return JSON.stringify(consolidationRecord(spec, r), null, 2) + '\n';
}

/** The text output: the summary, then the migrations' distributions and failures (deterministic, golden-tested). */
function tableOutput(spec: ConsolidationSpec, r: ConsolidationResult, table: ConsolidationTable | undefined): string {
  if (table === 'summary') return summaryText(r);
  if (table === 'migrations') return migrationStatsText(r);
  if (table === 'failures') return failuresTable(r);
  if (table === 'steps') return stepSeriesCsv(r.series);
  const traces = spec.trace === undefined ? `, synthetic traces (seed ${spec.seed})` : '';
  const head = `${spec.name ?? 'consolidation'}: ${r.policy}${r.parameter !== null ? ` ${r.parameter}` : ''}, migration ${migrationLabel(spec, r)}, ${r.hosts} hosts, ${r.vms} VMs${traces}, ${r.simulatedTime} s simulated\n\n`;
  const stats = migrationStatsText(r);
  return head + summaryText(r) + (stats ? `\n${stats}${failuresText(r)}` : '') + reuseText(r);
}

function csvOutput(spec: ConsolidationSpec, r: ConsolidationResult, table: ConsolidationTable): string {
  if (table === 'summary') return summaryCsv(r, migrationLabel(spec, r));
  if (table === 'migrations') return migrationStatsCsv(r);
  if (table === 'failures') return failuresCsv(r);
  return stepSeriesCsv(r.series);
}
