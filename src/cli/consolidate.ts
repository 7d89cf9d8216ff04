/**
 * @module cli/consolidate
 * `lmsim consolidate`: CloudSim-style consolidation on PlanetLab traces, with CloudSim's one-delay
 * migrations or the live-migration engine.
 *
 *   lmsim consolidate --trace DIR --policy lr-mmt --param 1.2 [--migration cloudsim|precopy|postcopy|hybrid] [--json]
 *   lmsim consolidate FILE.yaml [same flags, which override the file]
 *
 * Conventions of the lmsim command: output assembled then written once on stdout (data only), a
 * progress bar on stderr (only when stderr is a TTY, or with --progress), exit 0 ok, 1 the run
 * failed, 2 bad input with a message naming the flag or the file path and what was expected.
 */
import { Command, Option } from 'commander';
import { FIDELITIES, MIGRATION_MODELS } from '../scenario/consolidation-names.js';

export { ConsolidateUsageError } from './errors.js';
import { parseSeed } from './seed.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

/** Command-line options of `consolidate`. */
export interface ConsolidateOptions {
  trace?: string;
  policy?: string;
  param?: string;
  migration?: string;
  fidelity?: string;
  hosts?: string;
  vms?: string;
  duration?: string;
  json?: boolean;
  csv?: boolean;
  table?: string;
  seed?: number;
  force?: boolean;
  progress?: boolean;
  /** `--set PATH=VALUE` overrides of the file's fields (e.g. migration.downtimeLimit=30ms). */
  set?: string[];
}

/** Adds `consolidate` to the lmsim program. */
export function registerConsolidate(program: Command, io: Io, setCode: (c: number) => void): Command {
  return program
    .command('consolidate')
    .description('consolidate a data center on PlanetLab traces (CloudSim 5.0 semantics), with CloudSim or live migrations')
    .argument('[file]', 'consolidation scenario (YAML or JSON); flags override its fields')
    .option('--trace <dir>', 'PlanetLab day folder (one file of 288 CPU percents per VM)')
    .option('--policy <name>', 'dvfs, npa or <thr|iqr|mad|lr|lrr>-<mmt|mc|mu|rs>, e.g. lr-mmt')
    .option('--param <x>', 'policy parameter, e.g. 1.2 (lr), 0.8 (thr), 2.5 (mad), 1.5 (iqr)')
    .option('--migration <model>', `migration cost: ${MIGRATION_MODELS.join(', ')} (default cloudsim)`)
    .option('--fidelity <f>', `live-migration memory model: ${FIDELITIES.join(', ')} (default fluid: region-level expected counts, fast; page: page-exact, slow)`)
    .option('--hosts <n>', 'number of hosts (default 800)')
    .option('--vms <n>', 'use only the first n trace files')
    .option('--duration <d>', 'simulated time, e.g. 6h (default 24h)')
    .addOption(new Option('--json', 'print the result as JSON (SLA figures as fractions, with the per-step time series)').conflicts('csv'))
    .option('--csv', 'print a table as CSV (default the per-step time series: time, active and overloaded hosts, power, energy, migrations); plain fractions, seconds and bytes, each header naming its unit')
    .option('--table <name>', 'print only this table (text or CSV): summary, migrations (time and downtime distributions), failures, or steps (the per-step series)')
    .option('--seed <n>', 'override the scenario seed (random VM selection, live-migration workloads)', parseSeed)
    .option('--force', 'run even when the estimated work (hosts and VMs x scheduling steps) is over the bound of 1e8')
    .option('--progress', 'show a progress bar on stderr even when it is not a terminal')
    .option('--set <path=value>', 'set a field before validation, e.g. migration.downtimeLimit=30ms or migration.xbzrle-cache-size=1073741824 (repeatable; docs/options.md)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    // what it does is loaded when it runs: the engine, and for a scenario file zod and yaml
    .action(async (file: string | undefined, opts: ConsolidateOptions) => (await import('./consolidate-run.js')).consolidate(file, opts, io, setCode));
}
