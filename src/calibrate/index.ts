/**
 * @module calibrate
 * Calibration of lmsim against measured QEMU migrations (`lmsim calibrate qemu FILE.csv`).
 * Pure code: no I/O.
 */
export { CsvError, parseCsv, csvRows } from './csv.js';
export type { CsvTable, CsvRecord, CsvRow } from './csv.js';
export { parseQemuRuns, family, qemuAlgos, requiredColumns } from './qemu-runs.js';
export type { QemuRun, QemuMeasured, QemuAlgo } from './qemu-runs.js';
export { qemuLabConstants, uncalibratedConstants } from './constants.js';
export type { CalibrationConstants } from './constants.js';
export { fitConstants, FitError } from './fit.js';
export type { FitResult, Derivation } from './fit.js';
export { runToScenario } from './mapping.js';
export { calibrate, scoreRun, predictRun, summarizeRows, ramBytes, autoConvergeBand, downtimeTolerance } from './calibrate.js';
export type { CalibrationReport, CalibrationSummary, RowReport, Figures } from './calibrate.js';
export { median, quantile, relativeError, summarize, linearFit, theilSen } from './stats.js';
export type { ErrorSummary } from './stats.js';
