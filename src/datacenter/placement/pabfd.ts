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

/** Scratch buffers of the candidate pass (host ids and their power increase). */
let candHost = new Int32Array(1024);
let candDiff = new Float64Array(1024);

/**
 * The host for VM `v` with the least power increase (lowest id on exact ties), or -1, among
 * `candidates` (a subset that contains the winner; default all hosts).
 * Two passes: first every suitable host's power increase, then the overload check in increasing
 * order of increase until a host passes. The check has no side effects, so the choice is
 * CloudSim's (argmin over suitable, non-overloaded hosts) while the costly check runs about once.
 */
export function findHostForVm(
  dc: DataCenterState,
  v: number,
  excluded: Uint8Array,
  detector: OverloadDetector,
  checkReservations: boolean,
  candidates?: { ids(): Int32Array },
): number {
  const r = dc.req[v];
  const perPe = r / dc.vmPes[v];
  const ids = candidates?.ids();
  const n = ids ? ids.length : dc.hostCount;
  if (candHost.length < n) {
    candHost = new Int32Array(2 * n);
    candDiff = new Float64Array(2 * n);
  }
  // hot loop: the suitability test of isSuitable() inlined over local typed arrays
  const { peMips, avail, allocSum, totalMips, curPower, hostPower } = dc;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const h = ids ? ids[i] : i;
    if (excluded[h] === 1 || peMips[h] < perPe || avail[h] < r) continue;
    if (checkReservations && !isSuitable(dc, h, v, true)) continue;
    candHost[m] = h;
    candDiff[m] = powerAt(hostPower[h], (allocSum[h] + r) / totalMips[h]) - curPower[h];
    m++;
  }
  // the least increase, the lowest id on ties (candidates need not be in id order)
  let k = -1;
  let min = Number.MAX_VALUE;
  for (let i = 0; i < m; i++) {
    if (candDiff[i] < min || (candDiff[i] === min && k >= 0 && candHost[i] < candHost[k])) {
      min = candDiff[i];
      k = i;
    }
  }
  if (k < 0) return -1;
  const first = candHost[k];
  if (allocSum[first] === 0 || !detector.isOverloaded(dc, first, v)) return first;
  // the best one would be overloaded: try the others by increasing (increase, id)
  candDiff[k] = Number.MAX_VALUE;
  const heap = new CandidateHeap(candHost, candDiff, m);
  while (heap.size > 0) {
    const h = heap.pop();
    if (h < 0) return -1;
    if (allocSum[h] === 0 || !detector.isOverloaded(dc, h, v)) return h;
  }
  return -1;
}

/** A binary min-heap over candidate positions, ordered by (increase, host id); MAX_VALUE entries excluded. */
class CandidateHeap {
  private readonly pos: Int32Array;
  size = 0;

  constructor(
    private readonly host: Int32Array,
    private readonly diff: Float64Array,
    m: number,
  ) {
    this.pos = new Int32Array(m);
    for (let i = 0; i < m; i++) if (diff[i] < Number.MAX_VALUE) this.pos[this.size++] = i;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** Host of the smallest entry, removed. */
  pop(): number {
    const top = this.pos[0];
    this.pos[0] = this.pos[--this.size];
    this.down(0);
    return this.host[top];
  }

  private less(a: number, b: number): boolean {
    const da = this.diff[a];
    const db = this.diff[b];
    return da < db || (da === db && this.host[a] < this.host[b]);
  }

  private down(i: number): void {
    const p = this.pos;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) return;
      const c = l + 1 < this.size && this.less(p[l + 1], p[l]) ? l + 1 : l;
      if (!this.less(p[c], p[i])) return;
      [p[c], p[i]] = [p[i], p[c]];
      i = c;
    }
  }
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
