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

/** LR (robust = false) or LRR (robust = true) detector with safety parameter `s`. */
export function regressionDetector(s: number, schedulingInterval: number, fallback: OverloadDetector, robust: boolean): OverloadDetector {
  if (!(s > 0)) throw new RangeError(`LR safety parameter must be > 0, got ${s}`);
  const buf = new Float64Array(HISTORY_LENGTH);
  const window = new Float64Array(REGRESSION_WINDOW);
  return {
    name: robust ? 'lrr' : 'lr',
    isOverloaded(dc, h, extra) {
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
