// The smallest lmsim a startup snapshot can hold: the engine that runs a validated scenario
// (scenario/run.js and what it imports), without the CLI, YAML, validation or output formatting.
// bench/simgrid-compare.mjs bundles this file, builds a snapshot of it, and times case 1 through it:
// the least any lmsim command can cost in Node, beside SimGrid's whole process.
// Reads a validated scenario (JSON) from its last argument; prints the first migration's total time.
import { readFileSync } from 'node:fs';
import { startupSnapshot } from 'node:v8';
import { runScenario } from '../dist/src/scenario/run.js';

const run = (file) => runScenario(JSON.parse(readFileSync(file, 'utf8')));

if (startupSnapshot.isBuildingSnapshot()) {
  // the warm-up, as snapshot.mjs does for the CLI: the run's functions are compiled into the blob
  run(process.env.LMSIM_FLOOR_WARMUP);
  startupSnapshot.setDeserializeMainFunction(() => {
    process.stdout.write(`${run(process.argv[process.argv.length - 1]).migrations[0].totalTime}\n`);
  });
}
