'use strict';
// The lmsim command's V8 startup snapshot: the script `npm run build` hands to
// `node --build-snapshot` (snapshot.mjs), and the function that runs when bin/lmsim starts node
// with the blob it made. A snapshot is the heap as this script left it: the CLI bundle's chunks a
// run needs, loaded, and the functions of a few warm-up commands compiled, so a command starts
// from there instead of reading, compiling and initialising that code again (zod's schemas, the
// option registry, commander).
//
// What is taken when the command runs, not when the blob was built: argv, the environment, the
// working directory, the clock, stdin/stdout/stderr (Node refreshes these itself), and where the
// bundle is (from the blob's path, so other chunks load from there with their code cache).
// The warm-up commands run quietly (their output goes nowhere) and must leave no state behind
// that changes a later command's output; test/snapshot.test.ts holds the snapshot's output equal
// to the plain launcher's.
//
// A snapshot's builder may require only Node's built-in modules: it evaluates bin/chunks.cjs
// itself, and packages left outside the bundle (DuckDB, BullMQ, piscina...) are required from the
// bundle's folder when a command that needs them runs.
const { readFileSync } = require('node:fs');
const { dirname, join, resolve } = require('node:path');
const { setFlagsFromString, startupSnapshot } = require('node:v8');

/** Commands run once while building (arguments, from the package's folder), quietly. */
const warmUp = [
  ['run', 'examples/precopy-basic.yaml'],
  ['run', 'examples/presets.yaml', '--set', 'fidelity=fluid'],
  ['compare'],
  ['validate', 'examples/presets.yaml'],
];

const chunksFile = join(__dirname, 'chunks.cjs');
const chunksModule = { exports: {} };
(0, eval)(`(function (exports, require, module) {${readFileSync(chunksFile, 'utf8')}\n})\n//# sourceURL=${chunksFile}`).call(
  chunksModule.exports,
  chunksModule.exports,
  require,
  chunksModule,
);
const loader = chunksModule.exports.chunkLoader(join(__dirname, '..', 'dist', 'src', 'cli-bundle'), '1', require);
loader.building = true;
const { main } = loader.load('lmsim.js');

const quiet = { out: () => {}, err: () => {} };
// The warm-up runs without V8's baseline compiler (Sparkplug). A function it compiles there is
// marked as such for good, and a started node compiles every function so marked again when it is
// first called, whether or not the command makes it hot: a few hundred functions at every start.
// Without the mark, a command compiles only the functions it makes hot, as a plain start does. The
// flag is set back before the blob is written, so the blob's V8 flags are those of every start.
setFlagsFromString('--no-sparkplug');
(async () => {
  for (const args of warmUp) {
    const code = await main(
      args.map((a) => (a.startsWith('examples/') ? join(__dirname, '..', a) : a)),
      quiet,
    );
    if (code !== 0) throw new Error(`the snapshot's warm-up command lmsim ${args.join(' ')} exited ${code}`);
  }
  setFlagsFromString('--sparkplug');
})();

startupSnapshot.setDeserializeMainFunction(async () => {
  // node --no-rehash-snapshot --snapshot-blob BLOB -- ARGS... (bin/lmsim): the blob sits in the
  // bundle's folder; the command sees the argv and execArgv bin/lmsim.js would see (a worker thread
  // inherits execArgv, and may not take these options)
  const blob = resolve(process.execArgv[process.execArgv.indexOf('--snapshot-blob') + 1]);
  process.execArgv.length = 0;
  // bin/lmsim set GLIBC_TUNABLES for this process's memory only: the command and its children see
  // the environment the user gave
  if (process.env.LMSIM_GLIBC_TUNABLES === '1') {
    delete process.env.GLIBC_TUNABLES;
    delete process.env.LMSIM_GLIBC_TUNABLES;
  }
  loader.building = false;
  loader.dir = dirname(blob);
  let packages;
  loader.require = (id) => {
    try {
      return require(id); // Node's built-in modules
    } catch {
      packages ??= require('node:module').createRequire(join(loader.dir, 'lmsim.js'));
      return packages(id);
    }
  };
  process.argv.splice(1, 0, join(loader.dir, '..', '..', '..', 'bin', 'lmsim.js'));
  process.exitCode = await main(process.argv.slice(2));
});
