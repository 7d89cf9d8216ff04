/**
 * @module datacenter/state
 * The data center as a struct of arrays: host and VM state in typed arrays indexed by id, one small
 * ordered VM list per host. The order of a host's list matters (CloudSim sums and picks in it).
 *
 * CPU sharing follows CloudSim's VmSchedulerTimeSharedOverSubscription: each VM asks for its
 * requested MIPS capped at one PE; while the running sum fits, every VM gets its request (90 % of
 * it if migrating out, 10 % reserved if migrating in); once it does not fit, every VM gets
 * floor(request x capacity / total request). Allocation is recomputed from the list whenever it
 * changes, which gives the same final state as CloudSim's incremental bookkeeping.
 */
import type { ConsolidationConfig, HostType, VmType } from './types.js';
import { powerAt, withDeltas } from './power.js';

/** VM utilisation history length (CloudSim PowerVm.HISTORY_LENGTH). */
export const HISTORY_LENGTH = 30;

/** Default share of MIPS a migrating VM loses at the source / reserves at the target. */
export const DEFAULT_MIGRATION_SHARE = 0.1;

/** Options of the state that do not change its figures. */
export interface StateOptions {
  /**
   * false: a host's history sum and largest VM RAM are computed from its VMs at every use instead
   * of cached until its list changes (the same figures, to the bit).
   */
  readonly cachedHistories?: boolean;
}

export class DataCenterState {
  readonly hostCount: number;
  readonly vmCount: number;
  // ---- hosts ----
  readonly hostType: Int32Array;
  /** Total MIPS (sum over PEs), an integer as in CloudSim. */
  readonly totalMips: Float64Array;
  /** Capacity of one PE, MIPS. */
  readonly peMips: Float64Array;
  readonly hostRam: Float64Array;
  readonly hostBw: Float64Array;
  /** Power table of each host with its step deltas (power.ts withDeltas; its type's typePower). */
  readonly hostPower: Float64Array[];
  /** Per host type (index into the config's hostTypes): power table with its step deltas, total MIPS. */
  readonly typePower: Float64Array[];
  readonly typeTotalMips: Float64Array;
  /** VM ids on each host, in CloudSim's list order. */
  readonly lists: number[][];
  /** VMs migrating into each host, in arrival order (change it with addIncoming / dropIncoming). */
  readonly migIn: number[][];
  /**
   * migIn[h].length, kept apart: the updates test every host for VMs migrating in, and most have
   * none, so the test reads one small array instead of each host's list.
   */
  readonly #incoming: Uint32Array;
  /** Scratch of reallocate: each listed VM's capped per-PE request. */
  #capped = new Float64Array(16);
  /** The hosts of the VMs with migTarget -2. */
  readonly #severalTargets = new Map<number, number[]>();
  /** See takeOccupied. */
  private occupied: number[] = [];
  /** The host each VM is migrating into, -1 for none, -2 for several (see addIncoming). */
  readonly migTarget: Int32Array;
  /** MIPS not yet allocated (0 when oversubscribed). */
  readonly avail: Float64Array;
  /** 1 when the host's demand exceeds its capacity. */
  readonly oversubscribed: Uint8Array;
  /** Allocated MIPS, counting a migrating-in VM at its full demand (the policies' view). */
  readonly allocSum: Float64Array;
  readonly ramUsed: Float64Array;
  readonly bwUsed: Float64Array;
  /** Power at the last update's utilisation, watts (cached for placement). */
  readonly curPower: Float64Array;
  /** Power at the update before the last, watts. */
  readonly prevPower: Float64Array;
  /** Per-host cache of the history sum over the list (valid while the list is unchanged). */
  private readonly histCache: Float64Array;
  private readonly histCacheValid: Uint8Array;
  private readonly maxRamCache: Float64Array;
  private readonly maxRamValid: Uint8Array;
  /**
   * Cache keys for derived per-host figures (e.g. LR's fit sums): hostVersion[h] changes whenever
   * host h's cached history sum may change (list change, VM added); historyEpoch whenever any VM
   * history grows.
   */
  readonly hostVersion: Uint32Array;
  historyEpoch = 0;
  /** Whether a VM history grew since the cached sums were last shifted. */
  #pushedSinceShift = false;
  /** Utilisation in MIPS at the last update, and before it. */
  readonly utilMips: Float64Array;
  readonly prevUtilMips: Float64Array;
  // ---- VMs ----
  /** Each VM's type (one byte per VM when there are at most 256 types: the updates read it for every VM). */
  readonly vmType: Uint8Array | Int32Array;
  /** MIPS of one virtual PE. */
  readonly vmMips: Float64Array;
  readonly vmPes: Int32Array;
  /** Per VM type: MIPS of one virtual PE, and PEs (the updates read these through vmType). */
  readonly typeMips: Float64Array;
  readonly typePes: Int32Array;
  readonly vmRam: Float64Array;
  readonly vmBw: Float64Array;
  /** Requested MIPS (all PEs) at the last update. */
  readonly req: Float64Array;
  /**
   * MIPS the VM asked for when it was allocated: its full capacity while being instantiated, until
   * its first demand (see requestsSampled); then its requested MIPS, `req`.
   */
  readonly allocReq: Float64Array;
  /** What reallocate reads as each VM's request: allocReq, then req once every VM has a demand. */
  #allocFrom: Float64Array;
  readonly inMigration: Uint8Array;
  /** Host the VM is registered on (CloudSim's VM table), -1 if retired or not placed. */
  readonly home: Int32Array;
  /** Ring buffers of utilisation history, most recent at head - 1. */
  readonly hist: Float64Array;
  readonly histHead: Int32Array;
  readonly histCount: Int32Array;
  readonly histTime: Float64Array;
  /** Share lost at the source and reserved at the target while migrating. */
  readonly srcKeep: number;
  readonly dstShare: number;
  /** Whether per-host figures derived from the VM list are cached (StateOptions.cachedHistories). */
  readonly #cached: boolean;

  constructor(cfg: ConsolidationConfig, vmTypeOf: ArrayLike<number>, options: StateOptions = {}) {
    this.#cached = options.cachedHistories ?? true;
    const H = cfg.hosts.length;
    const V = vmTypeOf.length;
    this.hostCount = H;
    this.vmCount = V;
    this.hostType = Int32Array.from(cfg.hosts);
    this.totalMips = new Float64Array(H);
    this.peMips = new Float64Array(H);
    this.hostRam = new Float64Array(H);
    this.hostBw = new Float64Array(H);
    this.hostPower = [];
    this.typePower = cfg.hostTypes.map((t) => withDeltas(t.power));
    this.typeTotalMips = Float64Array.from(cfg.hostTypes, (t) => Math.trunc(t.pes * t.mipsPerPe));
    for (let h = 0; h < H; h++) {
      const type = this.hostType[h];
      const t: HostType | undefined = cfg.hostTypes[type];
      if (!t) throw new RangeError(`hosts[${h}]: unknown host type ${type}`);
      this.totalMips[h] = this.typeTotalMips[type];
      this.peMips[h] = t.mipsPerPe;
      this.hostRam[h] = t.ramBytes;
      this.hostBw[h] = t.bandwidth;
      this.hostPower.push(this.typePower[type]);
    }
    this.lists = Array.from({ length: H }, () => []);
    this.migIn = Array.from({ length: H }, () => []);
    this.#incoming = new Uint32Array(H);
    this.avail = Float64Array.from(this.totalMips);
    this.oversubscribed = new Uint8Array(H);
    this.allocSum = new Float64Array(H);
    this.ramUsed = new Float64Array(H);
    this.bwUsed = new Float64Array(H);
    this.utilMips = new Float64Array(H);
    this.prevUtilMips = new Float64Array(H);
    this.curPower = Float64Array.from(this.hostPower, (t) => powerAt(t, 0));
    this.prevPower = Float64Array.from(this.curPower);
    this.histCache = new Float64Array(H * HISTORY_LENGTH);
    this.histCacheValid = new Uint8Array(H);
    this.maxRamCache = new Float64Array(H);
    this.maxRamValid = new Uint8Array(H);
    this.hostVersion = new Uint32Array(H);

    const vmType = Int32Array.from(vmTypeOf);
    this.vmMips = new Float64Array(V);
    this.vmPes = new Int32Array(V);
    this.vmRam = new Float64Array(V);
    this.vmBw = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      const t: VmType | undefined = cfg.vmTypes[vmType[v]];
      if (!t) throw new RangeError(`vm ${v}: unknown VM type ${vmType[v]}`);
      this.vmMips[v] = t.mips;
      this.vmPes[v] = t.pes;
      this.vmRam[v] = t.ramBytes;
      this.vmBw[v] = t.bandwidth;
    }
    this.vmType = cfg.vmTypes.length <= 256 ? Uint8Array.from(vmType) : vmType;
    this.typeMips = Float64Array.from(cfg.vmTypes, (t) => t.mips);
    this.typePes = Int32Array.from(cfg.vmTypes, (t) => t.pes);
    this.req = new Float64Array(V);
    this.allocReq = new Float64Array(V);
    this.#allocFrom = this.allocReq;
    this.inMigration = new Uint8Array(V);
    this.home = new Int32Array(V).fill(-1);
    this.migTarget = new Int32Array(V).fill(-1);
    this.hist = new Float64Array(V * HISTORY_LENGTH);
    this.histHead = new Int32Array(V);
    this.histCount = new Int32Array(V);
    this.histTime = new Float64Array(V);
    const srcLoss = cfg.migrationSourceDegradation ?? DEFAULT_MIGRATION_SHARE;
    this.srcKeep = 1 - srcLoss;
    this.dstShare = cfg.migrationTargetShare ?? DEFAULT_MIGRATION_SHARE;
  }

  /** Utilisation fraction at the last update (CloudSim rounds (1, 1.01) down to 1). */
  utilization(h: number): number {
    return clampUtil(this.utilMips[h] / this.totalMips[h]);
  }

  previousUtilization(h: number): number {
    return clampUtil(this.prevUtilMips[h] / this.totalMips[h]);
  }

  /** Power at the last update's utilisation, watts. */
  power(h: number): number {
    return this.curPower[h];
  }

  /** Sets the utilisation of the last update, MIPS. */
  setUtilization(h: number, mips: number): void {
    this.prevUtilMips[h] = this.utilMips[h];
    this.prevPower[h] = this.curPower[h];
    this.utilMips[h] = mips;
    this.curPower[h] = powerAt(this.hostPower[h], this.utilization(h));
  }

  /** setUtilization(h, its utilisation): an update that found the same utilisation (the power is too). */
  repeatUtilization(h: number): void {
    this.prevUtilMips[h] = this.utilMips[h];
    this.prevPower[h] = this.curPower[h];
  }

  /**
   * True when an update of host `h` would change nothing: no VM listed (so a destroy already
   * reallocated it) and utilisation 0 at its last two updates (so it draws nothing and its history
   * entry stays "inactive"). The run skips such hosts; their results are the same.
   */
  isDormant(h: number): boolean {
    return this.lists[h].length === 0 && this.utilMips[h] === 0 && this.prevUtilMips[h] === 0;
  }

  /** Whether some VM migrates into host h (migIn[h] is not empty). */
  hasIncoming(h: number): boolean {
    return this.#incoming[h] !== 0;
  }

  isMigratingIn(v: number, h: number): boolean {
    const t = this.migTarget[v];
    return t === h || (t === -2 && this.migIn[h].includes(v));
  }

  /** Records VM `v` as migrating into host `h` (the caller lists it there). */
  addIncoming(v: number, h: number): void {
    this.migIn[h].push(v);
    this.#incoming[h]++;
    // CloudSim can leave a VM listed as migrating into two hosts (a reservation outlives its
    // migration): -2, and the hosts are kept aside
    const t = this.migTarget[v];
    if (t === -1) this.migTarget[v] = h;
    else if (t >= 0) {
      this.#severalTargets.set(v, [t, h]);
      this.migTarget[v] = -2;
    } else this.#severalTargets.get(v)!.push(h);
  }

  /** Drops VM `v`'s migrating-in reservation on host `h`. */
  dropIncoming(v: number, h: number): void {
    const mig = this.migIn[h];
    const k = mig.indexOf(v);
    if (k < 0) return;
    mig.splice(k, 1);
    this.#incoming[h]--;
    const t = this.migTarget[v];
    if (t === h) this.migTarget[v] = -1;
    else if (t === -2) {
      const hosts = this.#severalTargets.get(v)!;
      hosts.splice(hosts.indexOf(h), 1);
      if (hosts.length === 1) {
        this.migTarget[v] = hosts[0];
        this.#severalTargets.delete(v);
      }
    }
  }

  /** What the last prefetch read (kept, so that the reads are not optimized away). */
  #prefetched = 0;

  /**
   * Reads what reallocate reads of each of `vms` (request, type, migration flag) in a loop that
   * waits for nothing, so that their cache misses overlap (see VmHistory.prefetch).
   */
  prefetch(vms: readonly number[]): void {
    const { req, vmType, inMigration } = this;
    let sum = 0;
    for (let i = 0; i < vms.length; i++) {
      const v = vms[i];
      sum += req[v] + vmType[v] + inMigration[v];
    }
    this.#prefetched = sum;
  }

  /** prefetch for pushHistory: each VM's history position and the entry it writes next. */
  prefetchHistory(vms: readonly number[]): void {
    const { hist, histHead, histTime } = this;
    let sum = 0;
    for (let i = 0; i < vms.length; i++) {
      const v = vms[i];
      sum += histTime[v] + hist[v * HISTORY_LENGTH + histHead[v]];
    }
    this.#prefetched = sum;
  }

  /**
   * Recomputes the CPU allocation of host `h` from its list. When `out` is given, writes each
   * listed VM's allocated MIPS at its list position.
   */
  reallocate(h: number, out?: Float64Array): void {
    const list = this.lists[h];
    const n = list.length;
    const pe = this.peMips[h];
    const total = this.totalMips[h];
    const { vmType, typePes, inMigration, dstShare, srcKeep } = this;
    const allocReq = this.#allocFrom;
    if (this.#capped.length < n) this.#capped = new Float64Array(2 * n);
    const capped = this.#capped;
    // (a VM migrates in only if the host has some: most have none, and the test reads each VM's target)
    const anyIncoming = this.hasIncoming(h);
    // CloudSim's order of operations, kept to the bit: each VM asks for its demand capped at one
    // PE per virtual PE (x the target share if it is migrating in); the demands are granted in
    // list order while they fit, else every VM gets floor(its share of the capacity)
    let avail = total;
    let over = false;
    let required = 0;
    for (let i = 0; i < n; i++) {
      const v = list[i];
      const pes = typePes[vmType[v]];
      const perPe = allocReq[v] / pes;
      const cp = perPe > pe ? pe : perPe;
      capped[i] = cp;
      let c = 0;
      for (let k = 0; k < pes; k++) c += cp;
      if (anyIncoming && this.isMigratingIn(v, h)) c *= dstShare;
      required += c;
      if (!over && avail >= c) avail -= c;
      else over = true;
    }
    this.oversubscribed[h] = over ? 1 : 0;
    this.avail[h] = over ? 0 : avail;
    const scale = over ? total / required : 1;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = list[i];
      const cp = capped[i];
      const incoming = anyIncoming && this.isMigratingIn(v, h);
      const outgoing = !incoming && inMigration[v] === 1;
      let m: number;
      if (!over) m = outgoing ? cp * srcKeep : incoming ? cp * dstShare : cp;
      else m = Math.floor(outgoing ? cp * scale * srcKeep : incoming ? cp * dstShare * scale : cp * scale);
      let a = 0;
      for (let k = 0, pes = typePes[vmType[v]]; k < pes; k++) a += m;
      if (out) out[i] = a;
      if (incoming) sum += (a * (1 - dstShare)) / dstShare;
      sum += a;
    }
    this.allocSum[h] = sum;
  }

  /**
   * VM v's requested MIPS: `r`, also as the request it is allocated (allocReq, until
   * requestsSampled).
   */
  setRequest(v: number, r: number): void {
    this.req[v] = r;
    if (this.#allocFrom === this.allocReq) this.allocReq[v] = r;
  }

  /**
   * Every placed VM has had its first demand (setRequest): from now on a VM is allocated its
   * requested MIPS, so reallocate reads `req` (which allocReq then equals) and allocReq is no
   * longer kept.
   */
  requestsSampled(): void {
    this.#allocFrom = this.req;
  }

  /** Drops the per-host caches that depend on `h`'s VM list; call after changing the list directly. */
  listChanged(h: number): void {
    this.hostVersion[h]++;
    this.histCacheValid[h] = 0;
    this.maxRamValid[h] = 0;
    if (this.lists[h].length > 0) this.occupied.push(h);
  }

  /**
   * Hosts whose list was changed and is not empty since the last call (with repeats): a dormant
   * host among them is awake again.
   */
  takeOccupied(): number[] {
    const hosts = this.occupied;
    this.occupied = [];
    return hosts;
  }

  /** CloudSim's vmCreate: appends `v` to `h`'s list and allocates it. */
  create(v: number, h: number): void {
    this.lists[h].push(v);
    this.hostVersion[h]++;
    this.occupied.push(h);
    // appending keeps CloudSim's summation order, so the cached sums can be extended exactly
    if (this.histCacheValid[h] === 1) this.addHistoryOf(v, this.totalMips[h], this.histCache, h * HISTORY_LENGTH);
    if (this.maxRamValid[h] === 1 && this.vmRam[v] > this.maxRamCache[h]) this.maxRamCache[h] = this.vmRam[v];
    this.ramUsed[h] += this.vmRam[v];
    this.bwUsed[h] += this.vmBw[v];
    this.reallocate(h);
  }

  /** CloudSim's vmDestroy: removes `v` from `h`'s list and frees its share. */
  destroy(v: number, h: number): void {
    const list = this.lists[h];
    const i = list.indexOf(v);
    if (i < 0) return;
    list.splice(i, 1);
    this.listChanged(h);
    this.ramUsed[h] -= this.vmRam[v];
    this.bwUsed[h] -= this.vmBw[v];
    this.reallocate(h);
  }

  /** Appends VM `v`'s utilisation (fraction) to its history. */
  pushHistory(v: number, u: number): void {
    this.historyEpoch++;
    this.#pushedSinceShift = true;
    const head = this.histHead[v];
    this.hist[v * HISTORY_LENGTH + head] = u;
    this.histHead[v] = (head + 1) % HISTORY_LENGTH;
    if (this.histCount[v] < HISTORY_LENGTH) this.histCount[v]++;
  }

  /** The i-th most recent history value of VM `v` (i < histCount). */
  historyAt(v: number, i: number): number {
    const idx = (this.histHead[v] - 1 - i + 2 * HISTORY_LENGTH) % HISTORY_LENGTH;
    return this.hist[v * HISTORY_LENGTH + idx];
  }

  /** Recomputes host h's cached history sum if its VM list changed; returns its offset in the cache. */
  #refreshHistoryCache(h: number): number {
    const base = h * HISTORY_LENGTH;
    if (this.histCacheValid[h] === 0) {
      const cache = this.histCache;
      cache.fill(0, base, base + HISTORY_LENGTH);
      for (const v of this.lists[h]) this.addHistoryOf(v, this.totalMips[h], cache, base);
      if (this.#cached) this.histCacheValid[h] = 1;
    }
    return base;
  }

  /**
   * Host utilisation history (CloudSim PowerHostUtilizationHistory): the sum over the listed VMs
   * (and `extra`, if >= 0, as if appended) of history x VM MIPS / host MIPS, most recent first,
   * trailing zeros trimmed. Writes into `out` (length >= HISTORY_LENGTH); returns the length.
   */
  hostHistory(h: number, extra: number, out: Float64Array): number {
    const base = this.#refreshHistoryCache(h);
    const cache = this.histCache;
    for (let i = 0; i < HISTORY_LENGTH; i++) out[i] = cache[base + i];
    if (extra >= 0) this.addHistoryOf(extra, this.totalMips[h], out, 0);
    let len = HISTORY_LENGTH;
    while (len > 0 && out[len - 1] === 0) len--;
    return len;
  }

  /**
   * Brings the cached history sum of host `h`'s listed VMs up to date (most recent first,
   * HISTORY_LENGTH values, valid until the list changes); returns its offset in historySums and
   * writes its trimmed length to `lengthOut[0]`.
   */
  baseHistory(h: number, lengthOut: Int32Array): number {
    const base = this.#refreshHistoryCache(h);
    const cache = this.histCache;
    let len = HISTORY_LENGTH;
    while (len > 0 && cache[base + len - 1] === 0) len--;
    lengthOut[0] = len;
    return base;
  }

  /** The history-sum cache; host h's values start at the offset baseHistory(h) returns. */
  get historySums(): Float64Array {
    return this.histCache;
  }

  /** VM `v`'s history length with zero values at the old end trimmed. */
  trimmedHistoryLength(v: number): number {
    let n = this.histCount[v];
    while (n > 0 && this.historyAt(v, n - 1) === 0) n--;
    return n;
  }

  /** Adds VM v's history x MIPS / hostMips into out[at..], most recent first, in CloudSim's order of operations. */
  private addHistoryOf(v: number, hostMips: number, out: Float64Array, at: number): void {
    const n = this.histCount[v];
    const mips = this.vmMips[v];
    const block = v * HISTORY_LENGTH;
    let idx = this.histHead[v] - 1;
    for (let i = 0; i < n; i++, idx--) {
      if (idx < 0) idx += HISTORY_LENGTH;
      out[at + i] += (this.hist[block + idx] * mips) / hostMips;
    }
  }

  /** Invalidates cached host histories (after VM histories grew). */
  invalidateHistories(): void {
    this.historyEpoch++;
    this.histCacheValid.fill(0);
  }

  /**
   * After every listed VM got one new history value: shifts each valid cached sum by one place
   * (the terms and their order are unchanged) and sums the new most recent values. Nothing to do
   * when no value came since the last shift: a second update at a step's instant (a migration
   * completing exactly then) would otherwise drop the oldest value and repeat the newest.
   */
  shiftHistories(): void {
    if (!this.#pushedSinceShift) return;
    this.#pushedSinceShift = false;
    this.historyEpoch++;
    const cache = this.histCache;
    for (let h = 0; h < this.hostCount; h++) {
      if (this.histCacheValid[h] === 0) continue;
      const base = h * HISTORY_LENGTH;
      cache.copyWithin(base + 1, base, base + HISTORY_LENGTH - 1);
      const hostMips = this.totalMips[h];
      let s0 = 0;
      for (const v of this.lists[h]) s0 += (this.historyAt(v, 0) * this.vmMips[v]) / hostMips;
      cache[base] = s0;
    }
  }

  /** Largest RAM among the listed VMs (and `extra`), bytes; -Infinity for none. */
  maxRam(h: number, extra: number): number {
    if (this.maxRamValid[h] === 0) {
      let m = -Infinity;
      for (const v of this.lists[h]) if (this.vmRam[v] > m) m = this.vmRam[v];
      this.maxRamCache[h] = m;
      if (this.#cached) this.maxRamValid[h] = 1;
    }
    const m = this.maxRamCache[h];
    return extra >= 0 && this.vmRam[extra] > m ? this.vmRam[extra] : m;
  }

  /** Sum of requested MIPS over the listed VMs (and `extra`), in list order. */
  requestedSum(h: number, extra: number): number {
    let s = 0;
    for (const v of this.lists[h]) s += this.req[v];
    if (extra >= 0) s += this.req[extra];
    return s;
  }
}

/** Utilisation rounding of CloudSim's HostDynamicWorkload: values in (1, 1.01) count as 1. */
const UTIL_ROUNDING_LIMIT = 1.01;

function clampUtil(u: number): number {
  return u > 1 && u < UTIL_ROUNDING_LIMIT ? 1 : u;
}
