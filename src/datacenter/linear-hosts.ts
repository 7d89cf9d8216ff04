/**
 * @module datacenter/linear-hosts
 * Hosts whose state is linear in time between two of their updates ("fluid regions" of the
 * consolidation run). CloudSim updates every host at every migration completion; a host that no
 * completion touches, whose VMs each run on one PE below its cap with a demand > 0 and that is not
 * oversubscribed, has at each of those instants:
 *  - utilisation = sum of its VMs' demands (a migrating-in VM at its reserved share), and each
 *    demand is linear in time between two trace samples (CloudSim interpolates linearly);
 *  - each VM it records allocated its demand (90 % of it while migrating out, a fixed 10 %
 *    shortfall);
 *  - no VM retirement (every demand stays > 0) and no shutdown (the load stays > 0).
 * A span may also end at a known time inside the step: where a VM's demand reaches 0 at the trace
 * sample (the bend) and stays there, or the host's load reaches its capacity. The first instant at
 * or after that time updates the host in full again (`endExpired`).
 * Such a host costs O(1) per instant instead of O(its VMs): its utilisation comes from the linear
 * model (for the energy, still summed instant by instant), and its skipped history entries are
 * made up when it is next updated in full: the entry before them then spans the whole interval,
 * and each VM's sums get the difference sum_j (r(t_j) - r(t_0)) x (t_j+1 - t_j) in closed form.
 * Its SLA-violation flag (allocated < requested) cannot change (none, or always one while a VM
 * migrates in), except on a host with a VM migrating out, where it turns on the rounding of
 * (a x 0.9) / 0.9: such a host sums its VMs exactly at each instant (no allocation, no VM entry).
 * The results are those of updating every host up to floating-point rounding (CloudSim's sums are
 * taken in another order); every decision is the same, since decisions only read the state of
 * scheduling steps, where every host is updated in full (the run ends every span before an update
 * at a step's instant, also when migrations complete exactly then).
 */
import type { HostUpdates } from './host-updates.js';
import type { VmHistory } from './metrics.js';
import type { DataCenterState } from './state.js';
import type { TraceTable } from './traces.js';

/** Demands and utilisation must stay this far (relative) inside the PE and host capacity. */
const CAPACITY_MARGIN = 1e-9;

export class LinearHosts implements HostUpdates {
  readonly name = 'linear hosts';
  /** Instant (index into `times`) each host's linear span starts at, -1 for hosts updated in full. */
  readonly from: Int32Array;
  /**
   * 1 for a host in a span with a VM migrating out: its SLA-violation flag (allocated < requested)
   * turns on the rounding of (a x 0.9) / 0.9 at each instant, so its utilisation and requested
   * MIPS are summed exactly at each instant (exactSums, O(its VMs) but no allocation or VM entry).
   */
  readonly exact: Uint8Array;
  /** The requested MIPS of the last exactSums. */
  requested = 0;
  /** Per host: the span holds at instants before this time (Infinity: to the step's end). */
  private readonly until: Float64Array;
  /** No span expires before this time (a lower bound: the least `until` of the open spans). */
  private nextExpiry = Infinity;
  /** Per host: utilisation (MIPS) at the span's start and its slope before and after the kink. */
  private readonly u0: Float64Array;
  private readonly slopeA: Float64Array;
  private readonly slopeB: Float64Array;
  /**
   * Per host in a span: its VMs' demand slopes (MIPS / s) before and after the kink, in list order
   * (the list does not change during a span), side by side at 2i and 2i + 1, so that the span's
   * end reads them in order; each host's array is kept for its next span.
   */
  private readonly vmSlopes: Float64Array[];
  /** Per host in a span: its hostVersion when the span started (the list must not change until it ends). */
  private readonly spanVersion: Uint32Array;
  /** Update instants of the current step: the step itself, then each completion time. */
  private times: number[] = [];
  /** Trace sample boundary inside the step (demands bend there), the step's end, the sample row before the step. */
  private kink = 0;
  private stepEnd = 0;
  private row = 0;
  private enabled = false;
  /** Hosts in a linear span, and each one's position there. */
  private readonly open: number[] = [];
  private readonly pos: Int32Array;

  /** @param prefetch whether start and end read their VMs' figures ahead (VmHistory.prefetch; the same results). */
  constructor(
    private readonly dc: DataCenterState,
    private readonly traces: TraceTable,
    private readonly traceInterval: number,
    private readonly prefetch = true,
  ) {
    this.from = new Int32Array(dc.hostCount).fill(-1);
    this.exact = new Uint8Array(dc.hostCount);
    this.pos = new Int32Array(dc.hostCount);
    this.until = new Float64Array(dc.hostCount);
    this.u0 = new Float64Array(dc.hostCount);
    this.slopeA = new Float64Array(dc.hostCount);
    this.slopeB = new Float64Array(dc.hostCount);
    this.vmSlopes = new Array<Float64Array>(dc.hostCount);
    this.spanVersion = new Uint32Array(dc.hostCount);
  }

  /**
   * A scheduling step at `t` (every host updated in full) until `end`: spans may start. Steps
   * longer than a trace interval (more than one bend) get no spans.
   */
  beginStep(t: number, end: number): void {
    this.times = [t];
    this.row = Math.floor(t / this.traceInterval);
    this.kink = (this.row + 1) * this.traceInterval;
    this.stepEnd = end;
    this.enabled = end <= (this.row + 2) * this.traceInterval && this.row + 2 <= this.traces.samples;
    this.nextExpiry = Infinity;
  }

  /** A completion instant at `t`; returns its index. */
  addInstant(t: number): number {
    this.times.push(t);
    return this.times.length - 1;
  }

  get lastInstant(): number {
    return this.times.length - 1;
  }

  timeOf(instant: number): number {
    return this.times[instant];
  }

  /** Hosts in a linear span (valid until the next call to start or end). */
  get openHosts(): readonly number[] {
    return this.open;
  }

  /**
   * Starts a linear span for host `h` at the current instant if it qualifies (just updated in
   * full, with the demands of this instant); returns whether it did.
   */
  start(h: number): boolean {
    if (!this.enabled || this.from[h] >= 0) return false;
    const dc = this.dc;
    const list = dc.lists[h];
    if (list.length === 0 || dc.oversubscribed[h] === 1) return false;
    if (this.prefetch) dc.prefetch(list);
    let slopes = this.vmSlopes[h];
    if (slopes === undefined || slopes.length < 2 * list.length) slopes = this.vmSlopes[h] = new Float64Array(Math.max(16, 4 * list.length));
    const t0 = this.times[this.times.length - 1];
    const capPe = dc.peMips[h] * (1 - CAPACITY_MARGIN);
    const traces = this.traces;
    const n = traces.vms;
    const r1 = (this.row + 1) * n;
    const r2 = (this.row + 2) * n;
    const interval = this.traceInterval;
    // the bend and the step's end as seen from t0 (t0 may be past the bend)
    const beforeKink = Math.max(0, this.kink - t0);
    const afterKink = this.stepEnd - Math.max(t0, this.kink);
    let slopeA = 0;
    let slopeB = 0;
    let anyIncoming = false;
    // (a VM migrates in only if the host has some: most have none, and the test reads each VM's target)
    const listsIncoming = dc.hasIncoming(h);
    let anyOutgoing = false;
    let until = Infinity;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      const type = dc.vmType[v];
      if (dc.typePes[type] !== 1) return false;
      const incoming = listsIncoming && dc.isMigratingIn(v, h);
      if (!incoming && dc.inMigration[v] === 1) anyOutgoing = true;
      const mips = dc.typeMips[type];
      const uk = traces.value(r1 + v);
      const gA = (mips * (uk - traces.value(r1 - n + v))) / interval;
      const gB = (mips * (traces.value(r2 + v) - uk)) / interval;
      // the demand stays > 0 between samples if it is > 0 now; if the samples after the bend are
      // both 0, it is 0 from the bend on, so the span ends there (an instant exactly on a sample
      // is handled by onSample)
      const r0 = dc.req[v];
      if (!(r0 > 0)) return false;
      if (uk === 0 && traces.value(r2 + v) === 0 && this.stepEnd > this.kink) until = Math.min(until, this.kink);
      // and below one PE at t0, at the bend and at the step's end
      const rk = r0 + gA * beforeKink;
      const re = rk + gB * afterKink;
      if (r0 > capPe || rk > capPe || re > capPe) return false;
      slopes[2 * i] = gA;
      slopes[2 * i + 1] = gB;
      const share = incoming ? dc.dstShare : 1;
      if (incoming) anyIncoming = true;
      slopeA += share * gA;
      slopeB += share * gB;
    }
    // without a VM migrating out, a migrating-in VM makes allocated < requested at every instant
    // (its share must show it) and none makes them equal
    if (!anyOutgoing && anyIncoming && !(dc.dstShare < 1 - 1e-6)) return false;
    const u0 = dc.utilMips[h];
    const uk = u0 + slopeA * beforeKink;
    const ue = uk + slopeB * afterKink;
    const capHost = dc.totalMips[h] * (1 - CAPACITY_MARGIN);
    if (!(u0 > 0) || u0 > capHost) return false;
    // a load that reaches the capacity (the host becomes oversubscribed) ends the span there
    if (uk > capHost) until = Math.min(until, t0 + (capHost - u0) / slopeA);
    else if (ue > capHost) until = Math.min(until, Math.max(t0, this.kink) + (capHost - uk) / slopeB);
    this.from[h] = this.times.length - 1;
    this.spanVersion[h] = dc.hostVersion[h];
    this.until[h] = until;
    this.nextExpiry = Math.min(this.nextExpiry, until);
    this.exact[h] = anyOutgoing ? 1 : 0;
    this.u0[h] = u0;
    this.slopeA[h] = slopeA;
    this.slopeB[h] = slopeB;
    this.pos[h] = this.open.length;
    this.open.push(h);
    return true;
  }

  /**
   * Ends the spans that hold only before `t`, an instant whose full update is next: their instants
   * up to `last` were skipped. (Called at every instant, so that the caller's optimized code has
   * seen the call: the expiries themselves are rare in some runs.)
   */
  endExpired(t: number, last: number, vmHist: VmHistory): void {
    if (t < this.nextExpiry) return;
    const expired: number[] = [];
    let next = Infinity;
    for (const h of this.open) {
      if (this.until[h] <= t) expired.push(h);
      else next = Math.min(next, this.until[h]);
    }
    this.nextExpiry = next;
    for (const h of expired) this.end(h, t, last, vmHist);
  }

  /**
   * True if `t` is a trace sample time (within 1 us): a demand can be exactly 0 there, so every
   * span must end before it (rare: completion times fall between samples).
   */
  onSample(t: number): boolean {
    const off = t - Math.round(t / this.traceInterval) * this.traceInterval;
    return Math.abs(off) < 1e-6;
  }

  /**
   * Utilisation of host h (with exact[h] = 1) at the instant `sample` reads, summed as a full update
   * sums it (every VM has one PE, below its cap, and the host is not oversubscribed); sets
   * `requested`.
   */
  exactSums(h: number, sample: (v: number) => number): number {
    const dc = this.dc;
    const list = dc.lists[h];
    const listsIncoming = dc.hasIncoming(h);
    let util = 0;
    let requested = 0;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      const r = sample(v) * dc.typeMips[dc.vmType[v]]; // (u x (MIPS x 1)) / 1 summed over one PE
      if (listsIncoming && dc.isMigratingIn(v, h)) util += r * dc.dstShare;
      else if (dc.inMigration[v] === 1) util += (r * dc.srcKeep) / dc.srcKeep;
      else util += r;
      requested += r;
    }
    this.requested = requested;
    return util;
  }

  /** Utilisation (MIPS) of a host in a linear span at time `t` of its span. */
  utilization(h: number, t: number): number {
    const t0 = this.times[this.from[h]];
    const k = this.kink;
    return this.u0[h] + this.slopeA[h] * (Math.min(t, k) - Math.min(t0, k)) + this.slopeB[h] * (Math.max(t, k) - Math.max(t0, k));
  }

  /**
   * Ends host h's span: its VM entries of the instants after the start up to `last` were skipped,
   * the next full update is at `endTime`; `vmHist` gets what they would have added.
   */
  end(h: number, endTime: number, last: number, vmHist: VmHistory): void {
    const s0 = this.from[h];
    // the slopes are in list order: a run that changed the list first would read the wrong ones
    if (this.dc.hostVersion[h] !== this.spanVersion[h]) throw new Error(`LinearHosts: host ${h}'s VM list changed during its linear span`);
    this.from[h] = -1;
    const moved = this.open.pop()!;
    if (moved !== h) {
      this.open[this.pos[h]] = moved;
      this.pos[moved] = this.pos[h];
    }
    if (last <= s0) return;
    // sum_j (d(t_j) - d(t_0)) w_j splits into the parts before and after the bend
    const times = this.times;
    const k = this.kink;
    const t0 = times[s0];
    let sumA = 0;
    let sumB = 0;
    for (let j = s0 + 1; j <= last; j++) {
      const tj = times[j];
      const w = (j === last ? endTime : times[j + 1]) - tj;
      sumA += (Math.min(tj, k) - Math.min(t0, k)) * w;
      sumB += (Math.max(tj, k) - Math.max(t0, k)) * w;
    }
    const dc = this.dc;
    const skipped = last - s0;
    const listsIncoming = dc.hasIncoming(h);
    const list = dc.lists[h];
    if (this.prefetch) vmHist.prefetch(list);
    const slopes = this.vmSlopes[h];
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (listsIncoming && dc.isMigratingIn(v, h)) continue; // recorded on its source
      const requested = slopes[2 * i] * sumA + slopes[2 * i + 1] * sumB;
      // a VM migrating out gets 90 % of its demand: a shortfall of 10 % at every skipped entry
      if (dc.inMigration[v] === 1) vmHist.addLinear(v, requested, dc.srcKeep * requested, (1 - dc.srcKeep) * requested, skipped, skipped * (1 - dc.srcKeep));
      else vmHist.addLinear(v, requested, requested, 0, 0, 0);
    }
  }
}
