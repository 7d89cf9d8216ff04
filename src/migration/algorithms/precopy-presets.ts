/**
 * @module migration/algorithms/precopy-presets
 * Pre-copy's options and the presets' constants (what `algorithms/precopy.ts` decides with):
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
/** When the dirty bitmap is synced: when pending falls below the threshold, or at the end of a pass. */
export const syncRules = ['below-threshold', 'round-end'] as const;
/** Which count the minDirtyPages rule looks at. */
export const minDirtyBases = ['dirty-after-sync', 'sent-last-round'] as const;

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
  syncRule: (typeof syncRules)[number];
  /** Which count the minDirtyPages rule looks at. */
  minDirtyBasis: (typeof minDirtyBases)[number];
  /** Bytes sent per iteration, between two checks: a rate-limit window (s) x rate ... */
  iterationWindow: number;
  /** ... or a fixed batch of pages (Xen), 0 = use the window; Infinity = a whole round at once. */
  batchPages: number;
  /**
   * A send call inside a window returns after this much work, and the stop rule is checked then
   * too, not only between windows (QEMU's ram_save_iterate: MAX_WAIT, 50 ms); 0 = checks only
   * between windows. The work is the data at the link's rate plus the zero pages at `zeroScanRate`.
   */
  iterationMaxWait: number;
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
    iterationMaxWait: 0, // QEMU's MAX_WAIT is 50 ms; off unless set (see docs/model.md)
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
    iterationMaxWait: 0,
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
    iterationMaxWait: 0,
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
    iterationMaxWait: 0,
    skipRedirtied: false,
    uncappedSwitchover: false,
  },
};
