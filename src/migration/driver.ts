/**
 * @module migration/driver
 * The mechanism of a migration: transfers on the network, dirty tracking, the VM's run state,
 * bandwidth estimates, timeouts, capacity, failures, metrics. Decisions come from the policies in
 * algorithms/ (pre-copy stop rules, the hybrid switch, the post-copy push order).
 *
 *   stop-and-copy: pause -> send everything -> resume
 *   precopy:       live rounds -> stop-and-copy of the rest -> resume
 *   postcopy:      pause -> device state -> resume at the destination; pages follow (postcopy-phase.ts)
 *   hybrid:        live rounds -> pause -> device state + discard list -> resume; the rest follows
 *
 * Events: one per iteration (a rate-limit window or a batch), per transfer, per fault: never one
 * per page.
 */
import { EventTarget, Simulation } from '../core/kernel.js';
import { FluidTransfer } from '../memory/fluid.js';
import { Chunk, MemoryTransfer, newChunk, PageTransfer } from '../memory/page-transfer.js';
import { Flow, FlowOwner } from '../network/network.js';
import { HybridSwitch } from './algorithms/hybrid.js';
import { PrecopyObservation, PrecopyPolicy } from './algorithms/precopy.js';
import { MigrationOptions } from './options.js';
import { FluidPostcopyPhase } from './fluid-postcopy.js';
import { PostcopyMechanism, PostcopyOwner, PostcopyPhase } from './postcopy-phase.js';
import { KeptImage, type ReusableImage } from './reuse.js';
import { QemuPageEncoder } from './optimizations/encoder.js';
import { AutoConverge, throttledSpeed } from './optimizations/throttle.js';
import { HotPageDeferral } from './optimizations/deferral.js';
import { qemuInfo } from './qemu-info.js';
import { MigrationResult, MigrationStatus, RoundRecord } from './result.js';
import { Host, Vm, World } from './world.js';

const enum Ev {
  Start,
  Timeout,
  Resume,
  SetupDone,
  AfterSync,
}

/** Discard list entries are (start, length) ranges: 16 bytes each. */
const DISCARD_RANGE_BYTES = 16;

export type Phase = 'pending' | 'queued' | 'setup' | 'live' | 'stop-and-copy' | 'switchover' | 'postcopy' | 'resuming' | 'done';

/** What a failure took away, as seen by one migration. */
export interface FailureImpact {
  what: string;
  sourceLost: boolean;
  destinationLost: boolean;
}

export class Migration implements EventTarget, FlowOwner, PostcopyOwner {
  phase: Phase = 'pending';
  readonly result: MigrationResult;
  readonly #policy: PrecopyPolicy;
  readonly #hybrid: HybridSwitch | null;
  readonly #encoder: QemuPageEncoder;
  #throttle: AutoConverge | null = null;
  #deferral: HotPageDeferral | null = null;
  /** Guest time lost to the throttle so far, s, and since when the current throttle holds. */
  #throttleLost = 0;
  #throttleSince = 0;
  /** Dirty-bitmap syncs, the setup one included (QEMU's dirty-sync-count). */
  #syncs = 0;
  #source!: Host;
  #transfer: MemoryTransfer | null = null;
  #flow: Flow | null = null;
  #postcopy: PostcopyMechanism | null = null;
  #chunk: Chunk = newChunk();
  #chunkStart = 0;
  #round: RoundRecord | null = null;
  #bandwidth = 0;
  #pausedAt = 0;
  #resumedAt = -1;
  #timeoutEvent = -1;
  #switchRequested: string | null = null;
  #queuedAt = -1;
  /** Migrations that start when this one has completed (a sequence such as A -> B, then B -> A). */
  readonly #dependents: Migration[] = [];

  /**
   * @param at start time, s; with `after`, the delay after that migration completed
   * @param after a migration this one waits for
   */
  constructor(
    readonly world: World,
    readonly vm: Vm,
    readonly destination: Host,
    readonly at: number,
    readonly options: MigrationOptions,
    readonly after: Migration | null = null,
  ) {
    this.#policy = new PrecopyPolicy(options, options.availSwitchoverBandwidth);
    this.#hybrid = options.algorithm === 'hybrid' ? new HybridSwitch(options) : null;
    this.#encoder = new QemuPageEncoder(vm.image, vm.pageSize, options.pageHeader, options.zeroPageBytes, Infinity, vm.compressibility, options);
    const hasPreset = options.algorithm === 'precopy' || options.algorithm === 'hybrid';
    this.result = {
      vm: vm.name,
      from: vm.host.name,
      to: destination.name,
      algorithm: options.algorithm,
      preset: hasPreset ? options.preset : null,
      status: 'unfinished',
      reason: 'not started',
      startTime: at,
      endTime: null,
      totalTime: null,
      downtime: null,
      bytesTransferred: 0,
      bytesByPhase: { setup: 0, live: 0, stopAndCopy: 0, postcopy: 0 },
      pagesTransferred: 0,
      zeroPages: 0,
      rounds: [],
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
      options: { ...options },
    };
    if (after) {
      after.#dependents.push(this);
      this.result.reason = `waits for the migration of ${after.vm.name} to ${after.destination.name}`;
    } else {
      world.sim.scheduleAt(at, this, Ev.Start);
    }
  }

  get source(): Host {
    return this.#source ?? this.vm.host;
  }

  onEvent(kind: number, sim: Simulation): void {
    if (this.phase === 'done') return;
    if (kind === Ev.Start) {
      this.result.startTime = sim.now;
      this.#source = this.vm.host;
      this.world.admit(this);
    } else if (kind === Ev.Timeout) this.#onTimeout(sim);
    else if (kind === Ev.Resume) this.#resume(sim);
    else if (kind === Ev.SetupDone) this.#startTransfer(sim);
    else if (kind === Ev.AfterSync) this.#iterate(sim, true);
  }

  /** No slot free on one of the hosts: the migration waits (World.admit). */
  queued(): void {
    this.phase = 'queued';
    this.#queuedAt = this.world.sim.now;
    this.result.reason = `waiting for a free migration slot on ${this.source.name} or ${this.destination.name}`;
  }

  onFlowDone(flow: Flow, sim: Simulation): void {
    this.#flow = null;
    this.#account(flow.size);
    if (this.phase === 'setup') {
      sim.schedule(this.world.latency, this, Ev.SetupDone); // the bitmap reaches the source
    } else if (this.phase === 'live') {
      const elapsed = sim.now - this.#chunkStart;
      if (elapsed > 0) this.#bandwidth = flow.size / elapsed;
      this.#iterate(sim);
    } else if (this.phase === 'stop-and-copy') {
      this.phase = 'resuming';
      this.#closeRound(sim.now, 0);
      // the final bitmap sync's own time (pre-copy), the last byte's flight, the destination's resume
      const finalSync = this.#syncs > 0 ? this.options.syncTime : 0;
      sim.schedule(this.world.latency + this.options.resumeLatency + finalSync, this, Ev.Resume);
    } else if (this.phase === 'switchover') {
      // device state sent: the source starts pushing, the destination resumes shortly
      this.phase = 'postcopy';
      this.#closeRound(sim.now, 0);
      this.#openRound(sim.now, 'postcopy');
      sim.schedule(this.world.latency + this.options.resumeLatency, this, Ev.Resume);
      this.#postcopy!.startPush();
    }
  }

  // ---- phases ----------------------------------------------------------------------------

  /** Slots granted (World.admit): check, reserve, and start moving memory. */
  begin(sim: Simulation): void {
    const vm = this.vm, dst = this.destination;
    this.#source = vm.host;
    this.result.from = vm.host.name;
    if (this.#queuedAt >= 0) this.result.queuedFor = sim.now - this.#queuedAt;
    this.result.startTime = sim.now;
    const refusal = this.#refusal(sim);
    if (refusal) return this.#end(sim, 'rejected', refusal);
    vm.migrating = true;
    vm.advanceTo(sim.now);
    this.#transfer = vm.createTransfer();
    this.#transfer.markAll();
    this.#setUpPageOptimizations();
    const kept = dst.kept.get(vm);
    if (kept) this.#reuse(sim, kept);
    dst.reserve(vm.memory, sim.now);
    this.result.reason = 'in progress';
    if (Number.isFinite(this.options.timeout)) this.#timeoutEvent = sim.schedule(this.options.timeout, this, Ev.Timeout);
    if (this.options.algorithm === 'precopy' || this.options.algorithm === 'hybrid') {
      vm.startTracking();
      this.#syncs = 1; // the setup sync: everything is dirty
      this.#throttle = new AutoConverge(this.options, sim.now);
    }
    if (kept) {
      // the destination tells the source which pages it holds: a bitmap, one bit per page
      this.phase = 'setup';
      this.#send(sim, this.result.reuse!.exchangeBytes, Infinity, true);
      return;
    }
    this.#startTransfer(sim);
  }

  /** Deferral, free-page hinting and dedup work on page-exact memory (the scenario checks it). */
  #setUpPageOptimizations(): void {
    const t = this.#transfer, o = this.options, image = this.vm.image;
    if (!(t instanceof PageTransfer) || !image) return;
    if (o.deferHot && (o.algorithm === 'precopy' || o.algorithm === 'hybrid')) {
      this.#deferral = new HotPageDeferral(image, o.deferHot);
      t.deferral = this.#deferral.defer;
    }
    t.skipFree = o.freePageHinting;
    if (o.dedup) this.#encoder.dedupSeen = this.destination.contents;
  }

  /** Deferred pages join the pages to send now (the pause). */
  #releaseDeferred(): void {
    const t = this.#transfer;
    if (!(t instanceof PageTransfer) || !this.#deferral) return;
    this.#deferral.onPause(t.deferred);
    t.deferral = null;
    t.releaseDeferred();
  }

  /** The VM comes back to a host that kept its image: those pages need not travel. */
  #reuse(sim: Simulation, kept: ReusableImage): void {
    const pages = this.vm.pageCount;
    const reused = kept.reuseInto(this.#transfer!, sim);
    this.result.reuse = {
      policy: kept.options.policy,
      reusedPages: reused,
      reuseRatio: reused / pages,
      exchangeBytes: Math.ceil(pages / 8),
      keptPages: 0,
      skippedHotPages: 0,
    };
  }

  #startTransfer(sim: Simulation): void {
    if (this.options.algorithm === 'stop-and-copy') return this.#stopAndCopy(sim, 'non-live migration');
    if (this.options.algorithm === 'postcopy') return this.#switchToPostcopy(sim, 'post-copy: switched over at once');
    this.phase = 'live';
    this.#openRound(sim.now, 'live');
    this.#iterate(sim);
  }

  /** Why this migration cannot start, or null. */
  #refusal(sim: Simulation): string | null {
    const vm = this.vm, dst = this.destination, src = vm.host;
    if (vm.state !== 'running') return `VM ${vm.name} is ${vm.state}, not running`;
    if (vm.migrating) return `VM ${vm.name} is already migrating`;
    if (src === dst) return `VM ${vm.name} is already on host ${dst.name}`;
    if (!dst.alive) return `host ${dst.name} is down`;
    if (!this.world.reachable(src, dst)) return `hosts ${src.name} and ${dst.name} cannot reach each other (link ${src.name}-${dst.name} failed)`;
    // the VM's own kept image becomes part of its memory there; other kept images may be evicted
    const own = dst.kept.get(vm)?.bytes ?? 0;
    if (!dst.makeRoom(vm.memory - own, vm, sim)) {
      return `host ${dst.name} has ${gib(dst.memory - dst.used)} free, VM ${vm.name} needs ${gib(vm.memory)}`;
    }
    return null;
  }

  /**
   * Iteration boundaries of the live phase: check, maybe sync and decide, then send a chunk.
   * `synced`: called back after a sync's own time has passed, so go straight to sending.
   */
  #iterate(sim: Simulation, synced = false): void {
    const t = this.#transfer!, vm = this.vm;
    vm.advanceTo(sim.now);
    if (this.#switchRequested) return this.#switchToPostcopy(sim, this.#switchRequested);
    for (;;) {
      if (!synced && this.#policy.shouldSync(this.#observe())) {
        const lastRoundPages = this.#round!.pagesSent + this.#round!.pagesSkipped;
        const round = this.#round!.index;
        this.#closeRound(sim.now, this.#sync(sim));
        const reason = this.#policy.stopReason({ ...this.#observe(), lastRoundPages });
        if (reason !== null) return this.#stopAndCopy(sim, reason);
        const switchReason = this.#hybrid?.afterRound(round, t.remainingPages) ?? null;
        if (switchReason !== null) return this.#switchToPostcopy(sim, switchReason);
        this.#openRound(sim.now, 'live');
        if (this.options.syncRule === 'round-end') t.restartScan(); // a Xen/SimGrid round is one pass from the start
        if (this.options.syncTime > 0) {
          sim.schedule(this.options.syncTime, this, Ev.AfterSync); // the sender waits for the sync
          return;
        }
      }
      synced = false;
      const cap = this.#liveCap();
      const budget = t instanceof FluidTransfer ? this.#fluidBudget(t) : this.#policy.iterationBytes(Math.min(cap, this.#pathCapacity()), this.#encoder.dataPage);
      const enc = this.#encoder;
      enc.xbzrleActive = t.wraps >= 1;
      enc.writeSize = vm.workload.writeSizeAt(sim.now);
      const chunk = t.takeChunk(budget, enc, this.options.skipRedirtied, this.#chunk);
      this.#addToRound(chunk);
      // a batch of only skipped (or unchanged) pages sends nothing: check again at once
      if (chunk.wireBytes > 0) return this.#send(sim, chunk.wireBytes, cap);
    }
  }

  /**
   * Fluid memory sends up to the next decision point in one transfer: the first whole window after
   * pending falls below the threshold (QEMU's rule; nothing else changes pending in between: new
   * dirt waits in the log), or the whole pass (Xen, SimGrid). One event per round instead of one
   * per 100 ms window.
   */
  #fluidBudget(t: FluidTransfer): number {
    const o = this.#observe();
    const perPage = this.#encoder.dataPage;
    if (this.options.syncRule === 'round-end') return t.remainingPages * perPage;
    const threshold = this.#policy.threshold(o);
    const window = this.#policy.iterationBytes(Math.min(this.#liveCap(), this.#pathCapacity()), perPage);
    if (!(threshold > 0)) return window; // no estimate yet: one window measures the bandwidth
    // whole windows, as QEMU checks only between its 100 ms iterations
    const above = (t.remainingPages - threshold / this.vm.pageSize) * perPage;
    return Math.max(1, Math.ceil(above / window)) * window;
  }

  /** The live phase's rate cap: max-bandwidth, and the compression CPU's rate. */
  #liveCap(): number {
    return Math.min(this.options.maxBandwidth, this.#encoder.cpuWireRate());
  }

  /** A dirty-bitmap sync: the log joins the to-send set; auto-converge looks at the period. */
  #sync(sim: Simulation): number {
    if (this.#deferral && this.vm.image?.log) this.#deferral.onSync(this.vm.image.log);
    const dirtied = this.#transfer!.sync();
    this.#syncs++;
    const throttle = this.#throttle;
    if (throttle && throttle.onSync(sim.now, dirtied, this.result.bytesTransferred, this.vm.pageSize)) {
      this.#accrueThrottle(sim.now);
      const vm = this.vm;
      if (Number.isFinite(this.options.dirtyLimit)) {
        const dirtying = vm.workload.writeRateAt(sim.now) * vm.pageSize;
        vm.speed = Math.min(vm.speed, dirtying > 0 ? this.options.dirtyLimit / dirtying : 1);
      } else {
        vm.speed = throttledSpeed(throttle.percent, vm.catchUp);
      }
    }
    return dirtied;
  }

  /** Guest time lost to throttling up to now. */
  #accrueThrottle(now: number): void {
    this.#throttleLost += (1 - this.vm.speed) * (now - this.#throttleSince);
    this.#throttleSince = now;
  }

  #pause(sim: Simulation): void {
    this.vm.advanceTo(sim.now);
    this.#accrueThrottle(sim.now);
    this.vm.state = 'paused';
    this.#pausedAt = sim.now;
  }

  #stopAndCopy(sim: Simulation, reason: string): void {
    const t = this.#transfer!;
    this.#pause(sim);
    this.phase = 'stop-and-copy';
    this.result.reason = reason;
    // final sync; a round already closed by the deciding sync has no open record left
    const dirtied = this.vm.tracking ? this.#sync(sim) : t.sync();
    if (this.#round) this.#closeRound(sim.now, dirtied);
    this.#releaseDeferred();
    this.#openRound(sim.now, 'stop-and-copy');
    const enc = this.#encoder;
    enc.xbzrleActive = t.wraps >= 1;
    enc.lastStage = true;
    enc.writeSize = this.vm.workload.writeSizeAt(sim.now);
    const chunk = t.takeChunk(Infinity, enc, false, this.#chunk);
    this.#addToRound(chunk);
    this.#round!.bytesSent += this.options.deviceState;
    const cap = this.options.uncappedSwitchover ? enc.cpuWireRate() : this.#liveCap();
    this.#send(sim, chunk.wireBytes + this.options.deviceState, cap);
  }

  /**
   * Pause, send the device state (and, after pre-copy, the discard list of pages dirtied since
   * they were sent), resume at the destination; the pages still at the source follow.
   */
  #switchToPostcopy(sim: Simulation, reason: string): void {
    const t = this.#transfer!, vm = this.vm;
    this.#pause(sim);
    this.phase = 'switchover';
    this.result.reason = reason;
    const dirtied = vm.tracking ? this.#sync(sim) : t.sync();
    if (this.#round) this.#closeRound(sim.now, dirtied);
    this.#releaseDeferred();
    vm.stopTracking();
    const discard = this.options.algorithm === 'hybrid' ? t.discardRanges() * DISCARD_RANGE_BYTES : 0;
    this.#openRound(sim.now, 'stop-and-copy');
    this.#round!.bytesSent = this.options.deviceState + discard;
    const args = [sim, this.world.network, this.world.path(this.#source, this.destination), this.world.latency, vm] as const;
    this.#postcopy = t instanceof FluidTransfer
      ? new FluidPostcopyPhase(...args, t, this.#encoder, this.options, this)
      : new PostcopyPhase(...args, t as PageTransfer, this.#encoder, this.options, this);
    this.#send(sim, this.options.deviceState + discard, Infinity);
  }

  #resume(sim: Simulation): void {
    const vm = this.vm, t = this.#transfer!;
    vm.host = this.destination;
    vm.state = 'running';
    this.#resumedAt = sim.now;
    this.result.downtime = sim.now - this.#pausedAt;
    if (this.#postcopy) {
      this.#postcopy.startGuest();
      if (this.phase === 'postcopy') return; // pages still on their way: done in postcopyDone
    } else {
      this.result.stalePagesAtResume = t.stalePages();
      vm.stopTracking();
    }
    this.#complete(sim);
  }

  #complete(sim: Simulation): void {
    const vm = this.vm;
    if (this.#postcopy) {
      this.result.stalePagesAtResume = this.#transfer!.stalePages();
      vm.setWrittenUntil(Math.max(sim.now, this.#postcopy.guestTime));
      this.#fillPostcopyStats(sim.now);
    }
    this.#source.release(vm.memory, sim.now);
    if (this.options.reuse.policy !== 'none' && this.#source.alive && vm.image) {
      const kept = new KeptImage(vm, this.#source, this.options.reuse, sim.now, sim);
      this.#source.keep(kept, sim.now);
      const r = (this.result.reuse ??= { policy: this.options.reuse.policy, reusedPages: 0, reuseRatio: 0, exchangeBytes: 0, keptPages: 0, skippedHotPages: 0 });
      r.keptPages = kept.kept.count;
      r.skippedHotPages = kept.skippedHot;
    }
    vm.migrating = false;
    this.#end(sim, 'completed', this.result.reason);
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

  postcopyDone(sim: Simulation): void {
    this.#closeRound(sim.now, 0);
    if (this.#resumedAt < 0) {
      this.phase = 'resuming'; // everything arrived before the VM resumed
      return;
    }
    this.#complete(sim);
  }

  #onTimeout(sim: Simulation): void {
    this.#timeoutEvent = -1;
    if (this.phase !== 'live' && this.phase !== 'setup') return; // the switch-over already began: let it finish
    if (this.#hybrid) {
      // hybrid: not converging by the timeout means switching to post-copy at the next iteration
      this.#switchRequested = `switched to post-copy at the ${this.options.timeout} s timeout`;
      return;
    }
    this.#cancel(sim, 'timeout', `not converged after the ${this.options.timeout} s timeout; the VM keeps running on ${this.#source.name}`);
  }

  /** Gives up a live migration: the VM stays at the source, the destination is released. */
  #cancel(sim: Simulation, status: MigrationStatus, reason: string): void {
    this.#abortFlow();
    this.vm.advanceTo(sim.now);
    if (this.vm.state === 'paused') this.vm.state = 'running'; // the source resumes its VM
    this.#closeRound(sim.now, this.vm.loggedPages);
    this.vm.stopTracking();
    this.vm.migrating = false;
    this.destination.release(this.vm.memory, sim.now);
    this.#end(sim, status, reason);
  }

  #abortFlow(): void {
    if (!this.#flow) return;
    const flow = this.#flow;
    this.#flow = null;
    const delivered = this.world.network.abort(flow);
    this.#account(delivered);
    if (this.#round) this.#round.bytesSent -= flow.size - delivered;
  }

  /**
   * A link or host failed. Before the VM runs at the destination it keeps (or resumes) running
   * at the source: aborted. After, its memory is split between the hosts: the guest is lost.
   */
  onFailure(sim: Simulation, impact: FailureImpact): void {
    if (this.phase === 'pending' || this.phase === 'queued' || this.phase === 'done') return;
    const at = `${impact.what} at ${sim.now.toFixed(3)} s`;
    const afterSwitch = this.#postcopy !== null && (this.phase === 'postcopy' || this.#resumedAt >= 0);
    if (impact.sourceLost && !afterSwitch) {
      this.#abortFlow();
      this.#postcopy?.stop();
      return this.#lose(sim, `${at} during ${this.#phaseName()}: the source crashed and the VM with it`);
    }
    if (afterSwitch || (this.phase === 'resuming' && impact.destinationLost)) {
      this.#postcopy?.stop();
      this.#abortFlow();
      return this.#lose(
        sim,
        `${at} during ${this.#phaseName()}: the VM ran at ${this.destination.name} while ${this.#source.name} still held pages it had not sent; the guest is lost`,
      );
    }
    if (this.phase === 'resuming') return; // every byte is at the destination: the switch-over completes
    this.#postcopy?.stop();
    this.#cancel(sim, 'aborted', `${at} during ${this.#phaseName()}; the VM keeps running on ${this.#source.name}`);
  }

  #lose(sim: Simulation, reason: string): void {
    const vm = this.vm;
    vm.state = 'lost';
    vm.migrating = false;
    vm.stopTracking();
    this.#closeRound(sim.now, 0);
    this.#source.release(vm.memory, sim.now);
    this.destination.release(vm.memory, sim.now);
    if (this.#postcopy) this.#fillPostcopyStats(sim.now);
    this.#end(sim, 'failed', reason);
  }

  #phaseName(): string {
    const hybrid = this.options.algorithm === 'hybrid';
    switch (this.phase) {
      case 'live':
        return hybrid ? 'the pre-copy phase of a hybrid migration' : `pre-copy round ${this.#round?.index ?? this.result.rounds.length}`;
      case 'stop-and-copy':
      case 'resuming':
        return 'the stop-and-copy';
      case 'switchover':
        return 'the switch-over to post-copy';
      default:
        return hybrid ? 'the post-copy phase of a hybrid migration' : 'post-copy';
    }
  }

  /** Called by the run when the simulation horizon is reached with this migration in flight. */
  giveUpAtHorizon(sim: Simulation, horizon: number): void {
    if (this.phase === 'live' || this.phase === 'setup') this.#cancel(sim, 'unfinished', `still running at the end of the simulation (${horizon} s); set a timeout or a longer horizon`);
    else if (this.phase === 'pending' || this.phase === 'queued') this.result.reason = `had not started by the end of the simulation (${horizon} s): ${this.result.reason}`;
    else if (this.phase !== 'done') {
      this.result.reason = `still in ${this.#phaseName()} at the end of the simulation (${horizon} s)`;
      if (this.#postcopy) this.#fillPostcopyStats(sim.now);
    }
  }

  #end(sim: Simulation, status: MigrationStatus, reason: string): void {
    sim.cancel(this.#timeoutEvent);
    if (this.#throttle) {
      if (this.vm.state === 'running' && this.vm.speed < 1) this.#accrueThrottle(sim.now);
      this.vm.speed = 1; // QEMU stops the throttle when the migration ends
      if (this.#throttle.steps.length > 0 || Number.isFinite(this.options.dirtyLimit)) {
        this.result.throttle = { maxPercent: this.#throttle.percent, steps: this.#throttle.steps, lostTime: this.#throttleLost };
      }
    }
    this.phase = 'done';
    this.result.status = status;
    this.result.reason = reason;
    if (status !== 'rejected') {
      this.result.endTime = sim.now;
      this.result.totalTime = sim.now - this.result.startTime;
    }
    if (status !== 'completed') this.result.downtime = null;
    if (status !== 'rejected') {
      if (this.#deferral) this.result.deferral = this.#deferral.stats;
      if (this.#transfer instanceof PageTransfer) this.result.freePagesSkipped = this.#transfer.freeSkipped;
      this.result.dedupPages = this.#encoder.dedupPages;
      const running = this.result.totalTime! - (this.result.downtime ?? 0);
      const lost = this.#throttleLost + (this.result.postcopy?.blockedTime ?? 0);
      this.result.degradation = running > 0 ? Math.min(1, lost / running) : 0;
      this.result.qemu = qemuInfo(this.result, {
        syncs: this.#syncs,
        normalPages: this.#encoder.normalPages,
        remainingPages: this.#transfer?.remainingPages ?? 0,
        pageSize: this.vm.pageSize,
        memory: this.vm.memory,
        xbzrle: this.#encoder.xbzrle,
        throttlePercent: this.#throttle?.percent ?? 0,
        returnLatency: this.world.latency + this.options.resumeLatency,
      });
    }
    this.world.ended(this);
    for (const next of this.#dependents) {
      if (status === 'completed') sim.schedule(next.at, next, Ev.Start);
      else next.#end(sim, 'rejected', `it follows the migration of ${this.vm.name} to ${this.destination.name}, which ended ${status}: ${reason}`);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  #send(sim: Simulation, bytes: number, cap: number, reverse = false): void {
    this.#chunkStart = sim.now;
    const path = reverse ? this.world.path(this.destination, this.#source) : this.world.path(this.#source, this.destination);
    this.#flow = this.world.network.start(path, bytes, cap, this);
  }

  #pathCapacity(): number {
    let capacity = Infinity;
    for (const l of this.world.path(this.#source, this.destination)) capacity = Math.min(capacity, l.capacity);
    return capacity;
  }

  #observe(): PrecopyObservation {
    const t = this.#transfer!;
    return {
      round: this.#round?.index ?? this.result.rounds.length,
      remainingPages: t.remainingPages,
      remainingBytes: t.remainingPages * this.vm.pageSize,
      bandwidth: this.#bandwidth,
      bytesSent: this.result.bytesTransferred,
      memoryBytes: this.vm.memory,
      lastRoundPages: 0,
    };
  }

  #account(bytes: number): void {
    this.result.bytesTransferred += bytes;
    const phases = this.result.bytesByPhase;
    if (this.phase === 'setup') phases.setup += bytes;
    else if (this.phase === 'live') phases.live += bytes;
    else phases.stopAndCopy += bytes; // the stop-and-copy, or the switch-over's device state
  }

  #fillPostcopyStats(now: number): void {
    const p = this.#postcopy!;
    const s = p.stats;
    const running = this.#resumedAt >= 0 ? now - this.#resumedAt : 0;
    this.result.postcopy = {
      faults: s.faults,
      requests: s.requests,
      pagesPushed: s.pagesPushed,
      pagesRequested: s.pagesRequested,
      faultLatency: p.latencySummary(),
      blockedTime: s.blockedTime,
      degradation: running > 0 ? Math.min(1, s.blockedTime / running) : 0,
    };
  }

  #openRound(now: number, kind: RoundRecord['kind']): void {
    this.#round = {
      index: this.result.rounds.length + 1,
      kind,
      start: now,
      duration: 0,
      pagesSent: 0,
      zeroPages: 0,
      pagesSkipped: 0,
      bytesSent: 0,
      pagesDirtied: 0,
      bandwidth: 0,
    };
  }

  #addToRound(chunk: Chunk): void {
    const r = this.#round!;
    r.pagesSent += chunk.pages;
    r.zeroPages += chunk.zeroPages;
    r.pagesSkipped += chunk.skipped;
    r.bytesSent += chunk.wireBytes;
    this.result.pagesTransferred += chunk.pages;
    this.result.zeroPages += chunk.zeroPages;
  }

  #closeRound(now: number, pagesDirtied: number): void {
    const r = this.#round;
    if (!r) return;
    r.duration = now - r.start;
    r.pagesDirtied = pagesDirtied;
    r.bandwidth = r.duration > 0 ? r.bytesSent / r.duration : 0;
    this.result.rounds.push(r);
    this.#round = null;
  }
}

/** Memory for a person: MiB below 1 GiB, GiB above. */
function gib(bytes: number): string {
  return bytes < 2 ** 30 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
