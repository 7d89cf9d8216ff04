/**
 * @module cli/sweep
 * `lmsim sweep`, `lmsim worker` and `lmsim results`: parameter grids with replications, a results
 * store (DuckDB), runs on every core (worker threads) or many machines (BullMQ on Redis), and the
 * analysis of a store. What they do is loaded when one runs.
 *
 *   lmsim sweep GRID.yaml [--store FILE] [--workers N | --queue redis://HOST:PORT] [--dry-run]
 *   lmsim sweep SCENARIO --set PATH=v1,v2 --set PATH=10ms..100ms:10ms --seeds 1..30
 *   lmsim worker --queue redis://HOST:PORT [--workers N]
 *   lmsim results STORE [--metric m,...] [--by axis,...] [--where SQL] [--csv|--json] [--parquet FILE] [--sql Q] [--diff STORE2]
 */
import { Command, Option } from 'commander';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds `sweep`, `worker` and `results` to the lmsim program. */
export function registerSweep(program: Command, io: Io, setCode: (c: number) => void): void {
  program
    .command('sweep')
    .description('run a parameter grid with seeds as replications into a results store (DuckDB); only missing runs are computed')
    .argument('<file>', 'a grid file (scenario:, axes:, seeds:) or a scenario file (migration or consolidation) with --set axes')
    .option('--set <PATH=VALUES>', 'an axis: PATH=v1,v2,v3 or a range PATH=10ms..100ms:10ms (A..B:STEP, A..B:xFACTOR, A..B/N, A..B/Nlog); repeatable, cartesian product', collect)
    .option('--zip <P1=VALUES;P2=VALUES>', 'one axis whose paths move together (as many values each); repeatable', collect)
    .option('--seeds <seeds>', 'replications: 1..30, 1,2,3 or one seed (replaces the grid file\'s seeds)')
    .option('--store <file>', 'the results store (DuckDB file; default: FILE\'s name with .duckdb in this folder; :memory: keeps nothing)')
    .option('--workers <n>', 'worker threads (default: the cores; 0: run in this thread)')
    .option('--queue <url>', 'put the runs on a BullMQ queue at redis://HOST:PORT for `lmsim worker`s to take')
    .option('--queue-name <name>', 'the queue\'s name (default lmsim)')
    .option('--dry-run', 'print the size, what is stored already and an estimate of the work (one run measured); run nothing')
    .option('--progress', 'show a progress bar on stderr even when it is not a terminal')
    .option('--force', 'run a grid larger than the bound (1,000,000 runs), or with a run past the work bound (see lmsim run)')
    .option('--metric <list>', 'metrics of the summary printed at the end (default: the kind\'s main ones)')
    .addOption(new Option('--json', 'print the summary as JSON').conflicts('csv'))
    .addOption(new Option('--csv', 'print the summary as CSV'))
    .action(async (file: string, opts) => (await import('./sweep-run.js')).sweepCommand(file, opts, io, setCode));

  program
    .command('worker')
    .description('take sweep runs from a BullMQ queue (lmsim sweep --queue) and run them on this machine\'s cores, until stopped')
    .requiredOption('--queue <url>', 'the queue\'s Redis: redis://HOST:PORT')
    .option('--queue-name <name>', 'the queue\'s name (default lmsim)')
    .option('--workers <n>', 'worker threads (default: the cores)')
    .option('--lock-duration <d>', 'how long a run stays with a worker that stopped answering before another takes it (default 30s)')
    .action(async (opts) => (await import('./sweep-run.js')).workerCommand(opts, io));

  program
    .command('results')
    .description('summarize a sweep\'s results store: mean, sd and confidence interval over seeds, grouped by the grid\'s axes')
    .argument('<store>', 'a results store (DuckDB file written by lmsim sweep)')
    .option('--metric <list>', 'metrics to summarize (comma-separated; default: the sweep\'s)')
    .option('--by <list>', 'columns to group by (default: the grid\'s axes)')
    .option('--where <sql>', 'only runs matching this SQL condition, e.g. "seed <= 5"')
    .option('--sweep <name>', 'the sweep to read when the store holds several (default: the last one run)')
    .option('--level <p>', 'confidence level (default 0.95)')
    .addOption(new Option('--json', 'print as JSON').conflicts('csv'))
    .addOption(new Option('--csv', 'print as CSV'))
    .option('--parquet <file>', 'write every run (all columns, the full result included) to a Parquet file')
    .option('--sql <query>', 'run a SQL query on the store (table runs) and print its rows')
    .option('--diff <store>', 'compare with another store run by run: what changed and by how much')
    .action(async (file: string, opts) => (await import('./results-run.js')).resultsCommand(file, opts, io));
}
