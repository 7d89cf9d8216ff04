#!/usr/bin/env node
// The lmsim command: a thin launcher for the compiled CLI (built by `npm install` via the prepare
// script). It loads the CLI bundle (rolldown.config.mjs) when there is one, which starts faster;
// LMSIM_BUNDLE=0, or no bundle, runs the plain compiled tree (the same code, module by module).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/src/cli-bundle/lmsim.js', import.meta.url);
const { main } = await import(process.env.LMSIM_BUNDLE !== '0' && existsSync(bundle) ? bundle.href : '../dist/src/cli/main.js');

process.exitCode = await main(process.argv.slice(2));
