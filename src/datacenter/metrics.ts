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

/** VM state-history accumulator (overall/average SLA violation, PDM, time in migration). */
export class VmHistory {
  private readonly pTime: Float64Array;
  private readonly pAlloc: Float64Array;
  private readonly pReq: Float64Array;
  private readonly pMig: Uint8Array;
  private readonly has: Uint8Array;
  private readonly cTime: Float64Array;
  private readonly cAlloc: Float64Array;
  private readonly cReq: Float64Array;
  private readonly cMig: Uint8Array;
  private readonly migStart: Float64Array;
  private readonly allocated: Float64Array;
  private readonly requested: Float64Array;
  private readonly underMigration: Float64Array;
  shortfallSum = 0;
  shortfallCount = 0;
  readonly migrationTimes = new RunningStats();

  constructor(n: number) {
    this.pTime = new Float64Array(n);
    this.pAlloc = new Float64Array(n);
    this.pReq = new Float64Array(n);
    this.pMig = new Uint8Array(n);
    this.has = new Uint8Array(n);
    this.cTime = new Float64Array(n).fill(-1);
    this.cAlloc = new Float64Array(n);
    this.cReq = new Float64Array(n);
    this.cMig = new Uint8Array(n);
    this.migStart = new Float64Array(n);
    this.allocated = new Float64Array(n);
    this.requested = new Float64Array(n);
    this.underMigration = new Float64Array(n);
  }

  /** Records VM `v`'s state at time `t` (MIPS allocated, requested; migrating out). */
  add(v: number, t: number, allocated: number, requested: number, inMigration: boolean): void {
    if (this.has[v] === 1 && this.pTime[v] !== t) this.commit(v);
    this.has[v] = 1;
    this.pTime[v] = t;
    this.pAlloc[v] = allocated;
    this.pReq[v] = requested;
    this.pMig[v] = inMigration ? 1 : 0;
  }

  private commit(v: number): void {
    const t = this.pTime[v];
    if (this.cTime[v] !== -1) {
      const dt = t - this.cTime[v];
      const a = this.cAlloc[v];
      const r = this.cReq[v];
      this.allocated[v] += a * dt;
      this.requested[v] += r * dt;
      if (a < r) {
        this.shortfallSum += (r - a) / r;
        this.shortfallCount++;
        if (this.cMig[v] === 1) this.underMigration[v] += (r - a) * dt;
      }
    }
    const mig = this.pMig[v];
    if (this.cMig[v] === 1 && mig === 0) this.migrationTimes.add(t - this.migStart[v]);
    if (this.cMig[v] === 0 && mig === 1) this.migStart[v] = t;
    this.cTime[v] = t;
    this.cAlloc[v] = this.pAlloc[v];
    this.cReq[v] = this.pReq[v];
    this.cMig[v] = mig;
    this.has[v] = 0;
  }

  /**
   * Adds to VM `v`'s sums what entries skipped by LinearHosts would have added beyond the entry
   * before them: MIPS x s requested, allocated and under-allocated in migration, and `shortfalls`
   * more intervals with a shortfall, whose ratios sum to `shortfallSum`.
   */
  addLinear(v: number, requested: number, allocated: number, underMigration: number, shortfalls: number, shortfallSum: number): void {
    this.requested[v] += requested;
    this.allocated[v] += allocated;
    this.underMigration[v] += underMigration;
    this.shortfallCount += shortfalls;
    this.shortfallSum += shortfallSum;
  }

  /** Commits every pending entry and returns the totals (MIPS x s), summed VM by VM. */
  finish(): { allocated: number; requested: number; underMigration: number } {
    let allocated = 0;
    let requested = 0;
    let underMigration = 0;
    for (let v = 0; v < this.has.length; v++) {
      if (this.has[v] === 1) this.commit(v);
      allocated += this.allocated[v];
      requested += this.requested[v];
      underMigration += this.underMigration[v];
    }
    return { allocated, requested, underMigration };
  }
}
