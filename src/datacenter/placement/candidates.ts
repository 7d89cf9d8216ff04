/**
 * @module datacenter/placement/candidates
 * Which hosts PABFD has to look at. An empty host with zero load is "pristine": all pristine hosts
 * of one type give the same power increase and the same suitability, so only the lowest-id one of
 * each type can win (ties go to the lowest id). Scanning the non-pristine hosts plus one
 * representative per type gives exactly CloudSim's choice while skipping the switched-off majority.
 */
import type { DataCenterState } from '../state.js';
import type { IncreaseBins } from './increase-bins.js';

/** Rebuild the scan order when more than 1/8 of it has been excluded since the last rebuild. */
const COMPACT_FRACTION = 8;

/** The hosts of a consolidation step's placements that can win, maybe in groups (see module doc). */
export class HostCandidates {
  readonly #bins: IncreaseBins | undefined;
  private readonly pristine: Uint8Array;
  /** Non-pristine hosts at the start of the step, ascending. */
  private readonly active: Int32Array;
  /**
   * Pristine hosts of each type, ascending, and the representative: the first one still pristine
   * and not excluded (stale after an exclusion until advanceRepresentatives()).
   */
  private readonly byType: Int32Array[];
  private readonly next: Int32Array;
  private representativesStale = false;
  /** Hosts that stopped being pristine during the step, ascending. */
  private readonly extra: number[] = [];
  /** The scan order, rebuilt only after a change. */
  private order = new Int32Array(0);
  private dirty = true;
  /** Hosts excluded as targets for the rest of the step (dropped from the order at the next rebuild). */
  private readonly dropped: Uint8Array;
  private droppedSinceRebuild = 0;

  /**
   * @param bins when given, emptied and filled with the candidates if the step starts with at
   *   least `groupedMinHosts` non-pristine hosts (else the step has no groups)
   */
  constructor(dc: DataCenterState, bins?: IncreaseBins, groupedMinHosts = 0) {
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
    if (bins !== undefined && this.active.length >= groupedMinHosts) {
      bins.clear();
      for (const h of this.active) bins.place(h);
      for (const ids of this.byType) bins.place(ids[0]);
      this.#bins = bins;
    }
  }

  /**
   * The same hosts grouped by bounds of their power increase, kept current as allocations move;
   * undefined in a small data center, where a plain scan is as fast.
   */
  get bins(): IncreaseBins | undefined {
    if (this.representativesStale) this.advanceRepresentatives();
    return this.#bins;
  }

  /**
   * Host `h`'s allocation changed (a VM placed on it, or taken back): it is no longer
   * interchangeable with its type's other empty hosts, and its group moves.
   */
  changed(h: number): void {
    if (this.dropped[h] === 0) this.#bins?.place(h);
    if (this.pristine[h] === 0) return;
    this.pristine[h] = 0;
    let i = this.extra.length;
    this.extra.push(h);
    while (i > 0 && this.extra[i - 1] > h) {
      this.extra[i] = this.extra[i - 1];
      i--;
    }
    this.extra[i] = h;
    this.advanceRepresentatives();
    this.dirty = true;
  }

  /** Moves each type's representative to its first host still pristine and not excluded. */
  private advanceRepresentatives(): void {
    for (let t = 0; t < this.byType.length; t++) {
      const ids = this.byType[t];
      let k = this.next[t];
      while (k < ids.length && (this.pristine[ids[k]] === 0 || this.dropped[ids[k]] === 1)) k++;
      this.next[t] = k;
      if (k < ids.length) this.#bins?.place(ids[k]);
    }
    this.representativesStale = false;
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
    this.#bins?.remove(h);
    // lazily: the under-load phase excludes every switched-off host, one after the other
    if (this.pristine[h] === 1) this.representativesStale = this.dirty = true;
  }

  /** Candidate hosts in ascending id order (valid until the next call to changed()). */
  ids(): Int32Array {
    if (this.representativesStale) this.advanceRepresentatives();
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

/**
 * Which hosts PABFD has to look at during the initial placement (t = 0, before any update). No VM
 * has a history or a demand yet, so two hosts of one type with the same number of VMs of each type
 * (and the same allocation, free MIPS, RAM and bandwidth) look the same to the placement and to
 * every overload detector: only the lowest-id host of each such class can win. The classes number
 * in the hundreds where hosts number in the thousands.
 */
export class InitialCandidates {
  /** VMs of each type on each host (host-major). */
  private readonly counts: Int32Array;
  private readonly types: number;
  /** Each host's class key, and each class's hosts as a min-heap of ids (stale entries dropped lazily). */
  private readonly keyOf: string[];
  private readonly classes = new Map<string, number[]>();
  private order = new Int32Array(0);
  private dirty = true;

  constructor(private readonly dc: DataCenterState) {
    let types = 0;
    for (const t of dc.vmType) types = Math.max(types, t + 1);
    this.types = types;
    this.counts = new Int32Array(dc.hostCount * this.types);
    this.keyOf = new Array<string>(dc.hostCount);
    for (let h = 0; h < dc.hostCount; h++) {
      for (const v of dc.lists[h]) this.counts[h * this.types + dc.vmType[v]]++;
      this.join(h);
    }
  }

  /** A VM was placed on host `h` (or taken back from it). */
  changed(h: number): void {
    const row = h * this.types;
    this.counts.fill(0, row, row + this.types);
    for (const v of this.dc.lists[h]) this.counts[row + this.dc.vmType[v]]++;
    this.join(h);
  }

  /** One host per class (not in id order: the indexed PABFD breaks ties by id itself). */
  ids(): Int32Array {
    if (!this.dirty) return this.order;
    const out: number[] = [];
    for (const [key, heap] of this.classes) {
      while (heap.length > 0 && this.keyOf[heap[0]] !== key) popMin(heap);
      if (heap.length === 0) this.classes.delete(key);
      else out.push(heap[0]);
    }
    this.order = Int32Array.from(out);
    this.dirty = false;
    return this.order;
  }

  private join(h: number): void {
    const dc = this.dc;
    const c = this.counts.subarray(h * this.types, (h + 1) * this.types);
    const key = `${dc.hostType[h]}|${c.join(',')}|${dc.allocSum[h]}|${dc.avail[h]}|${dc.ramUsed[h]}|${dc.bwUsed[h]}`;
    this.keyOf[h] = key;
    let heap = this.classes.get(key);
    if (!heap) this.classes.set(key, (heap = []));
    pushMin(heap, h);
    this.dirty = true;
  }
}

function pushMin(heap: number[], x: number): void {
  let i = heap.length;
  heap.push(x);
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (heap[p] <= x) break;
    heap[i] = heap[p];
    i = p;
  }
  heap[i] = x;
}

function popMin(heap: number[]): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const c = l + 1 < heap.length && heap[l + 1] < heap[l] ? l + 1 : l;
    if (heap[c] >= last) break;
    heap[i] = heap[c];
    i = c;
  }
  heap[i] = last;
}
