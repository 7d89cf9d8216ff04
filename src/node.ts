/**
 * @module lmsim/node
 * The Node-only part of the public API (subpath export `lmsim/node`): reading PlanetLab trace
 * folders and consolidation scenario files from disk. Everything else is in `lmsim`, which runs
 * in a browser too.
 */
export { loadPlanetLabFolder } from './io/planetlab.js';
export type { PlanetLabFolder } from './io/planetlab.js';
export { loadConsolidationFile, readConsolidationData } from './io/consolidation-file.js';
