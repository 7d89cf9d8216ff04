/**
 * @module lmsim
 * The public API: load a scenario, run it, read the result; consolidate a data center. Everything
 * here is pure (no I/O, no clock) and runs unchanged in the browser. Node-only helpers (reading
 * trace folders and files) are in `lmsim/node` (src/node.ts).
 */

// scenarios: parse, validate, run
export { parseScenarioText, validateScenario, ScenarioError } from './scenario/load.js';
export { runScenario, resolveOptions } from './scenario/run.js';
export { applyVariant, variantName, parseAlgorithmList } from './scenario/variants.js';
export type { VariantInput } from './scenario/variants.js';
export { applyOverlay, overlayScenario, parseSetArgument, parsePath, setPath, getPath, OverlayError } from './scenario/overlay.js';
export type { Overlay, PathKey } from './scenario/overlay.js';
export type { RunResult, RunOptions as ScenarioRunOptions } from './scenario/run.js';
export { estimateWork, workRefusal, WORK_BOUND, MAX_PAGE_FIDELITY_PAGES } from './scenario/work.js';
export type { WorkEstimate } from './scenario/work.js';
export { scenarioJsonSchema } from './scenario/schema.js';
export type { ScenarioInput, ScenarioSpec } from './scenario/schema.js';
export { defaultScenario } from './scenario/default.js';

// migration: algorithms, options, results
export { precopyPresets, PrecopyPolicy } from './migration/algorithms/precopy.js';
export type { PrecopyOptions, PrecopyPresetName, PrecopyObservation } from './migration/algorithms/precopy.js';
export { algorithmNames, commonDefaults, defaultOptions } from './migration/options.js';
export type { AlgorithmName, MigrationOptions } from './migration/options.js';
export type { MigrationResult, MigrationStatus, RoundRecord } from './migration/result.js';

// data-center consolidation: the engine, CloudSim's setup, policies, power, migration models
export * from './datacenter/index.js';
export { liveMigrationModel, liveMigrationDefaults } from './datacenter/live-migration.js';
export type { LiveMigrationSettings } from './datacenter/live-migration.js';
// consolidation scenario files (the format; reading them from disk is in lmsim/node)
export { parseConsolidationText, validateConsolidation, consolidationConfig, migrationModelOf, ConsolidationInputError } from './scenario/consolidation.js';
export type { ConsolidationSpec } from './scenario/consolidation.js';

// building blocks
export { Simulation, Priority } from './core/kernel.js';
export { Rng } from './core/random.js';
export { parseSize, parseRate, parseDuration, parsePageRate, UnitError } from './core/units.js';
export { VERSION } from './version.js';
