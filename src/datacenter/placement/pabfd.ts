/**
 * @module datacenter/placement/pabfd
 * Where VMs go. PABFD, power-aware best-fit decreasing (Beloglazov & Buyya, CCPE 2012, sec. 4;
 * CloudSim PowerVmAllocationPolicyMigrationAbstract.findHostForVm): VMs sorted by decreasing CPU
 * demand, each to the suitable host whose power grows least, among hosts that are not excluded and
 * would not be overloaded after the placement (an idle host is never checked for overload).
 * Also the first-fit placement of CloudSim's PowerVmAllocationPolicySimple (DVFS and NPA runs).
 */
import type { OverloadDetector } from '../policy.js';
import { powerAt } from '../power.js';
import type { DataCenterState } from '../state.js';
import type { HostCandidates } from './candidates.js';

/**
 * CloudSim's Host.isSuitableForVm: one PE can carry the VM's per-PE demand and the free MIPS cover
 * its total demand; with `checkReservations`, free RAM and bandwidth cover the VM's too.
 */
export function isSuitable(dc: DataCenterState, h: number, v: number, checkReservations: boolean): boolean {
  const r = dc.req[v];
  if (dc.peMips[h] < r / dc.vmPes[v] || dc.avail[h] < r) return false;
  if (!checkReservations) return true;
  return dc.hostRam[h] - dc.ramUsed[h] >= dc.vmRam[v] && dc.hostBw[h] - dc.bwUsed[h] >= dc.vmBw[v];
}

/**
 * The host for VM `v` with the least power increase (first host on exact ties), or -1.
 * The overload check runs only for a host that would improve on the best so far: it has no side
 * effects, so the result is CloudSim's while most hosts skip the costly check.
 */
export function findHostForVm(
  dc: DataCenterState,
  v: number,
  excluded: Uint8Array,
  detector: OverloadDetector,
  checkReservations: boolean,
  candidates?: HostCandidates,
): number {
  let minDiff = Number.MAX_VALUE;
  let best = -1;
  const r = dc.req[v];
  const perPe = r / dc.vmPes[v];
  const ids = candidates?.ids();
  const n = ids ? ids.length : dc.hostCount;
  // hot loop: the suitability test of isSuitable() inlined over local typed arrays
  const { peMips, avail, allocSum, totalMips, curPower, hostPower } = dc;
  for (let i = 0; i < n; i++) {
    const h = ids ? ids[i] : i;
    if (excluded[h] === 1 || peMips[h] < perPe || avail[h] < r) continue;
    if (checkReservations && !isSuitable(dc, h, v, true)) continue;
    const diff = powerAt(hostPower[h], (allocSum[h] + r) / totalMips[h]) - curPower[h];
    if (!(diff < minDiff)) continue;
    if (allocSum[h] !== 0 && detector.isOverloaded(dc, h, v)) continue;
    minDiff = diff;
    best = h;
  }
  return best;
}

/** First host (by id) that is suitable for `v`, or -1 (CloudSim PowerVmAllocationPolicyAbstract). */
export function firstFit(dc: DataCenterState, v: number, checkReservations: boolean): number {
  for (let h = 0; h < dc.hostCount; h++) if (isSuitable(dc, h, v, checkReservations)) return h;
  return -1;
}

/** Sorts VM ids by decreasing current demand; stable, as Java's Collections.sort. */
export function sortByDemandDecreasing(dc: DataCenterState, vms: number[]): number[] {
  return vms.sort((a, b) => dc.req[b] - dc.req[a]);
}
