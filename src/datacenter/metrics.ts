/**
 * @module datacenter/metrics
 * SLA metrics computed online from state-history entries, with the definitions of CloudSim's
 * examples/power/Helper.java. Each host and VM has a pending entry that a later entry at the same
 * time replaces (CloudSim's addStateHistoryEntry); an entry at a later time commits the pending one.
 *  - SLATAH: time a host was active with allocated < requested MIPS / total active time.
 *  - PDM: (requested - allocated) MIPS x time while in migration / requested MIPS x time.
 *  - overall: (requested - allocated) / requested MIPS x time; average: mean shortfall ratio of
 *    the VM intervals that had one.
 *  - time before a host shutdown: active periods that end with an inactive entry (a host starts as
 *    "active since 0", so a host idle at the first update counts one shutdown).
 *  - time before a VM migration: from the entry that starts an in-migration period to the entry
 *    that ends it (the migration's duration).
 */
import { RunningStats } from './stats.js';

/** Host state-history accumulator (SLATAH and shutdowns). */
export class HostHistory {
  private readonly pTime: Float64Array;
  private readonly pAlloc: Float64Array;
  private readonly pReq: Float64Array;
  private readonly pActive: Uint8Array;
  private readonly has: Uint8Array;
  // previous committed entry
  private readonly cTime: Float64Array;
  private readonly cAlloc: Float64Array;
  private readonly cReq: Float64Array;
  private readonly cActive: Uint8Array;
  private readonly lastOn: Float64Array;
  activeTime = 0;
  violationTime = 0;
  readonly shutdowns = new RunningStats();

  constructor(n: number) {
    this.pTime = new Float64Array(n);
    this.pAlloc = new Float64Array(n);
    this.pReq = new Float64Array(n);
    this.pActive = new Uint8Array(n);
    this.has = new Uint8Array(n);
    this.cTime = new Float64Array(n).fill(-1);
    this.cAlloc = new Float64Array(n);
    this.cReq = new Float64Array(n);
    this.cActive = new Uint8Array(n).fill(1);
    this.lastOn = new Float64Array(n);
  }

  /** Records host `h`'s state at time `t` (MIPS allocated and requested, active = load > 0). */
  add(h: number, t: number, allocated: number, requested: number, active: boolean): void {
    if (this.has[h] === 1 && this.pTime[h] !== t) this.commit(h);
    this.has[h] = 1;
    this.pTime[h] = t;
    this.pAlloc[h] = allocated;
    this.pReq[h] = requested;
    this.pActive[h] = active ? 1 : 0;
  }

  /**
   * True when host `h`'s committed entry and its pending one (if any) are inactive: further
   * inactive entries would add nothing to any sum, so they may be skipped without changing a bit.
   */
  settledInactive(h: number): boolean {
    return this.cActive[h] === 0 && (this.has[h] === 0 || this.pActive[h] === 0);
  }

  private commit(h: number): void {
    const t = this.pTime[h];
    const active = this.pActive[h];
    if (this.cTime[h] !== -1 && this.cActive[h] === 1) {
      const dt = t - this.cTime[h];
      this.activeTime += dt;
      if (this.cAlloc[h] < this.cReq[h]) this.violationTime += dt;
    }
    if (this.cActive[h] === 1 && active === 0) this.shutdowns.add(t - this.lastOn[h]);
    if (this.cActive[h] === 0 && active === 1) this.lastOn[h] = t;
    this.cTime[h] = t;
    this.cAlloc[h] = this.pAlloc[h];
    this.cReq[h] = this.pReq[h];
    this.cActive[h] = active;
    this.has[h] = 0;
  }

  /** Commits every pending entry (end of run). */
  finish(): void {
    for (let h = 0; h < this.has.length; h++) if (this.has[h] === 1) this.commit(h);
  }
}

/**
 * Per VM in VmHistory's record (RECORD values a VM, side by side: an update touches every one, and
 * VMs come in no order, so one VM's figures share cache lines instead of sitting in ten arrays).
 */
const P_TIME = 0; // the pending entry: time, MIPS allocated and requested
const P_ALLOC = 1;
const P_REQ = 2;
const C_TIME = 3; // the committed entry the pending one follows (time -1: none)
const C_ALLOC = 4;
const C_REQ = 5;
const MIG_START = 6; // when the current migration began
const ALLOCATED = 7; // the sums: MIPS x s allocated, requested, short while migrating
const REQUESTED = 8;
const UNDER_MIGRATION = 9;
const RECORD = 10;
/** VmHistory's flags per VM: a pending entry, migrating in it, migrating in the committed one. */
const HAS = 1;
const P_MIG = 2;
const C_MIG = 4;

/** VM state-history accumulator (overall/average SLA violation, PDM, time in migration). */
export class VmHistory {
  private readonly rec: Float64Array;
  private readonly flags: Uint8Array;
  shortfallSum = 0;
  shortfallCount = 0;
  readonly migrationTimes = new RunningStats();

  constructor(n: number) {
    this.rec = new Float64Array(n * RECORD);
    for (let v = 0; v < n; v++) this.rec[v * RECORD + C_TIME] = -1;
    this.flags = new Uint8Array(n);
  }

  /** What the last prefetch read (kept, so that the reads are not optimized away). */
  private prefetched = 0;

  /**
   * Reads the records of `vms` (both cache lines of each) in a loop that waits for nothing, so that
   * their cache misses overlap, before an update records their entries one by one (the records of
   * 100,000 VMs span 8 MB, and each entry would otherwise wait for its own misses).
   */
  prefetch(vms: readonly number[]): void {
    const rec = this.rec;
    let sum = 0;
    for (let i = 0; i < vms.length; i++) {
      const at = vms[i] * RECORD;
      sum += rec[at] + rec[at + RECORD - 1];
    }
    this.prefetched = sum;
  }

  /** Records VM `v`'s state at time `t` (MIPS allocated, requested; migrating out). */
  add(v: number, t: number, allocated: number, requested: number, inMigration: boolean): void {
    const at = v * RECORD;
    const rec = this.rec;
    if ((this.flags[v] & HAS) !== 0 && rec[at + P_TIME] !== t) this.commit(v);
    rec[at + P_TIME] = t;
    rec[at + P_ALLOC] = allocated;
    rec[at + P_REQ] = requested;
    this.flags[v] = (this.flags[v] & C_MIG) | HAS | (inMigration ? P_MIG : 0);
  }

  private commit(v: number): void {
    const at = v * RECORD;
    const rec = this.rec;
    const flags = this.flags[v];
    const cMig = (flags & C_MIG) !== 0;
    const pMig = (flags & P_MIG) !== 0;
    const t = rec[at + P_TIME];
    if (rec[at + C_TIME] !== -1) {
      const dt = t - rec[at + C_TIME];
      const a = rec[at + C_ALLOC];
      const r = rec[at + C_REQ];
      rec[at + ALLOCATED] += a * dt;
      rec[at + REQUESTED] += r * dt;
      if (a < r) {
        this.shortfallSum += (r - a) / r;
        this.shortfallCount++;
        if (cMig) rec[at + UNDER_MIGRATION] += (r - a) * dt;
      }
    }
    if (cMig && !pMig) this.migrationTimes.add(t - rec[at + MIG_START]);
    if (!cMig && pMig) rec[at + MIG_START] = t;
    rec[at + C_TIME] = t;
    rec[at + C_ALLOC] = rec[at + P_ALLOC];
    rec[at + C_REQ] = rec[at + P_REQ];
    this.flags[v] = pMig ? C_MIG : 0;
  }

  /**
   * Adds to VM `v`'s sums what entries skipped by LinearHosts would have added beyond the entry
   * before them: MIPS x s requested, allocated and under-allocated in migration, and `shortfalls`
   * more intervals with a shortfall, whose ratios sum to `shortfallSum`.
   */
  addLinear(v: number, requested: number, allocated: number, underMigration: number, shortfalls: number, shortfallSum: number): void {
    const at = v * RECORD;
    this.rec[at + REQUESTED] += requested;
    this.rec[at + ALLOCATED] += allocated;
    this.rec[at + UNDER_MIGRATION] += underMigration;
    this.shortfallCount += shortfalls;
    this.shortfallSum += shortfallSum;
  }

  /** Commits every pending entry and returns the totals (MIPS x s), summed VM by VM. */
  finish(): { allocated: number; requested: number; underMigration: number } {
    let allocated = 0;
    let requested = 0;
    let underMigration = 0;
    for (let v = 0; v < this.flags.length; v++) {
      if ((this.flags[v] & HAS) !== 0) this.commit(v);
      const at = v * RECORD;
      allocated += this.rec[at + ALLOCATED];
      requested += this.rec[at + REQUESTED];
      underMigration += this.rec[at + UNDER_MIGRATION];
    }
    return { allocated, requested, underMigration };
  }
}
