/**
 * @module datacenter/placement/increase-bins
 * PABFD's candidate hosts in groups whose least power increase is bounded, so that the scan can
 * skip groups that cannot hold the winner, with exactly the full scan's choice.
 *
 * Host h's increase for a VM of demand r is P((alloc + r) / cap) - P_h, with P its type's table and
 * P_h its power at the last update. That is g(alloc) + offset, where g(a) = P((a + r) / cap) -
 * P(a / cap) depends on the VM and offset = P(alloc / cap) - P_h does not (it is not 0 on a host
 * whose allocation moved since its last update). Hosts are grouped by type, allocation (bins of 1 %
 * of capacity) and offset (powers of two). A group's bound is g's least value over its bin plus the
 * lower edge of its offsets, less a margin that covers rounding. g is piecewise linear in a, with
 * corners where a / cap or (a + r) / cap crosses a table point (every 10 %): the bins' edges hold
 * the first kind, so the least value is at the bin's edges or at a corner of the second kind.
 *
 * Why it is exact and why it pays: a host whose group's bound is above the best increase found so
 * far cannot win, not even a tie, so skipping it changes nothing. CloudSim's argmin is decided by
 * rounding among the hosts of the best table segment (their increases are equal but for ~1e-14 W),
 * which the groups' bounds cannot tell apart; the groups leave out nearly all the rest. The tie
 * buckets (tie-buckets.ts, optional) bound the hosts of offset 0 to the watt grid and list them in
 * id order, so that most of that tied set need not be evaluated either.
 */
import { POWER_TABLE_POINTS, POWER_TABLE_STEPS as STEPS, powerAt } from '../power.js';
import type { DataCenterState } from '../state.js';
import { TieBuckets } from './tie-buckets.js';

/** Allocation bins per host type, a multiple of STEPS so that table points fall on bin edges. */
const BINS = 10 * STEPS;
/** Bin BINS holds allocations at or above capacity, where the increase is 0: it has no bound. */
const BINS_PER_TYPE = BINS + 1;
/** Bins per table segment. */
const BINS_PER_STEP = BINS / STEPS;
/**
 * Offset classes: 0 for a negative offset (no bound), 1 for [0, 2^-30), then
 * [2^(c - 32), 2^(c - 31)) for class c, the last one open above.
 */
const OFFSET_CLASSES = 44;
/** The offset class of offset 0 (and up to 2^-30), where the hosts of the tie buckets are. */
const TIED_CLASS = 1;
const OFFSET_EDGE = Float64Array.from({ length: OFFSET_CLASSES }, (_, c) => (c === 0 ? -Infinity : c === 1 ? 0 : 2 ** (c - 32)));
/**
 * The bound's margin, relative to the type's largest watts: far above the ~1e-14 W of rounding in an
 * increase, and above the difference between a bin edge and the table point computed on it.
 */
const MARGIN = 1e-9;
/**
 * Demands whose least increases are kept (bounds): a bin's least increase depends on the demand
 * only, and a day's VMs repeat a few thousand demands. Past this many the memo starts afresh.
 */
const DEMANDS_KEPT = 4096;

function offsetClass(offset: number): number {
  if (offset < 0) return 0;
  if (offset < OFFSET_EDGE[2]) return 1;
  let c = Math.min(OFFSET_CLASSES - 1, Math.floor(Math.log2(offset)) + 32);
  while (OFFSET_EDGE[c] > offset) c--; // log2 may round up just below a power of two
  return c;
}

export class IncreaseBins {
  /** Per host type: power table and capacity (MIPS), the state's. */
  private readonly typeTable: Float64Array[];
  private readonly typeCap: Float64Array;
  /** Per type and bin edge e (0..BINS): e % of capacity in MIPS, and the power there. */
  private readonly edgeMips: Float64Array;
  private readonly edgePower: Float64Array;
  /** Per group: its (type, bin) index, and its offsets' lower edge less the margin. */
  private readonly groupBin: Int32Array;
  private readonly groupEdge: Float64Array;
  /** Each host's group, or -1, and its position in the group. */
  private readonly groupOf: Int32Array;
  private readonly position: Int32Array;
  /** Each group's hosts (unordered) and their number. */
  readonly members: Int32Array[];
  readonly size: Int32Array;
  /** Hosts in all groups. */
  hostCount = 0;
  /** The groups with hosts; usedAt[g] is g's position there, or -1. */
  readonly used: Int32Array;
  usedCount = 0;
  private readonly usedAt: Int32Array;
  /**
   * Per position in `used`: the group's (type, bin), offsets' lower edge less the margin, and tie
   * class (groupBin, groupEdge, groupTies), side by side in use order, so that bounds reads them in
   * order instead of at each group's place among all possible groups (88,088 with two host types).
   */
  private readonly usedBin: Int32Array;
  private readonly usedEdge: Float64Array;
  private readonly usedTies: Int32Array;
  /** bounds(r)'s result: the bound of used[i] at i. */
  readonly bound: Float64Array;
  /** bounds(r)'s result: 1 at i if every host of used[i] sits in a tie bucket whose bound holds for it. */
  readonly covered: Uint8Array;
  /** The hosts of offset 0 in buckets (tie-buckets.ts), or undefined when off. */
  readonly ties: TieBuckets | undefined;
  /** Per group: its hosts not in the tie bucket of the group's type and segment. */
  private readonly untied: Int32Array;
  /** Per group: the tie class of its type and segment if its hosts have offset 0, else -1. */
  private readonly groupTies: Int32Array;
  /**
   * Per demand r seen (DEMANDS_KEPT at most): g's least value over each (type, bin) at [tb], and g
   * at each (type, bin edge) at [edges + te]; NaN until computed.
   */
  private readonly byDemand = new Map<number, Float64Array>();
  private readonly edges: number;

  /**
   * @param newList where groups' member lists come from (a list of the given length, zeroed), when
   *   not a new Int32Array: the compiled scan's memory, which reads them in place (WasmScan.newMembers)
   * @param ties keep the hosts of offset 0 in tie buckets too (tie-buckets.ts)
   */
  constructor(
    private readonly dc: DataCenterState,
    private readonly newList?: (length: number) => Int32Array | undefined,
    ties = false,
  ) {
    this.typeTable = dc.typePower;
    this.typeCap = dc.typeTotalMips;
    const types = this.typeCap.length;
    this.edgeMips = new Float64Array(types * BINS_PER_TYPE);
    this.edgePower = new Float64Array(types * BINS_PER_TYPE);
    const margin = new Float64Array(types);
    for (let t = 0; t < types; t++) {
      const table = this.typeTable[t];
      const cap = this.typeCap[t];
      for (let e = 0; e <= BINS; e++) {
        this.edgeMips[t * BINS_PER_TYPE + e] = (e / BINS) * cap;
        this.edgePower[t * BINS_PER_TYPE + e] = powerAt(table, e / BINS);
      }
      let max = 0;
      for (let i = 0; i < POWER_TABLE_POINTS; i++) max = Math.max(max, Math.abs(table[i])); // (not the step deltas after them)
      margin[t] = MARGIN * (1 + max);
    }
    const groups = types * BINS_PER_TYPE * OFFSET_CLASSES;
    this.groupBin = new Int32Array(groups);
    this.groupEdge = new Float64Array(groups);
    this.groupTies = new Int32Array(groups).fill(-1);
    for (let g = 0; g < groups; g++) {
      const tb = Math.floor(g / OFFSET_CLASSES);
      this.groupBin[g] = tb;
      this.groupEdge[g] = OFFSET_EDGE[g - tb * OFFSET_CLASSES] - margin[Math.floor(tb / BINS_PER_TYPE)];
      const t = Math.floor(tb / BINS_PER_TYPE);
      const bin = tb - t * BINS_PER_TYPE;
      if (g % OFFSET_CLASSES === TIED_CLASS && bin < BINS) this.groupTies[g] = t * STEPS + Math.floor(bin / BINS_PER_STEP);
    }
    this.groupOf = new Int32Array(dc.hostCount).fill(-1);
    this.position = new Int32Array(dc.hostCount);
    this.members = new Array<Int32Array>(groups);
    this.size = new Int32Array(groups);
    this.used = new Int32Array(groups);
    this.usedAt = new Int32Array(groups).fill(-1);
    this.usedBin = new Int32Array(groups);
    this.usedEdge = new Float64Array(groups);
    this.usedTies = new Int32Array(groups);
    this.bound = new Float64Array(groups);
    this.covered = new Uint8Array(groups);
    this.untied = new Int32Array(groups);
    this.ties = ties ? new TieBuckets(dc, newList) : undefined;
    this.edges = types * BINS_PER_TYPE;
  }

  /** Empties every group (the arrays are kept for the next step). */
  clear(): void {
    for (let i = 0; i < this.usedCount; i++) {
      const g = this.used[i];
      const list = this.members[g];
      for (let j = 0; j < this.size[g]; j++) this.groupOf[list[j]] = -1;
      this.size[g] = 0;
      this.usedAt[g] = -1;
      this.untied[g] = 0;
    }
    this.usedCount = 0;
    this.hostCount = 0;
    this.ties?.clear();
  }

  /** Adds host `h`, or moves it to the group of its current allocation. */
  place(h: number): void {
    const g = this.groupFor(h);
    // a host of offset 0 may change buckets within its group
    if (g === this.groupOf[h] && (this.ties === undefined || g % OFFSET_CLASSES !== TIED_CLASS)) return;
    this.remove(h);
    let list = this.members[g];
    const n = this.size[g];
    if (list === undefined || list.length === n) {
      const length = Math.max(8, 2 * n);
      const grown = this.newList?.(length) ?? new Int32Array(length);
      if (list !== undefined) grown.set(list);
      this.members[g] = list = grown;
    }
    list[n] = h;
    this.position[h] = n;
    this.size[g] = n + 1;
    this.groupOf[h] = g;
    this.hostCount++;
    if (n === 0) {
      const at = this.usedCount++;
      this.usedAt[g] = at;
      this.used[at] = g;
      this.usedBin[at] = this.groupBin[g];
      this.usedEdge[at] = this.groupEdge[g];
      this.usedTies[at] = this.groupTies[g];
    }
    if (this.ties !== undefined && g % OFFSET_CLASSES === TIED_CLASS && !this.ties.add(h, this.groupTies[g])) this.untied[g]++;
  }

  /** Removes host `h` (no-op if absent). */
  remove(h: number): void {
    const g = this.groupOf[h];
    if (g < 0) return;
    if (this.ties !== undefined && g % OFFSET_CLASSES === TIED_CLASS && !this.ties.remove(h)) this.untied[g]--;
    const list = this.members[g];
    const last = --this.size[g];
    const moved = list[last];
    list[this.position[h]] = moved;
    this.position[moved] = this.position[h];
    this.groupOf[h] = -1;
    this.hostCount--;
    if (last === 0) {
      const at = this.usedAt[g];
      const from = --this.usedCount;
      const other = this.used[from];
      this.used[at] = other;
      this.usedBin[at] = this.usedBin[from];
      this.usedEdge[at] = this.usedEdge[from];
      this.usedTies[at] = this.usedTies[from];
      this.usedAt[other] = at;
      this.usedAt[g] = -1;
    }
  }

  /**
   * Fills bound[0..usedCount) for a VM of demand `r` (MIPS): no host of group used[i] has a power
   * increase below bound[i]. With `tied` (and tie buckets kept), also prepares the tie buckets for
   * r and fills covered[0..usedCount): covered[i] = 1 when every host of used[i] is in a ready tie
   * bucket and within its class's limit for r, so that visiting the buckets visits them. Returns
   * the prepared tie buckets, or undefined (then nothing is covered).
   */
  bounds(r: number, tied = false): TieBuckets | undefined {
    const ties = tied && this.ties !== undefined && this.ties.prepare(r) ? this.ties : undefined;
    let known = this.byDemand.get(r);
    if (known === undefined) {
      if (this.byDemand.size === DEMANDS_KEPT) this.byDemand.clear();
      known = new Float64Array(2 * this.edges).fill(NaN);
      this.byDemand.set(r, known);
    }
    const { used, usedBin, usedEdge, usedTies, bound, covered, untied, edgeMips } = this;
    for (let i = 0; i < this.usedCount; i++) {
      const tb = usedBin[i];
      // covered: every allocation of the bin plus r within the limit of its ready tie class
      const c = usedTies[i];
      if (ties !== undefined && c >= 0 && untied[used[i]] === 0 && ties.ready[c] === 1 && edgeMips[tb + 1] + r <= ties.limit[c]) {
        covered[i] = 1;
        bound[i] = -Infinity; // (not computed)
        continue;
      }
      covered[i] = 0;
      let least = known[tb];
      if (least !== least) known[tb] = least = this.leastIncrease(tb, r, known);
      bound[i] = least + usedEdge[i];
    }
    return ties;
  }

  /** The host type of group `g`'s hosts. */
  typeOf(g: number): number {
    return Math.floor(this.groupBin[g] / BINS_PER_TYPE);
  }

  private groupFor(h: number): number {
    const dc = this.dc;
    const t = dc.hostType[h];
    const cap = this.typeCap[t];
    const alloc = dc.allocSum[h];
    const base = t * BINS_PER_TYPE;
    let bin = BINS;
    if (alloc < cap) {
      // the bin whose edges hold the allocation exactly (the quotient may round across an edge)
      bin = Math.max(0, Math.min(BINS - 1, Math.floor((alloc / cap) * BINS)));
      while (bin > 0 && alloc < this.edgeMips[base + bin]) bin--;
      while (bin < BINS - 1 && alloc >= this.edgeMips[base + bin + 1]) bin++;
    }
    const offset = powerAt(this.typeTable[t], alloc / cap) - dc.power(h);
    return (base + bin) * OFFSET_CLASSES + offsetClass(offset);
  }

  /** g's least value over bin `tb` (type and bin) for demand `r`. */
  private leastIncrease(tb: number, r: number, known: Float64Array): number {
    const t = Math.floor(tb / BINS_PER_TYPE);
    const bin = tb - t * BINS_PER_TYPE;
    if (bin === BINS) return -Infinity;
    let least = Math.min(this.increaseAtEdge(tb, r, known), this.increaseAtEdge(tb + 1, r, known));
    // the corner where (a + r) / cap crosses a table point, if one is inside the bin
    const cap = this.typeCap[t];
    const lo = this.edgeMips[tb];
    const hi = this.edgeMips[tb + 1];
    const k = Math.ceil(((lo + r) / cap) * STEPS);
    if (k <= STEPS) {
      const a = (k / STEPS) * cap - r;
      if (a > lo && a < hi) least = Math.min(least, increase(this.typeTable[t], cap, a, r));
    }
    return least;
  }

  /** g at bin edge `te` (type and edge) for demand `r` (`known`: r's memo, see byDemand). */
  private increaseAtEdge(te: number, r: number, known: Float64Array): number {
    let g = known[this.edges + te];
    if (g !== g) {
      const t = Math.floor(te / BINS_PER_TYPE);
      const cap = this.typeCap[t];
      known[this.edges + te] = g = powerAt(this.typeTable[t], (this.edgeMips[te] + r) / cap) - this.edgePower[te];
    }
    return g;
  }
}

/** g(a): the power increase from allocation `a` to `a + r` (MIPS) on capacity `cap`. */
function increase(table: Float64Array, cap: number, a: number, r: number): number {
  return powerAt(table, (a + r) / cap) - powerAt(table, a / cap);
}
