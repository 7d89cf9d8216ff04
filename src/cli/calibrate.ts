/**
 * @module cli/calibrate
 * `lmsim calibrate qemu FILE.csv`: runs the equivalent scenario of every measured QEMU migration
 * and prints predicted against measured (see docs/validation.md). What it does is in
 * cli/calibrate-qemu.ts, loaded only when it runs: it brings the scenario validator (zod, yaml).
 */
import { Command, Option } from 'commander';
import type { QemuOptions } from './calibrate-qemu.js';

interface Io {
  out(t: string): void;
  err(t: string): void;
}

/** Adds `calibrate qemu` to the lmsim program. */
export function registerCalibrate(program: Command, io: Io): void {
  const cmd = program
    .command('calibrate')
    .description('compare lmsim with measured migrations (subcommand: qemu)');
  cmd
    .command('qemu')
    .description('run the equivalent scenario of every row of a QEMU measurement CSV (shared/validation/qemu/runs.csv format) and print predicted vs measured')
    .argument('<file>', 'CSV of measured QEMU migrations')
    .addOption(new Option('--json', 'print rows and summary as JSON (errors as fractions: 0.12 = 12 %)').conflicts('csv'))
    .option('--csv', 'print the per-run table as CSV (seconds, bytes; errors as fractions)')
    .option('--emit-scenarios <dir>', 'write each row\'s scenario (YAML) into this directory')
    .option('--constants <file>', 'JSON object overriding the calibration constants (keys as printed by --fit)')
    .option('--fit', 'fit the machine constants from the file and print them (JSON) with their derivation')
    .option('--uncalibrated', 'use lmsim\'s defaults instead of the calibration constants')
    .action(async (file: string, opts: QemuOptions) => (await import('./calibrate-qemu.js')).calibrateQemu(file, opts, io));
}
