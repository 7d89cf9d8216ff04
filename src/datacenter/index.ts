/**
 * @module datacenter
 * Data-center consolidation: hosts with SPECpower models, VMs driven by CPU traces, pluggable
 * overload detection / VM selection / placement, CloudSim 5.0-compatible semantics and metrics,
 * and a pluggable migration cost model.
 */

// running
export { runConsolidation, quarterVmTypes } from './run.js';
export type { RunOptions } from './run.js';
export type { ConsolidationConfig, ConsolidationResult, Distribution, HostType, VmType, ReservationCheck } from './types.js';
export type { TraceInput, CompactTraces } from './traces.js';
export { stepSeriesCsv } from './step-series.js';
export type { StepSeries } from './step-series.js';
export type { Histogram } from './stats.js';

// CloudSim's PlanetLab setup
export {
  cloudsimPlanetLabConfig,
  HOST_G4,
  HOST_G5,
  PLANETLAB_VM_TYPES,
  PLANETLAB_INTERVAL,
  PLANETLAB_DAY,
  PLANETLAB_HOSTS,
  CLOUDSIM_START_TIME,
} from './planetlab-config.js';
export type { PlanetLabOptions } from './planetlab-config.js';

// migration cost
export { cloudsimMigrationModel, cloudsimMigrationCost, delayModel } from './migration-model.js';
export type { MigrationModel, MigrationEngine, MigrationEnded, MigrationRequest, MigrationOutcome } from './migration-model.js';

// memory reuse across a run
export { KeptImages, keptImageDefaults } from './kept-images.js';
export type { KeptImageOptions, ReuseModel, ReuseSummary, VmMemory } from './kept-images.js';

// synthetic traces with PlanetLab's statistics
export { syntheticTraces, SYNTHETIC_SAMPLES } from './synthetic-traces.js';
export { traceStatistics } from './trace-stats.js';
export type { TraceStatistics } from './trace-stats.js';

// power
export { powerAt, maxPower, validatePowerTable, HP_PROLIANT_ML110_G4, HP_PROLIANT_ML110_G5 } from './power.js';
export type { PowerTable } from './power.js';

// policies
export { parsePolicy, makeDetector, makeSelector, DETECTORS, SELECTORS } from './policy-name.js';
export type { ParsedPolicy, DetectorName, SelectorName } from './policy-name.js';
export type { OverloadDetector, VmSelector } from './policy.js';
export { thresholdDetector } from './overload/thr.js';
export { madDetector } from './overload/mad.js';
export { iqrDetector } from './overload/iqr.js';
export { regressionDetector } from './overload/lr.js';
export { minimumMigrationTime } from './selection/mmt.js';
export { minimumUtilization } from './selection/mu.js';
export { randomSelection } from './selection/rs.js';
export { maximumCorrelation } from './selection/mc.js';

// statistics as CloudSim computes them
export { median, mad, iqr, loessEstimates, robustLoessEstimates } from './stats.js';
