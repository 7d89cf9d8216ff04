/**
 * @module migration/optimizations/options
 * QEMU's pre-copy optimizations as migration options, named after QEMU's parameters and
 * capabilities (`query-migrate-parameters`, `migrate-set-capabilities`).
 */

import { DeferralOptions } from './deferral.js';

export const compressions = ['none', 'zlib', 'zstd'] as const;
export type Compression = (typeof compressions)[number];

export interface OptimizationOptions {
  /** XBZRLE delta encoding of re-sent pages (capability `xbzrle`). */
  xbzrle: boolean;
  /** XBZRLE page cache, bytes (parameter `xbzrle-cache-size`, default 64 MiB). */
  xbzrleCacheSize: number;
  /** multifd channels (capability `multifd`, parameter `multifd-channels`); 0 = a single stream. */
  multifdChannels: number;
  /** Page compression on the multifd channels (parameter `multifd-compression`). */
  compression: Compression;
  /** Throttle the vCPUs when pre-copy does not keep up (capability `auto-converge`). */
  autoConverge: boolean;
  /** First throttle, percent (`cpu-throttle-initial`, 20). */
  cpuThrottleInitial: number;
  /** Added at each further trigger, percent (`cpu-throttle-increment`, 10). */
  cpuThrottleIncrement: number;
  /** Highest throttle, percent (`max-cpu-throttle`, 99). */
  maxCpuThrottle: number;
  /** Trigger when dirtied bytes exceed this percent of sent bytes in a period (`throttle-trigger-threshold`, 50). */
  throttleTriggerThreshold: number;
  /** Cap on the guest's dirtying rate once the throttle triggers, bytes/s (`vcpu-dirty-limit` with capability `dirty-limit`); Infinity = off. */
  dirtyLimit: number;
  /** Bandwidth used for the switch-over decision instead of the estimate, bytes/s (`avail-switchover-bandwidth`); 0 = use the estimate. */
  availSwitchoverBandwidth: number;
  /** Time one dirty-bitmap sync takes (the sender is idle meanwhile), s: a property of the machine. */
  syncTime: number;
  /** Hot-page deferral: hold predicted-hot pages back to the stop-and-copy (null: off). */
  deferHot: DeferralOptions | null;
  /** Do not send free pages: the destination gets them as zero pages (free-page hinting / ballooning). */
  freePageHinting: boolean;
  /** Send a page whose content the destination already received as a reference. */
  dedup: boolean;
}

export const optimizationDefaults: OptimizationOptions = {
  xbzrle: false,
  xbzrleCacheSize: 64 * 2 ** 20,
  multifdChannels: 0,
  compression: 'none',
  autoConverge: false,
  cpuThrottleInitial: 20,
  cpuThrottleIncrement: 10,
  maxCpuThrottle: 99,
  throttleTriggerThreshold: 50,
  dirtyLimit: Infinity,
  availSwitchoverBandwidth: 0,
  syncTime: 0,
  deferHot: null,
  freePageHinting: false,
  dedup: false,
};
