/**
 * @module datacenter/migration-model
 * The cost of a live migration is pluggable: the consolidation loop asks a MigrationModel how long
 * each planned migration takes and starts them all at the same instant. CloudSim's model is a
 * single delay, RAM over half the target's bandwidth; the live-migration engine plugs in here.
 */

/** One migration to cost. */
export interface MigrationRequest {
  vm: number;
  from: number;
  to: number;
  /** VM memory, bytes. */
  ramBytes: number;
  /** VM CPU utilisation at the start, 0..1. */
  cpuUtilization: number;
  /** VM capacity, MIPS. */
  vmMips: number;
  /** Source host NIC bandwidth, bytes/s. */
  fromBandwidth: number;
  /** Target host NIC bandwidth, bytes/s. */
  toBandwidth: number;
}

/** What a migration cost. */
export interface MigrationOutcome {
  /** Total migration time, s. */
  duration: number;
  /** Time the VM was paused, s. */
  downtime: number;
  bytesTransferred: number;
  /** false: the VM stays on the source after `duration`. */
  completed: boolean;
  reason?: string;
}

/** A migration cost model. */
export interface MigrationModel {
  name: string;
  /** All migrations decided in one scheduling step start together at `now`. */
  plan(batch: MigrationRequest[], now: number): MigrationOutcome[];
}

/** CloudSim gives migration half of the target host's bandwidth ("the other half is for VM communication"). */
export const CLOUDSIM_MIGRATION_BANDWIDTH_DIVISOR = 2;

/**
 * CloudSim's migration: delay = RAM / (target bandwidth / 2), e.g. 870 MB over 1 Gbit/s is
 * 13.92 s; no pre-copy rounds, no downtime, no contention between concurrent migrations.
 */
export const cloudsimMigrationModel: MigrationModel = {
  name: 'cloudsim',
  plan(batch) {
    return batch.map((r) => ({
      duration: r.ramBytes / (r.toBandwidth / CLOUDSIM_MIGRATION_BANDWIDTH_DIVISOR),
      downtime: 0,
      bytesTransferred: r.ramBytes,
      completed: true,
    }));
  },
};
