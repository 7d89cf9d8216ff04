/**
 * @module datacenter/overload/lr
 * LR and LRR, local regression and robust local regression (Beloglazov & Buyya, CCPE 2012,
 * sec. 5.2.3-5.2.4; CloudSim PowerVmAllocationPolicyMigrationLocalRegression[Robust]): fit the last
 * 10 host-utilisation values (x = 1..10), predict at x = 10 + ceil(max VM migration time /
 * scheduling interval), multiply by the safety parameter; overloaded if the prediction >= 1.
 * Fewer than 10 values: the fallback detector (THR 0.7) decides. CloudSim's Loess weights only
 * take effect when >= 40 % are zero, so LR is in effect ordinary least squares (see stats.ts).
 */
import type { OverloadDetector } from '../policy.js';
import { HISTORY_LENGTH, type DataCenterState } from '../state.js';
import { loessEstimates, robustLoessEstimates } from '../stats.js';

/** Points in the regression window ("10 to make the regression responsive enough"). */
export const REGRESSION_WINDOW = 10;
/** CloudSim estimates migration time with half the host bandwidth (the rest is for VM traffic). */
const MIGRATION_BANDWIDTH_SHARE = 0.5;

/** Mean of x = 1..10 and sum of squared deviations, for the closed-form least-squares screen. */
const X_MEAN = (REGRESSION_WINDOW + 1) / 2;
const X_SXX = (REGRESSION_WINDOW * (REGRESSION_WINDOW * REGRESSION_WINDOW - 1)) / 12;
/** Predictions farther than this from 1 are decided by the closed-form screen (its rounding is ~1e-15). */
const SCREEN_MARGIN = 1e-9;

/**
 * Sums over the regression window, sum(y) and sum((x - mean x) y), of each VM's history and of each
 * host's history sum (its VMs' scaled by VM MIPS / host MIPS), so that a check is O(1). Host sums
 * are valid until the host's list changes (DataCenterState.hostVersion), all sums until a history
 * grows (historyEpoch). Their summation order differs from CloudSim's by ~1e-15, which the screen's
 * margin covers.
 */
class WindowSums {
  hosts = -1;
  epoch = -1;
  hostVer = new Uint32Array(0);
  hostSy = new Float64Array(0);
  hostSxy = new Float64Array(0);
  hostLong = new Uint8Array(0);
  vmValid = new Uint8Array(0);
  vmSy = new Float64Array(0);
  vmSxy = new Float64Array(0);
  vmLong = new Uint8Array(0);

  reset(dc: DataCenterState): void {
    if (this.hosts !== dc.hostCount || this.vmValid.length !== dc.vmCount) {
      const H = dc.hostCount;
      const V = dc.vmCount;
      this.hosts = H;
      this.hostVer = new Uint32Array(H);
      this.hostSy = new Float64Array(H);
      this.hostSxy = new Float64Array(H);
      this.hostLong = new Uint8Array(H);
      this.vmValid = new Uint8Array(V);
      this.vmSy = new Float64Array(V);
      this.vmSxy = new Float64Array(V);
      this.vmLong = new Uint8Array(V);
    } else {
      this.hostVer.fill(0);
      this.vmValid.fill(0);
    }
    this.epoch = dc.historyEpoch;
  }

  /**
   * Host h's window sums (stored with version + 1 so that 0 means "never filled"). The host
   * history is long enough iff one of its VMs' is (the values are non-negative).
   */
  fillHost(dc: DataCenterState, h: number): void {
    let sy = 0;
    let sxy = 0;
    let long = 0;
    const hostMips = dc.totalMips[h];
    for (const v of dc.lists[h]) {
      if (this.vmValid[v] === 0) this.fillVm(dc, v);
      const scale = dc.vmMips[v] / hostMips;
      sy += scale * this.vmSy[v];
      sxy += scale * this.vmSxy[v];
      long |= this.vmLong[v];
    }
    this.hostSy[h] = sy;
    this.hostSxy[h] = sxy;
    this.hostLong[h] = long;
    this.hostVer[h] = dc.hostVersion[h] + 1;
  }

  fillVm(dc: DataCenterState, v: number): void {
    const n = Math.min(dc.histCount[v], REGRESSION_WINDOW);
    let sy = 0;
    let sxy = 0;
    for (let k = 0; k < n; k++) {
      const y = dc.historyAt(v, k);
      sy += y;
      sxy += (REGRESSION_WINDOW - k - X_MEAN) * y;
    }
    this.vmSy[v] = sy;
    this.vmSxy[v] = sxy;
    this.vmLong[v] = dc.trimmedHistoryLength(v) >= REGRESSION_WINDOW ? 1 : 0;
    this.vmValid[v] = 1;
  }
}

/** LR (robust = false) or LRR (robust = true) detector with safety parameter `s`. */
export function regressionDetector(s: number, schedulingInterval: number, fallback: OverloadDetector, robust: boolean): OverloadDetector {
  if (!(s > 0)) throw new RangeError(`LR safety parameter must be > 0, got ${s}`);
  const buf = new Float64Array(HISTORY_LENGTH);
  const window = new Float64Array(REGRESSION_WINDOW);
  const cache = new WindowSums();
  return {
    name: robust ? 'lrr' : 'lr',
    isOverloaded(dc, h, extra) {
      if (!robust) {
        // Least squares is linear in y: screen with the closed form over per-host and per-VM
        // window sums (cached until the host's list or the histories change), and fall back to
        // CloudSim's exact incremental computation near 1.
        if (cache.epoch !== dc.historyEpoch || cache.hosts !== dc.hostCount) cache.reset(dc);
        if (cache.hostVer[h] !== dc.hostVersion[h] + 1) cache.fillHost(dc, h);
        let vLong = false;
        if (extra >= 0) {
          if (cache.vmValid[extra] === 0) cache.fillVm(dc, extra);
          vLong = cache.vmLong[extra] === 1;
        }
        if (cache.hostLong[h] === 0 && !vLong) return fallback.isOverloaded(dc, h, extra);
        const scale = extra >= 0 ? dc.vmMips[extra] / dc.totalMips[h] : 0;
        const sy = cache.hostSy[h] + (extra >= 0 ? scale * cache.vmSy[extra] : 0);
        const sxy = cache.hostSxy[h] + (extra >= 0 ? scale * cache.vmSxy[extra] : 0);
        const slope = sxy / X_SXX;
        const maxMigrationTime = dc.maxRam(h, extra) / (dc.hostBw[h] * MIGRATION_BANDWIDTH_SHARE);
        const x = REGRESSION_WINDOW + Math.ceil(maxMigrationTime / schedulingInterval);
        const approx = (sy / REGRESSION_WINDOW + slope * (x - X_MEAN)) * s;
        if (Math.abs(approx - 1) > SCREEN_MARGIN) return approx >= 1;
      }
      const n = dc.hostHistory(h, extra, buf);
      if (n < REGRESSION_WINDOW) return fallback.isOverloaded(dc, h, extra);
      for (let i = 0; i < REGRESSION_WINDOW; i++) window[i] = buf[REGRESSION_WINDOW - i - 1];
      const [b0, b1] = robust ? robustLoessEstimates(window) : loessEstimates(window);
      const maxMigrationTime = dc.maxRam(h, extra) / (dc.hostBw[h] * MIGRATION_BANDWIDTH_SHARE);
      const migrationIntervals = Math.ceil(maxMigrationTime / schedulingInterval);
      const predicted = (b0 + b1 * (REGRESSION_WINDOW + migrationIntervals)) * s;
      return predicted >= 1;
    },
  };
}
