/**
 * @module report/run-metrics
 * The scalar metrics of one run, by name, for the results store of a sweep (one column each).
 * Every run of a kind has every name (null where it does not apply), so a store's columns are
 * known before the first run. Names carry their unit (`_s`, `_bytes`, `_kwh`); fractions are 0..1.
 */
import type { RunResult } from '../scenario/run.js';
import { roundTrip } from './round-trip.js';
import type { ConsolidationRecord } from './consolidation-record.js';

export type RunKind = 'migration' | 'consolidation';
export type Metrics = Record<string, number | null>;

/** The metric names of a kind, in column order; the first few are what `lmsim results` shows by default. */
export const METRIC_NAMES: Record<RunKind, readonly string[]> = {
  migration: [
    'total_time_s',
    'downtime_s',
    'bytes_sent',
    'completed',
    'migrations',
    'not_completed',
    'rejected',
    'max_total_time_s',
    'max_downtime_s',
    'makespan_s',
    'pages_sent',
    'rounds',
    'degradation',
    'faults',
    'simulated_time_s',
    'events',
    'vms_back',
    'memory_buffer_bytes',
    'average_buffer_bytes',
    'back_without_reuse_bytes',
    'sent_back_bytes',
    'reused_bytes',
    'time_back_s',
  ],
  consolidation: [
    'energy_kwh',
    'migrations',
    'slav',
    'esv',
    'slatah',
    'pdm',
    'overall_sla_violation',
    'average_sla_violation',
    'host_shutdowns',
    'mean_time_before_host_shutdown_s',
    'mean_time_before_migration_s',
    'retired_vms',
    'migration_time_mean_s',
    'migration_time_p90_s',
    'migration_time_max_s',
    'downtime_mean_s',
    'downtime_max_s',
    'migration_bytes',
    'not_completed',
    'hosts',
    'vms',
    'simulated_time_s',
  ],
};

/** What `lmsim results` shows when no --metric is given. */
export const DEFAULT_METRICS: Record<RunKind, readonly string[]> = {
  migration: ['total_time_s', 'downtime_s', 'bytes_sent'],
  consolidation: ['energy_kwh', 'migrations', 'slav', 'esv'],
};

function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
}

// loops, not Math.max(...xs): one argument per migration overflows the stack past ~100k migrations
function max(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, x) => Math.max(a, x), -Infinity);
}

function min(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, x) => Math.min(a, x), Infinity);
}

function finite(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : x;
}

/**
 * A migration run: means over its migrations of the per-migration figures (the figure itself for a
 * one-migration scenario), counts, and the round-trip columns when VMs came back.
 */
export function migrationMetrics(r: RunResult): Metrics {
  const ms = r.migrations;
  const has = (xs: (number | null)[]) => xs.filter((x): x is number => x !== null && Number.isFinite(x));
  const totals = has(ms.map((m) => m.totalTime));
  const downtimes = has(ms.map((m) => m.downtime));
  const ends = has(ms.map((m) => m.endTime));
  const trip = roundTrip(r);
  const out: Metrics = {
    total_time_s: mean(totals),
    downtime_s: mean(downtimes),
    bytes_sent: ms.reduce((s, m) => s + m.bytesTransferred, 0),
    completed: ms.filter((m) => m.status === 'completed').length,
    migrations: ms.length,
    not_completed: ms.filter((m) => m.status !== 'completed').length,
    rejected: ms.filter((m) => m.status === 'rejected').length,
    max_total_time_s: max(totals),
    max_downtime_s: max(downtimes),
    makespan_s: ends.length === 0 ? null : max(ends)! - min(ms.map((m) => m.startTime))!,
    pages_sent: ms.reduce((s, m) => s + m.pagesTransferred, 0),
    rounds: mean(ms.map((m) => m.rounds.length)),
    degradation: mean(ms.map((m) => m.degradation)),
    faults: ms.reduce((s, m) => s + (m.postcopy?.faults ?? 0), 0),
    simulated_time_s: r.simulatedTime,
    events: r.events,
    vms_back: trip?.vmsBack ?? null,
    memory_buffer_bytes: trip?.memoryBuffer ?? null,
    average_buffer_bytes: trip?.averageBuffer ?? null,
    back_without_reuse_bytes: trip?.backWithoutReuse ?? null,
    sent_back_bytes: trip?.sentBack ?? null,
    reused_bytes: trip?.reused ?? null,
    time_back_s: trip?.timeBack ?? null,
  };
  for (const k of Object.keys(out)) out[k] = finite(out[k]);
  return out;
}

/** A consolidation run: CloudSim's figures and the migrations' distributions. */
export function consolidationMetrics(r: ConsolidationRecord): Metrics {
  const none = r.migrations === 0;
  const out: Metrics = {
    energy_kwh: r.energyKWh,
    migrations: r.migrations,
    slav: r.slav,
    esv: r.esv,
    slatah: r.slatah,
    pdm: r.pdm,
    overall_sla_violation: r.overallSlaViolation,
    average_sla_violation: r.averageSlaViolation,
    host_shutdowns: r.hostShutdowns,
    mean_time_before_host_shutdown_s: r.meanTimeBeforeHostShutdown,
    mean_time_before_migration_s: r.meanTimeBeforeMigration,
    retired_vms: r.retiredVms,
    migration_time_mean_s: none ? null : r.migration.totalTime.mean,
    migration_time_p90_s: none ? null : r.migration.totalTime.p90,
    migration_time_max_s: none ? null : r.migration.totalTime.max,
    downtime_mean_s: none ? null : r.migration.downtime.mean,
    downtime_max_s: none ? null : r.migration.downtime.max,
    migration_bytes: r.migration.bytes,
    not_completed: r.migration.notCompleted,
    hosts: r.hosts,
    vms: r.vms,
    simulated_time_s: r.simulatedTime,
  };
  for (const k of Object.keys(out)) out[k] = finite(out[k]);
  return out;
}
