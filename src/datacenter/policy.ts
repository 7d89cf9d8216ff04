/**
 * @module datacenter/policy
 * The three pluggable decisions of dynamic consolidation (CloudSim Plus's which/when/where split):
 * *when* a host is overloaded (OverloadDetector), *which* VM leaves it (VmSelector), and *where* a
 * VM goes (a Placement, placement/placement.ts).
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
