/**
 * @module migration/algorithms/postcopy
 * Post-copy (Hines & Gopalan, VEE 2009; QEMU postcopy-ram) as policy: which page the source pushes
 * next. After switch-over the source pushes pages in the background; a guest access to a missing
 * page is a network fault served on demand. Pre-paging decides where the push goes after a fault:
 * - `forward` (QEMU: the scan restarts at the requested page and goes on from there),
 * - `bubble` (Hines & Gopalan: pages on both sides of the faulting page, alternately),
 * - `none` (the push keeps its own order; faults are pure demand paging).
 *
 *     switch-over: pause, send the CPU and device state, resume at the destination at once
 *     then: push the pages in the background while faults fetch the pages the guest needs
 *
 * The phase after the switch-over (pushes, faults, the guest access by access) is the mechanism in
 * `../postcopy-phase.ts` (page-exact) and `../fluid-postcopy.ts` (fluid memory).
 */
import { Bitset } from '../../memory/bitset.js';
import { MigrationActions, MigrationAlgorithm } from './algorithm.js';

export const prepagingModes = ['forward', 'bubble', 'none'] as const;
export type Prepaging = (typeof prepagingModes)[number];

export interface PostcopyOptions {
  prepaging: Prepaging;
  /** Page requests on their own channel (QEMU postcopy-preempt) instead of behind the push stream. */
  preempt: boolean;
  /** Bytes per push transfer: what a page request waits behind on a shared channel. */
  pushChunk: number;
  /** Rate cap of the post-copy phase, bytes/s (QEMU max-postcopy-bandwidth; Infinity = none). */
  maxPostcopyBandwidth: number;
  /**
   * The rate cap is kept per window of this many seconds (QEMU: BUFFER_DELAY, 100 ms): each
   * window's budget goes out at the link's rate, then nothing until the next window, page
   * requests included (QEMU checks the rate limit before it serves its request queue); 0 = a
   * smooth rate cap.
   */
  postcopyWindow: number;
  /**
   * Time from a guest's fault to its page request leaving the destination, s (the userfault's
   * delivery and the fault thread's turn; a machine's constant).
   */
  faultService: number;
  /**
   * What the destination does after a post-copy switch-over's device state has arrived and before
   * the guest runs, beyond resumeLatency, s: it registers guest RAM with userfaultfd
   * (POSTCOPY_LISTEN), discards the pages dirtied since they were sent and loads the device-state
   * package, whose device loads may fault on missing pages (QEMU migration/savevm.c:
   * loadvm_postcopy_handle_listen, loadvm_postcopy_ram_handle_discard, loadvm_handle_cmd_packaged,
   * loadvm_postcopy_handle_run_bh); the source's push goes on meanwhile. 0 = none.
   */
  postcopySetup: number;
}

export const postcopyDefaults: PostcopyOptions = {
  prepaging: 'forward',
  preempt: false,
  pushChunk: 1024 * 1024,
  maxPostcopyBandwidth: Infinity,
  postcopyWindow: 0.1,
  faultService: 0,
  postcopySetup: 0,
};

/** The background push order over the pages still to send. */
export class PushOrder {
  #forward = 0;
  #backward = -1;
  #turn = 0;

  constructor(readonly prepaging: Prepaging) {}

  /** A fault at `page` reached the source: re-centre the push there. */
  onRequest(page: number): void {
    if (this.prepaging === 'none') return;
    this.#forward = page + 1;
    this.#backward = this.prepaging === 'bubble' ? page - 1 : -1;
    this.#turn = 0;
  }

  /** The next page to push, or -1 when nothing is left. */
  next(toSend: Bitset): number {
    if (toSend.count === 0) return -1;
    if (this.#backward >= 0 && this.#turn++ % 2 === 1) {
      const p = toSend.prevSet(this.#backward);
      if (p >= 0) {
        this.#backward = p - 1;
        return p;
      }
      this.#backward = -1; // nothing left behind the pivot: go forward only
    }
    let p = toSend.nextSet(this.#forward);
    if (p < 0) p = toSend.nextSet(0);
    this.#forward = p + 1;
    return p;
  }
}

export class Postcopy implements MigrationAlgorithm {
  readonly live = false;

  start(m: MigrationActions): void {
    this.switchOver(m, 'post-copy: switched over at once', false);
  }

  /** No live phase: nothing happens at iteration boundaries. */
  iterate(): void {}

  onTimeout(m: MigrationActions): void {
    m.timeOut();
  }

  /** The switch-over; after pre-copy the destination also learns which pages it holds are stale. */
  switchOver(m: MigrationActions, reason: string, afterPrecopy: boolean): void {
    m.switchToPostcopy(reason, afterPrecopy);
  }
}
