/**
 * @module migration/algorithms/precopy
 * Pre-copy (Clark et al., "Live Migration of Virtual Machines", NSDI 2005), in its three phases:
 *
 *     1. warm-up (push): send every page while the VM runs
 *     2. iterative pre-copy: sync the dirty log; if a stop rule holds, go to 3; else send the
 *        pages dirtied meanwhile, and sync again
 *     3. stop-and-copy: pause, send the rest + device state, resume at the destination
 *
 * `PrecopyPolicy` holds the rules (when to sync, when to stop), pure and fed plain numbers; the
 * presets that differ only in those rules are in `precopy-presets.ts`. `Precopy` runs the phases.
 */
import { MigrationActions, MigrationAlgorithm, Observation } from './algorithm.js';
import { PrecopyOptions } from './precopy-presets.js';

export { precopyPresetNames, precopyPresets } from './precopy-presets.js';
export type { PrecopyOptions, PrecopyPresetName } from './precopy-presets.js';

/** What the driver shows the policy at a check. */
export type PrecopyObservation = Observation;

/** The pre-copy decisions, given options. Pure: no engine access. */
export class PrecopyPolicy {
  /**
   * @param options the preset's rules
   * @param availSwitchoverBandwidth bytes/s to decide the switch-over with instead of the estimate
   *   (QEMU `avail-switchover-bandwidth`); 0 = use the estimate
   */
  constructor(readonly options: PrecopyOptions, readonly availSwitchoverBandwidth = 0) {}

  threshold(o: PrecopyObservation): number {
    const bandwidth = this.availSwitchoverBandwidth > 0 ? this.availSwitchoverBandwidth : o.bandwidth;
    return bandwidth * this.options.downtimeLimit;
  }

  /** At an iteration boundary: sync the dirty bitmap now? */
  shouldSync(o: PrecopyObservation): boolean {
    if (o.remainingPages === 0) return true;
    return this.options.syncRule === 'below-threshold' && o.remainingBytes < this.threshold(o);
  }

  /** After a sync: the reason to stop and copy, or null to go on with another round. */
  stopReason(o: PrecopyObservation): string | null {
    const opt = this.options;
    if (o.remainingPages === 0) return 'nothing left to send';
    if (opt.downtimeLimit > 0 && o.remainingBytes < this.threshold(o)) return 'expected downtime below the limit';
    const dirty = opt.minDirtyBasis === 'sent-last-round' ? o.lastRoundPages : o.remainingPages;
    if (dirty < opt.minDirtyPages) return `fewer than ${opt.minDirtyPages} dirty pages`;
    if (o.round >= opt.maxRounds) return `round cap (${opt.maxRounds}) reached`;
    if (o.bytesSent >= opt.maxSentFactor * o.memoryBytes) return `${opt.maxSentFactor}x memory sent`;
    return null;
  }

  /** Wire bytes per iteration at the given rate (bytes/s). */
  iterationBytes(rate: number, pageWireBytes: number): number {
    const opt = this.options;
    if (opt.batchPages > 0) return opt.batchPages * pageWireBytes;
    return Math.max(pageWireBytes, rate * opt.iterationWindow);
  }
}

/** How pre-copy hands over to a next phase instead of stopping (hybrid, stall detection). */
export interface Handover {
  /** After a round that did not converge: the reason to leave pre-copy now, or null. */
  afterRound(o: Observation): string | null;
  /** At an iteration boundary: the reason to leave now (e.g. a timeout), or null. */
  now(): string | null;
  /** The next phase. */
  leave(m: MigrationActions, reason: string): void;
}

/** Options pre-copy runs with: its preset's rules and the sync's own time. */
export type PrecopyRunOptions = PrecopyOptions & { syncTime: number; availSwitchoverBandwidth: number };

export class Precopy implements MigrationAlgorithm {
  readonly live = true;
  readonly policy: PrecopyPolicy;

  /** @param handover where pre-copy goes when it leaves before converging (null: only stop-and-copy) */
  constructor(readonly options: PrecopyRunOptions, readonly handover: Handover | null = null) {
    this.policy = new PrecopyPolicy(options, options.availSwitchoverBandwidth);
  }

  /** 1. Warm-up: every page is marked to send; the first round is the bulk pass. */
  start(m: MigrationActions): void {
    m.openLiveRound();
    this.iterate(m, false);
  }

  /** 2. Iterative pre-copy, at each iteration boundary; `synced`: a sync's time just passed. */
  iterate(m: MigrationActions, synced: boolean): void {
    const leave = this.handover?.now() ?? null;
    if (leave !== null) return this.handover!.leave(m, leave);
    for (;;) {
      if (!synced && this.policy.shouldSync(m.observe())) {
        const o = m.syncDirtyLog();
        const stop = this.policy.stopReason(o);
        if (stop !== null) return m.stopAndCopy(stop); // 3. stop-and-copy
        const handover = this.handover?.afterRound(o) ?? null;
        if (handover !== null) return this.handover!.leave(m, handover);
        m.openLiveRound();
        if (this.options.syncRule === 'round-end') m.restartScan(); // a Xen/SimGrid round is one pass
        if (this.options.syncTime > 0) return m.wait(this.options.syncTime); // the sender waits for the sync
      }
      synced = false;
      // a batch of only skipped (or unchanged) pages sends nothing: check again at once
      if (m.sendChunk(this.#budget(m))) return;
    }
  }

  onTimeout(m: MigrationActions): void {
    m.timeOut();
  }

  /**
   * Bytes to send before the next check: one iteration (QEMU's 100 ms window, Xen's batch, a
   * SimGrid round). Memory sent in whole rounds goes up to the next decision point in one
   * transfer: the first whole window after pending falls below the threshold (QEMU's rule; new
   * dirt waits in the log meanwhile), or the whole pass (Xen, SimGrid).
   */
  #budget(m: MigrationActions): number {
    const perPage = m.pageWireBytes;
    if (!m.wholeRounds) return this.policy.iterationBytes(m.liveRate(), perPage);
    const o = m.observe();
    if (this.options.syncRule === 'round-end') return o.remainingPages * perPage;
    const threshold = this.policy.threshold(o);
    const window = this.policy.iterationBytes(m.liveRate(), perPage);
    if (!(threshold > 0)) return window; // no estimate yet: one window measures the bandwidth
    // whole windows, as QEMU checks only between its 100 ms iterations
    const above = (o.remainingPages - threshold / m.pageSize) * perPage;
    return Math.max(1, Math.ceil(above / window)) * window;
  }
}
