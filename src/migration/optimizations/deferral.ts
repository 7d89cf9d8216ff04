/**
 * @module migration/optimizations/deferral
 * Hot-page deferral for pre-copy (the seed's related work: time-series prediction, Hu et al.,
 * ICPADS 2011; history-based TPO, Sharma & Chawla 2016): pages dirtied in most recent rounds are
 * predicted hot and held back to the stop-and-copy instead of being re-sent every round.
 *
 * History: 8 bits per page, bit 0 = dirtied in the last round, shifted at every sync.
 * Predictors over the last `window` rounds:
 * - `threshold`: hot if dirtied in at least `threshold` of them;
 * - `time-series`: hot if sum of decay^age over the rounds it was dirtied in (age 0 = last round)
 *   reaches `threshold`, so recent rounds weigh more.
 */
import { Bitset } from '../../memory/bitset.js';
import { PageImage } from '../../memory/page-image.js';

export const deferralPredictors = ['threshold', 'time-series'] as const;

export interface DeferralOptions {
  predictor: (typeof deferralPredictors)[number];
  /** Rounds of history the predictor looks at (1..8). */
  window: number;
  /** Rounds (threshold) or weighted score (time-series) that make a page hot. */
  threshold: number;
  /** Weight of a round one older than the previous (time-series). */
  decay: number;
}

export const deferralDefaults: DeferralOptions = { predictor: 'threshold', window: 4, threshold: 2, decay: 0.5 };

/** What deferral did: pages held back, and predictions that proved wrong. */
export interface DeferralStats {
  /** Distinct pages held back for the stop-and-copy. */
  deferredPages: number;
  /** Held-back pages that were not written again before the pause: they could have gone earlier. */
  wronglyDeferred: number;
  /** Pages sent in a round and dirtied again before the pause: re-sent because not predicted hot. */
  wronglySent: number;
}

export class HotPageDeferral {
  readonly #history: Uint8Array;
  /** Score of each history byte (precomputed per predictor). */
  readonly #hot = new Uint8Array(256);
  /** Generation of each deferred page when it was held back. */
  readonly #deferredVersion: Uint8Array;
  /** The image's write generations (a held-back page written again has another). */
  readonly #versions: Uint8Array;
  readonly #everDeferred: Bitset;
  /** Pages sent in a live round (not deferred) since the last sync. */
  readonly #sentThisRound: Bitset;
  readonly stats: DeferralStats = { deferredPages: 0, wronglyDeferred: 0, wronglySent: 0 };

  constructor(readonly image: PageImage, readonly options: DeferralOptions) {
    this.#history = new Uint8Array(image.pageCount);
    this.#deferredVersion = new Uint8Array(image.pageCount);
    this.#versions = image.versions();
    this.#everDeferred = new Bitset(image.pageCount);
    this.#sentThisRound = new Bitset(image.pageCount);
    const window = Math.max(1, Math.min(8, options.window));
    for (let h = 0; h < 256; h++) {
      let score = 0;
      for (let age = 0; age < window; age++) {
        if (h & (1 << age)) score += options.predictor === 'time-series' ? options.decay ** age : 1;
      }
      this.#hot[h] = score >= options.threshold - 1e-9 ? 1 : 0;
    }
  }

  /** Asked by the scan for each page it is about to send. */
  readonly defer = (p: number): boolean => {
    if (this.#hot[this.#history[p]] === 0) {
      this.#sentThisRound.add(p);
      return false;
    }
    if (this.#everDeferred.add(p)) this.stats.deferredPages++;
    this.#deferredVersion[p] = this.#versions[p];
    return true;
  };

  /** At a sync: shift every page's history in, count pages sent and dirtied again. */
  onSync(log: Bitset): void {
    const h = this.#history;
    for (let p = 0; p < h.length; p++) h[p] = ((h[p] << 1) & 0xff) | (log.has(p) ? 1 : 0);
    const sent = this.#sentThisRound;
    for (let p = sent.nextSet(0); p >= 0; p = sent.nextSet(p + 1)) if (log.has(p)) this.stats.wronglySent++;
    sent.clear();
  }

  /** At the pause: held-back pages that did not change meanwhile were deferred for nothing. */
  onPause(deferred: Bitset): void {
    for (let p = deferred.nextSet(0); p >= 0; p = deferred.nextSet(p + 1)) {
      if (this.#deferredVersion[p] === this.#versions[p]) this.stats.wronglyDeferred++;
    }
  }
}
