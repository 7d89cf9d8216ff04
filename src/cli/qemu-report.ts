/**
 * @module cli/qemu-report
 * What `lmsim predict qemu` and `lmsim qemu` print: the VM as lmsim models it (with every
 * assumption), the prediction under the current settings, the candidate table, and the cheapest
 * settings within the budget as QMP commands ready to paste. Options shared by both commands are
 * parsed here (exit 2 on bad input).
 */
import { writeFileSync } from 'node:fs';
import { qemuLabConstants } from '../calibrate/constants.js';
import { finalCopyRateOf } from '../calibrate/machine.js';
import { parseDuration, parseRate, parseSize, UnitError } from '../core/units.js';
import { Budget, Machine, Prediction, Recommendation, recommend, vmIsQemu10 } from '../qemu/predict.js';
import { qmpCommands } from '../qemu/settings.js';
import { qemuSeries } from '../migration/qemu-series.js';
import type { QemuVm } from '../qemu/vm.js';
import { VERSION } from '../version.js';
import { loadConstants } from './calibration-file.js';
import { UsageError } from './errors.js';

export interface PredictOptions {
  maxDowntime?: string;
  maxTime?: string;
  linkBandwidth?: string;
  resident?: string;
  json?: boolean;
  series?: string;
  constants?: string;
}

const MiB = 2 ** 20;

function option<T>(name: string, value: string | undefined, parse: (v: string) => T, fallback: T): T {
  if (value === undefined) return fallback;
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof UnitError) throw new UsageError(`--${name}: expected ${e.message.replace(/^expected /, '')}`);
    throw e;
  }
}

/** The budget: --max-downtime (default: the VM's downtime-limit) and --max-time (default 5 min). */
export function budgetOf(opts: PredictOptions, vm: QemuVm): Budget {
  const maxDowntime = option('max-downtime', opts.maxDowntime, parseDuration, vm.settings.parameters['downtime-limit'] / 1000);
  const maxTime = option('max-time', opts.maxTime, parseDuration, 300);
  if (maxTime <= 0) throw new UsageError('--max-time: expected a positive duration');
  return { maxDowntime, maxTime };
}

/**
 * The machine: the lab's fitted constants, or those of --constants FILE over them (a machine of
 * one's own, fitted with `lmsim calibrate qemu --fit`), with --link-bandwidth as the final copy's rate.
 */
export function machineOf(opts: PredictOptions): Machine {
  const fitted = opts.constants === undefined ? {} : loadConstants(opts.constants);
  const { baseFootprintPages: _unused, ...lab } = { ...qemuLabConstants, ...fitted };
  // a final-copy rate of one's own holds for every QEMU generation: --link-bandwidth always, the
  // file's finalCopyRate unless the file gives QEMU 10's too
  const ownRate = opts.linkBandwidth !== undefined || (fitted.finalCopyRate !== undefined && fitted.finalCopyRateQemu10 === undefined);
  const finalCopyRateQemu10 = ownRate ? 0 : lab.finalCopyRateQemu10;
  const link = option('link-bandwidth', opts.linkBandwidth, parseRate, lab.finalCopyRate);
  if (link <= 0) throw new UsageError('--link-bandwidth: expected a positive rate');
  return { ...lab, finalCopyRate: link, finalCopyRateQemu10 };
}

export function residentOf(opts: PredictOptions): number | undefined {
  return opts.resident === undefined ? undefined : option('resident', opts.resident, parseSize, 0);
}

export function runRecommendation(vm: QemuVm, opts: PredictOptions): { recommendation: Recommendation; budget: Budget; machine: Machine } {
  const budget = budgetOf(opts, vm);
  const machine = machineOf(opts);
  return { recommendation: recommend(vm, machine, budget), budget, machine };
}

/** The prediction as query-migrate replies every 100 ms of simulated time, one JSON line each. */
export function seriesLines(vm: QemuVm, p: Prediction): string {
  return qemuSeries(p.result, vm.pageSize, vm.memory).map((s) => JSON.stringify({ type: 'poll', side: 'predicted', ...s })).join('\n') + '\n';
}

/** Writes --series FILE; a path that cannot be written is bad input (exit 2). */
export function writeSeries(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new UsageError(`--series: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const compressionAssumption = 'multifd-compression candidates: pages taken to compress by half (lmsim\'s default compressibility; the guest\'s is not measured)';

const ms = (s: number | null) => (s === null ? '-' : `${Math.round(s * 1000)} ms`);
const sec = (s: number | null) => (s === null ? '-' : `${s.toFixed(2)} s`);
const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

function verdict(p: Prediction, budget: Budget): string {
  if (p.converges) return 'converges';
  return p.status === 'timeout' ? `does not converge within ${budget.maxTime} s` : `${p.status}: ${p.reason}`;
}

export function predictionJson(vm: QemuVm, r: Recommendation, budget: Budget, machine: Machine): Record<string, unknown> {
  const strip = (p: Prediction) => ({
    settings: p.settings,
    label: p.label,
    converges: p.converges,
    status: p.status,
    reason: p.reason,
    totalTime: p.totalTime,
    downtime: p.downtime,
    bytes: p.bytes,
    slowdown: p.slowdown,
    passes: p.passes,
    meetsBudget: p.meetsBudget,
    qemu: p.result.qemu,
  });
  return {
    lmsim: VERSION,
    vm: {
      memory: vm.memory,
      resident: vm.resident,
      residentSource: vm.residentSource,
      workload: vm.fit,
      vcpuRates: vm.vcpuRates,
      settings: vm.settings,
    },
    assumptions: [...vm.assumptions, compressionAssumption],
    machine,
    budget,
    current: strip(r.current),
    candidates: r.candidates.map(strip),
    best: r.best ? { ...strip(r.best), qmp: qmpCommands(r.best.settings, vm.settings).map((l) => JSON.parse(l)) } : null,
  };
}

export function predictionText(vm: QemuVm, r: Recommendation, budget: Budget, machine: Machine): string {
  const f = vm.fit;
  const lines: string[] = [];
  lines.push(`VM: ${mib(vm.memory)} RAM, ${mib(vm.resident)} of data (${vm.residentSource})`);
  lines.push(
    f.model === 'idle'
      ? 'workload: idle'
      : `workload: ${f.model === 'sweep' ? 'sweep' : 'uniform'} writes at ${Math.round(f.writeRate)} pages/s (${((f.writeRate * vm.pageSize) / MiB).toFixed(1)} MiB/s) over a working set of ${Math.round(f.workingSet)} pages (${mib(f.workingSet * vm.pageSize)})${f.identified ? '' : ' (assumed, see below)'}`,
  );
  lines.push('dirty-rate curve (distinct pages dirtied in calc-time): ' + f.points.map((p) => `${p.t} s: ${Math.round(p.pages)} measured, ${Math.round(p.fitted)} fitted`).join('; '));
  if (vm.vcpuRates.length) lines.push(`per-vCPU dirty rates: ${vm.vcpuRates.map((v) => `vCPU ${v.id} ${v.dirtyRateMiBps} MiB/s`).join(', ')}`);
  lines.push('assumptions:');
  for (const a of vm.assumptions) lines.push(`  - ${a}`);
  lines.push(`  - machine: final copy at ${(finalCopyRateOf(machine, vmIsQemu10(vm)) / MiB).toFixed(0)} MiB/s (--link-bandwidth), max-bandwidth kept to x${machine.rateLimitFactor}, ${(machine.deviceState / MiB).toFixed(2)} MiB of device state, ${(machine.resumeLatency * 1000).toFixed(1)} ms to resume, and the rest of the calibrated machine (the lab's, or --constants; docs/qemu.md)`);
  lines.push(`  - ${compressionAssumption}`);
  lines.push('');
  const c = r.current;
  lines.push(`current settings (downtime-limit ${vm.settings.parameters['downtime-limit']} ms, max-bandwidth ${(vm.settings.parameters['max-bandwidth'] / MiB).toFixed(0)} MiB/s${Object.entries(vm.settings.capabilities).filter(([, on]) => on).map(([k]) => `, ${k}`).join('')}):`);
  lines.push(`  ${verdict(c, budget)}; total ${sec(c.totalTime)}, downtime ${ms(c.downtime)}, ${mib(c.bytes)} sent, guest slowdown ${(c.slowdown * 100).toFixed(1)} %, ${c.passes} passes`);
  lines.push('');
  lines.push(`budget: downtime <= ${ms(budget.maxDowntime)}, total time <= ${sec(budget.maxTime)}`);
  const head = ['settings', 'verdict', 'total', 'downtime', 'sent', 'slowdown', 'budget'];
  const rows = [c, ...r.candidates].map((p) => [
    p === c ? `(current) ${p.label}` : p.label,
    p.converges ? 'converges' : 'no',
    sec(p.totalTime),
    ms(p.downtime),
    mib(p.bytes),
    `${(p.slowdown * 100).toFixed(1)} %`,
    p.meetsBudget ? 'yes' : '',
  ]);
  lines.push(table(head, rows));
  lines.push('');
  if (!r.best) {
    lines.push('no candidate meets the budget: raise max-bandwidth beyond the link, or relax --max-downtime / --max-time');
  } else if (r.best === c) {
    lines.push('the current settings meet the budget; nothing to change');
  } else {
    const b = r.best;
    lines.push(`cheapest within the budget: ${b.label}`);
    lines.push(`  ${verdict(b, budget)}; total ${sec(b.totalTime)}, downtime ${ms(b.downtime)}, ${mib(b.bytes)} sent, guest slowdown ${(b.slowdown * 100).toFixed(1)} %`);
    lines.push('QMP (source; capabilities also on the destination):');
    for (const l of qmpCommands(b.settings, vm.settings)) lines.push(`  ${l}`);
    if (b.settings.capabilities['postcopy-ram'] && b.settings.postcopyAfterPasses !== null) {
      lines.push(`  then, after migrate: {"execute":"migrate-start-postcopy"} once ${b.settings.postcopyAfterPasses} MIGRATION_PASS event(s) have passed (capability events on)`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join('  ').trimEnd();
  return [fmt(head), ...rows.map(fmt)].join('\n');
}
