/**
 * @module datacenter/policy
 * The three pluggable decisions of dynamic consolidation (CloudSim Plus's which/when/where split):
 * *when* a host is overloaded (OverloadDetector), *which* VM leaves it (VmSelector), and *where* a
 * VM goes (the PABFD placement in placement/pabfd.ts).
 */
import type { DataCenterState } from './state.js';

/** Decides whether a host is overloaded. */
export interface OverloadDetector {
  readonly name: string;
  /**
   * True if host `h` is overloaded with its current (possibly tentative) VM list, plus VM `extra`
   * as if appended to it when `extra >= 0` (CloudSim's isHostOverUtilizedAfterAllocation).
   */
  isOverloaded(dc: DataCenterState, h: number, extra: number): boolean;
  /**
   * Optional screen for the placement's scan when VM `v` is being placed, or undefined when none
   * applies to it (see OverloadScreen).
   */
  screenFor?(dc: DataCenterState, v: number): OverloadScreen | undefined;
}

/**
 * A cheap test that is exact in one direction: a host `h` with something allocated is surely
 * overloaded with the VM being placed appended (isOverloaded(dc, h, v) is true) when
 * `score[h] >= limit[dc.hostType[h]]`, once score[h] is current: `version[h] === dc.hostVersion[h] + 1`,
 * else `refresh(dc, h)` makes it so. PABFD drops such a host when it would take the lead, which
 * cannot change its choice (the first host, in its order, that is not overloaded) and saves the
 * checks of the hosts it would have rejected one by one.
 */
export interface OverloadScreen {
  readonly score: Float64Array;
  readonly version: Uint32Array;
  readonly limit: Float64Array;
  refresh(dc: DataCenterState, h: number): void;
}

/** Picks the next VM to move off an overloaded host. */
export interface VmSelector {
  readonly name: string;
  /** A VM of host `h` that is not migrating, or -1 if there is none. */
  select(dc: DataCenterState, h: number): number;
}

/** VMs of host `h` that are not in migration, in list order (CloudSim's getMigratableVms). */
export function migratableVms(dc: DataCenterState, h: number): number[] {
  const out: number[] = [];
  for (const v of dc.lists[h]) if (dc.inMigration[v] === 0) out.push(v);
  return out;
}
