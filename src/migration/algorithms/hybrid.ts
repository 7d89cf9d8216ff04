/**
 * @module migration/algorithms/hybrid
 * Hybrid migration: pre-copy first, then post-copy for the rest. QEMU's postcopy-after-precopy
 * switches after the first full pass (`postcopyAfterRounds: 1`); lmsim also switches when
 * pre-copy stalls (the pages left after a sync have not fallen for `stallRounds` rounds) and,
 * instead of cancelling, when the timeout is reached. If pre-copy converges first, the migration
 * ends with an ordinary stop-and-copy.
 */

export interface HybridOptions {
  /** Switch to post-copy after this many pre-copy rounds (Infinity: only on stall or timeout). */
  postcopyAfterRounds: number;
  /** Switch when the pages left after a sync have not fallen for this many rounds (0: off). */
  stallRounds: number;
}

export const hybridDefaults: HybridOptions = {
  postcopyAfterRounds: 1,
  stallRounds: 3,
};

/** Tracks pre-copy progress and says when to switch. Pure: fed plain numbers. */
export class HybridSwitch {
  #best = Infinity;
  #stalled = 0;

  constructor(readonly options: HybridOptions) {}

  /** After the sync that ends `round`, with `remainingPages` left: the reason to switch, or null. */
  afterRound(round: number, remainingPages: number): string | null {
    if (remainingPages < this.#best) {
      this.#best = remainingPages;
      this.#stalled = 0;
    } else {
      this.#stalled++;
    }
    if (round >= this.options.postcopyAfterRounds) return `switched to post-copy after ${round} pre-copy round${round > 1 ? 's' : ''}`;
    if (this.options.stallRounds > 0 && this.#stalled >= this.options.stallRounds) {
      return `switched to post-copy: pre-copy made no progress for ${this.#stalled} rounds`;
    }
    return null;
  }
}
