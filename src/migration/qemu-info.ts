/**
 * @module migration/qemu-info
 * A migration's figures in QEMU's own vocabulary and units, shaped like QMP `query-migrate`, so a
 * prediction can be put beside QEMU's output: times in ms, sizes in bytes, counts in pages.
 *
 * - `downtime` is QEMU's: from the stop at the source to the end of the source's completion
 *   (the last byte leaving plus the final sync); lmsim's own `downtime` also counts the last
 *   byte's flight and the destination's resume (QEMU's host-observed STOP -> RESUME).
 * - `ram.transferred` counts the RAM stream: every byte on the wire but the device state and the
 *   reuse bitmap exchange.
 * - `ram.normal` is full data pages sent; XBZRLE-encoded pages are in `xbzrle-cache.pages`.
 */
import { XbzrleStats } from './optimizations/encoder.js';
import { MigrationResult } from './result.js';

export interface QemuCounters {
  syncs: number;
  normalPages: number;
  remainingPages: number;
  pageSize: number;
  /** The VM's memory, bytes (QEMU's ram.total). */
  memory: number;
  xbzrle: XbzrleStats | null;
  throttlePercent: number;
  /** Latency + resume latency: the part of lmsim's downtime QEMU's `downtime` does not count, s. */
  returnLatency: number;
}

export interface QemuInfo {
  status: 'completed' | 'cancelled' | 'failed' | 'active';
  'total-time': number;
  downtime: number | null;
  'setup-time': number;
  ram: {
    transferred: number;
    remaining: number;
    total: number;
    duplicate: number;
    normal: number;
    'normal-bytes': number;
    'dirty-sync-count': number;
    'postcopy-requests': number;
    'page-size': number;
  };
  'xbzrle-cache': {
    'cache-size': number;
    bytes: number;
    pages: number;
    'cache-miss': number;
    'cache-miss-rate': number;
    'encoding-rate': number;
    overflow: number;
  } | null;
  'cpu-throttle-percentage': number;
}

export function qemuInfo(m: MigrationResult, c: QemuCounters): QemuInfo {
  const status = m.status === 'completed' ? 'completed' : m.status === 'timeout' || m.status === 'aborted' ? 'cancelled' : m.status === 'failed' ? 'failed' : 'active';
  const deviceState = Number(m.options.deviceState ?? 0);
  const x = c.xbzrle;
  const xbzrleSends = x ? x.pages + x.cacheMiss : 0;
  return {
    status,
    'total-time': Math.round((m.totalTime ?? 0) * 1000),
    downtime: m.downtime === null ? null : Math.max(0, Math.round((m.downtime - c.returnLatency) * 1000)),
    'setup-time': 0,
    ram: {
      transferred: m.bytesTransferred - m.bytesByPhase.setup - (m.bytesByPhase.stopAndCopy > 0 ? deviceState : 0),
      remaining: c.remainingPages * c.pageSize,
      total: c.memory,
      duplicate: m.zeroPages,
      normal: c.normalPages,
      'normal-bytes': c.normalPages * c.pageSize,
      'dirty-sync-count': c.syncs,
      'postcopy-requests': m.postcopy?.requests ?? 0,
      'page-size': c.pageSize,
    },
    'xbzrle-cache': x
      ? {
          'cache-size': x.cacheSize,
          bytes: x.bytes,
          pages: x.pages,
          'cache-miss': x.cacheMiss,
          'cache-miss-rate': xbzrleSends > 0 ? x.cacheMiss / xbzrleSends : 0,
          'encoding-rate': x.bytes > 0 ? (x.pages * c.pageSize) / x.bytes : 0,
          overflow: x.overflow,
        }
      : null,
    'cpu-throttle-percentage': c.throttlePercent,
  };
}
