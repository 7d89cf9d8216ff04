/**
 * @module migration/ledger
 * A migration's accounts: the result record, its rounds, bytes by phase, pages, the post-copy
 * figures and, at the end, the degradation and the QEMU block. The driver reports what happened;
 * the ledger writes it down.
 */
import { Chunk } from '../memory/page-transfer.js';
import type { Phase } from './failures.js';
import { MigrationOptions } from './options.js';
import { PostcopyMechanism } from './postcopy-phase.js';
import { QemuCounters, qemuInfo } from './qemu-info.js';
import { MigrationResult, MigrationStatus, RoundRecord } from './result.js';
import { ZERO } from '../core/doubles.js';

export class Ledger {
  readonly result: MigrationResult;
  /** Dirty-bitmap syncs, the setup one included (QEMU's dirty-sync-count). */
  syncs = 0;
  #round: RoundRecord | null = null;

  constructor(vm: string, from: string, to: string, at: number, options: MigrationOptions, preset: string | null) {
    // (the nested records are made first: a literal without nested literals is copied flat, a
    // nested one by a slow walk, once per migration)
    const bytesByPhase = { setup: ZERO, live: ZERO, stopAndCopy: ZERO, postcopy: ZERO };
    const rounds: RoundRecord[] = [];
    this.result = {
      vm,
      from,
      to,
      algorithm: options.algorithm,
      preset,
      status: 'unfinished',
      reason: 'not started',
      startTime: ZERO,
      endTime: null,
      totalTime: null,
      downtime: null,
      bytesTransferred: ZERO,
      bytesByPhase,
      pagesTransferred: ZERO,
      zeroPages: ZERO,
      rounds,
      stalePagesAtResume: null,
      postcopy: null,
      reuse: null,
      queuedFor: 0,
      degradation: 0,
      throttle: null,
      deferral: null,
      freePagesSkipped: 0,
      dedupPages: 0,
      qemu: null,
      // the options object itself, not a copy: nothing changes a migration's options once it is made
      // (the members of a VM group share one)
      options: options as unknown as Record<string, unknown>,
    };
    this.result.startTime = at; // (laid out as a double first: core/doubles.ts)
  }

  /** The round in progress, or the last one closed. */
  get roundIndex(): number {
    return this.#round?.index ?? this.result.rounds.length;
  }

  /** Pages sent + skipped in the round in progress. */
  get roundPages(): number {
    return this.#round!.pagesSent + this.#round!.pagesSkipped;
  }

  /** Bytes that arrived (a whole transfer, or the part of an aborted one). */
  account(bytes: number, phase: Phase): void {
    this.result.bytesTransferred += bytes;
    const phases = this.result.bytesByPhase;
    if (phase === 'setup') phases.setup += bytes;
    else if (phase === 'live') phases.live += bytes;
    else phases.stopAndCopy += bytes; // the stop-and-copy, or the switch-over's device state
  }

  /** An aborted transfer's bytes that never left. */
  unsent(bytes: number): void {
    if (this.#round) this.#round.bytesSent -= bytes;
  }

  openRound(now: number, kind: RoundRecord['kind']): void {
    const round: RoundRecord = {
      index: this.result.rounds.length + 1,
      kind,
      start: ZERO,
      duration: ZERO,
      pagesSent: ZERO,
      zeroPages: ZERO,
      pagesSkipped: ZERO,
      bytesSent: ZERO,
      pagesDirtied: ZERO,
      bandwidth: ZERO,
    };
    round.start = now; // (laid out as a double first: core/doubles.ts)
    this.#round = round;
  }

  addChunk(chunk: Chunk): void {
    const r = this.#round!;
    r.pagesSent += chunk.pages;
    r.zeroPages += chunk.zeroPages;
    r.pagesSkipped += chunk.skipped;
    r.bytesSent += chunk.wireBytes;
    this.result.pagesTransferred += chunk.pages;
    this.result.zeroPages += chunk.zeroPages;
  }

  /** Bytes of the round besides pages (device state, discard list). */
  addRoundBytes(bytes: number): void {
    this.#round!.bytesSent += bytes;
  }

  closeRound(now: number, pagesDirtied: number): void {
    const r = this.#round;
    if (!r) return;
    r.duration = now - r.start;
    r.pagesDirtied = pagesDirtied;
    r.bandwidth = r.duration > 0 ? r.bytesSent / r.duration : 0;
    this.result.rounds.push(r);
    this.#round = null;
  }

  /** Post-copy transfers are accounted when they leave the source. */
  postcopySent(bytes: number, pages: number, zeroPages: number): void {
    this.result.bytesTransferred += bytes;
    this.result.bytesByPhase.postcopy += bytes;
    this.result.pagesTransferred += pages;
    this.result.zeroPages += zeroPages;
    const r = this.#round!;
    r.pagesSent += pages;
    r.zeroPages += zeroPages;
    r.bytesSent += bytes;
  }

  /** @param running the guest's time at the destination so far, s */
  postcopyStats(p: PostcopyMechanism, running: number): void {
    const s = p.stats;
    this.result.postcopy = {
      faults: s.faults,
      requests: s.requests,
      pagesPushed: s.pagesPushed,
      pagesRequested: s.pagesRequested,
      faultLatency: p.latencySummary(),
      blockedTime: s.blockedTime,
      timeline: s.timeline.rows(),
      degradation: running > 0 ? Math.min(1, s.blockedTime / running) : 0,
    };
  }

  /** The end: status and times; for a migration that began, the degradation and the QEMU block. */
  finish(now: number, status: MigrationStatus, reason: string, counters: Omit<QemuCounters, 'syncs' | 'throttlePercent'>): void {
    const r = this.result;
    r.status = status;
    r.reason = reason;
    if (status !== 'rejected') {
      r.endTime = now;
      r.totalTime = now - r.startTime;
    }
    if (status !== 'completed') r.downtime = null;
    if (status === 'rejected') return;
    const running = r.totalTime! - (r.downtime ?? 0);
    const lost = (r.throttle?.lostTime ?? 0) + (r.postcopy?.blockedTime ?? 0);
    r.degradation = running > 0 ? Math.min(1, lost / running) : 0;
    // (written out: a spread copy of the driver's counters got a new hidden class in every
    // migration, and every read of it in qemuInfo missed V8's inline caches)
    const { normalPages, remainingPages, pageSize, memory, xbzrle, returnLatency } = counters;
    r.qemu = qemuInfo(r, { normalPages, remainingPages, pageSize, memory, xbzrle, returnLatency, syncs: this.syncs, throttlePercent: r.throttle?.maxPercent ?? 0 });
  }
}
