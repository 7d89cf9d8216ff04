/**
 * @module datacenter/overload/lr
 * LR and LRR, local regression and robust local regression (Beloglazov & Buyya, CCPE 2012,
 * sec. 5.2.3-5.2.4; CloudSim PowerVmAllocationPolicyMigrationLocalRegression[Robust]): fit the last
 * 10 host-utilisation values (x = 1..10), predict at x = 10 + ceil(max VM migration time /
 * scheduling interval), multiply by the safety parameter; overloaded if the prediction >= 1.
 * Fewer than 10 values: the fallback detector (THR 0.7) decides. CloudSim's Loess weights only
 * take effect when >= 40 % are zero, so LR is in effect ordinary least squares (see stats.ts).
 */
import type { OverloadScreen, ScreenFor } from '../placement/indexed-pabfd.js';
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
 * The placement screen (regressionScreen) drops a host only when its prediction, summed in another order,
 * is this far above 1: well past SCREEN_MARGIN, so isOverloaded's screen would say "overloaded" too.
 */
const PLACEMENT_SCREEN_MARGIN = 1e-8;

/**
 * The least-squares fit of window sums sum(y), sum((x - mean x) y) over x = 1..10, at point x
 * (linear in the sums, so host and VM shares add up).
 */
function fitAt(sy: number, sxy: number, x: number): number {
  return sy / REGRESSION_WINDOW + (sxy / X_SXX) * (x - X_MEAN);
}

/** CloudSim's prediction point: 10 + the intervals a migration of `ramBytes` takes over half of `bandwidth`. */
function predictionPoint(ramBytes: number, bandwidth: number, schedulingInterval: number): number {
  return REGRESSION_WINDOW + Math.ceil(ramBytes / (bandwidth * MIGRATION_BANDWIDTH_SHARE) / schedulingInterval);
}

/**
 * Sums over the regression window, sum(y) and sum((x - mean x) y), of each VM's history and of each
 * host's history sum (its VMs' scaled by VM MIPS / host MIPS), so that a check is O(1). Host sums
 * are valid until the host's list changes (DataCenterState.hostVersion), all sums until a history
 * grows (historyEpoch). Their summation order differs from CloudSim's by ~1e-15, which the screen's
 * margin covers.
 */
class WindowSums {
  /** The state the sums belong to (a detector may be used with several). */
  owner: DataCenterState | undefined;
  epoch = -1;
  hostVer = new Uint32Array(0);
  hostSy = new Float64Array(0);
  hostSxy = new Float64Array(0);
  hostLong = new Uint8Array(0);
  vmSy = new Float64Array(0);
  vmSxy = new Float64Array(0);
  vmLong = new Uint8Array(0);
  /**
   * For the placement screen: each host's share of the prediction, sum(y) / 10 + slope x (x - mean x)
   * at its type's prediction point (-Infinity where the screen does not apply), for any VM
   * (scoreAll) and for VMs with a short history (scoreLong: -Infinity unless the host's is long).
   */
  scoreAll = new Float64Array(0);
  scoreLong = new Float64Array(0);
  /** Per host type: the prediction point x if every VM gives the same one there, else NaN. */
  typeX = new Float64Array(0);

  constructor(
    private readonly schedulingInterval: number,
  ) {}

  /** Makes the sums those of `dc`'s current histories. */
  sync(dc: DataCenterState): void {
    if (this.epoch !== dc.historyEpoch || this.owner !== dc) this.reset(dc);
  }

  private reset(dc: DataCenterState): void {
    if (this.owner !== dc) {
      const H = dc.hostCount;
      const V = dc.vmCount;
      this.owner = dc;
      this.hostVer = new Uint32Array(H);
      this.hostSy = new Float64Array(H);
      this.hostSxy = new Float64Array(H);
      this.hostLong = new Uint8Array(H);
      this.vmSy = new Float64Array(V);
      this.vmSxy = new Float64Array(V);
      this.vmLong = new Uint8Array(V);
      this.scoreAll = new Float64Array(H);
      this.scoreLong = new Float64Array(H);
      this.setPredictionPoints(dc);
    } else {
      this.hostVer.fill(0);
    }
    // every VM at once, in id order: its ring buffer is contiguous, so this reads memory in order
    // (filling them as hosts ask would read it at random)
    for (let v = 0; v < dc.vmCount; v++) this.fillVm(dc, v);
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
      const scale = dc.vmMips[v] / hostMips;
      sy += scale * this.vmSy[v];
      sxy += scale * this.vmSxy[v];
      long |= this.vmLong[v];
    }
    this.hostSy[h] = sy;
    this.hostSxy[h] = sxy;
    this.hostLong[h] = long;
    this.hostVer[h] = dc.hostVersion[h] + 1;
    const x = this.typeX[dc.hostType[h]];
    const score = x === x ? fitAt(sy, sxy, x) : -Infinity;
    this.scoreAll[h] = score;
    this.scoreLong[h] = long === 1 ? score : -Infinity;
  }

  /**
   * The prediction point is 10 + ceil(largest RAM on the host / half its bandwidth / interval); a
   * host type gets one when the smallest and the largest VM RAM give the same point there.
   */
  private setPredictionPoints(dc: DataCenterState): void {
    this.typeX = new Float64Array(dc.typeTotalMips.length).fill(NaN);
    if (dc.vmCount === 0) return;
    let minRam = Infinity;
    let maxRam = -Infinity;
    for (let v = 0; v < dc.vmCount; v++) {
      minRam = Math.min(minRam, dc.vmRam[v]);
      maxRam = Math.max(maxRam, dc.vmRam[v]);
    }
    for (let h = 0; h < dc.hostCount; h++) {
      const t = dc.hostType[h];
      const lo = predictionPoint(minRam, dc.hostBw[h], this.schedulingInterval);
      this.typeX[t] = lo === predictionPoint(maxRam, dc.hostBw[h], this.schedulingInterval) ? lo : NaN;
    }
  }

  fillVm(dc: DataCenterState, v: number): void {
    const count = dc.histCount[v];
    const n = Math.min(count, REGRESSION_WINDOW);
    // the ring buffer read directly, most recent first (dc.historyAt's order)
    const hist = dc.hist;
    const block = v * HISTORY_LENGTH;
    let idx = dc.histHead[v] - 1;
    let sy = 0;
    let sxy = 0;
    for (let k = 0; k < n; k++, idx--) {
      if (idx < 0) idx += HISTORY_LENGTH;
      const y = hist[block + idx];
      sy += y;
      sxy += (REGRESSION_WINDOW - k - X_MEAN) * y;
    }
    this.vmSy[v] = sy;
    this.vmSxy[v] = sxy;
    this.vmLong[v] = count >= REGRESSION_WINDOW && dc.trimmedHistoryLength(v) >= REGRESSION_WINDOW ? 1 : 0;
  }
}

/** The placement screens of the LR detectors made here (see regressionScreen). */
const screens = new WeakMap<OverloadDetector, ScreenFor>();

/**
 * The screen the indexed PABFD may use with `detector` if it is an LR detector (not LRR): host h
 * is surely overloaded with VM v when s x (its score + v's share) >= 1 + 1e-8, the same closed
 * form as isOverloaded's screen summed in another order. Undefined for any other detector.
 */
export function regressionScreen(detector: OverloadDetector): ScreenFor | undefined {
  return screens.get(detector);
}

/** LR (robust = false) or LRR (robust = true) detector with safety parameter `s`. */
export function regressionDetector(s: number, schedulingInterval: number, fallback: OverloadDetector, robust: boolean): OverloadDetector {
  if (!(s > 0)) throw new RangeError(`LR safety parameter must be > 0, got ${s}`);
  const buf = new Float64Array(HISTORY_LENGTH);
  const window = new Float64Array(REGRESSION_WINDOW);
  const cache = new WindowSums(schedulingInterval);
  const screen = { score: new Float64Array(0), version: new Uint32Array(0), limit: new Float64Array(0), refresh: (dc: DataCenterState, h: number) => cache.fillHost(dc, h) };
  const screenFor = (dc: DataCenterState, v: number): OverloadScreen => {
    cache.sync(dc);
    const types = cache.typeX.length;
    if (screen.limit.length !== types) screen.limit = new Float64Array(types);
    for (let t = 0; t < types; t++) {
      const x = cache.typeX[t];
      const share = fitAt(cache.vmSy[v], cache.vmSxy[v], x);
      screen.limit[t] = x === x ? (1 + PLACEMENT_SCREEN_MARGIN) / s - (dc.vmMips[v] / dc.typeTotalMips[t]) * share : Infinity;
    }
    screen.score = cache.vmLong[v] === 1 ? cache.scoreAll : cache.scoreLong;
    screen.version = cache.hostVer;
    return screen;
  };
  const detector: OverloadDetector = {
    name: robust ? 'lrr' : 'lr',
    isOverloaded(dc, h, extra) {
      if (!robust) {
        // Least squares is linear in y: screen with the closed form over per-host and per-VM
        // window sums (cached until the host's list or the histories change), and fall back to
        // CloudSim's exact incremental computation near 1.
        cache.sync(dc);
        if (cache.hostVer[h] !== dc.hostVersion[h] + 1) cache.fillHost(dc, h);
        let vLong = false;
        if (extra >= 0) {
          vLong = cache.vmLong[extra] === 1;
        }
        if (cache.hostLong[h] === 0 && !vLong) return fallback.isOverloaded(dc, h, extra);
        const scale = extra >= 0 ? dc.vmMips[extra] / dc.totalMips[h] : 0;
        const sy = cache.hostSy[h] + (extra >= 0 ? scale * cache.vmSy[extra] : 0);
        const sxy = cache.hostSxy[h] + (extra >= 0 ? scale * cache.vmSxy[extra] : 0);
        const x = predictionPoint(dc.maxRam(h, extra), dc.hostBw[h], schedulingInterval);
        const approx = fitAt(sy, sxy, x) * s;
        if (Math.abs(approx - 1) > SCREEN_MARGIN) return approx >= 1;
      }
      const n = dc.hostHistory(h, extra, buf);
      if (n < REGRESSION_WINDOW) return fallback.isOverloaded(dc, h, extra);
      for (let i = 0; i < REGRESSION_WINDOW; i++) window[i] = buf[REGRESSION_WINDOW - i - 1];
      const [b0, b1] = robust ? robustLoessEstimates(window) : loessEstimates(window);
      const predicted = (b0 + b1 * predictionPoint(dc.maxRam(h, extra), dc.hostBw[h], schedulingInterval)) * s;
      return predicted >= 1;
    },
  };
  if (!robust) screens.set(detector, screenFor);
  return detector;
}
