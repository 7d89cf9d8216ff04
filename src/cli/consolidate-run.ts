/**
 * @module cli/consolidate-run
 * What `lmsim consolidate` does (declared in cli/consolidate.ts, loaded when it runs). With flags
 * alone it loads neither zod nor yaml (~0.2 s of start-up): the flags are checked here, then only
 * the checks a schema cannot express run (scenario/consolidation-spec.ts); a scenario file brings
 * the file format (scenario/consolidation.ts) on demand.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseDuration, UnitError } from '../core/units.js';
import { parsePolicy } from '../datacenter/policy-name.js';
import { runConsolidation } from '../datacenter/run.js';
import { stepSeriesCsv } from '../datacenter/step-series.js';
import { FIDELITIES, MIGRATION_MODELS } from '../scenario/consolidation-names.js';
import { checkConsolidation, consolidationConfig, FIELD_DEFAULTS, liveSettings, migrationModelOf, type ConsolidationSpec } from '../scenario/consolidation-spec.js';
import type { ConsolidationFields } from '../scenario/consolidation.js';
import { ScenarioError as ConsolidationInputError } from '../scenario/errors.js';
import type { ConsolidationResult, Distribution } from '../datacenter/types.js';
import { liveMigrationDefaults } from '../datacenter/live-migration.js';
import { loadPlanetLabFolder } from '../io/planetlab.js';
import { VERSION } from '../version.js';
import { ConsolidateUsageError } from './errors.js';
import type { ConsolidateOptions } from './consolidate.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

/** `lmsim consolidate [FILE]`. */
export async function consolidate(file: string | undefined, opts: ConsolidateOptions, io: Io, setCode: (c: number) => void): Promise<void> {
  let runs: { label?: string; spec: ConsolidationSpec; traces: { samples: number; values: Float64Array }; vms: number }[];
  try {
    const spec = await consolidateSpec(file, opts);
    const variants: { label?: string; spec: ConsolidationSpec }[] = spec.variants ?? [{ spec }];
    if (spec.variants && opts.csv) throw new ConsolidateUsageError(`--csv: prints one run's time series; the file compares ${spec.variants.length} variants (use --json)`);
    const folders = new Map<string, ReturnType<typeof loadPlanetLabFolder>>();
    runs = variants.map(({ label, spec: s }) => {
      let folder = folders.get(s.trace);
      if (!folder) folders.set(s.trace, (folder = loadPlanetLabFolder(s.trace)));
      const vms = s.vmCount === undefined ? folder.names.length : Math.min(s.vmCount, folder.names.length);
      if (vms === 0) throw new ConsolidateUsageError(`${file ? 'trace' : '--trace'}: ${s.trace} has no trace files`);
      const traces = vms === folder.names.length ? folder.traces : { samples: folder.traces.samples, values: folder.traces.values.subarray(0, vms * folder.traces.samples) };
      const span = traces.samples * s.traceInterval;
      if (span < s.duration) {
        throw new ConsolidateUsageError(`${opts.duration ? '--duration' : 'duration'}: the traces cover ${span} s, less than the ${s.duration} s to simulate`);
      }
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
  const showProgress = opts.progress === true || process.stderr.isTTY === true;
  const results: { label?: string; spec: ConsolidationSpec; result: ConsolidationResult; wallSeconds: number }[] = [];
  for (const { label, spec, traces, vms } of runs) {
    const bar = showProgress ? progressBar(io, process.stderr.isTTY === true, label) : undefined;
    const t0 = performance.now();
    try {
      const result = runConsolidation(consolidationConfig(spec, vms), traces, migrationModelOf(spec.migration), { onProgress: bar });
      results.push({ label, spec, result, wallSeconds: (performance.now() - t0) / 1000 });
    } catch (e) {
      if (bar) io.err('\n');
      io.err(`lmsim: the run${label ? ` ${label}` : ''} failed: ${e instanceof Error ? e.message : String(e)}\n`);
      setCode(1);
      return;
    }
  }
  if (runs.length === 1 && runs[0].label === undefined) {
    const { spec, result, wallSeconds } = results[0];
    io.out(opts.json ? jsonOutput(spec, result, wallSeconds) : opts.csv ? stepSeriesCsv(result.series) : tableOutput(spec, result));
    return;
  }
  io.out(opts.json ? `[\n${results.map((r) => jsonOutput(r.spec, r.result, r.wallSeconds, r.label).trimEnd()).join(',\n')}\n]\n` : comparisonTable(results));
}

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
  } else if (opts.trace === undefined || opts.policy === undefined) {
    throw new ConsolidateUsageError(`${opts.trace === undefined ? '--trace' : '--policy'}: required (give a scenario file, or --trace DIR --policy NAME [--param X])`);
  }
  const merged: Record<string, unknown> = { ...data, ...overlay };
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
  try {
    // Flags alone were checked above as strictly as the schema would: skip it (and zod), run only
    // the checks it cannot express (--trace is known to be a folder). A file, or numbers past the
    // schema's bounds (counts over 2^53, an infinite duration), go through it for its messages.
    const fitsSchema = [hosts, vms].every((n) => n === undefined || Number.isSafeInteger(n)) && Number.isFinite(overlay.duration ?? 0);
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

/** A progress bar on stderr: redrawn in place on a terminal, a line per 10 % otherwise. */
function progressBar(io: Io, tty: boolean, label?: string): (t: number, limit: number) => void {
  const WIDTH = 30;
  let last = -1;
  return (t, limit) => {
    const frac = Math.min(1, t / limit);
    const pct = Math.floor(frac * 100);
    const stepPct = tty ? 1 : 10;
    if (Math.floor(pct / stepPct) === Math.floor(last / stepPct) && last >= 0 && frac < 1) return;
    if (frac >= 1 && last >= 100) return;
    last = pct;
    const filled = Math.round(frac * WIDTH);
    const text = `consolidating${label ? ` ${label}` : ''} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(pct).padStart(3)}% (${hours(t)} of ${hours(limit)} simulated)`;
    io.err(tty ? `\r${text}${frac >= 1 ? '\n' : ''}` : `${text}\n`);
  };
}

function hours(s: number): string {
  return `${(s / 3600).toFixed(1)} h`;
}

function migrationLabel(spec: ConsolidationSpec, result: ConsolidationResult): string {
  if (spec.migration.model === 'cloudsim') return 'cloudsim';
  const f = liveSettings(spec.migration).fidelity ?? liveMigrationDefaults.fidelity;
  return `${result.migration.model} (${f})`;
}

function jsonOutput(spec: ConsolidationSpec, r: ConsolidationResult, wallSeconds: number, label?: string): string {
  const out = {
    ...(label !== undefined ? { variant: label } : {}),
    lmsim: VERSION,
    scenario: spec.name ?? null,
    trace: spec.trace,
    policy: r.policy,
    parameter: r.parameter,
    migrationModel: migrationLabel(spec, r),
    migrationSettings: spec.migration,
    hosts: r.hosts,
    vms: r.vms,
    simulatedTime: r.simulatedTime,
    energyKWh: r.energyKWh,
    migrations: r.migrations,
    slatah: r.slatah,
    pdm: r.pdm,
    slav: r.slav,
    esv: r.esv,
    overallSlaViolation: r.overallSlaViolation,
    averageSlaViolation: r.averageSlaViolation,
    hostShutdowns: r.hostShutdowns,
    meanTimeBeforeHostShutdown: nullIfNaN(r.meanTimeBeforeHostShutdown),
    sdTimeBeforeHostShutdown: nullIfNaN(r.sdTimeBeforeHostShutdown),
    meanTimeBeforeMigration: nullIfNaN(r.meanTimeBeforeMigration),
    sdTimeBeforeMigration: nullIfNaN(r.sdTimeBeforeMigration),
    retiredVms: r.retiredVms,
    migration: {
      model: r.migration.model,
      totalTime: r.migration.totalTime,
      downtime: r.migration.downtime,
      totalTimeHistogram: r.migration.totalTimeHistogram,
      downtimeHistogram: r.migration.downtimeHistogram,
      bytes: r.migration.bytes,
      notCompleted: r.migration.failed,
      inFlight: r.migration.inFlight,
      failures: r.migration.failures,
    },
    ...(r.reuse ? { reuse: r.reuse } : {}),
    series: r.series,
    wallSeconds,
  };
  return JSON.stringify(out, null, 2) + '\n';
}

function nullIfNaN(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

const PERCENT = 100;

/** The table is deterministic (golden-tested): the wall time is only in --json. */
function tableOutput(spec: ConsolidationSpec, r: ConsolidationResult): string {
  const pct = (x: number, d: number) => `${(x * PERCENT).toFixed(d)} %`;
  const sec = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '-');
  const rows: [string, string][] = [
    ['energy', `${r.energyKWh.toFixed(2)} kWh`],
    ['migrations', `${r.migrations}${r.migrations > 0 ? ` (${r.migration.failed} did not complete)` : ''}`],
    ['SLATAH', pct(r.slatah, 3)],
    ['PDM', pct(r.pdm, 3)],
    ['SLAV', pct(r.slav, 5)],
    ['ESV', `${(r.esv * 1000).toFixed(5)} x 1e-3`],
    ['overall SLA violation', pct(r.overallSlaViolation, 3)],
    ['average SLA violation', pct(r.averageSlaViolation, 2)],
    ['host shutdowns', String(r.hostShutdowns)],
    ['time before host shutdown', `${sec(r.meanTimeBeforeHostShutdown)} mean, ${sec(r.sdTimeBeforeHostShutdown)} sd`],
    ['time before VM migration', `${sec(r.meanTimeBeforeMigration)} mean, ${sec(r.sdTimeBeforeMigration)} sd`],
    ['retired VMs', String(r.retiredVms)],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const head = `${spec.name ?? 'consolidation'}: ${r.policy}${r.parameter !== null ? ` ${r.parameter}` : ''}, migration ${migrationLabel(spec, r)}, ${r.hosts} hosts, ${r.vms} VMs, ${r.simulatedTime} s simulated\n\n`;
  let out = head + rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n') + '\n';
  if (r.migrations > 0) {
    const d = (x: Distribution, f: (v: number) => string) => [f(x.mean), f(x.p50), f(x.p90), f(x.max)];
    const lines = [
      ['migration', 'mean', 'p50', 'p90', 'max'],
      ['total time s', ...d(r.migration.totalTime, (v) => v.toFixed(2))],
      ['downtime ms', ...d(r.migration.downtime, (v) => (v * 1000).toFixed(1))],
    ];
    const widths = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
    out += '\n' + lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n') + '\n';
    out += `migration bytes  ${(r.migration.bytes / 2 ** 30).toFixed(2)} GiB\n`;
    for (const [status, f] of Object.entries(r.migration.failures)) out += `not completed: ${status} x ${f.count} (e.g. ${f.example})\n`;
  }
  if (r.reuse) {
    const u = r.reuse;
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    out += `\nmemory reuse (${u.policy}): ${u.returns} returns to a host holding the image, ${gib(u.bytesSaved)} not sent again\n`;
    out += `kept images: ${gib(u.keptPeakBytes)} peak, ${gib(u.keptAverageBytes)} time average; ${u.evictions} evicted, ${u.lostAtPowerOff} lost at power-off, ${u.droppedRetired} dropped with a retired VM\n`;
  }
  return out;
}

/** One row per `compare:` variant (deterministic: golden-tested). */
function comparisonTable(results: { label?: string; spec: ConsolidationSpec; result: ConsolidationResult }[]): string {
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  const reuse = results.some((x) => x.result.reuse);
  const header = ['variant', 'energy kWh', 'migrations', 'not completed', 'SLAV %', 'mean migration s', 'GiB sent'];
  if (reuse) header.push('returns', 'GiB not resent', 'kept peak GiB', 'kept mean GiB', 'evictions', 'lost at power-off');
  const rows = results.map(({ label, result: r }) => {
    const row = [label ?? '', r.energyKWh.toFixed(2), String(r.migrations), String(r.migration.failed), (r.slav * PERCENT).toFixed(5), r.migration.totalTime.mean.toFixed(2), gib(r.migration.bytes)];
    if (reuse) {
      const u = r.reuse;
      row.push(...(u ? [String(u.returns), gib(u.bytesSaved), gib(u.keptPeakBytes), gib(u.keptAverageBytes), String(u.evictions), String(u.lostAtPowerOff)] : ['-', '-', '-', '-', '-', '-']));
    }
    return row;
  });
  const first = results[0];
  const head = `${first.spec.name ?? 'consolidation'}: ${results.length} variants, ${first.result.hosts} hosts, ${first.result.vms} VMs, ${first.result.simulatedTime} s simulated\n\n`;
  const lines = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return head + lines.map((l) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n') + '\n';
}
