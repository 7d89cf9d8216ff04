/**
 * @module scenario/consolidation-names
 * The values of a consolidation scenario's `migration` field, apart from everything else: the
 * `lmsim consolidate` help lists them without loading the format's validator or the engine.
 */

export const MIGRATION_MODELS = ['cloudsim', 'precopy', 'postcopy', 'hybrid'] as const;
export type MigrationModelName = (typeof MIGRATION_MODELS)[number];
export const FIDELITIES = ['fluid', 'page'] as const;
