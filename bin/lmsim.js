#!/usr/bin/env node
// The lmsim command: a thin launcher for the compiled CLI (built by `npm install` via the prepare
// script). It loads the CLI bundle (rolldown.config.mjs) when there is one, which starts faster;
// LMSIM_BUNDLE=0, or no bundle, runs the plain compiled tree (the same code, module by module).
// A bundle older than the compiled tree (tsc run again without `npm run build`) is stale: the
// plain tree runs then, so a developer never runs yesterday's code by surprise.
import { statSync } from 'node:fs';

const bundle = new URL('../dist/src/cli-bundle/lmsim.js', import.meta.url);
const plain = new URL('../dist/src/cli/main.js', import.meta.url);

function bundleIsCurrent() {
  if (process.env.LMSIM_BUNDLE === '0') return false;
  const built = statSync(bundle, { throwIfNoEntry: false });
  const compiled = statSync(plain, { throwIfNoEntry: false });
  return built !== undefined && (compiled === undefined || built.mtimeMs >= compiled.mtimeMs);
}

const { main } = await import(bundleIsCurrent() ? bundle.href : plain.href);

process.exitCode = await main(process.argv.slice(2));
