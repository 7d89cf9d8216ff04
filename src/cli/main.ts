/**
 * @module cli/main
 * The lmsim command. Conventions: --help everywhere; --json / --csv output; nothing but data on
 * stdout, messages on stderr; exit 0 ok, 1 the run failed, 2 bad input. Output is assembled first
 * and written once, so a failure never leaves half a result behind.
 */
import { Command, CommanderError, Option } from 'commander';
import { ScenarioError } from '../scenario/errors.js';
import { algorithmNames } from '../migration/options.js';
import { precopyPresetNames } from '../migration/algorithms/precopy-presets.js';
import { VERSION } from '../version.js';
import { registerCalibrate } from './calibrate.js';
import { registerConsolidate } from './consolidate.js';
import { registerQemu } from './qemu.js';
import { registerSweep } from './sweep.js';
import { UsageError } from './errors.js';
import { parseSeed } from './seed.js';
import type { OutputOptions } from './scenario-commands.js';

export { UsageError };

// What the commands do is loaded when one runs (`await import`): zod and yaml alone add ~0.2 s to
// start-up, which `--help`, `--version` and `consolidate --trace` do without.
const scenarioCommands = () => import('./scenario-commands.js');

interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

const processIo: Io = {
  out: (t) => {
    quietOnClosedPipe();
    process.stdout.write(t);
  },
  err: (t) => process.stderr.write(t),
};

let pipeHandled = false;

/**
 * A reader that stops early (`lmsim run X --json | head -c 100`) closes the pipe: the rest of the
 * output has nowhere to go, which is not a failure. End quietly with exit 0, as `yes | head` does
 * for its reader, instead of Node's unhandled EPIPE error and stack trace.
 */
function quietOnClosedPipe(): void {
  if (pipeHandled) return;
  pipeHandled = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c), argv[0]);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? 0 : 2;
    }
    if (e instanceof ScenarioError) {
      io.err(`lmsim: ${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError) {
      io.err(`lmsim: ${e.message}\n`);
      return 2;
    }
    io.err(`lmsim: the run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

/**
 * The lmsim program. With `command`, the name the command line starts with, only the commands
 * registered with that name are: commander hands the rest of the line to that command and reads no
 * other (the others serve the program's help, `help CMD` and the error for an unknown command,
 * which a line starting with another word gets, all commands registered). Registering every
 * command's options is a good part of a short command's start-up. cli-commands.test.ts holds each
 * command's help and errors equal to those of the whole program.
 */
export function buildProgram(io: Io, setCode: (code: number) => void, command?: string): Command {
  const program = new Command('lmsim')
    .description('Live VM migration simulator: pre-copy, post-copy, memory reuse, consolidation.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();

  const outputOptions = (cmd: Command) =>
    cmd
      .addOption(new Option('--json', 'print the full result record as JSON').conflicts('csv'))
      .addOption(new Option('--csv', 'print a table as CSV: plain seconds and bytes, each header naming its unit (downtime_s, bytes_sent)'))
      .addOption(new Option('--table <name>', 'print only this table (text or CSV): migrations, or round-trips (VMs that came back)').choices(['migrations', 'round-trips']))
      .option('--seed <n>', 'override the scenario seed', parseSeed)
      .option('--force', 'run even when the estimated work is over the bound (about a minute of one core; see README)')
      .option('--progress', 'draw the progress bar on stderr even when it is not a terminal (on a terminal it appears after a second)')
      .option('--set <path=value>', 'set a value in the scenario before it is validated, e.g. migration.downtimeLimit=30ms or vms[0].count=5 (repeatable; paths and options: docs/options.md)', collect, []);

  // the top-level commands each function registers, in the order of the program's help
  const commands: [names: string[], register: () => void][] = [
    [
      ['run'],
      () =>
        outputOptions(
          program
            .command('run')
            .description('run a scenario file and print one row per migration (with `sweep:`, one row per variant)')
            .argument('<file>', 'scenario file (YAML or JSON)')
            .option('--strict', 'exit 1 unless every migration completed'),
        ).action(async (file: string, opts: OutputOptions & { strict?: boolean }) => (await scenarioCommands()).runCommand(file, opts, io, setCode)),
    ],
    [
      ['compare'],
      () =>
        outputOptions(
          program
            .command('compare')
            .description('run the same scenario under several algorithms and print one table (no file: the built-in default)')
            .argument('[file]', 'scenario file (YAML or JSON)')
            .option(
              '--algorithms <list>',
              `comma-separated algorithm[:preset] list, e.g. precopy:qemu,precopy:xen,stop-and-copy (algorithms: ${algorithmNames.join(', ')}; presets: ${precopyPresetNames.join(', ')})`,
            ),
        ).action(async (file: string | undefined, opts: OutputOptions & { algorithms?: string }) => (await scenarioCommands()).compareCommand(file, opts, io)),
    ],
    [
      ['validate'],
      () =>
        program
          .command('validate')
          .description('check a scenario file (or a consolidation scenario) and report every problem with its path')
          .argument('<file>', 'scenario file (YAML or JSON)')
          .option('--set <path=value>', 'set a value before validating (as for run)', collect, [])
          .action(async (file: string, opts: { set?: string[] }) => (await scenarioCommands()).validateCommand(file, opts, io)),
    ],
    [['consolidate'], () => registerConsolidate(program, io, setCode)],
    [['calibrate'], () => registerCalibrate(program, io)],
    [['predict', 'qemu'], () => registerQemu(program, io, setCode)],
    [['sweep', 'worker', 'results'], () => registerSweep(program, io, setCode)],
    [
      ['report'],
      () =>
        program
          .command('report')
          .description('draw a result as one self-contained HTML page with SVG plots (INPUT: run/compare/consolidate --json output, a report, a sweep results store, or a scenario file, which is run first)')
          .argument('<input>', 'result JSON, report HTML, results store (.duckdb), or scenario file (YAML or JSON)')
          .option('-o, --output <file>', 'where to write the page ("-" for stdout)', 'report.html')
          .option('--seed <n>', 'override the seed of a scenario file', parseSeed)
          .option('--force', 'run a scenario file even if its estimated work is beyond the bound')
          .option('--sweep <name>', 'the sweep of a results store to draw (default: the one run last)')
          .action(async (file: string, opts: { output?: string; seed?: number; force?: boolean; sweep?: string }) => (await import('./report.js')).reportCommand(file, opts, io)),
    ],
    [
      ['serve'],
      () =>
        program
          .command('serve')
          .description('serve the dashboard (scenario and consolidation editor, runs in the browser, the report\'s views, sweep stores read by the server) on http://127.0.0.1:8377/')
          .option('--port <n>', 'port (0: any free port)', '8377')
          .option('--host <address>', 'interface to listen on (default loopback: 127.0.0.1)')
          .option('--store <file|folder>', 'a sweep results store (.duckdb) the dashboard may open, or a folder of them (repeatable)', (v: string, all: string[] = []) => [...all, v])
          .action(async (opts: { port?: string; host?: string; store?: string[] }) => (await import('./serve.js')).serveCommand(opts, io)),
    ],
    [
      ['options'],
      () =>
        program
          .command('options')
          .description('print every migration option: QEMU name and unit, value, algorithms, defaults (the text of docs/options.md)')
          .action(async () => io.out((await import('../scenario/options-doc.js')).optionsMarkdown())),
    ],
    [
      ['schema'],
      () =>
        program
          .command('schema')
          .description('print the JSON Schema of scenario files, or of consolidation scenario files (for editors)')
          .argument('[format]', 'scenario (default) or consolidation')
          .action(async (format: string | undefined) => (await scenarioCommands()).schemaCommand(format, io)),
    ],
  ];
  const named = commands.find(([names]) => command !== undefined && names.includes(command));
  for (const [, register] of named ? [named] : commands) register();
  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

