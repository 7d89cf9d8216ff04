/**
 * @module datacenter/overload/thr
 * THR, the static threshold (Beloglazov & Buyya, CCPE 2012, sec. 5.1; CloudSim
 * PowerVmAllocationPolicyMigrationStaticThreshold): a host is overloaded when the sum of its VMs'
 * requested MIPS over its capacity exceeds the threshold.
 */
import type { OverloadDetector } from '../policy.js';
import type { DataCenterState } from '../state.js';

/** Requested-MIPS utilisation of host `h` (with `extra` appended when >= 0). */
export function requestedUtilization(dc: DataCenterState, h: number, extra: number): number {
  return dc.requestedSum(h, extra) / dc.totalMips[h];
}

/** Static-threshold detector: overloaded when requested utilisation > `threshold` (fraction). */
export function thresholdDetector(threshold: number): OverloadDetector {
  if (!(threshold > 0)) throw new RangeError(`THR threshold must be > 0, got ${threshold}`);
  return {
    name: 'thr',
    isOverloaded: (dc, h, extra) => requestedUtilization(dc, h, extra) > threshold,
  };
}
