// The CLI as one bundle (dist/src/cli-bundle/lmsim.js, built by `npm run build` after tsc), which
// bin/lmsim.js loads: Node then reads, resolves and compiles a few files instead of a few hundred
// (lmsim's and commander's, zod's and yaml's), which is most of a short run's start-up.
// LMSIM_BUNDLE=0 runs the plain dist/src tree instead (test/bundle.test.ts holds the two equal).
//
// Commands load their code when they run (`await import`), and each such import stays a chunk of its
// own, loaded then. The chunks sit at dist/src/cli-bundle/, two folders below dist like every module
// of dist/src, so paths taken from import.meta.url (the dashboard at ../../web/, the sweep's worker
// at ../experiments/thread.js) lead to the same files from either tree. Node-only packages with
// native parts or worker files of their own (DuckDB, BullMQ, ioredis, piscina) and the report's
// DOM and plot libraries stay imports from node_modules.
//
// The chunks are CommonJS: bin/lmsim.js compiles each with V8's code cache (code-cache.mjs, a late
// step of the build, writes it), which Node 20 offers for scripts, not for ES modules. Comments and
// whitespace are left out: a chunk's text is read at every start, and held in the startup
// snapshot's heap. Text beyond ASCII is written as escapes (the same strings): V8 holds a text with
// one character beyond Latin-1 at two bytes a character. Names stay as compiled (no other
// minifying), so stack traces name the source's functions.
import { defineConfig } from 'rolldown';

/**
 * Commander loads node:child_process (and with it net, dgram and their bindings) when it loads, to
 * spawn executable subcommands, which lmsim has none of: in the bundle it loads it when it first
 * spawns, so a command and its startup snapshot go without. The build fails if commander no longer
 * loads it that way.
 */
let commanderPatched = false;
const commanderSpawnsLazily = {
  name: 'commander-spawns-lazily',
  transform(code, id) {
    if (!/[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return undefined;
    commanderPatched = true;
    const eager = "const childProcess = require('node:child_process');";
    if (code.split(eager).length !== 2 || (code.match(/childProcess\.(\w+)/g) ?? []).some((use) => use !== 'childProcess.spawn')) {
      throw new Error(`rolldown.config.mjs: ${id} no longer loads node:child_process as expected`);
    }
    return code.replace(eager, "const childProcess = { get spawn() { return require('node:child_process').spawn; } };");
  },
  buildEnd() {
    if (!commanderPatched) throw new Error("rolldown.config.mjs: commander's lib/command.js was not bundled");
  },
};

export default defineConfig({
  input: { lmsim: 'dist/src/cli/main.js' },
  platform: 'node',
  external: [/^node:/, /^@duckdb\//, 'bullmq', 'ioredis', 'piscina', 'linkedom', '@observablehq/plot'],
  logLevel: 'warn',
  plugins: [commanderSpawnsLazily],
  output: {
    dir: 'dist/src/cli-bundle',
    format: 'cjs',
    comments: false,
    charset: 'ascii',
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
    entryFileNames: '[name].js',
    chunkFileNames: '[name]-[hash].js',
  },
});
