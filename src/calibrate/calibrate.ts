/**
 * @module calibrate/calibrate
 * Runs the equivalent scenario of every measured QEMU migration and scores the prediction:
 * total time, downtime, RAM bytes on the wire and the convergence verdict. Pure: no I/O.
 *
 * Scoring rules (docs/validation.md):
 * - total time: QMP total-time (for a timeout, the time at the cancel) vs lmsim's totalTime;
 *   summarized over rows that converged in the measurement (a cancelled run's time is the
 *   operator's, not a prediction).
 * - bytes: QMP ram.transferred (at the cancel for a timeout) vs lmsim's bytes on the wire less
 *   the device state (QEMU's RAM counter does not count it); over every row.
 * - downtime: host-observed STOP -> RESUME (`host_downtime_ms`) vs lmsim's downtime (stop to
 *   resume at the destination); over completed rows where it was measured (not verify runs). A
 *   row is within tolerance when |error| <= max(20 %, 10 ms).
 * - post-copy (hybrid and post-copy rows): QEMU's postcopy-requests (`src_ram_postcopy_requests`)
 *   vs lmsim's page requests that reached the source, and the destination's postcopy-blocktime
 *   (`dst_postcopy_blocktime`) vs lmsim's blocked guest time; over the rows that measured them.
 * - verdict: converged (completed) or not. Auto-converge runs that finish within a second of
 *   the timeout are a coin toss in the lab (44.77 s vs 45.02 s at a 45 s timeout), so for them a
 *   prediction whose completion time (run with the timeout lifted by `autoConvergeBand`) is
 *   within that band of the timeout, on either side, agrees whatever the measured verdict.
 */
import { validateScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import type { MigrationResult } from '../migration/result.js';
import { CalibrationConstants } from './constants.js';
import { runToScenario } from './mapping.js';
import { family, QemuRun } from './qemu-runs.js';
import { ErrorSummary, relativeError, summarize } from './stats.js';

/** Seconds around the timeout within which an auto-converge verdict counts as agreeing. */
export const autoConvergeBand = 1;
/** Downtime tolerance: relative, or absolute (s), whichever is larger (issue 21: max(20 %, 10 ms)). */
export const downtimeTolerance = { relative: 0.2, absolute: 0.01 };

export interface Figures {
  converged: boolean;
  totalTime: number | null;
  downtime: number | null;
  bytes: number;
  /** Post-copy page requests (QEMU postcopy-requests); null when the row has no post-copy phase or did not measure it. */
  postcopyRequests: number | null;
  /** Guest time blocked on post-copy faults, s (QEMU postcopy-blocktime); null as above. */
  blockedTime: number | null;
}

export interface RowReport {
  run_id: string;
  line: number;
  family: string;
  algo: string;
  measured: Figures;
  predicted: Figures & {
    status: string;
    reason: string;
    /** Auto-converge rows: completion time with the timeout lifted by the band (null if it did not complete then either). */
    completionTime?: number | null;
    rounds: number;
  };
  errors: {
    totalTime: number | null;
    bytes: number | null;
    downtime: number | null;
    downtimeAbs: number | null;
    postcopyRequests: number | null;
    blockedTime: number | null;
  };
  verdictAgrees: boolean;
  /** How the verdict was scored: equal verdicts, or the auto-converge band. */
  verdictRule: 'same' | 'auto-converge band' | 'differs';
  /** Downtime within max(20 %, 10 ms); null when not scored. */
  downtimeOk: boolean | null;
}

export interface CalibrationSummary {
  totalTime: ErrorSummary;
  bytes: ErrorSummary;
  downtime: ErrorSummary & { withinTolerance: number };
  /** Post-copy requests and blocked time, over the hybrid and post-copy rows that measured them. */
  postcopyRequests: ErrorSummary;
  blockedTime: ErrorSummary;
  verdictsAgree: number;
  verdictsTotal: number;
}

export interface CalibrationReport {
  rows: RowReport[];
  summary: CalibrationSummary;
  /** The same summary per configuration family. */
  families: Record<string, CalibrationSummary>;
}

/** RAM bytes on the wire as QEMU counts them: everything but the device state and the reuse exchange. */
export function ramBytes(m: MigrationResult): number {
  const deviceState = Number(m.options.deviceState ?? 0);
  const paused = m.bytesByPhase.stopAndCopy > 0 ? Math.min(deviceState, m.bytesByPhase.stopAndCopy) : 0;
  return m.bytesTransferred - m.bytesByPhase.setup - paused;
}

/** Runs one row's scenario; `timeout` overrides the row's. */
export function predictRun(run: QemuRun, c: CalibrationConstants, timeout?: number): MigrationResult {
  const spec = validateScenario(runToScenario(run, c, { timeout }), `row ${run.runId} (line ${run.line})`);
  return runScenario(spec).migrations[0];
}

export function scoreRun(run: QemuRun, c: CalibrationConstants): RowReport {
  const m = predictRun(run, c);
  const meas = run.measured;
  const postcopyRow = run.algo === 'hybrid' || run.algo === 'postcopy';
  const measured: Figures = {
    converged: meas.converged,
    totalTime: meas.totalTime,
    downtime: meas.converged && !meas.verify ? meas.hostDowntime : null,
    bytes: meas.ramTransferred,
    postcopyRequests: postcopyRow ? meas.postcopyRequests : null,
    blockedTime: postcopyRow ? meas.postcopyBlocktime : null,
  };
  const predictedConverged = m.status === 'completed';
  const predicted: RowReport['predicted'] = {
    status: m.status,
    reason: m.reason,
    converged: predictedConverged,
    totalTime: m.totalTime,
    downtime: m.downtime,
    bytes: ramBytes(m),
    postcopyRequests: postcopyRow ? (m.postcopy?.requests ?? 0) : null,
    blockedTime: postcopyRow ? (m.postcopy?.blockedTime ?? 0) : null,
    rounds: m.rounds.length,
  };
  let verdictRule: RowReport['verdictRule'] = predictedConverged === measured.converged ? 'same' : 'differs';
  if (run.algo === 'autoconverge') {
    const lifted = predictRun(run, c, run.timeout + autoConvergeBand);
    const t = lifted.status === 'completed' ? lifted.totalTime : null;
    predicted.completionTime = t;
    if (t !== null && Math.abs(t - run.timeout) <= autoConvergeBand) verdictRule = 'auto-converge band';
  }
  const downtimeAbs = measured.downtime !== null && predicted.downtime !== null ? Math.abs(predicted.downtime - measured.downtime) : null;
  return {
    run_id: run.runId,
    line: run.line,
    family: family(run),
    algo: run.algo,
    measured,
    predicted,
    errors: {
      totalTime: relativeError(predicted.totalTime, measured.totalTime),
      bytes: relativeError(predicted.bytes, measured.bytes),
      downtime: relativeError(predicted.downtime, measured.downtime),
      downtimeAbs,
      postcopyRequests: relativeError(predicted.postcopyRequests, measured.postcopyRequests),
      blockedTime: relativeError(predicted.blockedTime, measured.blockedTime),
    },
    verdictAgrees: verdictRule !== 'differs',
    verdictRule,
    downtimeOk:
      downtimeAbs === null
        ? null
        : downtimeAbs <= Math.max(downtimeTolerance.relative * measured.downtime!, downtimeTolerance.absolute) + 1e-12,
  };
}

export function summarizeRows(rows: readonly RowReport[]): CalibrationSummary {
  const dt = rows.filter((r) => r.downtimeOk !== null);
  return {
    totalTime: summarize(rows.filter((r) => r.measured.converged).map((r) => r.errors.totalTime)),
    bytes: summarize(rows.map((r) => r.errors.bytes)),
    downtime: { ...summarize(dt.map((r) => r.errors.downtime)), withinTolerance: dt.filter((r) => r.downtimeOk).length },
    postcopyRequests: summarize(rows.map((r) => r.errors.postcopyRequests)),
    blockedTime: summarize(rows.map((r) => r.errors.blockedTime)),
    verdictsAgree: rows.filter((r) => r.verdictAgrees).length,
    verdictsTotal: rows.length,
  };
}

/** Scores every run with the given constants. */
export function calibrate(runs: readonly QemuRun[], c: CalibrationConstants): CalibrationReport {
  const rows = runs.map((r) => scoreRun(r, c));
  const names = [...new Set(rows.map((r) => r.family))];
  const families: Record<string, CalibrationSummary> = {};
  for (const f of names) families[f] = summarizeRows(rows.filter((r) => r.family === f));
  return { rows, summary: summarizeRows(rows), families };
}
