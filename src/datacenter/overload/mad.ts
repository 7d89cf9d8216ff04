/**
 * @module datacenter/overload/mad
 * MAD, median absolute deviation (Beloglazov & Buyya, CCPE 2012, sec. 5.2.1; CloudSim
 * PowerVmAllocationPolicyMigrationMedianAbsoluteDeviation): the upper threshold is
 * 1 - s * MAD(host utilisation history); overloaded when requested utilisation > threshold.
 * With fewer than 12 history values the fallback detector (THR 0.7) decides.
 */
import type { OverloadDetector } from '../policy.js';
import { HISTORY_LENGTH } from '../state.js';
import { mad } from '../stats.js';
import { requestedUtilization } from './thr.js';

/** History values needed before the dynamic threshold is trusted ("12 has been suggested as a safe value"). */
export const MIN_HISTORY_FOR_THRESHOLD = 12;

/** MAD detector with safety parameter `s`. */
export function madDetector(s: number, fallback: OverloadDetector): OverloadDetector {
  if (!(s >= 0)) throw new RangeError(`MAD safety parameter must be >= 0, got ${s}`);
  const buf = new Float64Array(HISTORY_LENGTH);
  return {
    name: 'mad',
    isOverloaded(dc, h, extra) {
      const n = dc.hostHistory(h, extra, buf);
      if (n < MIN_HISTORY_FOR_THRESHOLD) return fallback.isOverloaded(dc, h, extra);
      const upper = 1 - s * mad(buf, n);
      return requestedUtilization(dc, h, extra) > upper;
    },
  };
}
