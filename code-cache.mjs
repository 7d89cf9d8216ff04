// The CLI bundle's V8 code cache (the last step of `npm run build`, after rolldown): runs a few
// commands once in one process, quietly, and keeps beside each chunk the bytecode of every
// function that ran (dist/src/cli-bundle/*.js.cache), which bin/lmsim.js hands to V8 so that
// later commands skip parsing and compiling them. The commands cover what users run most: a run
// (page-exact and fluid), a comparison, validation, a small consolidation. Functions that did
// not run here compile when first called, as without a cache.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const commands = [
  ['--version'],
  ['--help'],
  ['run', 'examples/precopy-basic.yaml'],
  ['run', 'examples/precopy-basic.yaml', '--json'],
  ['run', 'examples/presets.yaml', '--set', 'fidelity=fluid'],
  ['compare', 'examples/presets.yaml', '--csv'],
  ['compare'],
  ['validate', 'examples/presets.yaml'],
  // the built-in synthetic data center: the build must not need trace files (nor ../shared)
  ['consolidate', '--vms', '20', '--hosts', '20', '--duration', '1h'],
];
const r = spawnSync(process.execPath, [join(root, 'bin', 'lmsim.js')], {
  cwd: root,
  env: { ...process.env, LMSIM_BUNDLE: '1', LMSIM_CODE_CACHE: 'write', LMSIM_WARM_UP: commands.map((c) => JSON.stringify(c)).join('\n') },
  stdio: 'inherit',
});
if (r.status !== 0) process.exit(r.status ?? 1);
