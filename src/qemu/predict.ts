/**
 * @module qemu/predict
 * The prediction for a real VM and the recommendation: lmsim's scenario of the VM (qemu/vm.ts)
 * under its current settings, then under candidate settings, and the cheapest candidate that
 * meets the operator's budget. Pure: no I/O.
 *
 * The machine comes from a calibration (calibrate/constants.ts: by default the constants fitted
 * to the lab's real migrations on loopback), mapped to the scenario by the calibration's own
 * mapping (calibrate/machine.ts): every constant but the lab guest's footprint.
 *
 * Candidates: downtime-limit steps; max-bandwidth steps (x2, x4, the link); and at the current
 * and larger bandwidths: auto-converge, dirty-limit, xbzrle, multifd (with zstd), post-copy after
 * 1 and 2 passes. "Cheapest" is the order an operator pays in: first the guest's slowdown
 * (throttling, post-copy faults), then the bandwidth taken from the network, then features that
 * cost CPU or need both sides' support (xbzrle, multifd, dirty-limit, post-copy), then the total
 * time.
 */
import { finalCopyRateOf, guestLayout, isQemu10, Machine, machineNetwork, machineOptions, QemuAlgorithm } from '../calibrate/machine.js';
import { ramBytes } from '../calibrate/calibrate.js';
import type { MigrationResult } from '../migration/result.js';
import { validateScenario } from '../scenario/load.js';
import { runScenario } from '../scenario/run.js';
import { describe, QemuSettings, toMigrationOptions } from './settings.js';
import type { QemuVm } from './vm.js';

const MiB = 2 ** 20;

export type { Machine };

export interface Budget {
  /** Longest acceptable downtime, s (Infinity = none). */
  maxDowntime: number;
  /** Longest acceptable total time, s; also when lmsim gives up on a migration that does not converge. */
  maxTime: number;
}

export interface Prediction {
  settings: QemuSettings;
  /** The settings in words (what differs from the current ones). */
  label: string;
  converges: boolean;
  status: string;
  reason: string;
  /** s; for a migration that does not converge, when it was given up (the budget's max time). */
  totalTime: number | null;
  downtime: number | null;
  /** RAM bytes on the wire (QEMU's ram.transferred). */
  bytes: number;
  /** Share of the guest's running time lost to throttling and post-copy faults. */
  slowdown: number;
  passes: number;
  meetsBudget: boolean;
  result: MigrationResult;
}

/** The VM's QEMU is 10 or later (an unknown version is taken as before 10). */
export function vmIsQemu10(vm: QemuVm): boolean {
  return vm.qemuVersion !== null && isQemu10(vm.qemuVersion);
}

/**
 * The lmsim scenario of the VM migrating under `s` (scenario units: bytes, bytes/s, s). The
 * machine's part (network, options, layout, the guest kernel's working set) is the calibration's
 * own mapping (calibrate/machine.ts). The VM's measured count of data pages says how many, not
 * where: they lie as the lab's guest showed (calibrate/machine.ts), the working set standing for
 * the workload's allocation. Its dirty rate was measured on the whole guest, so the kernel's writes
 * are in it already: the kernel's part of the workload only reads (the reads fault in post-copy).
 */
export function vmScenario(vm: QemuVm, s: QemuSettings, machine: Machine, maxTime: number): Record<string, unknown> {
  const page = vm.pageSize;
  const f = vm.fit;
  const ws = Math.min(Math.round(f.workingSet) * page, vm.resident);
  const idle = f.model === 'idle' || ws === 0;
  const layout = guestLayout(machine, { ram: vm.memory, pageSize: page, resident: vm.resident, appBytes: idle ? 0 : ws, kernelWrites: false });
  const app = idle ? { kind: 'idle' } : { kind: f.model === 'sweep' ? 'sweep' : 'uniform', writeRate: f.writeRate, workingSet: ws, offset: layout.appOffset, writeSize: page };
  const workload = layout.kernel ? { kind: 'mix', parts: [app, layout.kernel] } : app;
  const options = toMigrationOptions(s, { rateLimitFactor: machine.rateLimitFactor, vcpus: vm.vcpus });
  const migration: Record<string, unknown> = {
    vm: 'vm',
    to: 'dst',
    at: 0,
    ...options,
    timeout: maxTime,
    ...machineOptions(machine, options.algorithm as QemuAlgorithm, vmIsQemu10(vm)),
  };
  return {
    name: 'qemu-vm',
    seed: 1,
    pageSize: page,
    horizon: maxTime + 600,
    network: machineNetwork(machine, vmIsQemu10(vm)),
    hosts: [
      { name: 'src', memory: 2 * vm.memory },
      { name: 'dst', memory: 2 * vm.memory },
    ],
    vms: [{ name: 'vm', host: 'src', memory: vm.memory, ...layout.vm, workload }],
    migrations: [migration],
  };
}

export function predict(vm: QemuVm, s: QemuSettings, machine: Machine, budget: Budget): Prediction {
  const spec = validateScenario(vmScenario(vm, s, machine, budget.maxTime), 'the VM');
  const m = runScenario(spec).migrations[0];
  const converges = m.status === 'completed';
  return {
    settings: s,
    label: describe(s, vm.settings),
    converges,
    status: m.status,
    reason: m.reason,
    totalTime: m.totalTime,
    downtime: m.downtime,
    bytes: ramBytes(m),
    slowdown: m.degradation,
    passes: m.rounds.filter((r) => r.kind === 'live').length,
    meetsBudget: converges && m.downtime !== null && m.downtime <= budget.maxDowntime && m.totalTime !== null && m.totalTime <= budget.maxTime,
    result: m,
  };
}

/** Candidate settings around the current ones (each a complete QemuSettings). */
export function candidates(vm: QemuVm, machine: Machine, budget: Budget): QemuSettings[] {
  const cur = vm.settings;
  const rate = finalCopyRateOf(machine, vmIsQemu10(vm));
  const bw0 = cur.parameters['max-bandwidth'] > 0 ? cur.parameters['max-bandwidth'] : rate;
  const link = Math.floor(rate / MiB) * MiB;
  const bandwidths = [...new Set([bw0, 2 * bw0, 4 * bw0, link].filter((b) => b <= link || b === bw0))].sort((a, b) => a - b);
  const dl0 = cur.parameters['downtime-limit'];
  const budgetMs = Number.isFinite(budget.maxDowntime) ? Math.floor(budget.maxDowntime * 1000) : 2000;
  const limits = [...new Set([dl0, 500, 1000, 2000, budgetMs].filter((x) => x >= dl0 && x <= Math.max(dl0, budgetMs)))].sort((a, b) => a - b);
  const out: QemuSettings[] = [];
  const plain = (bw: number, dl: number): QemuSettings => ({
    parameters: { ...cur.parameters, 'max-bandwidth': bw, 'downtime-limit': dl },
    capabilities: { ...cur.capabilities },
    postcopyAfterPasses: cur.postcopyAfterPasses,
  });
  const dlBest = limits[limits.length - 1];
  for (const bw of bandwidths) {
    for (const dl of limits) out.push(plain(bw, dl));
    const base = plain(bw, dlBest);
    const vcpuLimit = Math.max(1, Math.floor((bw * 0.25) / MiB / vm.vcpus));
    out.push({ ...base, capabilities: { ...base.capabilities, 'auto-converge': true } });
    out.push({ ...base, parameters: { ...base.parameters, 'vcpu-dirty-limit': vcpuLimit }, capabilities: { ...base.capabilities, 'dirty-limit': true } });
    out.push({
      ...base,
      parameters: { ...base.parameters, 'xbzrle-cache-size': Math.max(64 * MiB, 2 ** Math.ceil(Math.log2(Math.max(1, vm.fit.workingSet * vm.pageSize)))) },
      capabilities: { ...base.capabilities, xbzrle: true },
    });
    out.push({ ...base, parameters: { ...base.parameters, 'multifd-channels': 4, 'multifd-compression': 'zstd' }, capabilities: { ...base.capabilities, multifd: true } });
    for (const n of [1, 2]) {
      out.push({ ...base, parameters: { ...base.parameters, 'max-postcopy-bandwidth': 0 }, capabilities: { ...base.capabilities, 'postcopy-ram': true }, postcopyAfterPasses: n });
    }
  }
  return out;
}

const featureCost = (s: QemuSettings): number => {
  const c = s.capabilities;
  return (c.xbzrle ? 1 : 0) + (c.multifd ? 1 : 0) + (c['dirty-limit'] ? 1 : 0) + (c['auto-converge'] ? 1 : 0) + (c['postcopy-ram'] && s.postcopyAfterPasses !== null ? 2 : 0);
};

/** Orders predictions cheapest first (see the module's comment). */
export function cheaperFirst(a: Prediction, b: Prediction): number {
  const slow = (p: Prediction) => Math.round(p.slowdown * 100);
  return (
    slow(a) - slow(b) ||
    a.settings.parameters['max-bandwidth'] - b.settings.parameters['max-bandwidth'] ||
    featureCost(a.settings) - featureCost(b.settings) ||
    (a.totalTime ?? Infinity) - (b.totalTime ?? Infinity) ||
    a.settings.parameters['downtime-limit'] - b.settings.parameters['downtime-limit']
  );
}

export interface Recommendation {
  current: Prediction;
  candidates: Prediction[];
  /** The current settings if they meet the budget, else the cheapest candidate that does, or null. */
  best: Prediction | null;
}

export function recommend(vm: QemuVm, machine: Machine, budget: Budget): Recommendation {
  const current = predict(vm, vm.settings, machine, budget);
  const same = (s: QemuSettings) => JSON.stringify(s) === JSON.stringify(vm.settings);
  const preds = candidates(vm, machine, budget)
    .filter((s) => !same(s))
    .map((s) => predict(vm, s, machine, budget));
  const within = [current, ...preds].filter((p) => p.meetsBudget).sort(cheaperFirst);
  // changing nothing is cheapest of all
  return { current, candidates: preds, best: current.meetsBudget ? current : (within[0] ?? null) };
}
