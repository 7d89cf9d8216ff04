/**
 * @module datacenter/consolidation
 * One consolidation step (CloudSim PowerVmAllocationPolicyMigrationAbstract.optimizeAllocation):
 *  1. overloaded hosts (detector), 2. VMs selected off each until it is no longer overloaded,
 *  3. placement (PABFD) of those VMs (overloaded hosts excluded), 4. under-loaded hosts, least
 *  utilised first: all of a host's VMs are placed elsewhere or none is (switched-off, overloaded and
 *  already-emptied hosts excluded as targets); 5. the tentative allocation is undone and the list of
 *  (VM, target) migrations returned.
 *
 * Decisions are made on a tentative copy of the allocation that is restored at the end, exactly as
 * CloudSim does with vmCreate/vmDestroy and save/restoreAllocation, including its quirks: a host
 * that just received a VM from an overloaded host may itself be emptied in the same step (the VM is
 * then planned twice), and under-load candidates are ranked by the utilisation of the last update.
 */
import type { OverloadDetector, VmSelector } from './policy.js';
import { sortByDemandDecreasing, type Placement } from './placement/placement.js';
import type { DataCenterState } from './state.js';

/** A planned migration. */
export interface PlannedMigration {
  vm: number;
  to: number;
}

/** Inputs of a consolidation step besides the state. */
export interface StepPolicies {
  detector: OverloadDetector;
  selector: VmSelector;
  /** Where VMs go (PABFD, plain or indexed: the same choices); told of every host the step changes. */
  placement: Placement;
  /** Check RAM/bandwidth reservations when placing. */
  checkReservations: boolean;
}

/**
 * Runs one consolidation step and returns the migrations to start, in CloudSim's order; `counts`,
 * if given, receives the number of overloaded hosts (for the run's time series).
 */
export function planConsolidation(dc: DataCenterState, p: StepPolicies, counts?: { overloaded: number }): PlannedMigration[] {
  const H = dc.hostCount;
  const placement = p.placement;
  // (the round begins first: its excluded arrays come from the placement)
  placement.begin(dc, { initial: false, checkReservations: p.checkReservations });
  const over = placement.newExcluded();
  const overList: number[] = [];
  for (let h = 0; h < H; h++) {
    if (p.detector.isOverloaded(dc, h, -1)) {
      over[h] = 1;
      overList.push(h);
    }
  }
  if (counts) counts.overloaded = overList.length;
  // no target for the rest of the round (the under-load phase excludes them too)
  for (const h of overList) placement.exclude(h);
  const saved = saveAllocation(dc);
  const touched = new Set<number>();

  // which VMs leave the overloaded hosts
  const leaving: number[] = [];
  for (const h of overList) {
    for (;;) {
      const v = p.selector.select(dc, h);
      if (v < 0) break;
      leaving.push(v);
      dc.destroy(v, h);
      placement.changed(h);
      touched.add(h);
      if (!p.detector.isOverloaded(dc, h, -1)) break;
    }
  }

  // where they go
  const plan: PlannedMigration[] = [];
  for (const v of sortByDemandDecreasing(dc, leaving)) {
    const to = placement.findHost(dc, v, over);
    if (to < 0) continue;
    dc.create(v, to);
    placement.changed(to);
    touched.add(to);
    plan.push({ vm: v, to });
  }

  planUnderloaded(dc, placement, over, plan, touched);
  restoreAllocation(dc, saved, touched);
  return plan;
}

/** Empties under-loaded hosts, least utilised first (CloudSim getMigrationMapFromUnderUtilizedHosts). */
function planUnderloaded(dc: DataCenterState, placement: Placement, over: Uint8Array, plan: PlannedMigration[], touched: Set<number>): void {
  const H = dc.hostCount;
  const exclSource = Uint8Array.from(over);
  const exclTarget = placement.newExcluded();
  exclTarget.set(over);
  let excludedCount = 0;
  const ranked: number[] = [];
  for (let h = 0; h < H; h++) {
    const u = dc.utilization(h);
    if (u === 0) exclSource[h] = exclTarget[h] = 1; // switched off
    if (exclTarget[h] === 1) placement.exclude(h);
    if (exclSource[h] === 1) excludedCount++;
    else if (u > 0 && u < 1) ranked.push(h);
  }
  // ranked once: the utilisation of the last update does not change during the step
  ranked.sort((a, b) => dc.utilization(a) - dc.utilization(b) || a - b);
  let start = 0;
  while (excludedCount < H) {
    while (start < ranked.length && exclSource[ranked[start]] === 1) start++;
    let h = -1;
    for (let i = start; i < ranked.length; i++) {
      const c = ranked[i];
      if (exclSource[c] === 0 && !allMigratingOutOrAnyIn(dc, c)) {
        h = c;
        break;
      }
    }
    if (h < 0) break;
    exclSource[h] = 1;
    excludedCount++;
    exclTarget[h] = 1;
    placement.exclude(h);
    const vms = dc.lists[h].filter((v) => dc.inMigration[v] === 0);
    if (vms.length === 0) continue;
    const batch: PlannedMigration[] = [];
    for (const v of sortByDemandDecreasing(dc, vms)) {
      const to = placement.findHost(dc, v, exclTarget);
      if (to < 0) {
        for (const m of batch) {
          dc.destroy(m.vm, m.to);
          placement.changed(m.to);
        }
        batch.length = 0;
        break;
      }
      dc.create(v, to);
      placement.changed(to);
      touched.add(to);
      batch.push({ vm: v, to });
    }
    for (const m of batch) {
      if (exclSource[m.to] === 0) {
        exclSource[m.to] = 1;
        excludedCount++;
      }
      plan.push(m);
    }
  }
}

/** CloudSim's areAllVmsMigratingOutOrAnyVmMigratingIn. */
function allMigratingOutOrAnyIn(dc: DataCenterState, h: number): boolean {
  for (const v of dc.lists[h]) {
    if (dc.inMigration[v] === 0) return false;
    if (dc.isMigratingIn(v, h)) return true;
  }
  return true;
}

/** The saved list of every host with no VM (read only: restoreAllocation does not change it). */
const NO_VMS: readonly number[] = [];

/**
 * Each host's list without its migrating-in VMs (CloudSim saveAllocation). Most hosts of a
 * consolidated data center are empty: they share one empty list instead of a copy each per step.
 */
function saveAllocation(dc: DataCenterState): (readonly number[])[] {
  return dc.lists.map((list, h) => (list.length === 0 ? NO_VMS : !dc.hasIncoming(h) ? list.slice() : list.filter((v) => !dc.isMigratingIn(v, h))));
}

/**
 * Restores the saved lists; migrating-in VMs come first, as CloudSim's reallocateMigratingInVms
 * re-adds them before the saved VMs.
 */
function restoreAllocation(dc: DataCenterState, saved: readonly (readonly number[])[], touched: Set<number>): void {
  for (let h = 0; h < dc.hostCount; h++) {
    if (!dc.hasIncoming(h) && !touched.has(h)) continue;
    const list = dc.lists[h];
    list.length = 0;
    for (const v of dc.migIn[h]) list.push(v);
    for (const v of saved[h]) list.push(v);
    let ram = 0;
    let bw = 0;
    for (const v of list) {
      ram += dc.vmRam[v];
      bw += dc.vmBw[v];
    }
    dc.ramUsed[h] = ram;
    dc.bwUsed[h] = bw;
    dc.listChanged(h);
    dc.reallocate(h);
  }
}
