/**
 * @module migration/options
 * The registry of migration algorithms and their options: one table that types the scenario
 * schema, the CLI's --algorithms and the reports.
 */
import { RampOptions, rampDefaults } from './algorithms/downtime-ramp.js';
import { HybridOptions, hybridDefaults } from './algorithms/hybrid.js';
import { PostcopyOptions, postcopyDefaults } from './algorithms/postcopy.js';
import { PrecopyOptions, PrecopyPresetName, precopyPresets } from './algorithms/precopy-presets.js';
import { StallAction } from './algorithms/stall-detection.js';
import { ReuseOptions, reuseDefaults } from './reuse.js';
import { OptimizationOptions, optimizationDefaults } from './optimizations/options.js';

export const algorithmNames = ['precopy', 'postcopy', 'hybrid', 'stop-and-copy', 'downtime-ramp', 'stall-detection'] as const;
export type AlgorithmName = (typeof algorithmNames)[number];

/** The algorithms that run pre-copy rounds, so take a pre-copy preset. */
export const presetAlgorithms: readonly AlgorithmName[] = ['precopy', 'hybrid', 'downtime-ramp', 'stall-detection'];

/**
 * The name lists and tables show: "precopy:xen" (pre-copy always names its preset), "hybrid" and the
 * other pre-copy variants (with ":preset" only when not the default qemu), "postcopy", "stop-and-copy".
 */
export function algorithmLabel(algorithm: AlgorithmName, preset: PrecopyPresetName = 'qemu'): string {
  if (algorithm === 'precopy' || (presetAlgorithms.includes(algorithm) && preset !== 'qemu')) return `${algorithm}:${preset}`;
  return algorithm;
}

/** Mechanism options shared by every algorithm (bytes, seconds, bytes/s). */
export interface CommonOptions {
  /** Cancel a migration still in its live phase after this long (Infinity = never). */
  timeout: number;
  /** CPU and device state sent in the stop-and-copy, bytes. */
  deviceState: number;
  /** Time from the last byte at the destination to the VM running there, s. */
  resumeLatency: number;
  /** Header bytes per page on the wire (QEMU: 8-byte address and flags). */
  pageHeader: number;
  /** Bytes of a zero page on the wire (QEMU: header + 1 fill byte). */
  zeroPageBytes: number;
  /** Bytes of zero pages the source checks per second (QEMU's buffer_is_zero); Infinity = free. */
  zeroScanRate: number;
  /** Bytes/s the destination takes data pages at that it receives the first time (it allocates them); Infinity = no limit. */
  firstReceiveRate: number;
  /**
   * Bytes the connection buffers between the source's writes and the destination's reads (the
   * sockets' buffers): how far the source can run ahead of a destination slowed by
   * firstReceiveRate; 0 = the source waits for the destination.
   */
  receiveBuffer: number;
}

export const commonDefaults: CommonOptions = {
  timeout: Infinity,
  deviceState: 256 * 1024,
  resumeLatency: 0.003,
  pageHeader: 8,
  zeroPageBytes: 9,
  zeroScanRate: Infinity,
  firstReceiveRate: Infinity,
  receiveBuffer: 0,
};

/** Fully resolved options of one migration. */
export type MigrationOptions = CommonOptions &
  PrecopyOptions &
  PostcopyOptions &
  HybridOptions &
  OptimizationOptions & {
    algorithm: AlgorithmName;
    reuse: ReuseOptions;
    /** downtime-ramp: how the downtime limit rises (present only for that algorithm). */
    downtimeRamp?: RampOptions;
    /** stall-detection: what a stall leads to (present only for that algorithm). */
    onStall?: StallAction;
  };

/** Defaults for an algorithm and preset, before scenario overrides (a fresh copy: callers change it). */
export function defaultOptions(algorithm: AlgorithmName, preset: PrecopyPresetName = 'qemu'): MigrationOptions {
  // built once per algorithm and preset: a data center's runs ask for them per migration
  const key = `${algorithm}:${preset}`;
  let built = defaultsBuilt.get(key);
  if (!built) defaultsBuilt.set(key, (built = buildDefaults(algorithm, preset)));
  const copy = { ...built, reuse: { ...built.reuse } };
  if (built.downtimeRamp) copy.downtimeRamp = { ...built.downtimeRamp };
  return copy;
}

const defaultsBuilt = new Map<string, MigrationOptions>();

function buildDefaults(algorithm: AlgorithmName, preset: PrecopyPresetName): MigrationOptions {
  const base = {
    ...commonDefaults,
    ...precopyPresets[preset],
    ...postcopyDefaults,
    ...hybridDefaults,
    ...optimizationDefaults,
    algorithm,
    reuse: { ...reuseDefaults },
  };
  if (algorithm === 'stop-and-copy') {
    // non-live baseline: pause at once, send everything at the link rate (or the given cap)
    return { ...base, maxBandwidth: Infinity, uncappedSwitchover: false };
  }
  if (algorithm === 'downtime-ramp') return { ...base, downtimeRamp: { ...rampDefaults.nova } };
  if (algorithm === 'stall-detection') return { ...base, onStall: 'abort' };
  return base;
}
