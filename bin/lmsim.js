#!/usr/bin/env node
// The lmsim program without its startup snapshot: a thin launcher for the compiled CLI (built by
// `npm install` via the prepare script). It loads the CLI bundle (rolldown.config.mjs) when there is one, which starts faster;
// LMSIM_BUNDLE=0, or no bundle, runs the plain compiled tree (the same code, module by module).
// A bundle older than the compiled tree (tsc run again without `npm run build`) is stale: the
// plain tree runs then, so a developer never runs yesterday's code by surprise.
//
// The bundle's chunks are CommonJS functions, compiled with V8's code cache (bin/chunks.cjs).
// LMSIM_CODE_CACHE=0 compiles without it; LMSIM_CODE_CACHE=check also says on stderr how many of
// the chunks loaded used their cache; LMSIM_CODE_CACHE=write writes the caches of the chunks that
// ran when the command is done (the build runs its warm-up commands, LMSIM_WARM_UP, one JSON
// argument list a line, in that one process).
//
// The lmsim command itself is bin/lmsim, which runs this file, or the same program from a startup
// snapshot when one fits (bin/snapshot.cjs).
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/src/cli-bundle/lmsim.js', import.meta.url);
const plain = new URL('../dist/src/cli/main.js', import.meta.url);

function bundleIsCurrent() {
  if (process.env.LMSIM_BUNDLE === '0') return false;
  const built = statSync(bundle, { throwIfNoEntry: false });
  const compiled = statSync(plain, { throwIfNoEntry: false });
  return built !== undefined && (compiled === undefined || built.mtimeMs >= compiled.mtimeMs);
}

const codeCache = process.env.LMSIM_CODE_CACHE ?? '1';
const require = createRequire(import.meta.url);
const bundleFile = fileURLToPath(bundle);
const chunks = bundleIsCurrent() ? require('./chunks.cjs').chunkLoader(fileURLToPath(new URL('.', bundle)), codeCache, createRequire(bundleFile)) : undefined;

const { main } = chunks ? chunks.load('lmsim.js') : await import(plain.href);

const warmUp = codeCache === 'write' ? process.env.LMSIM_WARM_UP : undefined;
if (warmUp !== undefined) {
  // the build's warm-up: each line of LMSIM_WARM_UP is one command's arguments (JSON), run quietly
  const quiet = { out: () => {}, err: () => {} };
  for (const line of warmUp.split('\n').filter(Boolean)) await main(JSON.parse(line), quiet);
} else {
  process.exitCode = await main(process.argv.slice(2));
}
if (chunks && codeCache === 'write') chunks.write();
if (codeCache === 'check') process.stderr.write(chunks ? chunks.report() : 'code cache: 0 of 0 chunks\n');
