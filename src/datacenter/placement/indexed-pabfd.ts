/**
 * @module datacenter/placement/indexed-pabfd
 * PABFD with the same choices as CloudSim's scan (pabfd.ts), faster:
 *  - it evaluates only the hosts of a PlacementIndex (one per class of look-alike hosts at t = 0;
 *    at a step the non-pristine hosts and one interchangeable empty host per type), and with
 *    groups only the groups that can hold the winner;
 *  - it checks overload lazily: first the least increase among suitable hosts, then the overload
 *    check in increasing order of increase until a host passes (the check has no side effect, so
 *    the choice is CloudSim's argmin over suitable, non-overloaded hosts; it runs about once);
 *  - with a screen (an OverloadScreen the run asks the detector for, e.g. LR's), a host that would
 *    take the lead and is surely overloaded is dropped at once;
 *  - the passes' loops over hosts run compiled to WebAssembly (wasm-scan.ts), the same arithmetic
 *    to the bit, where WebAssembly is available and unless switched off.
 */
import type { OverloadDetector } from '../policy.js';
import { powerAt } from '../power.js';
import type { DataCenterState } from '../state.js';
import type { IncreaseBins } from './increase-bins.js';
import { K as TIE_BUCKETS, type TieBuckets } from './tie-buckets.js';
import type { WasmScan } from './wasm-scan.js';
import { isSuitable, type Placement, type PlacementRound } from './placement.js';
import { PlacementIndex, ROW_ALLOC, ROW_AVAIL, ROW_POWER, ROW_TYPE, ROW_SIZE, type PlacementIndexOptions } from './placement-index.js';

/**
 * A cheap test that is exact in one direction: a host `h` with something allocated is surely
 * overloaded with the VM being placed appended (the detector's isOverloaded(dc, h, v) is true)
 * when `score[h] >= limit[dc.hostType[h]]`, once score[h] is current:
 * `version[h] === dc.hostVersion[h] + 1`, else `refresh(dc, h)` makes it so.
 */
export interface OverloadScreen {
  readonly score: Float64Array;
  readonly version: Uint32Array;
  readonly limit: Float64Array;
  refresh(dc: DataCenterState, h: number): void;
}

/** The screen for placing VM `v`, or undefined when none applies to it. */
export type ScreenFor = (dc: DataCenterState, v: number) => OverloadScreen | undefined;

export interface IndexedPabfdOptions extends PlacementIndexOptions {
  /** A screen for the detector's overload check (see OverloadScreen). */
  readonly screen?: ScreenFor;
  /** Least average number of hosts per group for the grouped pass (default GROUPED_SCAN_RATIO). */
  readonly groupedScanRatio?: number;
}

// the hot loops (listUntilLeaderJs, nextLeaderJs, wasm-scan.ts) write the scan row's offsets out
if (ROW_SIZE !== 4 || ROW_AVAIL !== 0 || ROW_ALLOC !== 1 || ROW_POWER !== 2 || ROW_TYPE !== 3) {
  throw new Error('placement-index.ts changed the scan row layout: update the loops of indexed-pabfd.ts');
}

/** Scratch buffers of the candidate pass (host ids and their power increase). */
let candHost: Int32Array = new Int32Array(1024);
let candDiff: Float64Array = new Float64Array(1024);

/**
 * One placement's candidate pass: lists the suitable hosts with their power increase and keeps the
 * least, lowest id on ties (hosts need not come in id order). A host that would take the lead is
 * dropped if the screen finds it surely overloaded. One instance, reused: placements
 * do not nest.
 */
class CandidatePass {
  private dc!: DataCenterState;
  private rows!: Float64Array;
  private typePeMips!: Float64Array;
  private v = -1;
  private excluded!: Uint8Array;
  private checkReservations = false;
  private r = 0;
  private perPe = 0;
  private screen: OverloadScreen | undefined;
  private wasm: WasmScan | undefined;
  /** Hosts listed in candHost/candDiff. */
  m = 0;
  /** Position of the least increase among them, or -1. */
  k = -1;
  private min = Number.MAX_VALUE;
  private minHost = -1;
  /** The increase of the host a loop stopped at (listUntilLeader, nextLeaderJs, groupLeast). */
  private lead = 0;

  begin(dc: DataCenterState, index: PlacementIndex, v: number, excluded: Uint8Array, screen: OverloadScreen | undefined, checkReservations: boolean): void {
    this.dc = dc;
    this.rows = index.rows;
    this.wasm = index.wasm;
    this.typePeMips = index.typePeMips;
    this.v = v;
    this.excluded = excluded;
    this.checkReservations = checkReservations;
    this.r = dc.req[v];
    this.perPe = this.r / dc.vmPes[v];
    this.screen = screen;
    this.m = 0;
    this.k = -1;
    this.min = Number.MAX_VALUE;
    this.minHost = -1;
    if (this.wasm !== undefined) {
      // the compiled full pass lists in its memory
      candHost = this.wasm.candHost;
      candDiff = this.wasm.candDiff;
      // the grouped loop's known scores are this screen's
      if (screen !== undefined) this.wasm.scoresOf(screen.score, dc.historyEpoch);
    } else if (candHost.length < dc.hostCount) {
      candHost = new Int32Array(2 * dc.hostCount);
      candDiff = new Float64Array(2 * dc.hostCount);
    }
  }

  /** Lists hosts[0..n). */
  visit(hosts: Int32Array, n: number): void {
    if (this.checkReservations) {
      this.visitChecked(hosts, n);
      return;
    }
    const screened = this.screen !== undefined;
    if (this.wasm !== undefined) {
      this.wasm.setExcluded(this.excluded);
      this.wasm.setHosts(hosts, n);
    }
    for (let i = this.listUntilLeader(hosts, 0, n); i < n; i = this.listUntilLeader(hosts, i + 1, n)) {
      const h = hosts[i];
      const type = this.rows[ROW_SIZE * h + ROW_TYPE];
      if (screened && this.rows[ROW_SIZE * h + ROW_ALLOC] !== 0 && this.screenedOut(h, type)) continue;
      this.min = this.lead;
      this.minHost = h;
      this.k = this.m;
      candHost[this.m] = h;
      candDiff[this.m] = this.lead;
      this.m++;
    }
  }

  /** listUntilLeaderJs, or the same loop compiled (wasm-scan.ts; its hosts set by visit). */
  private listUntilLeader(hosts: Int32Array, from: number, n: number): number {
    const wasm = this.wasm;
    if (wasm === undefined) return this.listUntilLeaderJs(hosts, from, n, candHost, candDiff);
    const i = wasm.listUntilLeader(from, n, this.m, this.r, this.perPe, this.min, this.minHost);
    this.m = wasm.listedCount;
    if (i < n) this.lead = wasm.leadIncrease;
    return i;
  }

  /**
   * Lists hosts[from..n) in hostOut/diffOut after the m listed, up to the first that would take
   * the lead from (min, minHost): returns its position (its increase in `lead`, not listed), or n.
   * The hot loop: it calls nothing (powerAt is inlined) and reads only locals, so optimized code
   * reloads and re-checks less per host than with a call inside the loop; the row offsets are
   * placement-index.ts's ROW_* written out (a module constant is re-checked at every use). The
   * suitability test of isSuitable() is inlined.
   */
  private listUntilLeaderJs(hosts: Int32Array, from: number, n: number, hostOut: Int32Array, diffOut: Float64Array): number {
    const rows = this.rows;
    const typePeMips = this.typePeMips;
    const excluded = this.excluded;
    const r = this.r;
    const perPe = this.perPe;
    const typePower = this.dc.typePower;
    const typeTotalMips = this.dc.typeTotalMips;
    const min = this.min;
    const minHost = this.minHost;
    let m = this.m;
    let i = from;
    for (; i < n; i++) {
      const h = hosts[i];
      const row = 4 * h;
      const type = rows[row + 3];
      if (excluded[h] === 1 || typePeMips[type] < perPe || rows[row] < r) continue;
      const diff = powerAt(typePower[type], (rows[row + 1] + r) / typeTotalMips[type]) - rows[row + 2];
      if (diff < min || (diff === min && h < minHost)) {
        this.lead = diff;
        break;
      }
      hostOut[m] = h;
      diffOut[m] = diff;
      m++;
    }
    this.m = m;
    return i;
  }

  /** visit() when RAM and bandwidth are checked too (CloudSim checks them only at t = 0). */
  private visitChecked(hosts: Int32Array, n: number): void {
    const { dc, rows, typePeMips, v, excluded, r, perPe } = this;
    const { typePower, typeTotalMips } = dc;
    let { m, k, min, minHost } = this;
    for (let i = 0; i < n; i++) {
      const h = hosts[i];
      const row = ROW_SIZE * h;
      const type = rows[row + ROW_TYPE];
      if (excluded[h] === 1 || typePeMips[type] < perPe || rows[row + ROW_AVAIL] < r) continue;
      if (!isSuitable(dc, h, v, true)) continue;
      const alloc = rows[row + ROW_ALLOC];
      const diff = powerAt(typePower[type], (alloc + r) / typeTotalMips[type]) - rows[row + ROW_POWER];
      if (diff < min || (diff === min && h < minHost)) {
        if (this.screen !== undefined && alloc !== 0 && this.screenedOut(h, type)) continue;
        min = diff;
        minHost = h;
        k = m;
      }
      candHost[m] = h;
      candDiff[m] = diff;
      m++;
    }
    this.m = m;
    this.k = k;
    this.min = min;
    this.minHost = minHost;
  }

  /**
   * The screen finds host h (of type `type`, something allocated) surely overloaded: it cannot be
   * chosen and is left out. Only the hosts that would lead are screened: one that would not and
   * stays listed is turned away by the overload check if it ever comes first.
   */
  private screenedOut(h: number, type: number): boolean {
    const screen = this.screen!;
    if (screen.version[h] !== this.dc.hostVersion[h] + 1) screen.refresh(this.dc, h);
    // current now: the compiled group loop may use it until the host changes (PlacementIndex.changed)
    if (this.wasm !== undefined) this.wasm.scores[h] = screen.score[h];
    return screen.score[h] >= screen.limit[type];
  }

  /**
   * The least increase among the hosts of one group, all of type `type`, lowest id on ties, as
   * visit() finds it but without listing the hosts: the grouped pass needs only its winner (when
   * the winner is overloaded, findHost runs the full pass). The type's figures are read once.
   * Compiled (wasm-scan.ts groupLeast), the loop takes the leads itself and screens with the
   * scores it knows; it stops only at a host whose score it does not know. Which hosts the
   * screen is asked about depends on the visiting order, the winner does not: it is the least
   * among the hosts the screen does not drop.
   */
  private visitGroup(hosts: Int32Array, n: number, type: number): void {
    if (this.checkReservations) {
      this.visitChecked(hosts, n);
      return;
    }
    if (this.typePeMips[type] < this.perPe) return;
    this.wasm?.setHosts(hosts, n);
    this.visitRange(hosts, 0, n, type);
  }

  /**
   * visitGroup's loop over hosts[from..to) (all of type `type`, with the compiled scan's hosts set
   * to `hosts` when it runs): every host that would take the lead, screened, takes it.
   */
  private visitRange(hosts: Int32Array, from: number, to: number, type: number): void {
    const cap = this.dc.typeTotalMips[type];
    const screen = this.screen;
    const wasm = this.wasm;
    if (wasm !== undefined) {
      const limit = screen !== undefined ? screen.limit[type] : 0;
      for (let i = wasm.groupLeast(from, to, type, this.r, cap, this.min, this.minHost, screen !== undefined, limit); i < to; ) {
        this.min = wasm.leastIncrease;
        this.minHost = wasm.leastHost;
        const h = hosts[i];
        if (!this.screenedOut(h, type)) {
          this.min = wasm.leadIncrease;
          this.minHost = h;
        }
        i = wasm.groupLeast(i + 1, to, type, this.r, cap, this.min, this.minHost, true, limit);
      }
      this.min = wasm.leastIncrease;
      this.minHost = wasm.leastHost;
      return;
    }
    const table = this.dc.typePower[type];
    for (let i = this.nextLeaderJs(hosts, from, to, table, cap); i < to; i = this.nextLeaderJs(hosts, i + 1, to, table, cap)) {
      const h = hosts[i];
      if (screen !== undefined && this.rows[ROW_SIZE * h + ROW_ALLOC] !== 0 && this.screenedOut(h, type)) continue;
      this.min = this.lead;
      this.minHost = h;
    }
  }

  /**
   * The first of hosts[from..n) (all of the type whose power table and capacity are given) that
   * would take the lead from (min, minHost): its position (its increase in `lead`), or n. A loop
   * as listUntilLeader's, without the listing and the per-host type.
   */
  private nextLeaderJs(hosts: Int32Array, from: number, n: number, table: Float64Array, cap: number): number {
    const rows = this.rows;
    const excluded = this.excluded;
    const r = this.r;
    const min = this.min;
    const minHost = this.minHost;
    for (let i = from; i < n; i++) {
      const h = hosts[i];
      const row = 4 * h;
      if (excluded[h] === 1 || rows[row] < r) continue;
      const diff = powerAt(table, (rows[row + 1] + r) / cap) - rows[row + 2];
      if (diff < min || (diff === min && h < minHost)) {
        this.lead = diff;
        return i;
      }
    }
    return n;
  }

  /**
   * Finds the least increase in the groups of `bins` that can hold the winner: the one with the
   * lowest bound first (it usually holds the winner), then every other whose bound is not above
   * the least increase found. The least is then the full scan's: a skipped host's increase is
   * above it. Returns the winner, or -1.
   */
  visitGroups(bins: IncreaseBins): number {
    const n = bins.usedCount;
    if (n === 0) return -1;
    const ties = bins.bounds(this.r, !this.checkReservations);
    if (this.wasm !== undefined && !this.checkReservations) this.wasm.setExcluded(this.excluded);
    const { bound, covered, used, members, size } = bins;
    // the groups the tie buckets cover (none without them) are visited there
    let first = -1;
    for (let i = 0; i < n; i++) if (covered[i] === 0 && (first < 0 || bound[i] < bound[first])) first = i;
    if (first >= 0) this.visitGroup(members[used[first]], size[used[first]], bins.typeOf(used[first]));
    if (ties !== undefined) this.visitTies(ties);
    for (let i = 0; i < n; i++) {
      if (i !== first && covered[i] === 0 && bound[i] <= this.min) this.visitGroup(members[used[i]], size[used[i]], bins.typeOf(used[i]));
    }
    return this.minHost;
  }

  /** Visits the prepared tie buckets that can hold the winner (TieBuckets.prepare). */
  private visitTies(ties: TieBuckets): void {
    for (let c = 0; c < ties.classes; c++) {
      if (ties.ready[c] === 0) continue;
      const type = ties.typeOf(c);
      if (this.typePeMips[type] < this.perPe) continue;
      for (let q = c * TIE_BUCKETS; q < (c + 1) * TIE_BUCKETS; q++) {
        if (ties.count[q] !== 0 && ties.bound[q] <= this.min) this.visitBucket(ties, q, type);
      }
    }
  }

  /**
   * The hosts of tie bucket `q` (of type `type`) in id order, as visitGroup takes the lead, over
   * growing stretches of the list until no later host of the bucket can take it: the lead is below
   * the bucket's bound, or at it with a lower id. A host whose allocation plus the demand is above
   * its class's limit is evaluated too, which changes nothing: its group is not covered
   * (IncreaseBins.covered), so it is visited there as well.
   */
  private visitBucket(ties: TieBuckets, q: number, type: number): void {
    const lowest = ties.bound[q];
    const list = ties.lists[q];
    const n = ties.count[q];
    this.wasm?.setHosts(list, n);
    for (let from = 0, stretch = 4; from < n; from += stretch, stretch *= 2) {
      if (lowest > this.min || (lowest === this.min && this.minHost < list[from])) break;
      this.visitRange(list, from, Math.min(n, from + stretch), type);
    }
  }
}

const pass = new CandidatePass();

/**
 * The grouped pass bounds every group (its bin's least increase is kept per demand), then
 * evaluates the hosts of the groups that can win, one compiled call per group; it is used when
 * groups hold at least this many hosts on average, else the full pass runs. Late in a 10,000-host
 * day groups get small (fewer than 8 hosts on average) while still leaving out most hosts: the
 * grouped pass evaluates fewer hosts there than the full pass, at a per-group cost small enough
 * since its loop takes the leads itself.
 */
export const GROUPED_SCAN_RATIO = 4;

export class IndexedPabfd implements Placement {
  readonly name: string;
  private readonly index: PlacementIndex;
  private readonly screen: ScreenFor | undefined;
  private readonly groupedScanRatio: number;
  private checkReservations = false;

  constructor(
    private readonly detector: OverloadDetector,
    options: IndexedPabfdOptions = {},
  ) {
    this.index = new PlacementIndex(options);
    this.screen = options.screen;
    this.groupedScanRatio = options.groupedScanRatio ?? GROUPED_SCAN_RATIO;
    this.name = options.grouped === false ? 'indexed-pabfd' : 'grouped-pabfd';
  }

  begin(dc: DataCenterState, round: PlacementRound): void {
    this.checkReservations = round.checkReservations;
    this.index.begin(dc, round.initial);
  }

  changed(h: number): void {
    this.index.changed(h);
  }

  exclude(h: number): void {
    this.index.exclude(h);
  }

  newExcluded(): Uint8Array {
    return this.index.newExcluded();
  }

  /**
   * Two steps: the candidate pass (CandidatePass), then the overload check in increasing order of
   * increase until a host passes. With groups the pass skips the groups that cannot win; in the
   * rare case where its winner is overloaded, the full pass runs, as the next best may be in a
   * skipped group.
   */
  findHost(dc: DataCenterState, v: number, excluded: Uint8Array): number {
    const { detector, index } = this;
    const screen = this.screen?.(dc, v);
    const bins = index.bins;
    pass.begin(dc, index, v, excluded, screen, this.checkReservations);
    if (bins !== undefined && bins.hostCount >= this.groupedScanRatio * bins.usedCount) {
      const winner = pass.visitGroups(bins);
      if (winner < 0) return -1;
      if (takes(dc, winner, v, detector)) return winner;
      pass.begin(dc, index, v, excluded, screen, this.checkReservations);
    }
    const ids = index.ids();
    pass.visit(ids, ids.length);
    if (pass.k < 0) return -1;
    const first = candHost[pass.k];
    if (takes(dc, first, v, detector)) return first;
    return nextBestHost(dc, v, detector, pass.m, pass.k);
  }
}

/** Host h may take VM v: it has nothing allocated (never checked for overload), or is not overloaded with v. */
function takes(dc: DataCenterState, h: number, v: number, detector: OverloadDetector): boolean {
  return dc.allocSum[h] === 0 || !detector.isOverloaded(dc, h, v);
}

/**
 * The best candidate (position k of m) would be overloaded: the others by increasing (increase,
 * id), a batch of the next smallest at a time (usually a few checks: cheaper than ordering all of
 * them). A function of its own: taken in well under 1 % of placements, it kept too little type
 * feedback inside findHostForVm, whose optimized code was thrown away at each visit (134 times
 * on the PlanetLab day).
 */
function nextBestHost(dc: DataCenterState, v: number, detector: OverloadDetector, m: number, k: number): number {
  let afterDiff = candDiff[k];
  let afterHost = candHost[k];
  for (let batch = FIRST_BATCH; ; batch *= 2) {
    const n = smallestAfter(m, afterDiff, afterHost, batch);
    if (n === 0) return -1;
    for (let i = 0; i < n; i++) {
      const h = candHost[picked[i]];
      if (takes(dc, h, v, detector)) return h;
    }
    afterDiff = candDiff[picked[n - 1]];
    afterHost = candHost[picked[n - 1]];
  }
}

/** Candidates ordered after the best: the first batch's size (doubled for each further batch). */
const FIRST_BATCH = 32;
/** Scratch of smallestAfter: candidate positions. */
let picked = new Int32Array(FIRST_BATCH);

/** (increase, id) order of candidate positions a and b: true if a comes first. */
function before(a: number, b: number): boolean {
  const da = candDiff[a];
  const db = candDiff[b];
  return da < db || (da === db && candHost[a] < candHost[b]);
}

/**
 * Puts in `picked[0..n)` the positions of the (at most `k`) first candidates in (increase, id)
 * order among those after (afterDiff, afterHost), in that order; returns n. One pass with a
 * bounded max-heap: most candidates are turned away by one comparison with its top.
 */
function smallestAfter(m: number, afterDiff: number, afterHost: number, k: number): number {
  if (picked.length < k) picked = new Int32Array(k);
  const heap = picked;
  let size = 0;
  for (let i = 0; i < m; i++) {
    const d = candDiff[i];
    if (d < afterDiff || (d === afterDiff && candHost[i] <= afterHost)) continue;
    if (size < k) {
      // sift up (max-heap: the last in order on top)
      let j = size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!before(heap[p], i)) break;
        heap[j] = heap[p];
        j = p;
      }
      heap[j] = i;
    } else if (before(i, heap[0])) {
      siftDown(heap, size, i);
    }
  }
  // heap sort in place: repeatedly move the top (the last in order) to the end
  for (let end = size - 1; end > 0; end--) {
    const top = heap[0];
    siftDown(heap, end, heap[end]);
    heap[end] = top;
  }
  return size;
}

/** Replaces the top of the max-heap `heap[0..size)` with position `x` and restores the order. */
function siftDown(heap: Int32Array, size: number, x: number): void {
  let j = 0;
  for (;;) {
    const l = 2 * j + 1;
    if (l >= size) break;
    const c = l + 1 < size && before(heap[l], heap[l + 1]) ? l + 1 : l;
    if (!before(x, heap[c])) break;
    heap[j] = heap[c];
    j = c;
  }
  heap[j] = x;
}
