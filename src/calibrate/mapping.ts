/**
 * @module calibrate/mapping
 * A measured QEMU run -> the equivalent lmsim scenario (a plain object in the shape of a scenario
 * file, units in bytes, bytes/s and seconds). Which column drives which input:
 *
 * | column(s) | scenario |
 * |---|---|
 * | ram_mib | vms[0].memory |
 * | alloc_mib + baseFootprintPages + ram_mib x pageStructShare, or resident_mib when given | vms[0].resident (the guest's data pages; the rest are zero pages) |
 * | ws_mib, rate_pps, pattern | workload: idle (ws or rate 0), sweep (seq) or uniform (rand) over the first ws_mib |
 * | fill | workload.writeSize: 1 byte (byte) or the page (random) |
 * | (workload) dirty.c's maxlag_ms, 100 ms (column `maxlag_ms` if present) | vms[0].catchUp: the guest keeps its wall-clock pace through throttle sleeps shorter than that |
 * | algo | algorithm (precopy / hybrid / postcopy) and xbzrle / autoConverge |
 * | max_bandwidth_bytes x rateLimitFactor | maxBandwidth |
 * | max_postcopy_bandwidth_bytes x rateLimitFactor | maxPostcopyBandwidth |
 * | downtime_limit_ms | downtimeLimit |
 * | migrate_timeout_s | timeout |
 * | postcopy_after_pass | postcopyAfterRounds |
 * | effective xbzrle-cache-size | xbzrleCacheSize |
 * | cpu_throttle_initial / _increment, throttle_trigger_threshold, max-cpu-throttle | the auto-converge options |
 * | (machine) every constant but baseFootprintPages | the network, the machine's options, the layout and the guest kernel's part of the workload: calibrate/machine.ts, shared with `lmsim predict qemu` |
 *
 * Layout (calibrate/machine.ts): the per-page structures at the very top of RAM, the rest of the
 * data from the bottom, the guest's own data first, then the workload's allocation with the
 * working set at its start (a measured `resident_mib` too: it says how many, not where).
 */
import { CalibrationConstants } from './constants.js';
import { guestLayout, isQemu10, machineNetwork, machineOptions } from './machine.js';
import { QemuRun } from './qemu-runs.js';

/**
 * The guest's data pages, bytes: a measured `resident_mib`, or the workload's allocation, the
 * guest's fixed footprint (kernel, initramfs, page cache) and the kernel's per-page structures,
 * which grow with RAM (`pageStructShare`). Where they lie: guestLayout (calibrate/machine.ts).
 */
export function guestResident(run: QemuRun, c: CalibrationConstants): number {
  const page = run.pageSize;
  if (run.resident !== null) return Math.min(run.ram, run.resident);
  const structPages = Math.floor((run.ram * c.pageStructShare) / page);
  return Math.min(run.ram, run.alloc + (c.baseFootprintPages + structPages) * page);
}

/** A run on QEMU 10 or later (its destination's receive path differs: firstReceiveRateQemu10). */
export function qemu10(run: QemuRun): boolean {
  return isQemu10(run.qemuVersion);
}

/** The scenario of one run, ready for validateScenario(). */
export function runToScenario(run: QemuRun, c: CalibrationConstants, overrides: { timeout?: number } = {}): Record<string, unknown> {
  const page = run.pageSize;
  const algorithm = run.algo === 'hybrid' ? 'hybrid' : run.algo === 'postcopy' ? 'postcopy' : 'precopy';
  const layout = guestLayout(c, { ram: run.ram, pageSize: page, resident: guestResident(run, c), appBytes: run.alloc, kernelWrites: true });
  const idle = run.workingSet === 0 || run.rate === 0;
  const app = idle
    ? { kind: 'idle' }
    : {
        kind: run.pattern === 'seq' ? 'sweep' : 'uniform',
        writeRate: run.rate,
        workingSet: Math.min(run.workingSet, run.alloc > 0 ? run.alloc : run.ram),
        offset: layout.appOffset,
        writeSize: run.fill === 'byte' ? 1 : page,
      };
  const workload = layout.kernel ? { kind: 'mix', parts: [app, layout.kernel] } : app;

  const migration: Record<string, unknown> = {
    vm: 'guest',
    to: 'dst',
    at: 0,
    algorithm,
    // QEMU's pre-copy rules (post-copy has no pre-copy rounds, so no preset)
    ...(run.algo === 'postcopy' ? {} : { preset: 'qemu' }),
    downtimeLimit: run.downtimeLimit,
    maxBandwidth: run.maxBandwidth * c.rateLimitFactor,
    timeout: overrides.timeout ?? run.timeout,
    ...machineOptions(c, algorithm, qemu10(run)),
  };
  if (run.algo === 'hybrid' || run.algo === 'postcopy') {
    migration.maxPostcopyBandwidth = run.maxPostcopyBandwidth === null ? 'unlimited' : run.maxPostcopyBandwidth * c.rateLimitFactor;
  }
  if (run.algo === 'hybrid') migration.postcopyAfterRounds = run.postcopyAfterPass ?? 1;
  if (run.algo === 'xbzrle') {
    migration.xbzrle = true;
    if (run.xbzrleCacheSize !== null) migration.xbzrleCacheSize = run.xbzrleCacheSize;
  }
  if (run.algo === 'autoconverge') {
    migration.autoConverge = true;
    if (run.cpuThrottleInitial !== null) migration.cpuThrottleInitial = run.cpuThrottleInitial;
    if (run.cpuThrottleIncrement !== null) migration.cpuThrottleIncrement = run.cpuThrottleIncrement;
    if (run.throttleTriggerThreshold !== null) migration.throttleTriggerThreshold = run.throttleTriggerThreshold;
    if (run.maxCpuThrottle !== null) migration.maxCpuThrottle = run.maxCpuThrottle;
  }
  const timeout = overrides.timeout ?? run.timeout;
  return {
    name: run.runId,
    description: `QEMU ${run.qemuVersion} run ${run.runId} (CSV line ${run.line})`,
    seed: 1,
    pageSize: page,
    horizon: Math.max(3600, timeout + 600),
    network: machineNetwork(c, qemu10(run)),
    hosts: [
      { name: 'src', memory: 2 * run.ram },
      { name: 'dst', memory: 2 * run.ram },
    ],
    vms: [
      {
        name: 'guest',
        host: 'src',
        memory: run.ram,
        ...layout.vm,
        ...(idle ? {} : { catchUp: run.maxLag }),
        workload,
      },
    ],
    migrations: [migration],
  };
}
