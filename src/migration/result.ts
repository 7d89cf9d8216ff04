/**
 * @module migration/result
 * The per-migration record (a contract: see docs/model.md). Seconds, bytes, pages.
 */
import type { DeferralStats } from './optimizations/deferral.js';
import type { QemuInfo } from './qemu-info.js';

export type MigrationStatus = 'completed' | 'timeout' | 'aborted' | 'failed' | 'rejected' | 'unfinished';

export interface RoundRecord {
  /** 1-based; the bulk pass is round 1. */
  index: number;
  /** live pre-copy round; the pause (stop-and-copy, or the switch-over's device state); the post-copy push. */
  kind: 'live' | 'stop-and-copy' | 'postcopy';
  /** Simulated time the round began, s. */
  start: number;
  duration: number;
  pagesSent: number;
  zeroPages: number;
  /** Pages skipped because they were re-dirtied during the round (Xen legacy). */
  pagesSkipped: number;
  bytesSent: number;
  /** Distinct pages the guest dirtied during the round (the dirty log at the sync that ends it). */
  pagesDirtied: number;
  /** bytesSent / duration, bytes/s. */
  bandwidth: number;
}

export interface MigrationResult {
  vm: string;
  from: string;
  to: string;
  algorithm: string;
  preset: string | null;
  status: MigrationStatus;
  /** Why it stopped, ended or failed, in words a person can act on. */
  reason: string;
  startTime: number;
  /** When it completed or was given up, s (null if it never started). */
  endTime: number | null;
  /** endTime - startTime, s (null if it never started). */
  totalTime: number | null;
  /** Pause at the source to resume at the destination, s; null unless completed. */
  downtime: number | null;
  /** All bytes on the wire, headers and device state included. */
  bytesTransferred: number;
  /** setup: the reuse bitmap exchange; live: pre-copy rounds; stopAndCopy: the pause; postcopy: the push and requests. */
  bytesByPhase: { setup: number; live: number; stopAndCopy: number; postcopy: number };
  /** Pages sent, zero pages included, counted every time they are sent. */
  pagesTransferred: number;
  zeroPages: number;
  rounds: RoundRecord[];
  /** Pages whose destination copy was not current at resume (0 for a correct migration); null unless completed. */
  stalePagesAtResume: number | null;
  /** Seconds the migration waited for a free slot on its hosts (maxConcurrent). */
  queuedFor: number;
  /** Memory reuse: what came back thanks to a kept image, and what this departure kept; else null. */
  reuse: ReuseResult | null;
  /** Share of the guest's running time during the migration lost to throttling and post-copy faults. */
  degradation: number;
  /** Auto-converge / dirty-limit: the highest throttle (percent), its steps, guest time lost (s); null if it never triggered. */
  throttle: { maxPercent: number; steps: { time: number; percent: number }[]; lostTime: number } | null;
  /** Hot-page deferral: pages held back and wrong predictions; null when off. */
  deferral: DeferralStats | null;
  /** Free pages not sent (free-page hinting). */
  freePagesSkipped: number;
  /** Pages sent as references to content the destination had (dedup). */
  dedupPages: number;
  /** The same figures shaped like QMP query-migrate, in QEMU's units (ms, bytes, pages); null if never started. */
  qemu: QemuInfo | null;
  /** Post-copy figures (post-copy and hybrid), else null. */
  postcopy: PostcopyResult | null;
  /** The options the migration ran with (after presets and overrides). */
  options: Record<string, unknown>;
}

export interface PostcopyResult {
  /** Guest accesses that found their page missing and blocked the vCPU. */
  faults: number;
  /** Page requests that reached the source (QEMU postcopy-requests). */
  requests: number;
  pagesPushed: number;
  pagesRequested: number;
  /** Time a fault blocked the vCPU, s; quantiles at 0, 5, ..., 100 % of faults (null in the fluid model, which knows expectations only). */
  faultLatency: { mean: number; p50: number; p99: number; max: number; quantiles: number[] | null };
  /** Guest time blocked on faults, s. */
  blockedTime: number;
  /** [time s, faults so far, blocked time so far s] from the resume on, at most 256 rows (thinned evenly, the last kept). */
  timeline: [number, number, number][];
  /** Share of the guest's time at the destination lost to faults, until the last page arrived. */
  degradation: number;
}

export interface ReuseResult {
  policy: string;
  /** Pages not sent because the destination kept them unchanged. */
  reusedPages: number;
  /** reusedPages / pages of the VM. */
  reuseRatio: number;
  /** Bytes of the bitmap the destination sent to say what it holds. */
  exchangeBytes: number;
  /** Pages the source kept when the VM left it (this migration's departure). */
  keptPages: number;
  /** Pages not kept because they were predicted hot (skip-hot). */
  skippedHotPages: number;
}
