/**
 * @module migration/option-registry
 * Every migration option, declared once: its kind and bounds, QEMU's name and unit for it where
 * QEMU has one (`migrate-set-parameters` parameter or `migrate-set-capabilities` capability), the
 * algorithms it applies to, and one line saying what it does. Defaults are not repeated here: they
 * are the presets' and algorithms' own tables (`defaultOptions`). Pure data: the scenario schema
 * (`lmsim schema`), the option types' check, `--set`, the consolidation file's `migration:` block,
 * CLI help and docs/options.md are all derived from it.
 */
import { algorithmNames, presetAlgorithms, type AlgorithmName, type MigrationOptions } from './options.js';
import { minDirtyBases, precopyPresetNames, syncRules } from './algorithms/precopy-presets.js';
import { prepagingModes } from './algorithms/postcopy.js';
import { rampSchedules } from './algorithms/downtime-ramp.js';
import { stallActions } from './algorithms/stall-detection.js';
import { compressions } from './optimizations/options.js';
import { deferralPredictors } from './optimizations/deferral.js';
import { reusePolicies } from './reuse.js';

/** QEMU's name for an option. A parameter's plain number is in QEMU's unit (`factor` x it = lmsim's unit). */
export type QemuName =
  | { name: string; type: 'parameter'; unit: string; factor: number }
  /** A capability: on/off. For a non-boolean option, `on`/`off` are the values it stands for. */
  | { name: string; type: 'capability'; on?: unknown; off?: unknown; onValues?: readonly unknown[] };

/** A number-valued kind; `unlimited` accepts "unlimited" (or "none") for Infinity. */
export interface NumberKind {
  /** seconds, bytes, bytes/s, or a plain count / number / percent. */
  type: 'duration' | 'size' | 'rate' | 'integer' | 'number' | 'percent';
  min?: number;
  /** min is excluded (a value must be greater). */
  exclusiveMin?: boolean;
  max?: number;
  unlimited?: boolean;
  /**
   * Durations only: the largest plain (unitless) number accepted, in seconds. Larger plain numbers
   * are refused with a hint to write the unit: `downtimeLimit: 300` is 300 s, which a QEMU user
   * (whose downtime-limit is in ms) does not mean.
   */
  plainMax?: number;
}

export type OptionKind =
  | NumberKind
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly string[] }
  /** A mapping of sub-options, or a shorthand: `true` (defaults) / `false` (off), or an enum value for its first field. */
  | { type: 'object'; shorthand: 'boolean' | 'enum'; fields: Record<string, { kind: OptionKind; description: string }> };

export interface OptionDecl {
  kind: OptionKind;
  /** The algorithms it changes anything in. */
  algorithms: readonly AlgorithmName[];
  description: string;
  /** QEMU's names for it (most options have one or none). */
  qemu?: readonly QemuName[];
  /** Section of the options table. */
  group: 'algorithm' | 'pre-copy' | 'post-copy' | 'hybrid' | 'operators' | 'mechanism' | 'QEMU optimizations' | 'related work' | 'memory reuse';
}

/** Kind constraints that follow each option's TypeScript type. */
type KindFor<T> = [T] extends [boolean]
  ? { type: 'boolean' }
  : [T] extends [number]
    ? NumberKind
    : [T] extends [string]
      ? { type: 'enum'; values: readonly T[] }
      : Extract<OptionKind, { type: 'object' }>;

/** One declaration per field of MigrationOptions, its kind matching the field's type (checked by tsc). */
type Registry = { [K in keyof MigrationOptions]: OptionDecl & { kind: KindFor<NonNullable<MigrationOptions[K]>> } };

const ALL = algorithmNames;
const PRECOPY = presetAlgorithms; // the algorithms with pre-copy rounds
const LIVE_PHASE: readonly AlgorithmName[] = [...presetAlgorithms, 'stop-and-copy'];
const POSTCOPY: readonly AlgorithmName[] = ['postcopy', 'hybrid', 'stall-detection'];
const MS = { unit: 'ms', factor: 1e-3 } as const;
const BYTES = { unit: 'bytes', factor: 1 } as const;
const BYTES_PER_S = { unit: 'bytes/s', factor: 1 } as const;
const PERCENT = { unit: 'percent', factor: 1 } as const;
/** QEMU reports and takes dirty rates as "MB/s" and computes them in MiB/s. */
const QEMU_MB_PER_S = { unit: 'MB/s (QEMU computes MiB/s)', factor: 2 ** 20 } as const;

export const migrationOptions = {
  algorithm: {
    group: 'algorithm',
    kind: { type: 'enum', values: algorithmNames },
    algorithms: ALL,
    description: 'the migration algorithm: precopy (with a preset), postcopy, hybrid (pre-copy then post-copy), stop-and-copy (non-live), downtime-ramp (pre-copy with a rising downtime limit) or stall-detection (pre-copy that aborts or switches to post-copy when it stops progressing)',
    qemu: [{ name: 'postcopy-ram', type: 'capability', on: 'hybrid', off: 'precopy', onValues: ['postcopy', 'hybrid'] }],
  },
  preset: {
    group: 'algorithm',
    kind: { type: 'enum', values: precopyPresetNames },
    algorithms: PRECOPY,
    description: 'whose pre-copy rules and constants: qemu, xen (migration v2), xen-legacy, simgrid; only for the algorithms with pre-copy rounds',
  },
  downtimeLimit: {
    group: 'pre-copy',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: PRECOPY,
    description: 'switch over when pending bytes < bandwidth x this (0 disables the rule)',
    qemu: [{ name: 'downtime-limit', type: 'parameter', ...MS }],
  },
  maxRounds: {
    group: 'pre-copy',
    kind: { type: 'integer', min: 1, unlimited: true },
    algorithms: PRECOPY,
    description: 'stop after this many live rounds',
  },
  minDirtyPages: {
    group: 'pre-copy',
    kind: { type: 'integer', min: 0 },
    algorithms: PRECOPY,
    description: 'stop when fewer than this many pages are dirty (0 disables)',
  },
  minDirtyBasis: {
    group: 'pre-copy',
    kind: { type: 'enum', values: minDirtyBases },
    algorithms: PRECOPY,
    description: 'which count minDirtyPages looks at: the dirty set after a sync, or the pages sent in the last round (Xen legacy)',
  },
  maxSentFactor: {
    group: 'pre-copy',
    kind: { type: 'number', min: 0, exclusiveMin: true, unlimited: true },
    algorithms: PRECOPY,
    description: "stop once this many times the VM's memory has been sent",
  },
  maxBandwidth: {
    group: 'pre-copy',
    kind: { type: 'rate', unlimited: true },
    algorithms: LIVE_PHASE,
    description: 'rate cap of the live rounds (and of stop-and-copy)',
    qemu: [{ name: 'max-bandwidth', type: 'parameter', ...BYTES_PER_S }],
  },
  syncRule: {
    group: 'pre-copy',
    kind: { type: 'enum', values: syncRules },
    algorithms: PRECOPY,
    description: 'when the dirty bitmap is synced: when pending falls below the threshold (QEMU), or at the end of each pass',
  },
  iterationWindow: {
    group: 'pre-copy',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: PRECOPY,
    description: 'bytes sent between two checks = this window x the rate (QEMU: 100 ms)',
  },
  batchPages: {
    group: 'pre-copy',
    kind: { type: 'integer', min: 0, unlimited: true },
    algorithms: PRECOPY,
    description: 'or a fixed batch of pages between checks (Xen: 1024); 0 = use the window, unlimited = a whole round at once',
  },
  iterationMaxWait: {
    group: 'pre-copy',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: PRECOPY,
    description:
      "a send call returns after this much work (data at the link's rate, zero pages at zeroScanRate) and the stop rule is checked then too (QEMU's ram_save_iterate MAX_WAIT: 50 ms); 0 = checks only between windows; page-exact memory",
  },
  skipRedirtied: {
    group: 'pre-copy',
    kind: { type: 'boolean' },
    algorithms: PRECOPY,
    description: 'skip pages dirtied again during the current round (Xen legacy)',
  },
  uncappedSwitchover: {
    group: 'pre-copy',
    kind: { type: 'boolean' },
    algorithms: PRECOPY,
    description: 'the stop-and-copy ignores maxBandwidth (QEMU lifts the rate limit at completion)',
  },
  timeout: {
    group: 'mechanism',
    kind: { type: 'duration', min: 0, exclusiveMin: true, unlimited: true },
    algorithms: ALL,
    description: 'cancel a migration still in its live phase after this long (hybrid: switch to post-copy instead)',
  },
  deviceState: {
    group: 'mechanism',
    kind: { type: 'size' },
    algorithms: ALL,
    description: 'CPU and device state sent while the VM is paused',
  },
  resumeLatency: {
    group: 'mechanism',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: ALL,
    description: 'time from the last byte at the destination to the VM running there',
  },
  pageHeader: {
    group: 'mechanism',
    kind: { type: 'integer', min: 0 },
    algorithms: ALL,
    description: 'header bytes per page on the wire (QEMU: 8-byte address and flags)',
  },
  zeroScanRate: {
    group: 'mechanism',
    kind: { type: 'rate', min: 0, exclusiveMin: true, unlimited: true },
    algorithms: PRECOPY,
    description: 'bytes of zero pages the source checks per second (a property of the machine); the work iterationMaxWait counts; unlimited = free',
  },
  firstReceiveRate: {
    group: 'mechanism',
    kind: { type: 'rate', min: 0, exclusiveMin: true, unlimited: true },
    algorithms: LIVE_PHASE,
    description: 'bytes/s the destination takes data pages at that it receives for the first time (it allocates them; a property of the machine); unlimited = no limit; page-exact memory',
  },
  receiveBuffer: {
    group: 'mechanism',
    kind: { type: 'size' },
    algorithms: LIVE_PHASE,
    description: "bytes the connection buffers between the source and the destination (the sockets' buffers): how far the source runs ahead of a destination slowed by firstReceiveRate; what is still buffered at the pause delays the resume; 0 = the source waits for the destination; page-exact memory",
  },
  zeroPageBytes: {
    group: 'mechanism',
    kind: { type: 'integer', min: 0 },
    algorithms: ALL,
    description: 'bytes of a zero page on the wire (QEMU: header + 1 fill byte)',
  },
  prepaging: {
    group: 'post-copy',
    kind: { type: 'enum', values: prepagingModes },
    algorithms: POSTCOPY,
    description: 'where the background push goes after a fault: forward from it (QEMU), bubble around it (Hines & Gopalan), none',
  },
  preempt: {
    group: 'post-copy',
    kind: { type: 'boolean' },
    algorithms: POSTCOPY,
    description: 'page requests on their own channel instead of behind the push stream',
    qemu: [{ name: 'postcopy-preempt', type: 'capability' }],
  },
  pushChunk: {
    group: 'post-copy',
    kind: { type: 'size', min: 1 },
    algorithms: POSTCOPY,
    description: 'bytes per push transfer: what a page request waits behind on a shared channel',
  },
  maxPostcopyBandwidth: {
    group: 'post-copy',
    kind: { type: 'rate', unlimited: true },
    algorithms: POSTCOPY,
    description: 'rate cap of the post-copy phase',
    qemu: [{ name: 'max-postcopy-bandwidth', type: 'parameter', ...BYTES_PER_S }],
  },
  postcopyWindow: {
    group: 'post-copy',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: POSTCOPY,
    description: 'maxPostcopyBandwidth is kept per window of this length (QEMU: 100 ms): each window sends its budget at the link rate, then nothing, page requests included, until the next; 0 = a smooth cap',
  },
  faultService: {
    group: 'post-copy',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: POSTCOPY,
    description: "time from a guest's fault to its page request leaving the destination (userfault delivery, fault thread)",
  },
  postcopySetup: {
    group: 'post-copy',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: POSTCOPY,
    description: 'the destination\'s work after a post-copy switch-over before the guest runs, beyond resumeLatency (QEMU: userfaultfd registration, discards, the device-state package); the push goes on meanwhile; 0 = none',
  },
  postcopyAfterRounds: {
    group: 'hybrid',
    kind: { type: 'integer', min: 1, unlimited: true },
    algorithms: ['hybrid'],
    description: 'switch to post-copy after this many pre-copy rounds (QEMU: after the first pass); unlimited = only on stall or timeout',
  },
  stallRounds: {
    group: 'hybrid',
    kind: { type: 'integer', min: 0 },
    algorithms: ['hybrid', 'stall-detection'],
    description: 'hybrid: switch when the pages left after a sync have not fallen for this many rounds; stall-detection: act then (0: off)',
  },
  downtimeRamp: {
    group: 'operators',
    kind: {
      type: 'object',
      shorthand: 'enum',
      fields: {
        schedule: { kind: { type: 'enum', values: rampSchedules }, description: 'nova (OpenStack downtime steps) or kubevirt (VEP 291 linear ramp); the other fields default to its values' },
        maxDowntime: { kind: { type: 'duration', plainMax: 10 }, description: 'the ceiling (nova live_migration_downtime 500ms, kubevirt maxDowntimeMs 1050ms)' },
        steps: { kind: { type: 'integer', min: 1 }, description: 'nova: increments (10); kubevirt: levels from the initial limit to the ceiling (7)' },
        delayPerGiB: { kind: { type: 'duration' }, description: 'nova live_migration_downtime_delay: time between steps per GiB of RAM, at least 2 GiB counted (75s)' },
        initialDowntime: { kind: { type: 'duration', plainMax: 10 }, description: 'kubevirt initialMs (150ms)' },
        startAfterRound: { kind: { type: 'integer', min: 1 }, description: 'kubevirt startAfterIteration (3)' },
        cooldown: { kind: { type: 'duration' }, description: 'kubevirt cooldownSeconds between increases (10s)' },
      },
    },
    algorithms: ['downtime-ramp'],
    description: 'how the downtime limit rises while pre-copy runs (nova: OpenStack live_migration_downtime_steps/_delay; kubevirt: VEP 291)',
  },
  onStall: {
    group: 'operators',
    kind: { type: 'enum', values: stallActions },
    algorithms: ['stall-detection'],
    description: 'after stallRounds syncs without progress: abort (the VM stays at the source) or switch to post-copy',
  },
  xbzrle: {
    group: 'QEMU optimizations',
    kind: { type: 'boolean' },
    algorithms: PRECOPY,
    description: 'XBZRLE delta encoding of re-sent pages (page-exact memory only)',
    qemu: [{ name: 'xbzrle', type: 'capability' }],
  },
  xbzrleCacheSize: {
    group: 'QEMU optimizations',
    kind: { type: 'size' },
    algorithms: PRECOPY,
    description: 'XBZRLE page cache',
    qemu: [{ name: 'xbzrle-cache-size', type: 'parameter', ...BYTES }],
  },
  multifdChannels: {
    group: 'QEMU optimizations',
    kind: { type: 'integer', min: 0 },
    algorithms: LIVE_PHASE,
    description: 'multifd channels; 0 = a single stream',
    qemu: [
      { name: 'multifd-channels', type: 'parameter', unit: 'channels', factor: 1 },
      { name: 'multifd', type: 'capability', on: 2, off: 0 },
    ],
  },
  compression: {
    group: 'QEMU optimizations',
    kind: { type: 'enum', values: compressions },
    algorithms: LIVE_PHASE,
    description: 'page compression on the multifd channels',
    qemu: [{ name: 'multifd-compression', type: 'parameter', unit: 'name', factor: 1 }],
  },
  autoConverge: {
    group: 'QEMU optimizations',
    kind: { type: 'boolean' },
    algorithms: PRECOPY,
    description: 'throttle the vCPUs when pre-copy does not keep up',
    qemu: [{ name: 'auto-converge', type: 'capability' }],
  },
  cpuThrottleInitial: {
    group: 'QEMU optimizations',
    kind: { type: 'percent', min: 1, max: 99 },
    algorithms: PRECOPY,
    description: 'first throttle, percent of vCPU time taken',
    qemu: [{ name: 'cpu-throttle-initial', type: 'parameter', ...PERCENT }],
  },
  cpuThrottleIncrement: {
    group: 'QEMU optimizations',
    kind: { type: 'percent', min: 1, max: 99 },
    algorithms: PRECOPY,
    description: 'added at each further trigger, percent',
    qemu: [{ name: 'cpu-throttle-increment', type: 'parameter', ...PERCENT }],
  },
  maxCpuThrottle: {
    group: 'QEMU optimizations',
    kind: { type: 'percent', min: 1, max: 99 },
    algorithms: PRECOPY,
    description: 'highest throttle, percent',
    qemu: [{ name: 'max-cpu-throttle', type: 'parameter', ...PERCENT }],
  },
  throttleTriggerThreshold: {
    group: 'QEMU optimizations',
    kind: { type: 'percent', min: 1, max: 100 },
    algorithms: PRECOPY,
    description: 'throttle when bytes dirtied in a period exceed this percent of the bytes sent',
    qemu: [{ name: 'throttle-trigger-threshold', type: 'parameter', ...PERCENT }],
  },
  dirtyLimit: {
    group: 'QEMU optimizations',
    kind: { type: 'rate', unlimited: true },
    algorithms: PRECOPY,
    description: "cap on the guest's dirtying rate once the throttle triggers (with the dirty-limit capability)",
    qemu: [{ name: 'vcpu-dirty-limit', type: 'parameter', ...QEMU_MB_PER_S }],
  },
  availSwitchoverBandwidth: {
    group: 'QEMU optimizations',
    kind: { type: 'rate' },
    algorithms: PRECOPY,
    description: 'bandwidth the switch-over decision assumes instead of the measured one; 0 = measured',
    qemu: [{ name: 'avail-switchover-bandwidth', type: 'parameter', ...BYTES_PER_S }],
  },
  syncTime: {
    group: 'QEMU optimizations',
    kind: { type: 'duration', plainMax: 10 },
    algorithms: PRECOPY,
    description: 'time one dirty-bitmap sync takes, the sender idle meanwhile (a property of the machine)',
  },
  deferHot: {
    group: 'related work',
    kind: {
      type: 'object',
      shorthand: 'boolean',
      fields: {
        predictor: { kind: { type: 'enum', values: deferralPredictors }, description: 'threshold: dirtied in `threshold` of the last `window` rounds; time-series: decayed score' },
        window: { kind: { type: 'integer', min: 1, max: 8 }, description: 'rounds of history, 1..8' },
        threshold: { kind: { type: 'number', min: 0, exclusiveMin: true }, description: 'rounds dirtied (threshold) or weighted score (time-series) that make a page hot' },
        decay: { kind: { type: 'number', min: 0, exclusiveMin: true, max: 1 }, description: 'time-series: weight of each older round' },
      },
    },
    algorithms: PRECOPY,
    description: 'hold pages dirtied in recent rounds back to the stop-and-copy (true: default predictor; page-exact memory only)',
  },
  freePageHinting: {
    group: 'related work',
    kind: { type: 'boolean' },
    algorithms: ALL,
    description: 'do not send free pages: the destination gets zero pages (page-exact memory only)',
  },
  dedup: {
    group: 'related work',
    kind: { type: 'boolean' },
    algorithms: ALL,
    description: 'send a page whose content the destination already received as a reference (page-exact memory only)',
  },
  reuse: {
    group: 'memory reuse',
    kind: {
      type: 'object',
      shorthand: 'enum',
      fields: {
        policy: { kind: { type: 'enum', values: reusePolicies }, description: 'what the source keeps of the image when the VM leaves' },
        reportInterval: { kind: { type: 'duration' }, description: 'drop-updated: how often the other host reports written pages' },
        hotWindow: { kind: { type: 'duration' }, description: 'skip-hot: pages written this recently before departure are not kept' },
      },
    },
    algorithms: ALL,
    description: 'keep the image on the source when the VM leaves, reuse it when it comes back (page-exact memory only)',
  },
} as const satisfies Registry;

export type MigrationOptionName = keyof typeof migrationOptions;

/** The option names in declaration order. */
export const migrationOptionNames = Object.keys(migrationOptions) as MigrationOptionName[];

/** Every QEMU name, with the option it belongs to. */
export const qemuNames: readonly { option: MigrationOptionName; qemu: QemuName }[] = migrationOptionNames.flatMap((option) =>
  ((migrationOptions[option] as OptionDecl).qemu ?? []).map((qemu) => ({ option, qemu })),
);

/** QEMU's names, as a type (the scenario schema's field names beside lmsim's). */
export type QemuOptionName = {
  [K in MigrationOptionName]: (typeof migrationOptions)[K] extends { qemu: readonly { name: infer N }[] } ? N : never;
}[MigrationOptionName];

/** Other names of the same value (lmsim's and QEMU's parameter or on/off capability): writing one replaces the others in an overlay. */
export function synonymsOf(key: string): string[] {
  const option = (migrationOptionNames as string[]).includes(key) ? (key as MigrationOptionName) : qemuNames.find((q) => q.qemu.name === key)?.option;
  if (option === undefined) return [];
  const d = migrationOptions[option] as OptionDecl;
  const same = [option, ...(d.qemu ?? []).filter((q) => q.type === 'parameter' || d.kind.type === 'boolean').map((q) => q.name)];
  return same.includes(key) ? same.filter((n) => n !== key) : [];
}
