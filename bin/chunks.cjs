'use strict';
// The CLI bundle's chunks (rolldown.config.mjs: CommonJS functions in dist/src/cli-bundle), loaded
// with V8's code cache. Used by bin/lmsim.js and by the startup snapshot (bin/snapshot.cjs), which
// evaluates this file itself: a snapshot's builder may require only Node's built-in modules.
//
// `npm run build` runs a few commands once (code-cache.mjs) and keeps, beside each chunk, the
// bytecode of every function that ran, so a command does not parse and compile them again. A cache
// is used only with the exact text it was made from (the cache file holds that text first, compared
// byte for byte: V8 itself checks only the length) and under the same V8 version and flags (V8
// refuses it otherwise, and the chunk compiles as if there were none).
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { Script } = require('node:vm');

/**
 * A loader of the chunks in the folder `dir`. `mode` is LMSIM_CODE_CACHE's value: '1' uses the
 * caches, 'check' too and counts them, 'write' compiles without them and `write()` writes them, '0'
 * compiles without. `require` loads what a chunk imports from outside the bundle (Node's modules
 * and the packages left external). `dir` and `require` may be replaced later (the snapshot sets
 * them where and when it runs); chunks loaded so far follow.
 */
function chunkLoader(dir, mode, require) {
  /** Chunks loaded so far, by name: their module record, and their script and text for `write`. */
  const chunks = new Map();
  const loader = {
    dir,
    require,
    /** True while a startup snapshot is being built (bin/snapshot.cjs). */
    building: false,
    /** Loads a chunk (its file name in `dir`), once; returns its exports. */
    load(name) {
      const known = chunks.get(name);
      if (known) return known.module.exports;
      const file = join(loader.dir, name);
      const text = readFileSync(file);
      const source = text.toString('utf8');
      let cachedData;
      if (mode === '1' || mode === 'check') {
        // a cache file: the text's length (4 bytes), the text it was made from, V8's data
        const saved = readIfThere(`${file}.cache`);
        const end = 4 + text.length;
        if (saved && saved.length > end && saved.readUInt32LE(0) === text.length && text.equals(saved.subarray(4, end))) cachedData = saved.subarray(end);
      }
      // Node's own CommonJS wrapper, on the first line, so line numbers stay those of the file
      const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
      let script, fn;
      if (loader.building) {
        // a snapshot holds no vm.Script (V8 cannot serialize its handles): a global eval, named
        fn = (0, eval)(`${wrapped}\n//# sourceURL=${file}`);
      } else {
        script = new Script(wrapped, { filename: file, cachedData });
        fn = script.runInThisContext();
      }
      const module = { exports: {} };
      // the script and its text are kept only to write the cache (a snapshot would hold them too)
      chunks.set(name, mode === 'write' ? { module, script, text } : { module, cached: cachedData !== undefined && !script?.cachedDataRejected });
      const requireFromChunk = (id) => (id.startsWith('./') ? loader.load(id.slice(2)) : loader.require(id));
      fn.call(module.exports, module.exports, requireFromChunk, module, file, loader.dir);
      return module.exports;
    },
    /** Writes the code cache of every chunk loaded so far. */
    write() {
      for (const [name, { script, text }] of chunks) {
        const length = Buffer.alloc(4);
        length.writeUInt32LE(text.length);
        writeFileSync(join(loader.dir, `${name}.cache`), Buffer.concat([length, text, script.createCachedData()]));
      }
    },
    /** How many of the chunks loaded so far used their cache, for LMSIM_CODE_CACHE=check. */
    report() {
      const used = [...chunks.values()].filter((c) => c.cached).length;
      return `code cache: ${used} of ${chunks.size} chunks\n`;
    },
  };
  return loader;
}

function readIfThere(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

module.exports = { chunkLoader };
