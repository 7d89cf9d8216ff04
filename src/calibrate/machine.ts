/**
 * @module calibrate/machine
 * The machine's part of a QEMU scenario, from a calibration's constants (calibrate/constants.ts):
 * the network, the migration options that are the machine's, where the guest's data lie and the
 * guest kernel's own working set. One mapping for the lab's rows (calibrate/mapping.ts, what
 * `lmsim calibrate qemu` validates) and for a real VM (qemu/predict.ts, `lmsim predict qemu`), so
 * a prediction runs the model the calibration checks.
 *
 * | constant(s) | scenario |
 * |---|---|
 * | finalCopyRate, finalCopyRateQemu10 | network.bandwidth (the loopback: no latency), by the source's QEMU version |
 * | deviceState, resumeLatency, syncTime | the options of the same names |
 * | postcopySetup | postcopySetup (hybrid and post-copy) |
 * | iterationMaxWait, zeroScanRate | the options of the same names (pre-copy passes: not pure post-copy) |
 * | firstReceiveRate, firstReceiveRateQemu10 | firstReceiveRate, by the source's QEMU version |
 * | faultService | faultService (hybrid and post-copy) |
 * | structPagesAtTop, pageStructShare, topExtraPages | the layout: the per-page structures and the other boot-time data at the very top of RAM, the rest of the data from the bottom |
 * | kernelPages, kernelReadRate, kernelWriteRate | a second part of the workload (a mix): the guest kernel reading (and writing) its working set, scattered over the data beyond the workload's |
 *
 * rateLimitFactor scales the operator's rate limits, which each caller maps with its settings.
 * baseFootprintPages is the lab guest's own size, not the machine's: a real VM's is measured.
 */
import type { CalibrationConstants } from './constants.js';

/** The machine: a calibration's constants without the lab guest's footprint. */
export type Machine = Omit<CalibrationConstants, 'baseFootprintPages'>;

export type QemuAlgorithm = 'precopy' | 'hybrid' | 'postcopy';

/** The unthrottled final copy's rate of the source's QEMU generation (finalCopyRateQemu10 on 10 and later, when set). */
export function finalCopyRateOf(m: Machine, qemu10: boolean): number {
  return qemu10 && m.finalCopyRateQemu10 > 0 ? m.finalCopyRateQemu10 : m.finalCopyRate;
}

/** The network between source and destination: the unthrottled final copy's rate, no latency. */
export function machineNetwork(m: Machine, qemu10: boolean): { bandwidth: number; latency: number } {
  return { bandwidth: finalCopyRateOf(m, qemu10), latency: 0 };
}

/** A QEMU version string of 10 or later (its destination's receive path differs: firstReceiveRateQemu10). */
export function isQemu10(version: string): boolean {
  return Number.parseInt(version, 10) >= 10;
}

/** The migration options that are the machine's (scenario units: bytes, bytes/s, s). */
export function machineOptions(m: Machine, algorithm: QemuAlgorithm, qemu10: boolean): Record<string, unknown> {
  const o: Record<string, unknown> = { deviceState: m.deviceState, resumeLatency: m.resumeLatency };
  if (m.syncTime > 0) o.syncTime = m.syncTime;
  if (m.iterationMaxWait > 0 && algorithm !== 'postcopy') o.iterationMaxWait = m.iterationMaxWait;
  if (m.zeroScanRate > 0 && algorithm !== 'postcopy') o.zeroScanRate = m.zeroScanRate;
  const firstReceive = qemu10 ? m.firstReceiveRateQemu10 : m.firstReceiveRate;
  if (firstReceive > 0) o.firstReceiveRate = firstReceive;
  if (firstReceive > 0 && m.receiveBuffer > 0) o.receiveBuffer = m.receiveBuffer;
  if (m.faultService > 0 && algorithm !== 'precopy') o.faultService = m.faultService;
  if (m.postcopySetup > 0 && algorithm !== 'precopy') o.postcopySetup = m.postcopySetup;
  return o;
}

export interface GuestData {
  /** Guest RAM, bytes. */
  ram: number;
  pageSize: number;
  /** The guest's data pages, bytes (the rest are zero pages). */
  resident: number;
  /** The workload's allocation, bytes: the top of the data. */
  appBytes: number;
  /**
   * The kernel's writes are a part of the workload; false when the workload's dirty rate was
   * measured on the whole guest, which already counts them (its reads, which fault in post-copy,
   * stay).
   */
  kernelWrites: boolean;
}

export interface GuestLayout {
  /** The VM's fields: resident, residentAt and (split layout) residentTop. */
  vm: Record<string, unknown>;
  /** Where the workload's allocation starts, bytes. */
  appOffset: number;
  /** The guest kernel's part of the workload, or null (no kernel working set, or no room for it). */
  kernel: Record<string, unknown> | null;
}

/**
 * Where the guest's data lie and the guest kernel's working set. With structPagesAtTop (the lab's
 * idle polls): the per-page structures (pageStructShare of RAM) and topExtraPages more of the
 * guest's own data (boot-time data placed top-down) at the very top, the rest from the
 * bottom (the guest's own data, then the workload's allocation), zero pages between; without:
 * all the data at the top of RAM, the guest's own first, then the allocation. A measured count of
 * data pages (a real VM's, a recorded row's resident_mib) is laid out the same way: it says how
 * many, not where. The kernel's working set is scattered over the guest's own data.
 */
export function guestLayout(m: Machine, g: GuestData): GuestLayout {
  const { ram, pageSize: page, resident } = g;
  const top = m.structPagesAtTop > 0 ? Math.min(resident, (Math.floor((ram * m.pageStructShare) / page) + m.topExtraPages) * page) : 0;
  const low = resident - top;
  const split = top > 0;
  const app = Math.min(g.appBytes, low);
  const base = low - app;
  const writeRate = g.kernelWrites ? m.kernelWriteRate : 0;
  const kernel =
    m.kernelPages > 0 && m.kernelReadRate + writeRate > 0 && base >= m.kernelPages * page
      ? { kind: 'uniform', writeRate, readRate: m.kernelReadRate, workingSet: m.kernelPages * page, offset: split ? 0 : ram - resident, scatteredOver: base }
      : null;
  return {
    vm: split ? { resident: low, residentAt: 'start', residentTop: top } : { resident, residentAt: 'end' },
    appOffset: (split ? low : ram) - app,
    kernel,
  };
}
