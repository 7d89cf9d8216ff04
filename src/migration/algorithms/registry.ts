/**
 * @module migration/algorithms/registry
 * The algorithms by name: the driver builds the one a migration's options name and executes it
 * without knowing which it is. Adding an algorithm: its name in `../options.ts`, a file here, and
 * its line below.
 */
import type { AlgorithmName, MigrationOptions } from '../options.js';
import { MigrationAlgorithm } from './algorithm.js';
import { DowntimeRamp, rampDefaults } from './downtime-ramp.js';
import { Hybrid } from './hybrid.js';
import { Postcopy } from './postcopy.js';
import { Precopy } from './precopy.js';
import { StallDetection } from './stall-detection.js';
import { StopAndCopy } from './stop-and-copy.js';

export const algorithms: Record<AlgorithmName, (options: MigrationOptions) => MigrationAlgorithm> = {
  precopy: (o) => new Precopy(o),
  postcopy: () => new Postcopy(),
  hybrid: (o) => new Hybrid(o),
  'stop-and-copy': () => new StopAndCopy(),
  'downtime-ramp': (o) => new DowntimeRamp({ ...o, downtimeRamp: o.downtimeRamp ?? rampDefaults.nova }),
  'stall-detection': (o) => new StallDetection({ ...o, onStall: o.onStall ?? 'abort' }),
};

export function createAlgorithm(options: MigrationOptions): MigrationAlgorithm {
  return algorithms[options.algorithm](options);
}
