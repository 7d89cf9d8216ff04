/**
 * @module migration/algorithms/stall-detection
 * Pre-copy that notices when it has stopped making progress and acts instead of running on to its
 * timeout: after `stallRounds` dirty-log syncs in a row whose pages left did not fall below the
 * best seen, it aborts (the VM keeps running at the source) or switches to post-copy
 * (`onStall`). References: kubevirt's `progressTimeout` (abort when the data remaining has not
 * decreased for a while) and VEP 248's stall detection at iteration boundaries
 * (kubevirt/enhancements#252); OpenStack's `live_migration_timeout_action` (abort, or
 * force_complete: post-copy when permitted).
 */
import { MigrationActions, MigrationAlgorithm } from './algorithm.js';
import { Postcopy } from './postcopy.js';
import { Precopy, PrecopyRunOptions } from './precopy.js';

export const stallActions = ['abort', 'postcopy'] as const;
export type StallAction = (typeof stallActions)[number];

/** Counts syncs after which the pages left did not fall below the best seen. Pure. */
export class StallCounter {
  #best = Infinity;
  /** Syncs in a row without progress. */
  stalled = 0;

  /** After a sync with `remainingPages` left: the syncs in a row without progress. */
  observe(remainingPages: number): number {
    if (remainingPages < this.#best) {
      this.#best = remainingPages;
      this.stalled = 0;
    } else {
      this.stalled++;
    }
    return this.stalled;
  }
}

export class StallDetection implements MigrationAlgorithm {
  readonly live = true;
  readonly #precopy: Precopy;
  readonly #stall = new StallCounter();
  readonly #postcopy = new Postcopy();

  constructor(readonly options: PrecopyRunOptions & { stallRounds: number; onStall: StallAction }) {
    this.#precopy = new Precopy(options, {
      afterRound: (o) => {
        const stalled = this.#stall.observe(o.remainingPages);
        return options.stallRounds > 0 && stalled >= options.stallRounds ? `pre-copy made no progress for ${stalled} syncs` : null;
      },
      now: () => null,
      leave: (m, reason) => (options.onStall === 'postcopy' ? this.#postcopy.switchOver(m, `switched to post-copy: ${reason}`, true) : m.abort(reason)),
    });
  }

  start(m: MigrationActions): void {
    this.#precopy.start(m);
  }

  iterate(m: MigrationActions, synced: boolean): void {
    this.#precopy.iterate(m, synced);
  }

  onTimeout(m: MigrationActions): void {
    m.timeOut();
  }
}
