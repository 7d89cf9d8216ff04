/**
 * @module migration/qemu-series
 * A migration as the `query-migrate` replies an operator polling every 100 ms would have seen:
 * one sample per period of simulated time from the start to the end, in QEMU's names and units
 * (ms, bytes, pages, Mbit/s), built from the result's rounds after the run (pure, deterministic;
 * not part of every result because it grows with the migration's length).
 *
 * Within a round, bytes and pages are taken to flow evenly over its duration (QEMU's rate limiter
 * sends in 100 ms windows, so at this period the difference is at most a window's worth; zero
 * pages, which cost almost nothing, make `remaining` fall unevenly in QEMU's bulk pass, so
 * `remaining` is the rougher figure). A
 * sample's `ram.remaining` is what the round had left to send: the pages found dirty at the sync
 * that opened it (the whole memory for the bulk pass) less those sent so far. `dirty-sync-count`
 * counts the setup sync and one per round closed, `mbps` and `pages-per-second` (data pages) are
 * the round's own rates, `dirty-pages-rate` QEMU's (distinct pages per second over the last rounds spanning a
 * second, 0 before the first), and `expected-downtime` is remaining / the round's bandwidth, as
 * QEMU computes it at each iteration (its `downtime-limit` until the first measurement).
 */
import { dirtyPagesRate } from './qemu-info.js';
import type { MigrationResult, RoundRecord } from './result.js';

export interface QemuSample {
  /** Seconds since the migration started (the poll's time). */
  t: number;
  status: 'active' | 'device' | 'postcopy-active' | 'completed' | 'cancelled' | 'failed';
  'total-time': number;
  'expected-downtime'?: number;
  downtime?: number;
  ram: {
    transferred: number;
    remaining: number;
    total: number;
    'dirty-sync-count': number;
    'dirty-pages-rate': number;
    mbps: number;
    'pages-per-second': number;
    'page-size': number;
  };
}

/** The samples every `period` s (default 100 ms) of a finished migration; [] if it never started. */
export function qemuSeries(m: MigrationResult, pageSize: number, memory: number, period = 0.1): QemuSample[] {
  if (m.totalTime === null || !m.qemu) return [];
  const rounds = m.rounds;
  const end = m.totalTime;
  const downtimeLimitMs = Math.round(Number(m.options.downtimeLimit ?? 0.3) * 1000);
  const out: QemuSample[] = [];
  // per round: bytes before it, and the pages it had to send
  const before: number[] = [];
  let acc = 0;
  for (const r of rounds) {
    before.push(acc);
    acc += r.bytesSent;
  }
  const steps = Math.floor(end / period + 1e-9);
  for (let k = 1; k <= steps; k++) {
    const t = Math.round(k * period * 1e6) / 1e6;
    const rel = m.startTime + t;
    let i = rounds.findIndex((r) => rel < r.start + r.duration);
    if (i < 0) i = rounds.length - 1;
    const r: RoundRecord | undefined = rounds[i];
    const done = r && r.duration > 0 ? Math.min(1, Math.max(0, (rel - r.start) / r.duration)) : 1;
    const closed = rounds.slice(0, i).filter((x) => x.kind === 'live');
    const kind = r?.kind ?? 'live';
    const toSend = r ? r.pagesSent + r.pagesSkipped : 0;
    const remainingPages = kind === 'live' ? Math.round(toSend * (1 - done)) : 0;
    const roundRate = r && r.duration > 0 ? r.bytesSent / r.duration : 0;
    out.push({
      t,
      status: kind === 'live' ? 'active' : kind === 'postcopy' ? 'postcopy-active' : 'device',
      'total-time': Math.round(t * 1000),
      'expected-downtime': kind === 'live' ? (closed.length === 0 || roundRate === 0 ? downtimeLimitMs : Math.round(((remainingPages * pageSize) / roundRate) * 1000)) : undefined,
      ram: {
        transferred: Math.round((before[i] ?? 0) + (r ? r.bytesSent * done : 0)),
        remaining: remainingPages * pageSize,
        total: memory,
        'dirty-sync-count': 1 + closed.length,
        'dirty-pages-rate': dirtyPagesRate(closed),
        mbps: (roundRate * 8) / 1e6,
        'pages-per-second': r && r.duration > 0 ? Math.round((r.pagesSent - r.zeroPages) / r.duration) : 0,
        'page-size': pageSize,
      },
    });
    if (out[out.length - 1]['expected-downtime'] === undefined) delete out[out.length - 1]['expected-downtime'];
  }
  const q = m.qemu;
  out.push({
    t: end,
    status: q.status === 'active' ? 'active' : q.status,
    'total-time': q['total-time'],
    ...(q.downtime !== null ? { downtime: q.downtime } : {}),
    ram: {
      transferred: q.ram.transferred,
      remaining: q.ram.remaining,
      total: q.ram.total,
      'dirty-sync-count': q.ram['dirty-sync-count'],
      'dirty-pages-rate': q.ram['dirty-pages-rate'],
      mbps: q.ram.mbps,
      'pages-per-second': q.ram['pages-per-second'],
      'page-size': pageSize,
    },
  });
  return out;
}
