/**
 * @module datacenter/policy-name
 * Policy names as strings: "<detector>-<selector>" with detector thr | iqr | mad | lr | lrr and
 * selector mmt | mc | mu | rs (e.g. "lr-mmt" with parameter 1.2), or "dvfs" (power-aware hosts,
 * first-fit placement, no migration) and "npa" (the same placement, every host at full power).
 */
import type { OverloadDetector, VmSelector } from './policy.js';
import { iqrDetector } from './overload/iqr.js';
import { regressionDetector, regressionScreen } from './overload/lr.js';
import { FirstFit } from './placement/first-fit.js';
import { IndexedPabfd } from './placement/indexed-pabfd.js';
import { Pabfd } from './placement/pabfd.js';
import type { Placement } from './placement/placement.js';
import { madDetector } from './overload/mad.js';
import { thresholdDetector } from './overload/thr.js';
import { maximumCorrelation } from './selection/mc.js';
import { minimumMigrationTime } from './selection/mmt.js';
import { minimumUtilization } from './selection/mu.js';
import { randomSelection } from './selection/rs.js';

export const DETECTORS = ['thr', 'iqr', 'mad', 'lr', 'lrr'] as const;
export const SELECTORS = ['mmt', 'mc', 'mu', 'rs'] as const;
export type DetectorName = (typeof DETECTORS)[number];
export type SelectorName = (typeof SELECTORS)[number];

/** A parsed policy name. */
export type ParsedPolicy =
  | { kind: 'migration'; detector: DetectorName; selector: SelectorName }
  | { kind: 'dvfs' }
  | { kind: 'npa' };

/** Parses "lr-mmt", "dvfs", "npa" (case-insensitive); throws a RangeError naming the valid forms. */
export function parsePolicy(name: string): ParsedPolicy {
  const n = name.trim().toLowerCase();
  if (n === 'dvfs' || n === 'npa') return { kind: n };
  const [d, s, ...rest] = n.split('-');
  if (rest.length === 0 && (DETECTORS as readonly string[]).includes(d) && (SELECTORS as readonly string[]).includes(s ?? '')) {
    return { kind: 'migration', detector: d as DetectorName, selector: s as SelectorName };
  }
  throw new RangeError(`unknown policy "${name}": expected dvfs, npa or <${DETECTORS.join('|')}>-<${SELECTORS.join('|')}>`);
}

/** CloudSim's fallback threshold while history is short. */
export const DEFAULT_FALLBACK_THRESHOLD = 0.7;

/** Builds the overload detector of a parsed policy. */
export function makeDetector(detector: DetectorName, parameter: number, schedulingInterval: number, fallbackThreshold = DEFAULT_FALLBACK_THRESHOLD): OverloadDetector {
  const fallback = thresholdDetector(fallbackThreshold);
  switch (detector) {
    case 'thr':
      return thresholdDetector(parameter);
    case 'mad':
      return madDetector(parameter, fallback);
    case 'iqr':
      return iqrDetector(parameter, fallback);
    case 'lr':
      return regressionDetector(parameter, schedulingInterval, fallback, false);
    case 'lrr':
      return regressionDetector(parameter, schedulingInterval, fallback, true);
  }
}

/** Builds the VM selector of a parsed policy. */
export function makeSelector(selector: SelectorName, seed: number): VmSelector {
  switch (selector) {
    case 'mmt':
      return minimumMigrationTime;
    case 'mu':
      return minimumUtilization;
    case 'rs':
      return randomSelection(seed);
    case 'mc':
      return maximumCorrelation(minimumMigrationTime);
  }
}

/** Which placement machinery to use (each off switch gives the same choices, slower). */
export interface PlacementSpeed {
  /** CloudSim's plain scan (pabfd.ts) instead of the indexed PABFD. */
  plain?: boolean;
  /** false: the indexed PABFD without groups. */
  grouped?: boolean;
  /** false: the grouped PABFD without tie buckets. */
  ties?: boolean;
  /** false: the indexed PABFD without the detector's screen. */
  screen?: boolean;
  /** false: the indexed PABFD's loops over hosts run in JavaScript instead of compiled to WebAssembly. */
  wasm?: boolean;
}

/**
 * The placement of a parsed policy: PABFD with its overload detector for migration policies, the
 * first fit for dvfs and npa (CloudSim's PowerVmAllocationPolicySimple).
 */
export function makePlacement(policy: ParsedPolicy, detector: OverloadDetector | undefined, speed: PlacementSpeed = {}): Placement {
  if (policy.kind !== 'migration') return new FirstFit();
  if (!detector) throw new RangeError(`policy ${policy.detector}-${policy.selector}: PABFD needs its overload detector`);
  if (speed.plain) return new Pabfd(detector);
  const screen = speed.screen === false ? undefined : regressionScreen(detector);
  return new IndexedPabfd(detector, { grouped: speed.grouped !== false, tieBuckets: speed.ties !== false, screen, wasmScan: speed.wasm !== false });
}
