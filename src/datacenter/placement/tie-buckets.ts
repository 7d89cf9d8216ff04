/**
 * @module datacenter/placement/tie-buckets
 * The hosts whose power increases tie up to rounding, in id order, with a lower bound exact to the
 * watt grid, so that PABFD finds the first host with the least increase without evaluating them all.
 *
 * A host whose power at its last update is its table's value at its allocation (offset 0, see
 * increase-bins.ts) and whose allocation stays inside one table segment with the VM added has an
 * increase of P(u1) - P(u0) = R(p1 + y1) - R(p1 + y0): p1 the segment's lower table value, y the
 * linear part powerAt computes (delta x (u - lo / 10) x 100), R the rounding to the doubles of the
 * segment's binade, whose spacing is the grid step D. Up to rounding that is delta x 100 x r / cap
 * for every such host of one type and segment: hundreds of hosts tie within a few D, the least
 * value is reached by a large share of them, and CloudSim's scan takes the first in id order.
 *
 * The bound: with rho = (p1 + y0) - R(p1 + y0), the rounding residue of the host's power (exact,
 * known when the host joins), the increase is at least y1 - y0 + rho - D / 2, and y1 - y0 is at
 * least delta x 100 x r / cap less the rounding of u0, u1 and y (at most 1.2 x 2^-52 x delta x
 * 100, below D / 3 for SPECpower tables). The increase is a multiple of D (both powers are in one
 * binade), so it is at least that bound rounded up to the grid. Hosts of one type and segment are
 * kept in buckets of rho (K per grid step), each a list of host ids in increasing order with its
 * own bound.
 *
 * The scan of a bucket (indexed-pabfd.ts) visits its hosts in id order and stops once the lead is
 * below the bucket's bound, or at it and held by a lower id: no later host of the bucket can take
 * it. The groups whose hosts all sit in buckets are not visited themselves (IncreaseBins.covered).
 */
import { POWER_TABLE_POINTS, POWER_TABLE_STEPS as STEPS } from '../power.js';
import type { DataCenterState } from '../state.js';

/** Buckets per type and segment: the residue rho, from -D/2 to D/2, in K equal parts. */
export const K = 8;
/** A host qualifies while its allocation plus the demand stays this far (share of capacity) below the segment's top. */
const GUARD = 1e-6;
/** Demands below this share of capacity get no buckets (their increase could sit on a table point). */
const LEAST_DEMAND = 1e-9;
/** The rounding of u0, u1 and both y (1.2 x 2^-52 of delta x 100, see above), with room. */
const ROUNDING = 1.26 * 2 ** -52;

export class TieBuckets {
  /** Types x STEPS classes (type t, segment s at t x STEPS + s), K buckets each. */
  readonly classes: number;
  /** Per bucket (class x K + k): its hosts in increasing id order, and their number. */
  readonly lists: Int32Array[];
  readonly count: Int32Array;
  /** prepare()'s result: per bucket, no host in it increases by less (valid where `ready`). */
  readonly bound: Float64Array;
  /** Per class: prepared for the demand (certified, has hosts, demand not too small). */
  readonly ready: Uint8Array;
  /** Per class: the bound holds at all (a non-negative slope, the segment inside one binade). */
  private readonly certified: Uint8Array;
  /** Per class: the table's lower value, the slope as powerAt reads it, 100 x slope, the grid step D. */
  private readonly p1: Float64Array;
  private readonly delta: Float64Array;
  private readonly slope: Float64Array;
  private readonly grid: Float64Array;
  /** Per class: the largest allocation plus demand (MIPS) for which a host's bound holds. */
  readonly limit: Float64Array;
  private readonly classCount: Int32Array;
  /** Each host's bucket, or -1. */
  private readonly bucketOf: Int32Array;

  /**
   * @param newList where the buckets' lists come from (a list of the given length, zeroed), when
   *   not a new Int32Array: the compiled scan's memory (WasmScan.newMembers)
   */
  constructor(
    private readonly dc: DataCenterState,
    private readonly newList?: (length: number) => Int32Array | undefined,
  ) {
    const types = dc.typeTotalMips.length;
    this.classes = types * STEPS;
    this.lists = Array.from({ length: this.classes * K }, () => new Int32Array(0));
    this.count = new Int32Array(this.classes * K);
    this.bound = new Float64Array(this.classes * K);
    this.ready = new Uint8Array(this.classes);
    this.certified = new Uint8Array(this.classes);
    this.p1 = new Float64Array(this.classes);
    this.delta = new Float64Array(this.classes);
    this.slope = new Float64Array(this.classes);
    this.grid = new Float64Array(this.classes);
    this.limit = new Float64Array(this.classes);
    this.classCount = new Int32Array(this.classes);
    this.bucketOf = new Int32Array(dc.hostCount).fill(-1);
    for (let t = 0; t < types; t++) {
      const table = dc.typePower[t];
      const cap = dc.typeTotalMips[t];
      for (let s = 0; s < STEPS; s++) {
        const c = t * STEPS + s;
        const p1 = table[s];
        // as powerAt reads it
        const delta = table.length > POWER_TABLE_POINTS ? table[POWER_TABLE_POINTS + s] : (table[s + 1] - p1) / STEPS;
        this.p1[c] = p1;
        this.delta[c] = delta;
        this.slope[c] = delta * 100;
        this.limit[c] = cap * ((s + 1) / STEPS - GUARD);
        if (!(delta >= 0 && p1 > 0 && Number.isFinite(p1 + delta))) continue;
        // the binade [2^e, 2^(e + 1)) must hold every power of the segment, with room
        let e = Math.floor(Math.log2(p1));
        while (2 ** e > p1) e--;
        while (2 ** (e + 1) <= p1) e++;
        const top = Math.max(table[s + 1], p1 + STEPS * delta) * (1 + 2 ** -30);
        if (p1 * (1 - 2 ** -30) < 2 ** e || top >= 2 ** (e + 1)) continue;
        this.grid[c] = 2 ** (e - 52);
        this.certified[c] = 1;
      }
    }
  }

  /** Empties every bucket. */
  clear(): void {
    this.count.fill(0);
    this.classCount.fill(0);
    this.bucketOf.fill(-1);
  }

  /**
   * Adds host `h` to a bucket of class `c` (its type and the segment of its allocation bin, or -1)
   * if its power is its table's at its allocation, computed in that segment: returns whether it
   * was added.
   */
  add(h: number, c: number): boolean {
    if (c < 0 || this.certified[c] === 0) return false;
    const dc = this.dc;
    const segment = c - dc.hostType[h] * STEPS;
    const u = dc.allocSum[h] / dc.typeTotalMips[dc.hostType[h]];
    const p1 = this.p1[c];
    let y = 0;
    if (u > 0) {
      // powerAt's arithmetic, in the segment it would choose
      if (u >= 1) return false;
      const x = u * 10;
      const lo = Math.floor(x);
      if (lo !== segment || lo === x) return false;
      y = this.delta[c] * (u - lo / 10) * 100;
    } else if (segment !== 0) return false;
    const power = p1 + y;
    if (power !== dc.curPower[h]) return false;
    // the rounding residue, exact (|p1| >= |y|)
    const rho = y - (power - p1);
    const grid = this.grid[c];
    let k = Math.min(K - 1, Math.max(0, Math.floor((rho / grid + 0.5) * K)));
    // the sum may round up to the next bucket's edge: the bucket's lower edge must not exceed rho
    while (k > 0 && (k / K - 0.5) * grid > rho) k--;
    const q = c * K + k;
    const n = this.count[q];
    let list = this.lists[q];
    if (n === list.length) {
      const length = Math.max(8, 2 * n);
      const grown = this.newList?.(length) ?? new Int32Array(length);
      grown.set(list);
      this.lists[q] = list = grown;
    }
    const at = position(list, n, h);
    list.copyWithin(at + 1, at, n);
    list[at] = h;
    this.count[q] = n + 1;
    this.classCount[c]++;
    this.bucketOf[h] = q;
    return true;
  }

  /** Removes host `h` from its bucket: returns whether it was in one. */
  remove(h: number): boolean {
    const q = this.bucketOf[h];
    if (q < 0) return false;
    const list = this.lists[q];
    const n = this.count[q];
    const at = position(list, n, h);
    list.copyWithin(at, at + 1, n);
    this.count[q] = n - 1;
    this.classCount[Math.floor(q / K)]--;
    this.bucketOf[h] = -1;
    return true;
  }

  /** The host type of class `c`. */
  typeOf(c: number): number {
    return Math.floor(c / STEPS);
  }

  /**
   * Fills `ready` and `bound` for a VM of demand `r` (MIPS): a host of a ready class's bucket with
   * allocation + r <= limit[class] increases its power by at least the bucket's bound. Returns
   * whether any class is ready.
   */
  prepare(r: number): boolean {
    let any = false;
    for (let c = 0; c < this.classes; c++) {
      this.ready[c] = 0;
      if (this.classCount[c] === 0 || this.certified[c] === 0) continue;
      const cap = this.dc.typeTotalMips[this.typeOf(c)];
      if (!(r >= LEAST_DEMAND * cap)) continue;
      const slope = this.slope[c];
      const grid = this.grid[c];
      // y1 - y0 is at least this (the fp error of these operations within the 2^-50)
      const linear = slope * (r / cap);
      const least = linear - linear * 2 ** -50 - slope * ROUNDING;
      // bucket k holds rho >= (k / K - 1/2) D: the increase is at least least + (k / K - 1) D
      const t = least / grid;
      const whole = Math.floor(t);
      const fraction = t - whole;
      for (let k = 0; k < K; k++) this.bound[c * K + k] = grid * (whole + Math.ceil(fraction + (k / K - 1)));
      this.ready[c] = 1;
      any = true;
    }
    return any;
  }
}

/** The position of the first id >= h in the ascending list[0..n). */
function position(list: Int32Array, n: number, h: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] < h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
