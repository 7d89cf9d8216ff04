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
 * - `precopy-bytes` + `downtime-bytes` + `postcopy-bytes` = `transferred` (the live rounds, the
 *   stop-and-copy's pages, the post-copy push and requests); `multifd-bytes` is the pages'
 *   share of it when multifd is on (QEMU counts the page data of its channels), else 0.
 * - `mbps` is the whole migration's average, Mbit/s (10^6 bits): QEMU's figure at completion
 *   (bytes x 8 over the transfer time). `pages-per-second` is the last live round's rate of data
 *   pages sent (QEMU counts normal, XBZRLE and compressed pages, not zero pages).
 *   `dirty-pages-rate` is distinct pages dirtied per second over the last live rounds that span at
 *   least a second (QEMU recomputes it when a sync comes a second or more after the last
 *   computation), 0 once completed (QEMU drops it then). `expected-downtime` is null: QEMU reports it only while a
 *   migration is active (see the series, migration/qemu-series.ts).
 */
import { XbzrleStats } from './optimizations/encoder.js';
import { MigrationResult, RoundRecord } from './result.js';

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
    mbps: number;
    'dirty-pages-rate': number;
    'pages-per-second': number;
    'precopy-bytes': number;
    'downtime-bytes': number;
    'postcopy-bytes': number;
    'multifd-bytes': number;
  };
  /** ms; reported by QEMU only while the migration is active. */
  'expected-downtime': number | null;
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
  const downtimeBytes = Math.max(0, m.bytesByPhase.stopAndCopy - (m.bytesByPhase.stopAndCopy > 0 ? deviceState : 0));
  const transferred = m.bytesByPhase.live + downtimeBytes + m.bytesByPhase.postcopy;
  const last = lastLive(m.rounds);
  const multifd = Number(m.options.multifdChannels ?? 0) > 0;
  return {
    status,
    'total-time': Math.round((m.totalTime ?? 0) * 1000),
    downtime: m.downtime === null ? null : Math.max(0, Math.round((m.downtime - c.returnLatency) * 1000)),
    'setup-time': 0,
    ram: {
      transferred,
      remaining: c.remainingPages * c.pageSize,
      total: c.memory,
      duplicate: m.zeroPages,
      normal: c.normalPages,
      'normal-bytes': c.normalPages * c.pageSize,
      'dirty-sync-count': c.syncs,
      'postcopy-requests': m.postcopy?.requests ?? 0,
      'page-size': c.pageSize,
      mbps: m.totalTime ? (m.bytesTransferred * 8) / m.totalTime / 1e6 : 0,
      'dirty-pages-rate': status === 'completed' ? 0 : dirtyPagesRate(m.rounds.filter((r) => r.kind === 'live')), // QEMU drops it once completed
      'pages-per-second': last && last.duration > 0 ? Math.round((last.pagesSent - last.zeroPages) / last.duration) : 0,
      'precopy-bytes': m.bytesByPhase.live,
      'downtime-bytes': downtimeBytes,
      'postcopy-bytes': m.bytesByPhase.postcopy,
      'multifd-bytes': multifd ? transferred : 0,
    },
    'expected-downtime': null,
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

/** The last live round, if any. */
function lastLive(rounds: readonly RoundRecord[]): RoundRecord | undefined {
  for (let i = rounds.length - 1; i >= 0; i--) if (rounds[i].kind === 'live') return rounds[i];
  return undefined;
}

/** Distinct pages dirtied per second over the last rounds that together span at least a second. */
export function dirtyPagesRate(rounds: readonly RoundRecord[]): number {
  let pages = 0;
  let time = 0;
  for (let i = rounds.length - 1; i >= 0 && time < 1; i--) {
    pages += rounds[i].pagesDirtied;
    time += rounds[i].duration;
  }
  return time >= 1 ? Math.round(pages / time) : 0;
}
