/**
 * @module datacenter/placement/candidates
 * Which hosts PABFD has to look at. An empty host with zero load is "pristine": all pristine hosts
 * of one type give the same power increase and the same suitability, so only the lowest-id one of
 * each type can win (ties go to the lowest id). Scanning the non-pristine hosts plus one
 * representative per type gives exactly CloudSim's choice while skipping the switched-off majority.
 */
import type { DataCenterState } from '../state.js';

/** Rebuild the scan order when more than 1/8 of it has been excluded since the last rebuild. */
const COMPACT_FRACTION = 8;

export class HostCandidates {
  private readonly pristine: Uint8Array;
  /** Non-pristine hosts at the start of the step, ascending. */
  private readonly active: Int32Array;
  /** Pristine hosts of each type, ascending, and the first one still pristine. */
  private readonly byType: Int32Array[];
  private readonly next: Int32Array;
  /** Hosts that stopped being pristine during the step, ascending. */
  private readonly extra: number[] = [];
  /** The scan order, rebuilt only after a change. */
  private order = new Int32Array(0);
  private dirty = true;
  /** Hosts excluded as targets for the rest of the step (dropped from the order at the next rebuild). */
  private readonly dropped: Uint8Array;
  private droppedSinceRebuild = 0;

  constructor(dc: DataCenterState) {
    const H = dc.hostCount;
    this.pristine = new Uint8Array(H);
    this.dropped = new Uint8Array(H);
    const active: number[] = [];
    const types = new Map<number, number[]>();
    for (let h = 0; h < H; h++) {
      if (dc.lists[h].length === 0 && dc.utilMips[h] === 0) {
        this.pristine[h] = 1;
        const t = dc.hostType[h];
        let ids = types.get(t);
        if (!ids) types.set(t, (ids = []));
        ids.push(h);
      } else active.push(h);
    }
    this.active = Int32Array.from(active);
    this.byType = [...types.values()].map((ids) => Int32Array.from(ids));
    this.next = new Int32Array(this.byType.length);
  }

  /** Host `h` received a VM: it is no longer interchangeable with its type's other empty hosts. */
  used(h: number): void {
    if (this.pristine[h] === 0) return;
    this.pristine[h] = 0;
    let i = this.extra.length;
    this.extra.push(h);
    while (i > 0 && this.extra[i - 1] > h) {
      this.extra[i] = this.extra[i - 1];
      i--;
    }
    this.extra[i] = h;
    for (let t = 0; t < this.byType.length; t++) {
      const ids = this.byType[t];
      while (this.next[t] < ids.length && this.pristine[ids[this.next[t]]] === 0) this.next[t]++;
    }
    this.dirty = true;
  }

  /**
   * Host `h` is excluded as a target for the rest of the step (the caller still passes it as
   * excluded): it may be left out of ids(), which then scans fewer hosts. The under-load phase
   * excludes every host it has tried to empty, so late in a step most active hosts are excluded.
   */
  exclude(h: number): void {
    if (this.dropped[h] === 1) return;
    this.dropped[h] = 1;
    this.droppedSinceRebuild++;
  }

  /** Candidate hosts in ascending id order (valid until the next call to used()). */
  ids(): Int32Array {
    // compact once enough excluded hosts have piled up (an excluded host left in costs a test)
    if (this.dirty || this.droppedSinceRebuild * COMPACT_FRACTION > this.order.length) this.rebuild();
    return this.order;
  }

  private rebuild(): void {
    const small = this.extra.slice();
    for (let t = 0; t < this.byType.length; t++) if (this.next[t] < this.byType[t].length) small.push(this.byType[t][this.next[t]]);
    small.sort((a, b) => a - b);
    const a = this.active;
    const out = new Int32Array(a.length + small.length);
    const dropped = this.dropped;
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < a.length || j < small.length) {
      const h = j >= small.length || (i < a.length && a[i] < small[j]) ? a[i++] : small[j++];
      if (dropped[h] === 0) out[k++] = h;
    }
    this.order = out.subarray(0, k);
    this.dirty = false;
    this.droppedSinceRebuild = 0;
  }
}
