/**
 * @module migration/algorithms/downtime-ramp
 * Pre-copy whose downtime limit rises while it runs, as operators configure it: a guest that would
 * converge with a short pause gets it, a busier one gets a longer pause instead of a timeout.
 *
 * - `nova` (OpenStack nova/virt/libvirt/migration.py `downtime_steps`, `update_downtime`): with
 *   `live_migration_downtime` D, `..._steps` n and `..._delay` d per GiB of data (RAM, at least
 *   2 GiB), step i (0..n) sets the limit to int(D/n + i (D - D/n)/n) ms once more than
 *   int(i int(d x GiB)) s have elapsed; before the first step QEMU's own limit holds.
 * - `kubevirt` (kubevirt/enhancements VEP 291, dynamic downtime tuning): the limit starts at
 *   `initialMs`; once the iteration reaches `startAfterIteration` a cooldown starts, and each time
 *   it has elapsed (and the iteration advanced) the limit goes one step up, `steps` levels from
 *   initialMs to the `maxDowntimeMs` ceiling (150, 300, ... 1050 ms with the defaults).
 *
 * Iterations are pre-copy's rounds (1 = the bulk pass); the limit is re-read at every check.
 */
import { MigrationActions, MigrationAlgorithm, Observation } from './algorithm.js';
import { Precopy, PrecopyRunOptions } from './precopy.js';

export const rampSchedules = ['nova', 'kubevirt'] as const;
export type RampSchedule = (typeof rampSchedules)[number];

/** Seconds and counts; each schedule reads the fields its reference defines. */
export interface RampOptions {
  schedule: RampSchedule;
  /** The ceiling, s (nova `live_migration_downtime`, kubevirt `maxDowntimeMs`). */
  maxDowntime: number;
  /** nova: increments after the first level; kubevirt: levels from initial to the ceiling. */
  steps: number;
  /** nova `live_migration_downtime_delay`: s between steps per GiB of data. */
  delayPerGiB: number;
  /** kubevirt `initialMs`, s. */
  initialDowntime: number;
  /** kubevirt `startAfterIteration`. */
  startAfterRound: number;
  /** kubevirt `cooldownSeconds`. */
  cooldown: number;
}

const common = { delayPerGiB: 75, initialDowntime: 0.15, startAfterRound: 3, cooldown: 10 };
export const rampDefaults: Record<RampSchedule, RampOptions> = {
  nova: { ...common, schedule: 'nova', maxDowntime: 0.5, steps: 10 }, // nova.conf defaults: 500 ms, 10 steps, 75 s/GiB
  kubevirt: { ...common, schedule: 'kubevirt', maxDowntime: 1.05, steps: 7 }, // VEP 291 defaults
};

/** Nova's steps: [elapsed time after which it applies, s; limit, s], as downtime_steps yields them. */
export function novaSteps(r: RampOptions, memoryBytes: number): [number, number][] {
  const delay = Math.trunc(r.delayPerGiB * Math.max(2, memoryBytes / 2 ** 30));
  const downtime = r.maxDowntime * 1000, base = downtime / r.steps, offset = (downtime - base) / r.steps;
  return Array.from({ length: r.steps + 1 }, (_, i) => [Math.trunc(delay * i), Math.trunc(base + offset * i) / 1000]);
}

/** Kubevirt's levels: `steps` equal levels from the initial limit to the ceiling. */
export function kubevirtLevel(r: RampOptions, level: number): number {
  return r.steps > 1 ? r.initialDowntime + ((r.maxDowntime - r.initialDowntime) * level) / (r.steps - 1) : r.maxDowntime;
}

export class DowntimeRamp implements MigrationAlgorithm {
  readonly live = true;
  readonly #precopy: Precopy;
  /** Pre-copy's rules; their downtime limit follows the schedule. */
  readonly #rules: PrecopyRunOptions;
  #steps: [number, number][] | null = null;
  #level = 0;
  #cooldownFrom = -1;
  #cooldownRound = 0;

  constructor(readonly options: PrecopyRunOptions & { downtimeRamp: RampOptions }) {
    const r = options.downtimeRamp;
    this.#rules = { ...options, downtimeLimit: r.schedule === 'kubevirt' ? r.initialDowntime : options.downtimeLimit };
    this.#precopy = new Precopy(this.#rules);
  }

  /** The limit in force now, s. */
  get downtimeLimit(): number {
    return this.#rules.downtimeLimit;
  }

  start(m: MigrationActions): void {
    this.#follow(m.observe());
    this.#precopy.start(m);
  }

  iterate(m: MigrationActions, synced: boolean): void {
    this.#follow(m.observe());
    this.#precopy.iterate(m, synced);
  }

  onTimeout(m: MigrationActions): void {
    m.timeOut();
  }

  #follow(o: Observation): void {
    const r = this.options.downtimeRamp;
    if (r.schedule === 'nova') {
      this.#steps ??= novaSteps(r, o.memoryBytes);
      // nova update_downtime: the last step whose time has passed (strictly)
      for (const [after, limit] of this.#steps) if (o.elapsed > after) this.#rules.downtimeLimit = limit;
      return;
    }
    if (this.#cooldownFrom < 0) {
      if (o.round >= r.startAfterRound) [this.#cooldownFrom, this.#cooldownRound] = [o.elapsed, o.round];
    } else if (o.elapsed - this.#cooldownFrom >= r.cooldown && o.round > this.#cooldownRound && this.#level < r.steps - 1) {
      this.#level++;
      [this.#cooldownFrom, this.#cooldownRound] = [o.elapsed, o.round];
    }
    this.#rules.downtimeLimit = kubevirtLevel(r, this.#level);
  }
}
