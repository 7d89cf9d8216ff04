/**
 * @module datacenter/types
 * Plain data types of the consolidation model: host and VM types, the run configuration and the
 * JSON-serialisable result. Units: seconds, bytes, bytes/s, MIPS; utilisation and SLA figures are
 * fractions (0..1), never percent.
 */
import type { ReuseSummary } from './kept-images.js';
import type { PowerTable } from './power.js';
import type { Histogram } from './stats.js';
import type { StepSeries } from './step-series.js';

/** A physical host model. */
export interface HostType {
  name: string;
  /** Number of processing elements (cores). */
  pes: number;
  /** Capacity of one PE, MIPS. */
  mipsPerPe: number;
  /** Memory, bytes. */
  ramBytes: number;
  /** NIC bandwidth, bytes/s (CloudSim uses half of it for migration). */
  bandwidth: number;
  /** SPECpower table, watts at 0..100 % in 10 % steps. */
  power: PowerTable;
}

/** A VM model (one PE in CloudSim's PlanetLab setup). */
export interface VmType {
  name: string;
  /** Capacity of one virtual PE, MIPS. */
  mips: number;
  /** Number of virtual PEs. */
  pes: number;
  /** Memory, bytes. */
  ramBytes: number;
  /** Reserved bandwidth, bytes/s. */
  bandwidth: number;
}

/** Where memory and bandwidth reservations are checked. */
export type ReservationCheck =
  /** Only at the initial placement (CloudSim: afterwards VMs request 0 MB, their RAM utilisation model is null). */
  | 'initial-only'
  /** At every placement decision. */
  | 'always';

/** Configuration of one consolidation run. */
export interface ConsolidationConfig {
  /** Host models. */
  hostTypes: HostType[];
  /** Host model index of each host (host ids are array positions). */
  hosts: ArrayLike<number>;
  /** VM models. */
  vmTypes: VmType[];
  /**
   * VM model index of each VM; default: contiguous quarters of the trace list,
   * VM i gets type floor(i / ceil(n / types)) (CloudSim's Helper.createVmList).
   */
  vmTypeOf?: ArrayLike<number>;
  /** Policy name: "lr-mmt", "thr-mu", "mad-mc", "iqr-rs", "lrr-mmt", "dvfs", "npa". */
  policy: string;
  /** Policy parameter: THR threshold, MAD/IQR/LR/LRR safety parameter. */
  parameter?: number;
  /** Threshold of the THR fallback used while history is too short (CloudSim: 0.7). */
  fallbackThreshold?: number;
  /** Seconds between consolidation steps (CloudSim: 300). */
  schedulingInterval: number;
  /** Seconds between trace samples (PlanetLab: 300). */
  traceInterval: number;
  /** Simulated time; events at or after it are not processed (CloudSim: 86400). */
  simulationLimit: number;
  /** Time the workload starts; scheduling steps are at start + k * interval (CloudSim: 0.1). */
  startTime: number;
  /** Share of a migrating VM's MIPS lost at the source while it migrates (CloudSim: 0.1). */
  migrationSourceDegradation?: number;
  /** Share of a migrating VM's MIPS reserved on the target while it migrates (CloudSim: 0.1). */
  migrationTargetShare?: number;
  /** Where RAM/bandwidth reservations are checked (default 'initial-only', as CloudSim). */
  reservationCheck?: ReservationCheck;
  /** Seed of the random streams (RS selection). */
  seed?: number;
}

/** Summary of a distribution. */
export interface Distribution {
  mean: number;
  p50: number;
  p90: number;
  max: number;
}

/** Result of a run; plain JSON. Fractions, not percent. */
export interface ConsolidationResult {
  policy: string;
  parameter: number | null;
  hosts: number;
  vms: number;
  /** Simulated seconds. */
  simulatedTime: number;
  /** Energy, kWh. */
  energyKWh: number;
  /** Migrations started. */
  migrations: number;
  /** SLA violation time per active host (fraction of active time with allocated < requested MIPS). */
  slatah: number;
  /** Performance degradation due to migration (fraction of requested MIPS-seconds). */
  pdm: number;
  /** SLATAH x PDM. */
  slav: number;
  /** (requested - allocated) / requested MIPS-seconds over all VMs. */
  overallSlaViolation: number;
  /** Mean of (requested - allocated) / requested over VM intervals with a shortfall. */
  averageSlaViolation: number;
  /** Energy (kWh) x SLAV. */
  esv: number;
  /** Active periods of hosts that ended with zero load. */
  hostShutdowns: number;
  /** Mean length of those active periods, seconds (NaN if none). */
  meanTimeBeforeHostShutdown: number;
  /** Sample standard deviation of those periods, seconds. */
  sdTimeBeforeHostShutdown: number;
  /** Mean time a VM spent in migration, seconds (NaN if none). */
  meanTimeBeforeMigration: number;
  /** Sample standard deviation of it, seconds. */
  sdTimeBeforeMigration: number;
  /** Migration figures from the migration model. */
  migration: {
    model: string;
    totalTime: Distribution;
    downtime: Distribution;
    /** Distribution of migration times and downtimes, s (40 equal bins from 0 to the largest). */
    totalTimeHistogram: Histogram;
    downtimeHistogram: Histogram;
    /** Total bytes transferred by the migrations that ended (totalTime and downtime summarise those too). */
    bytes: number;
    /** Migrations still under way at the end of the simulated span. */
    inFlight: number;
    /** Migrations that the model reported as not completed (VM stayed on the source). */
    failed: number;
    /** The failed migrations by status ("timeout", "aborted", ...): count and one full reason. */
    failures: Record<string, { count: number; example: string }>;
  };
  /** VMs that reached zero demand and were retired (CloudSim removes them as "completed"). */
  retiredVms: number;
  /** Memory reuse figures, when the migration model reuses memory (datacenter/kept-images.ts). */
  reuse?: ReuseSummary;
  /** One row per scheduling step: active and overloaded hosts, power, energy, migrations. */
  series: StepSeries;
}
