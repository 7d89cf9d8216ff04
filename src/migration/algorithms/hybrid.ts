/**
 * @module migration/algorithms/hybrid
 * Hybrid migration: pre-copy first, then post-copy for the rest (QEMU's postcopy-after-precopy).
 * It is `Precopy` with a handover to `Postcopy`: QEMU switches after the first full pass
 * (`postcopyAfterRounds: 1`); lmsim also switches when pre-copy stalls (the pages left after a sync
 * have not fallen for `stallRounds` rounds) and, instead of cancelling, when the timeout is
 * reached. If pre-copy converges first, the migration ends with an ordinary stop-and-copy.
 */
import { MigrationActions, MigrationAlgorithm, Observation } from './algorithm.js';
import { Postcopy } from './postcopy.js';
import { Precopy, PrecopyRunOptions } from './precopy.js';
import { StallCounter } from './stall-detection.js';

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
  readonly #stall = new StallCounter();

  constructor(readonly options: HybridOptions) {}

  /** After the sync that ends `round`, with `remainingPages` left: the reason to switch, or null. */
  afterRound(round: number, remainingPages: number): string | null {
    const stalled = this.#stall.observe(remainingPages);
    if (round >= this.options.postcopyAfterRounds) return `switched to post-copy after ${round} pre-copy round${round > 1 ? 's' : ''}`;
    if (this.options.stallRounds > 0 && stalled >= this.options.stallRounds) {
      return `switched to post-copy: pre-copy made no progress for ${stalled} rounds`;
    }
    return null;
  }
}

export class Hybrid implements MigrationAlgorithm {
  readonly live = true;
  readonly phaseNames = { live: 'the pre-copy phase of a hybrid migration', postcopy: 'the post-copy phase of a hybrid migration' };
  readonly #precopy: Precopy;
  readonly #postcopy = new Postcopy();
  readonly #switch: HybridSwitch;
  /** Set by the timeout: the switch happens at the next iteration boundary. */
  #timedOut: string | null = null;

  constructor(readonly options: PrecopyRunOptions & HybridOptions & { timeout: number }) {
    this.#switch = new HybridSwitch(options);
    this.#precopy = new Precopy(options, {
      afterRound: (o: Observation) => this.#switch.afterRound(o.round, o.remainingPages),
      now: () => this.#timedOut,
      leave: (m, reason) => this.#postcopy.switchOver(m, reason, true),
    });
  }

  start(m: MigrationActions): void {
    this.#precopy.start(m);
  }

  iterate(m: MigrationActions, synced: boolean): void {
    this.#precopy.iterate(m, synced);
  }

  /** Not converged by the timeout: switch to post-copy at the next iteration. */
  onTimeout(): void {
    this.#timedOut = `switched to post-copy at the ${this.options.timeout} s timeout`;
  }
}
