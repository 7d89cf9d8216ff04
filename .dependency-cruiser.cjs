/**
 * lmsim's layer rules, checked by `npm test` (npm run lint:deps): see docs/design.md.
 * Dependencies point down: core -> memory, workload, network -> migration -> datacenter ->
 * scenario -> report, calibrate, experiments, io, cli. Only src/cli, src/io and src/experiments
 * (and the lmsim/node entry) use Node's APIs or Node-only packages; everything else runs in a browser.
 * Tests (*.test.ts, *.case.ts) may reach across layers and use node:test.
 */
const TESTS = '\\.(test|case)\\.ts$';
const ABOVE = {
  core: ['memory', 'workload', 'network', 'migration', 'datacenter', 'scenario', 'report', 'calibrate', 'experiments', 'io', 'cli'],
  'memory|workload|network': ['migration', 'datacenter', 'scenario', 'report', 'calibrate', 'experiments', 'io', 'cli'],
  migration: ['datacenter', 'scenario', 'report', 'calibrate', 'experiments', 'io', 'cli'],
  datacenter: ['scenario', 'report', 'calibrate', 'experiments', 'io', 'cli'],
  scenario: ['report', 'calibrate', 'experiments', 'io', 'cli'],
  'report|calibrate|experiments|io': ['cli'],
};

module.exports = {
  forbidden: [
    ...Object.entries(ABOVE).map(([layer, above]) => ({
      name: `layers-${layer.replaceAll('|', '-')}`,
      comment: `src/${layer} depends only on layers below it (docs/design.md)`,
      severity: 'error',
      from: { path: `^src/(${layer})/`, pathNot: TESTS },
      to: { path: `^src/(${above.join('|')})/` },
    })),
    {
      name: 'no-node-below-cli-io',
      comment: 'pure code: no Node API outside src/cli, src/io, src/experiments (and src/node.ts)',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(cli|io|experiments)/`, '^src/node\\.ts$', TESTS] },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-node-only-packages-below-cli-io',
      comment: 'DuckDB, BullMQ and piscina are Node-only: only src/cli, src/io, src/experiments use them',
      severity: 'error',
      from: { path: '^src/', pathNot: [`^src/(cli|io|experiments)/`, '^src/node\\.ts$', TESTS] },
      to: { path: 'node_modules/(@duckdb|bullmq|piscina|ioredis)/' },
    },
    {
      name: 'pure-entry-is-pure',
      comment: 'the package root (src/index.ts) runs in a browser: it must not reach Node-only folders',
      severity: 'error',
      from: { path: '^src/index\\.ts$' },
      to: { path: '^src/(cli|io|experiments)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};
