/**
 * @module report/consolidation-record
 * The result record of a consolidation run: what `lmsim consolidate --json` prints (without the
 * wall time) and what a sweep stores for each consolidation run. Deterministic.
 */
import type { ConsolidationSpec } from '../scenario/consolidation-spec.js';
import { liveSettings } from '../scenario/consolidation-spec.js';
import type { ConsolidationResult } from '../datacenter/types.js';
import { liveMigrationDefaults } from '../datacenter/live-migration.js';
import { VERSION } from '../version.js';

/** The migration model as the table and the record name it: cloudsim, or e.g. "precopy (fluid)". */
export function migrationLabel(spec: ConsolidationSpec, result: ConsolidationResult): string {
  if (spec.migration.model === 'cloudsim') return 'cloudsim';
  const f = liveSettings(spec.migration).fidelity ?? liveMigrationDefaults.fidelity;
  return `${result.migration.model} (${f})`;
}

/** The result record of a consolidation run (`--json`, and each run of a sweep): deterministic. */
export function consolidationRecord(spec: ConsolidationSpec, r: ConsolidationResult) {
  return {
    lmsim: VERSION,
    scenario: spec.name ?? null,
    trace: spec.trace ?? null,
    ...(spec.trace === undefined ? { syntheticTraces: { seed: spec.seed } } : {}),
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
  };
}

function nullIfNaN(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The record's type (the shape sweep metrics read). */
export type ConsolidationRecord = ReturnType<typeof consolidationRecord>;
