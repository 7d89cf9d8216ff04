/**
 * @module datacenter/migration-model
 * The cost of a live migration is pluggable. A run opens its migration model on the run's own
 * event kernel; each scheduling step starts its batch there, and the model reports each migration
 * when it ends, at that instant of the one timeline. CloudSim's model is a single delay, RAM over
 * half the target's bandwidth; the live-migration engine plugs in here too.
 */
import type { EventTarget, Simulation } from '../core/kernel.js';
import type { ReuseModel } from './kept-images.js';

/** One migration to start. */
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
  /**
   * Expected pages of the VM's memory the target already holds, per region of the model's
   * memory layout (its kept image, see ReuseModel): those are not sent.
   */
  keptPages?: Float64Array;
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

/** Called when migration `index` of a batch ends (at the kernel's current time). */
export type MigrationEnded = (index: number, outcome: MigrationOutcome) => void;

/** A run's migrations on its kernel. */
export interface MigrationEngine {
  /** Starts a step's batch at the kernel's current time. */
  start(batch: readonly MigrationRequest[], ended: MigrationEnded): void;
}

/** Options of an engine that do not change its outcomes (the run's RunOptions pass them on). */
export interface EngineOptions {
  /** false: each migration's fluid layout is built whole instead of on its VM size's shared geometry. */
  readonly sharedLayouts?: boolean;
}

/** A migration cost model. */
export interface MigrationModel {
  name: string;
  /** The engine of one run, on that run's kernel (a model may serve many runs). */
  open(sim: Simulation, options?: EngineOptions): MigrationEngine;
  /** Memory reuse: hosts keep the images of VMs that left them (datacenter/kept-images.ts). */
  reuse?: ReuseModel;
}

/**
 * A model whose migrations do not interact: each outcome is known when it starts and the
 * migration ends `duration` later. Ends at one instant are reported in start order.
 */
export function delayModel(name: string, cost: (r: MigrationRequest) => MigrationOutcome): MigrationModel {
  return {
    name,
    open(sim) {
      return {
        start(batch, ended) {
          const outcomes = batch.map(cost);
          const target: EventTarget = { onEvent: (i) => ended(i, outcomes[i]) };
          for (let i = 0; i < outcomes.length; i++) {
            const d = outcomes[i].duration;
            if (!(d >= 0)) throw new RangeError(`migration model ${name}: duration must be >= 0, got ${d}`);
            sim.schedule(d, target, i);
          }
        },
      };
    },
  };
}

/** CloudSim gives migration half of the target host's bandwidth ("the other half is for VM communication"). */
export const CLOUDSIM_MIGRATION_BANDWIDTH_DIVISOR = 2;

/** CloudSim's cost of one migration: RAM / (target bandwidth / 2). */
export function cloudsimMigrationCost(r: MigrationRequest): MigrationOutcome {
  return {
    duration: r.ramBytes / (r.toBandwidth / CLOUDSIM_MIGRATION_BANDWIDTH_DIVISOR),
    downtime: 0,
    bytesTransferred: r.ramBytes,
    completed: true,
  };
}

/**
 * CloudSim's migration: delay = RAM / (target bandwidth / 2), e.g. 870 MB over 1 Gbit/s is
 * 13.92 s; no pre-copy rounds, no downtime, no contention between concurrent migrations.
 */
export const cloudsimMigrationModel: MigrationModel = delayModel('cloudsim', cloudsimMigrationCost);
