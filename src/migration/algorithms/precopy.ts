/**
 * @module migration/algorithms/precopy
 * Pre-copy as policy only (Clark et al., NSDI 2005):
 *
 *     warm-up: send every page while the VM runs
 *     repeat: sync the dirty bitmap; if a stop rule holds, stop; else send the dirty set
 *     stop-and-copy: pause, send the rest + device state, resume at the destination
 *
 * The presets differ only in when they sync and which stop rules they use:
 * - `qemu` (migration/migration.c, ram.c): bandwidth measured over the last 100 ms iteration;
 *   threshold = bandwidth x downtime-limit; the bitmap is synced when pending < threshold (not at
 *   the end of a pass) and the switch-over happens when pending after the sync is still below it;
 *   no round cap; rate capped by max-bandwidth (128 MiB/s); the final copy runs uncapped.
 * - `xen` (libxc migration v2, xc_sr_save.c simple_precopy_policy): a round is one pass over the
 *   dirty set; stop after 5 rounds or when fewer than 50 pages are dirty.
 * - `xen-legacy` (xc_domain_save.c): stop after 29 rounds, when the last round sent fewer than 50
 *   pages, or after 3x memory was sent; pages re-dirtied during the current round are skipped
 *   (checked per 1024-page batch).
 * - `simgrid` (plugins/vm/VmLiveMigration.cpp): stage 2 rounds are one transfer each; stop when the
 *   dirtied bytes are below bandwidth (of the last round) x 30 ms.
 */

/** Options of a pre-copy migration. Sizes in bytes, times in seconds, rates in bytes/s. */
export interface PrecopyOptions {
  preset: PrecopyPresetName;
  /** Switch over when pending bytes < bandwidth x downtimeLimit (0 disables the rule). */
  downtimeLimit: number;
  /** Stop after this many live rounds (Infinity = no cap). */
  maxRounds: number;
  /** Stop when a round leaves fewer than this many pages (0 disables). */
  minDirtyPages: number;
  /** Stop once this many times the VM's memory has been sent (Infinity disables). */
  maxSentFactor: number;
  /** Per-migration rate cap for the live rounds, bytes/s (QEMU max-bandwidth). */
  maxBandwidth: number;
  /** When the dirty bitmap is synced: when pending falls below the threshold, or at the end of a pass. */
  syncRule: 'below-threshold' | 'round-end';
  /** Which count the minDirtyPages rule looks at. */
  minDirtyBasis: 'dirty-after-sync' | 'sent-last-round';
  /** Bytes sent per iteration, between two checks: a rate-limit window (s) x rate ... */
  iterationWindow: number;
  /** ... or a fixed batch of pages (Xen), 0 = use the window; Infinity = a whole round at once. */
  batchPages: number;
  /** Skip pages re-dirtied during the current round (Xen legacy). */
  skipRedirtied: boolean;
  /** The stop-and-copy phase ignores maxBandwidth (QEMU lifts the rate limit at completion). */
  uncappedSwitchover: boolean;
}

/** The presets, in the order lists show them. */
export const precopyPresetNames = ['qemu', 'xen', 'xen-legacy', 'simgrid'] as const;
export type PrecopyPresetName = (typeof precopyPresetNames)[number];

const UNLIMITED = Infinity;

/** Every preset's constants, named and overridable from a scenario. */
export const precopyPresets: Record<PrecopyPresetName, PrecopyOptions> = {
  qemu: {
    preset: 'qemu',
    downtimeLimit: 0.3, // QEMU downtime-limit default, 300 ms
    maxRounds: UNLIMITED,
    minDirtyPages: 0,
    maxSentFactor: UNLIMITED,
    maxBandwidth: 128 * 2 ** 20, // QEMU max-bandwidth default, 128 MiB/s
    syncRule: 'below-threshold',
    minDirtyBasis: 'dirty-after-sync',
    iterationWindow: 0.1, // BUFFER_DELAY: 100 ms rate-limit window
    batchPages: 0,
    skipRedirtied: false,
    uncappedSwitchover: true,
  },
  xen: {
    preset: 'xen',
    downtimeLimit: 0,
    maxRounds: 5, // SPP_MAX_ITERATIONS
    minDirtyPages: 50, // SPP_TARGET_DIRTY_COUNT
    maxSentFactor: UNLIMITED,
    maxBandwidth: UNLIMITED,
    syncRule: 'round-end',
    minDirtyBasis: 'dirty-after-sync',
    iterationWindow: 0,
    batchPages: 1024, // MAX_BATCH_SIZE
    skipRedirtied: false,
    uncappedSwitchover: false,
  },
  'xen-legacy': {
    preset: 'xen-legacy',
    downtimeLimit: 0,
    maxRounds: 29, // DEF_MAX_ITERS
    minDirtyPages: 50,
    maxSentFactor: 3, // DEF_MAX_FACTOR
    maxBandwidth: UNLIMITED,
    syncRule: 'round-end',
    minDirtyBasis: 'sent-last-round',
    iterationWindow: 0,
    batchPages: 1024,
    skipRedirtied: true,
    uncappedSwitchover: false,
  },
  simgrid: {
    preset: 'simgrid',
    downtimeLimit: 0.03, // SimGrid's default max_downtime, 30 ms
    maxRounds: UNLIMITED,
    minDirtyPages: 0,
    maxSentFactor: UNLIMITED,
    maxBandwidth: UNLIMITED,
    syncRule: 'round-end',
    minDirtyBasis: 'dirty-after-sync',
    iterationWindow: 0,
    batchPages: UNLIMITED, // one transfer per stage-2 round
    skipRedirtied: false,
    uncappedSwitchover: false,
  },
};

/** What the driver shows the policy at a check. */
export interface PrecopyObservation {
  /** Live round in progress (1 = the bulk pass). */
  round: number;
  /** Pages still to send in the to-send bitmap. */
  remainingPages: number;
  /** remainingPages x page size (QEMU counts pending in whole pages, zero pages included). */
  remainingBytes: number;
  /** Bandwidth estimate, bytes/s. */
  bandwidth: number;
  /** Wire bytes sent so far. */
  bytesSent: number;
  memoryBytes: number;
  /** Pages sent + skipped in the round that just ended (after a sync). */
  lastRoundPages: number;
}

/** The pre-copy decisions, given options. Pure: no engine access. */
export class PrecopyPolicy {
  /**
   * @param options the preset's rules
   * @param availSwitchoverBandwidth bytes/s to decide the switch-over with instead of the estimate
   *   (QEMU `avail-switchover-bandwidth`); 0 = use the estimate
   */
  constructor(readonly options: PrecopyOptions, readonly availSwitchoverBandwidth = 0) {}

  threshold(o: PrecopyObservation): number {
    const bandwidth = this.availSwitchoverBandwidth > 0 ? this.availSwitchoverBandwidth : o.bandwidth;
    return bandwidth * this.options.downtimeLimit;
  }

  /** At an iteration boundary: sync the dirty bitmap now? */
  shouldSync(o: PrecopyObservation): boolean {
    if (o.remainingPages === 0) return true;
    return this.options.syncRule === 'below-threshold' && o.remainingBytes < this.threshold(o);
  }

  /** After a sync: the reason to stop and copy, or null to go on with another round. */
  stopReason(o: PrecopyObservation): string | null {
    const opt = this.options;
    if (o.remainingPages === 0) return 'nothing left to send';
    if (opt.downtimeLimit > 0 && o.remainingBytes < this.threshold(o)) return 'expected downtime below the limit';
    const dirty = opt.minDirtyBasis === 'sent-last-round' ? o.lastRoundPages : o.remainingPages;
    if (dirty < opt.minDirtyPages) return `fewer than ${opt.minDirtyPages} dirty pages`;
    if (o.round >= opt.maxRounds) return `round cap (${opt.maxRounds}) reached`;
    if (o.bytesSent >= opt.maxSentFactor * o.memoryBytes) return `${opt.maxSentFactor}x memory sent`;
    return null;
  }

  /** Wire bytes per iteration at the given rate (bytes/s). */
  iterationBytes(rate: number, pageWireBytes: number): number {
    const opt = this.options;
    if (opt.batchPages > 0) return opt.batchPages * pageWireBytes;
    return Math.max(pageWireBytes, rate * opt.iterationWindow);
  }
}
