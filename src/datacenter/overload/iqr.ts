/**
 * @module datacenter/overload/iqr
 * IQR, interquartile range (Beloglazov & Buyya, CCPE 2012, sec. 5.2.2; CloudSim
 * PowerVmAllocationPolicyMigrationInterQuartileRange): upper threshold 1 - s * IQR(history);
 * overloaded when requested utilisation > threshold; THR 0.7 fallback below 12 history values.
 */
import type { OverloadDetector } from '../policy.js';
import { HISTORY_LENGTH } from '../state.js';
import { iqr } from '../stats.js';
import { MIN_HISTORY_FOR_THRESHOLD } from './mad.js';
import { requestedUtilization } from './thr.js';

/** IQR detector with safety parameter `s`. */
export function iqrDetector(s: number, fallback: OverloadDetector): OverloadDetector {
  if (!(s >= 0)) throw new RangeError(`IQR safety parameter must be >= 0, got ${s}`);
  const buf = new Float64Array(HISTORY_LENGTH);
  return {
    name: 'iqr',
    isOverloaded(dc, h, extra) {
      const n = dc.hostHistory(h, extra, buf);
      if (n < MIN_HISTORY_FOR_THRESHOLD) return fallback.isOverloaded(dc, h, extra);
      const upper = 1 - s * iqr(buf, n);
      return requestedUtilization(dc, h, extra) > upper;
    },
  };
}
