/**
 * @module cli/calibrate-qemu
 * What `lmsim calibrate qemu FILE.csv` does (declared in cli/calibrate.ts, loaded when it runs):
 * runs the equivalent scenario of every measured QEMU migration and prints predicted against
 * measured (see docs/validation.md). Bad input (the CSV, the constants file) exits 2 with the line
 * and column; the output is assembled first and written once, and scenario files are written only
 * after every row ran.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  calibrate,
  CalibrationConstants,
  CalibrationReport,
  CalibrationSummary,
  CsvError,
  fitConstants,
  FitError,
  parseQemuRuns,
  QemuRun,
  qemuLabConstants,
  runToScenario,
  uncalibratedConstants,
} from '../calibrate/index.js';
import { ScenarioError } from '../scenario/errors.js';
import { loadConstants } from './calibration-file.js';
import { VERSION } from '../version.js';
import { Column, renderCsv } from '../report/table.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

export interface QemuOptions {
  json?: boolean;
  csv?: boolean;
  emitScenarios?: string;
  constants?: string;
  fit?: boolean;
  uncalibrated?: boolean;
}

/** `lmsim calibrate qemu FILE`. */
export function calibrateQemu(file: string, opts: QemuOptions, io: Io): void {
  const runs = loadRuns(file);
  if (opts.fit) {
    io.out(fitOutput(runs, file));
    return;
  }
  let constants: CalibrationConstants = opts.uncalibrated ? { ...uncalibratedConstants } : { ...qemuLabConstants };
  if (opts.constants) constants = { ...constants, ...loadConstants(opts.constants) };
  const report = calibrate(runs, constants);
  const baseline = opts.uncalibrated ? null : calibrate(runs, uncalibratedConstants).summary;
  const text = opts.json ? jsonOutput(file, constants, report, baseline) : opts.csv ? renderCsv(report.rows, csvColumns) : textOutput(file, constants, report, baseline);
  if (opts.emitScenarios) emitScenarios(opts.emitScenarios, runs, constants);
  io.out(text);
}

function loadRuns(file: string): QemuRun[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError([`cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`], file);
  }
  try {
    const runs = parseQemuRuns(text);
    if (runs.length === 0) throw new ScenarioError(['no rows after the header'], file);
    return runs;
  } catch (e) {
    if (e instanceof CsvError) throw new ScenarioError([e.message], file);
    throw e;
  }
}

function fitOutput(runs: QemuRun[], file: string): string {
  let fit;
  try {
    fit = fitConstants(runs);
  } catch (e) {
    if (e instanceof FitError) throw new ScenarioError([`cannot fit: ${e.message}`], file);
    throw e;
  }
  const matchesShipped = (Object.keys(qemuLabConstants) as (keyof CalibrationConstants)[]).every((k) => qemuLabConstants[k] === fit.constants[k]);
  const summary = {
    fitted: calibrate(runs, fit.constants).summary,
    uncalibrated: calibrate(runs, uncalibratedConstants).summary,
  };
  return json({ lmsim: VERSION, file, constants: fit.constants, derivations: fit.derivations, matchesShipped, shipped: qemuLabConstants, summary });
}

function jsonOutput(file: string, constants: CalibrationConstants, report: CalibrationReport, baseline: CalibrationSummary | null): string {
  return json({
    lmsim: VERSION,
    file,
    constants,
    rows: report.rows.map((r) => ({
      run_id: r.run_id,
      line: r.line,
      family: r.family,
      measured: r.measured,
      predicted: r.predicted,
      errors: r.errors,
      verdictAgrees: r.verdictAgrees,
      verdictRule: r.verdictRule,
      downtimeOk: r.downtimeOk,
    })),
    summary: report.summary,
    families: report.families,
    ...(baseline ? { uncalibrated: baseline } : {}),
  });
}

type Row = CalibrationReport['rows'][number];
const orNull = (x: number | null | undefined) => (x === undefined || x === null || !Number.isFinite(x) ? null : x);

/** The per-run table as CSV: seconds, bytes, counts; errors as fractions (0.12 = 12 %). */
const csvColumns: Column<Row>[] = [
  { header: 'run', csvHeader: 'run_id', csv: (r) => r.run_id },
  { header: 'family', csv: (r) => r.family },
  { header: 'converged measured', csvHeader: 'converged_measured', csv: (r) => String(r.measured.converged) },
  { header: 'converged predicted', csvHeader: 'converged_predicted', csv: (r) => String(r.predicted.converged) },
  { header: 'verdict rule', csvHeader: 'verdict_rule', csv: (r) => r.verdictRule },
  { header: 'total measured', csvHeader: 'total_s_measured', csv: (r) => orNull(r.measured.totalTime) },
  { header: 'total predicted', csvHeader: 'total_s_predicted', csv: (r) => orNull(r.predicted.totalTime) },
  { header: 'total error', csvHeader: 'total_time_error', csv: (r) => orNull(r.errors.totalTime) },
  { header: 'downtime measured', csvHeader: 'downtime_s_measured', csv: (r) => orNull(r.measured.downtime) },
  { header: 'downtime predicted', csvHeader: 'downtime_s_predicted', csv: (r) => orNull(r.predicted.downtime) },
  { header: 'downtime ok', csvHeader: 'downtime_within_tolerance', csv: (r) => (r.downtimeOk === null || r.downtimeOk === undefined ? null : String(r.downtimeOk)) },
  { header: 'bytes measured', csvHeader: 'bytes_measured', csv: (r) => orNull(r.measured.bytes) },
  { header: 'bytes predicted', csvHeader: 'bytes_predicted', csv: (r) => orNull(r.predicted.bytes) },
  { header: 'bytes error', csvHeader: 'bytes_error', csv: (r) => orNull(r.errors.bytes) },
  { header: 'requests measured', csvHeader: 'postcopy_requests_measured', csv: (r) => orNull(r.measured.postcopyRequests) },
  { header: 'requests predicted', csvHeader: 'postcopy_requests_predicted', csv: (r) => orNull(r.predicted.postcopyRequests) },
  { header: 'blocked measured', csvHeader: 'blocked_s_measured', csv: (r) => orNull(r.measured.blockedTime) },
  { header: 'blocked predicted', csvHeader: 'blocked_s_predicted', csv: (r) => orNull(r.predicted.blockedTime) },
];

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(1)}`);
const num = (x: number | null | undefined, d: number) => (x === null || x === undefined ? '-' : x.toFixed(d));

function textOutput(file: string, c: CalibrationConstants, report: CalibrationReport, baseline: CalibrationSummary | null): string {
  const head = ['run', 'family', 'conv meas/pred', 'total s meas', 'pred', 'err %', 'downtime ms meas', 'pred', 'MiB meas', 'pred', 'err %', 'requests meas', 'pred', 'blocked ms meas', 'pred'];
  const body = report.rows.map((r) => [
    r.run_id,
    r.family,
    `${r.measured.converged ? 'yes' : 'no'}/${r.predicted.converged ? 'yes' : 'no'}${r.verdictRule === 'auto-converge band' ? ' (band)' : r.verdictAgrees ? '' : ' !'}`,
    num(r.measured.totalTime, 3),
    num(r.predicted.totalTime, 3),
    pct(r.errors.totalTime),
    r.measured.downtime === null ? '-' : num(r.measured.downtime * 1000, 1),
    r.predicted.downtime === null ? '-' : num(r.predicted.downtime * 1000, 1) + (r.downtimeOk === false ? ' !' : ''),
    num(r.measured.bytes / 2 ** 20, 1),
    num(r.predicted.bytes / 2 ** 20, 1),
    pct(r.errors.bytes),
    num(r.measured.postcopyRequests, 0),
    num(r.predicted.postcopyRequests, 0),
    r.measured.blockedTime === null ? '-' : num(r.measured.blockedTime * 1000, 0),
    r.predicted.blockedTime === null ? '-' : num(r.predicted.blockedTime * 1000, 0),
  ]);
  const lines = [
    `${file}: ${report.rows.length} QEMU migrations, lmsim ${VERSION}`,
    `constants: ${Object.entries(c).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    '',
    table(head, body),
    '',
    'marks: conv "yes/no" = converged measured/predicted; " !" after it: the verdicts disagree; " (band)": an auto-converge run lmsim completes',
    '  within 1 s of its timeout, where either verdict counts as agreeing; " !" after a predicted downtime: outside max(20 %, 10 ms) of the',
    '  measured one; "-": not measured or not applicable (no downtime when the migration did not complete); err % = |pred - meas| / meas;',
    '  requests: post-copy page requests at the source (QEMU postcopy-requests); blocked: guest time blocked on post-copy faults (postcopy-blocktime)',
    '',
    'summary (absolute relative error; total time over runs that converged, bytes over all, downtime over completed runs with a host-measured downtime,',
    '  post-copy requests (QEMU postcopy-requests) and blocked time (postcopy-blocktime) over hybrid and post-copy runs that measured them)',
    table(summaryHead('constants'), [
      summaryRow('calibrated', report.summary),
      ...(baseline ? [summaryRow('uncalibrated', baseline)] : []),
    ]),
    '',
    'per family (calibrated)',
    table(
      summaryHead('family'),
      Object.entries(report.families).map(([f, s]) => summaryRow(f, s)),
    ),
    '',
  ];
  return lines.join('\n');
}

function summaryHead(first: string): string[] {
  return [
    first,
    'total time median %',
    'p90 %',
    'bytes median %',
    'p90 %',
    'downtime median %',
    'p90 %',
    'downtime within max(20%, 10 ms)',
    'post-copy requests median %',
    'p90 %',
    'blocked time median %',
    'p90 %',
    'verdicts agree',
  ];
}

function summaryRow(name: string, s: CalibrationSummary): string[] {
  return [
    name,
    pct(s.totalTime.median),
    pct(s.totalTime.p90),
    pct(s.bytes.median),
    pct(s.bytes.p90),
    pct(s.downtime.median),
    pct(s.downtime.p90),
    `${s.downtime.withinTolerance}/${s.downtime.n}`,
    pct(s.postcopyRequests.median),
    pct(s.postcopyRequests.p90),
    pct(s.blockedTime.median),
    pct(s.blockedTime.p90),
    `${s.verdictsAgree}/${s.verdictsTotal}`,
  ];
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}

function emitScenarios(dir: string, runs: QemuRun[], c: CalibrationConstants): void {
  mkdirSync(dir, { recursive: true });
  for (const run of runs) {
    const scenario = runToScenario(run, c);
    const header = [
      `# lmsim scenario for QEMU run ${run.runId} (CSV line ${run.line}), written by lmsim calibrate qemu`,
      `# row: ram ${run.ram / 2 ** 20} MiB, alloc ${run.alloc / 2 ** 20} MiB, ws ${run.workingSet / 2 ** 20} MiB @ ${run.rate} pages/s ${run.pattern} fill=${run.fill}, ${run.algo}, max-bandwidth ${run.maxBandwidth / 2 ** 20} MiB/s, downtime-limit ${run.downtimeLimit * 1000} ms, timeout ${run.timeout} s`,
      `# units: bytes, bytes/s, seconds; constants: ${Object.entries(c).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      '',
    ].join('\n');
    writeFileSync(join(dir, `${run.runId.replace(/[^A-Za-z0-9._-]/g, '_')}.yaml`), header + stringify(scenario));
  }
}

function json(v: unknown): string {
  return `${JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2)}\n`;
}
