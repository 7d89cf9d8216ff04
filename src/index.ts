/**
 * @module lmsim
 * The public API: load a scenario, run it, read the result. Everything here is pure (no I/O, no
 * clock) and runs unchanged in the browser.
 */

// scenarios: parse, validate, run
export { parseScenarioText, validateScenario, ScenarioError } from './scenario/load.js';
export { runScenario, resolveOptions } from './scenario/run.js';
export { applyVariant, variantName, parseAlgorithmList } from './scenario/variants.js';
export type { VariantInput } from './scenario/variants.js';
export { applyOverlay, overlayScenario, parseSetArgument, parsePath, setPath, getPath, OverlayError } from './scenario/overlay.js';
export type { Overlay, PathKey } from './scenario/overlay.js';
export type { RunResult } from './scenario/run.js';
export { scenarioJsonSchema } from './scenario/schema.js';
export type { ScenarioInput, ScenarioSpec } from './scenario/schema.js';
export { defaultScenario } from './scenario/default.js';

// migration: algorithms, options, results
export { precopyPresets, PrecopyPolicy } from './migration/algorithms/precopy.js';
export type { PrecopyOptions, PrecopyPresetName, PrecopyObservation } from './migration/algorithms/precopy.js';
export { algorithmNames, commonDefaults, defaultOptions } from './migration/options.js';
export type { AlgorithmName, MigrationOptions } from './migration/options.js';
export type { MigrationResult, MigrationStatus, RoundRecord } from './migration/result.js';

// building blocks
export { Simulation, Priority } from './core/kernel.js';
export { Rng } from './core/random.js';
export { parseSize, parseRate, parseDuration, parsePageRate, UnitError } from './core/units.js';
export { VERSION } from './version.js';
