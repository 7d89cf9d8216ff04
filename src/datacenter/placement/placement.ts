/**
 * @module datacenter/placement/placement
 * Where a VM goes, as a policy: CloudSim's plain scans (first-fit.ts, pabfd.ts) and the indexed
 * PABFD (indexed-pabfd.ts) implement one interface and make the same choices. Placements come in
 * rounds (the initial placement at t = 0, each consolidation step); within a round the caller
 * tells the policy which hosts it changed, so that a policy with an index can keep it current.
 */
import type { DataCenterState } from '../state.js';

/** A round of placements. */
export interface PlacementRound {
  /** The initial placement (t = 0: no VM has a history or a demand yet), or a consolidation step. */
  readonly initial: boolean;
  /** RAM and bandwidth must fit too (CloudSim checks them at the initial placement). */
  readonly checkReservations: boolean;
}

/** Chooses a host for each VM to place. */
export interface Placement {
  readonly name: string;
  /** A round begins on the state as it is now. */
  begin(dc: DataCenterState, round: PlacementRound): void;
  /**
   * The host for VM `v` at its demand dc.req[v], or -1 if none may take it; hosts with
   * excluded[h] = 1 are not targets. Has no side effect on the state.
   */
  findHost(dc: DataCenterState, v: number, excluded: Uint8Array): number;
  /** Host `h`'s allocation changed during the round (a VM created on it or destroyed from it). */
  changed(h: number): void;
  /** Host `h` is no target for the rest of the round (the caller sets excluded[h] too). */
  exclude(h: number): void;
  /**
   * A zeroed excluded array (one flag per host) for the round's findHost calls, valid until the
   * next round begins: a policy may hand out one it reads in place instead of copying the flags
   * at every placement (the indexed PABFD's compiled scan). findHost takes any other array too.
   */
  newExcluded(): Uint8Array;
}

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

/** Sorts VM ids by decreasing current demand; stable, as Java's Collections.sort. */
export function sortByDemandDecreasing(dc: DataCenterState, vms: number[]): number[] {
  return vms.sort((a, b) => dc.req[b] - dc.req[a]);
}
