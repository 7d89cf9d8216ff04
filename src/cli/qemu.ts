/**
 * @module cli/qemu
 * Declares `lmsim predict qemu` (a VM described by files of QEMU's QMP replies) and `lmsim qemu
 * --qmp` (a running VM). What they do is in cli/qemu-predict.ts and cli/qemu-live.ts, loaded when
 * they run.
 */
import { Command } from 'commander';
import type { LiveOptions } from './qemu-live.js';
import type { PredictOptions } from './qemu-report.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

const predictOptions = (cmd: Command) =>
  cmd
    .option('--max-downtime <duration>', 'budget: longest acceptable downtime (default: the VM\'s downtime-limit)')
    .option('--max-time <duration>', 'budget: longest acceptable total time; a migration still running then counts as not converging', '5min')
    .option('--link-bandwidth <rate>', 'the link\'s rate for the unthrottled final copy (default: the lab\'s calibrated loopback, 1.18 GiB/s)')
    .option('--constants <file>', 'calibration constants of your own machine (JSON, as `lmsim calibrate qemu --fit` prints them) over the lab\'s; --link-bandwidth still sets the final copy\'s rate')
    .option('--resident <size>', 'the guest\'s data (non-zero) memory, overriding every estimate')
    .option('--json', 'print the VM model, the predictions and the recommendation as JSON')
    .option('--series <file>', 'write the prediction (the chosen settings: the best within the budget, or the current ones) as query-migrate replies every 100 ms of simulated time, one JSON line each');

export function registerQemu(program: Command, io: Io, setCode: (code: number) => void): void {
  const predict = program.command('predict').description('predict a real VM\'s migration (subcommand: qemu)');
  predictOptions(
    predict
      .command('qemu')
      .description('predict and recommend settings for a VM described by files of QEMU\'s QMP replies (docs/qemu.md)')
      .argument('[files...]', 'reply files (named after the command, e.g. query-dirty-rate.json)')
      .option('--from <dir>', 'a folder of reply files (as `lmsim qemu --save` writes)'),
  ).action(async (files: string[], opts: PredictOptions & { from?: string }) => (await import('./qemu-predict.js')).predictQemuCommand(files, opts, io));

  predictOptions(
    program
      .command('qemu')
      .description('gather a running VM\'s inputs over QMP, predict and recommend; with --migrate, migrate and record it (docs/qemu.md)')
      .requiredOption('--qmp <address>', 'the source QEMU\'s QMP socket: unix:PATH or tcp:HOST:PORT')
      .option('--calc-times <list>', 'calc-dirty-rate periods, whole seconds', '1,2,4,8')
      .option('--zero-samples <n>', 'guest pages read to estimate the zero pages (0: none)', '2000')
      .option('--save <dir>', 'write every reply into this folder (what `predict qemu --from` reads)')
      .option('--migrate <uri>', 'perform the migration to this URI (e.g. tcp:127.0.0.1:4444) with the chosen settings')
      .option('--dest-qmp <address>', 'the destination QEMU\'s QMP socket (started with -incoming defer): lmsim sets its capabilities and runs migrate-incoming')
      .option('--apply <which>', 'settings to migrate with: best (the cheapest within the budget) or current', 'best')
      .option('--record <dir>', 'append the migration to DIR/runs.csv (the calibrate format) and its polls to DIR/timeseries/')
      .option('--run-id <id>', 'the run id in the record')
      .option('--poll-ms <ms>', 'query-migrate period', '100'),
  ).action(async (opts: LiveOptions) => (await import('./qemu-live.js')).qemuLiveCommand(opts, io, setCode));
}
