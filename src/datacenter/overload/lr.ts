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
import { HISTORY_LENGTH } from '../state.js';
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

/** LR (robust = false) or LRR (robust = true) detector with safety parameter `s`. */
export function regressionDetector(s: number, schedulingInterval: number, fallback: OverloadDetector, robust: boolean): OverloadDetector {
  if (!(s > 0)) throw new RangeError(`LR safety parameter must be > 0, got ${s}`);
  const buf = new Float64Array(HISTORY_LENGTH);
  const window = new Float64Array(REGRESSION_WINDOW);
  const lenOut = new Int32Array(1);
  return {
    name: robust ? 'lrr' : 'lr',
    isOverloaded(dc, h, extra) {
      if (!robust) {
        // Least squares is linear in y: screen with the closed form over the cached host sum plus
        // the candidate VM, and fall back to CloudSim's exact incremental computation near 1.
        const at = dc.baseHistory(h, lenOut);
        const long = lenOut[0] >= REGRESSION_WINDOW || (extra >= 0 && dc.trimmedHistoryLength(extra) >= REGRESSION_WINDOW);
        if (!long) return fallback.isOverloaded(dc, h, extra);
        {
          const sums = dc.historySums;
          const scale = extra >= 0 ? dc.vmMips[extra] / dc.totalMips[h] : 0;
          const n = extra >= 0 ? dc.histCount[extra] : 0;
          const hist = dc.hist;
          const block = extra * HISTORY_LENGTH;
          let idx = extra >= 0 ? dc.histHead[extra] - REGRESSION_WINDOW : 0; // ring index of the 10th most recent
          let sy = 0;
          let sxy = 0;
          for (let i = 1; i <= REGRESSION_WINDOW; i++, idx++) {
            const k = REGRESSION_WINDOW - i; // chronological x = i is the k-th most recent value
            let y = sums[at + k];
            if (k < n) y += hist[block + (idx < 0 ? idx + HISTORY_LENGTH : idx)] * scale;
            sy += y;
            sxy += (i - X_MEAN) * y;
          }
          const slope = sxy / X_SXX;
          const maxMigrationTime = dc.maxRam(h, extra) / (dc.hostBw[h] * MIGRATION_BANDWIDTH_SHARE);
          const x = REGRESSION_WINDOW + Math.ceil(maxMigrationTime / schedulingInterval);
          const approx = (sy / REGRESSION_WINDOW + slope * (x - X_MEAN)) * s;
          if (Math.abs(approx - 1) > SCREEN_MARGIN) return approx >= 1;
        }
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
