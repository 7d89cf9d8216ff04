#!/usr/bin/env node
// The lmsim command: a thin launcher for the compiled CLI (built by `npm install` via the prepare
// script). It loads the CLI bundle (rolldown.config.mjs) when there is one, which starts faster;
// LMSIM_BUNDLE=0, or no bundle, runs the plain compiled tree (the same code, module by module).
// A bundle older than the compiled tree (tsc run again without `npm run build`) is stale: the
// plain tree runs then, so a developer never runs yesterday's code by surprise.
//
// The bundle's chunks are CommonJS functions, compiled here with V8's code cache: `npm run build`
// runs a few commands once (code-cache.mjs) and keeps, beside each chunk, the bytecode of every
// function that ran, so a command does not parse and compile them again. A cache is used only with
// the exact text it was made from (the cache file holds that text first, compared byte for byte: V8
// itself checks only the length) and under the same V8 version and flags (V8 refuses it otherwise, and the chunk compiles
// as if there were none). LMSIM_CODE_CACHE=0 compiles without it; LMSIM_CODE_CACHE=check also says
// on stderr how many of the chunks loaded used their cache; LMSIM_CODE_CACHE=write writes the
// caches of the chunks that ran when the command is done (the build runs its warm-up commands,
// LMSIM_WARM_UP, one JSON argument list a line, in that one process).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const bundle = new URL('../dist/src/cli-bundle/lmsim.js', import.meta.url);
const plain = new URL('../dist/src/cli/main.js', import.meta.url);

function bundleIsCurrent() {
  if (process.env.LMSIM_BUNDLE === '0') return false;
  const built = statSync(bundle, { throwIfNoEntry: false });
  const compiled = statSync(plain, { throwIfNoEntry: false });
  return built !== undefined && (compiled === undefined || built.mtimeMs >= compiled.mtimeMs);
}

const codeCache = process.env.LMSIM_CODE_CACHE ?? '1';
/** Chunks loaded so far, by file: their module record, and their script and text for `write`. */
const chunks = new Map();

/** Loads a chunk of the bundle (a CommonJS module) with its code cache, once. */
function loadChunk(file) {
  const known = chunks.get(file);
  if (known) return known.module.exports;
  const text = readFileSync(file);
  const source = text.toString('utf8');
  let cachedData;
  if (codeCache === '1' || codeCache === 'check') {
    // a cache file: the text's length (4 bytes), the text it was made from, V8's data
    const saved = readIfThere(`${file}.cache`);
    const end = 4 + text.length;
    if (saved && saved.length > end && saved.readUInt32LE(0) === text.length && text.equals(saved.subarray(4, end))) cachedData = saved.subarray(end);
  }
  // Node's own CommonJS wrapper, on the first line, so line numbers stay those of the file
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} };
  chunks.set(file, { module, script, text, cached: cachedData !== undefined && !script.cachedDataRejected });
  const here = dirname(file);
  const nodeRequire = createRequire(file);
  const require = (id) => (id.startsWith('./') ? loadChunk(join(here, id)) : nodeRequire(id));
  script.runInThisContext().call(module.exports, module.exports, require, module, file, here);
  return module.exports;
}

function readIfThere(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCodeCaches() {
  for (const [file, { script, text }] of chunks) {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(text.length);
    writeFileSync(`${file}.cache`, Buffer.concat([length, text, script.createCachedData()]));
  }
}

const { main } = bundleIsCurrent() ? loadChunk(fileURLToPath(bundle)) : await import(plain.href);

const warmUp = codeCache === 'write' ? process.env.LMSIM_WARM_UP : undefined;
if (warmUp !== undefined) {
  // the build's warm-up: each line of LMSIM_WARM_UP is one command's arguments (JSON), run quietly
  const quiet = { out: () => {}, err: () => {} };
  for (const line of warmUp.split('\n').filter(Boolean)) await main(JSON.parse(line), quiet);
} else {
  process.exitCode = await main(process.argv.slice(2));
}
if (codeCache === 'write') writeCodeCaches();
if (codeCache === 'check') {
  const used = [...chunks.values()].filter((c) => c.cached).length;
  process.stderr.write(`code cache: ${used} of ${chunks.size} chunks\n`);
}
