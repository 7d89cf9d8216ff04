/**
 * @module migration/algorithms/algorithm
 * The contract between a migration algorithm and the driver that executes it. An algorithm is a
 * controller: at each decision point the driver calls it, and it answers with actions (send a
 * chunk, sync the dirty log, stop and copy, switch to post-copy, wait, give up). The driver owns
 * everything that is the same for every algorithm (flows, events, the VM's run state, accounting,
 * failures); an algorithm never sees the event kernel or the network.
 *
 * A new algorithm is one file here implementing `MigrationAlgorithm`, plus its entry in
 * `registry.ts`.
 */

/** What the driver shows an algorithm at a decision point. */
export interface Observation {
  /** Time since the migration began, s. */
  elapsed: number;
  /** Live round in progress, or the round a sync just ended (1 = the bulk pass). */
  round: number;
  /** Pages still to send in the to-send set. */
  remainingPages: number;
  /** remainingPages x page size (QEMU counts pending in whole pages, zero pages included). */
  remainingBytes: number;
  /** Bandwidth estimate (the last live transfer's), bytes/s. */
  bandwidth: number;
  /** Wire bytes sent so far. */
  bytesSent: number;
  memoryBytes: number;
  /** Pages sent + skipped in the round that just ended (after a sync; 0 otherwise). */
  lastRoundPages: number;
}

/** The actions the driver carries out for an algorithm. */
export interface MigrationActions {
  /** The state now. */
  observe(): Observation;
  /** Opens a live round: the guest keeps running while pages go. */
  openLiveRound(): void;
  /** The next pass starts from the first page again (a round that is one pass: Xen, SimGrid). */
  restartScan(): void;
  /**
   * Sends pages in scan order up to `budget` wire bytes at the live rate; false when the pages
   * taken needed no bytes on the wire (skipped or unchanged), so nothing is in flight.
   */
  sendChunk(budget: number): boolean;
  /** Syncs the dirty log into the to-send set and closes the live round; the state after it. */
  syncDirtyLog(): Observation;
  /** Waits `seconds` (a sync's own time) before the next iteration (called with synced = true). */
  wait(seconds: number): void;
  /** Pauses the guest and sends what is left plus the device state; resumes at the destination. */
  stopAndCopy(reason: string): void;
  /**
   * Pauses the guest, sends the device state (and, after pre-copy, the discard list of pages
   * dirtied since they were sent) and resumes it at the destination; the pages follow.
   */
  switchToPostcopy(reason: string, afterPrecopy: boolean): void;
  /** Gives up at the timeout: the VM keeps running at the source. */
  timeOut(): void;
  /** Gives up for another reason: the VM keeps running at the source. */
  abort(reason: string): void;
  /** Rate of the live phase: the rate cap and the path's capacity, bytes/s. */
  liveRate(): number;
  /** Wire bytes of a full data page. */
  readonly pageWireBytes: number;
  readonly pageSize: number;
  /**
   * Whether a transfer may run to the next decision point in one flow instead of window by window:
   * true on fluid memory, whose state between two decisions is an expectation no window observes.
   */
  readonly wholeRounds: boolean;
}

/** Words for the phase a failure interrupted, when an algorithm has its own. */
export interface PhaseNames {
  live: string;
  postcopy: string;
}

export interface MigrationAlgorithm {
  /**
   * The guest runs at the source while memory moves: dirty pages are tracked, the pre-copy preset
   * applies, and so do the optimizations of live rounds (auto-converge, deferral).
   */
  readonly live: boolean;
  readonly phaseNames?: PhaseNames;
  /** Every page is marked to send and the hosts are ready: the first action. */
  start(m: MigrationActions): void;
  /** An iteration boundary of the live phase: a chunk arrived, or (`synced`) a wait ended. */
  iterate(m: MigrationActions, synced: boolean): void;
  /** The timeout fired before the switch-over began. */
  onTimeout(m: MigrationActions): void;
}
