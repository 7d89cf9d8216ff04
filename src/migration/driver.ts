/**
 * @module migration/driver
 * The mechanism of a migration, the same for every algorithm: its lifecycle (admission, refusal,
 * pause, resume, completion, the end) and its transport (flows on the network, the dirty log, the
 * VM's run state, the bandwidth estimate, the timeout). The algorithm (algorithms/, built by name
 * from algorithms/registry.ts) decides; the driver carries out its actions. Accounts are kept by
 * ledger.ts, failures classified by failures.ts, optimizations attached through
 * optimizations/hooks.ts; the memory's fidelity (page-exact or fluid) is behind MemoryTransfer.
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
import { Chunk, MemoryTransfer, newChunk } from '../memory/page-transfer.js';
import { Flow, FlowOwner, Link } from '../network/network.js';
import { MigrationActions, MigrationAlgorithm, Observation } from './algorithms/algorithm.js';
import { createAlgorithm } from './algorithms/registry.js';
import { FailureImpact, failureOutcome, Phase, phaseName } from './failures.js';
import { Ledger } from './ledger.js';
import { MigrationOptions } from './options.js';
import { AttachedHooks, attachHooks } from './optimizations/hooks.js';
import { QemuPageEncoder } from './optimizations/encoder.js';
import { createPostcopyPhase, PostcopyMechanism, PostcopyOwner } from './postcopy-phase.js';
import { MigrationResult, MigrationStatus } from './result.js';
import { Host, Vm, World } from './world.js';
import { MINUS_ONE, ZERO } from '../core/doubles.js';

export type { FailureImpact, Phase } from './failures.js';

const enum Ev {
  Start,
  Timeout,
  Resume,
  SetupDone,
  Waited,
  /** A live transfer's last byte arrived (per-transfer latency). */
  Arrived,
  /** The destination's final acknowledgement reached the source (per-transfer latency). */
  Acknowledged,
}

/** Discard list entries are (start, length) ranges: 16 bytes each. */
const DISCARD_RANGE_BYTES = 16;

/** The chunk every migration takes pages into: one for all, as each is filled and read within one call. */
const scratchChunk: Chunk = newChunk();

export class Migration implements EventTarget, FlowOwner, PostcopyOwner, MigrationActions {
  phase: Phase = 'pending';
  readonly result: MigrationResult;
  readonly #algorithm: MigrationAlgorithm;
  readonly #ledger: Ledger;
  readonly #encoder: QemuPageEncoder;
  /** The optimizations' hooks, attached when the migration begins. */
  #hooks: AttachedHooks | null = null;
  #source!: Host;
  #transfer: MemoryTransfer | null = null;
  #flow: Flow | null = null;
  #postcopy: PostcopyMechanism | null = null;
  /** The route source -> destination, made at the first send (the source is fixed by then). */
  #route: Link[] | null = null;
  /** What one timed send call took in all (iterationMaxWait). */
  #call: Chunk | null = null;
  #chunkStart = ZERO;
  /** Timed send calls: start of the current rate-limit window (-1: none open) and its bytes so far. */
  #windowStart = MINUS_ONE;
  #windowBytes = ZERO;
  #bandwidth = ZERO;
  /** Bytes of the last live transfer (the bandwidth estimate's numerator). */
  #lastSize = ZERO;
  #pausedAt = ZERO;
  #resumedAt = MINUS_ONE;
  /** receiveBuffer: when the destination will have placed everything sent so far, s. */
  #destFree = ZERO;
  /** receiveBuffer: how long the resume waited for the destination to place what was buffered, s. */
  #drainWait = ZERO;
  #timeoutEvent = -1;
  #queuedAt = MINUS_ONE;
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
    this.#algorithm = createAlgorithm(options);
    this.#encoder = new QemuPageEncoder(vm.image, vm.pageSize, options.pageHeader, options.zeroPageBytes, Infinity, vm.compressibility, options);
    this.#ledger = new Ledger(vm.name, vm.host.name, destination.name, at, options, this.#algorithm.live ? options.preset : null);
    this.result = this.#ledger.result;
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
    } else if (kind === Ev.Timeout) this.#onTimeout();
    else if (kind === Ev.Resume) this.#resume(sim);
    else if (kind === Ev.SetupDone) this.#startTransfer(sim);
    else if (kind === Ev.Waited) this.#iterate(sim, true);
    else if (kind === Ev.Arrived) this.#arrived(sim);
    else if (kind === Ev.Acknowledged) this.#complete(sim);
  }

  /** No slot free on one of the hosts: the migration waits (World.admit). */
  queued(): void {
    this.phase = 'queued';
    this.#queuedAt = this.world.sim.now;
    this.result.reason = `waiting for a free migration slot on ${this.source.name} or ${this.destination.name}`;
  }

  onFlowDone(flow: Flow, sim: Simulation): void {
    this.#flow = null;
    this.#ledger.account(flow.size, this.phase);
    if (this.phase === 'setup') {
      sim.schedule(this.world.transferLatency, this, Ev.SetupDone); // the bitmap reaches the source
    } else if (this.phase === 'live') {
      this.#lastSize = flow.size;
      // the sender goes on when the transfer has arrived (per-transfer latency) or has left
      if (this.world.networkModel.perTransfer) sim.schedule(this.world.transferLatency, this, Ev.Arrived);
      else this.#arrived(sim);
    } else if (this.phase === 'stop-and-copy') {
      this.phase = 'resuming';
      this.#ledger.closeRound(sim.now, 0);
      // the final bitmap sync's own time (pre-copy), the last byte's flight, what the destination
      // still has buffered (receiveBuffer), the destination's resume
      const finalSync = this.#ledger.syncs > 0 ? this.options.syncTime : 0;
      this.#drain(sim);
      sim.schedule(this.#resumeWait() + finalSync, this, Ev.Resume);
    } else if (this.phase === 'switchover') {
      // device state sent: the source starts pushing; the destination sets up post-copy (listen,
      // discards, the device-state package) and resumes
      this.phase = 'postcopy';
      this.#ledger.closeRound(sim.now, 0);
      this.#ledger.openRound(sim.now, 'postcopy');
      this.#drain(sim);
      sim.schedule(this.#resumeWait(), this, Ev.Resume);
      this.#postcopy!.startPush();
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------

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
    const transfer = (this.#transfer = vm.createTransfer());
    transfer.markAll();
    const c = { sim, vm, source: this.#source, destination: dst, transfer, encoder: this.#encoder, options: this.options, result: this.result };
    this.#hooks = attachHooks(c, this.#algorithm.live, sim.now);
    this.#hooks?.begin();
    dst.reserve(vm.memory, sim.now);
    this.result.reason = 'in progress';
    if (Number.isFinite(this.options.timeout)) this.#timeoutEvent = sim.schedule(this.options.timeout, this, Ev.Timeout);
    if (this.#algorithm.live) {
      vm.startTracking();
      this.#ledger.syncs = 1; // the setup sync: everything is dirty
    }
    if (this.result.reuse) {
      // a kept image at the destination: it tells the source which pages it holds first
      this.phase = 'setup';
      this.#send(sim, this.result.reuse.exchangeBytes, Infinity, true);
      return;
    }
    this.#startTransfer(sim);
  }

  #startTransfer(sim: Simulation): void {
    this.vm.advanceTo(sim.now);
    this.#algorithm.start(this);
  }

  /**
   * A live transfer is done: the bandwidth it achieved (start to arrival), then the next decision.
   * With timed send calls the estimate is the window's, taken when the window is over (QEMU's
   * migration_update_counters): a call that returned mid-window leaves it as it was.
   */
  #arrived(sim: Simulation): void {
    if (this.#windowStart >= 0) {
      this.#windowBytes += this.#lastSize;
      const elapsed = sim.now - this.#windowStart;
      if (elapsed >= this.options.iterationWindow * (1 - 1e-9)) {
        this.#bandwidth = this.#windowBytes / elapsed;
        this.#windowStart = -1;
      }
    } else {
      const elapsed = sim.now - this.#chunkStart;
      if (elapsed > 0) this.#bandwidth = this.#lastSize / elapsed;
    }
    this.#iterate(sim, false);
  }

  /** An iteration boundary of the live phase: the algorithm decides what comes next. */
  #iterate(sim: Simulation, synced: boolean): void {
    this.vm.advanceTo(sim.now);
    this.#algorithm.iterate(this, synced);
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

  #pause(sim: Simulation): void {
    this.vm.advanceTo(sim.now);
    this.#hooks?.pausing();
    this.vm.state = 'paused';
    this.#pausedAt = sim.now;
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
    this.#acknowledge(sim);
  }

  /** The migration ends when the source hears the destination is done (per-transfer latency: later). */
  #acknowledge(sim: Simulation): void {
    if (this.world.networkModel.perTransfer) sim.schedule(this.world.transferLatency, this, Ev.Acknowledged);
    else this.#complete(sim);
  }

  #complete(sim: Simulation): void {
    const vm = this.vm;
    if (this.#postcopy) {
      this.result.stalePagesAtResume = this.#transfer!.stalePages();
      vm.setWrittenUntil(Math.max(sim.now, this.#postcopy.guestTime));
      this.#postcopyStats(sim.now);
    }
    this.#source.release(vm.memory, sim.now);
    this.#hooks?.completed();
    vm.migrating = false;
    this.#end(sim, 'completed', this.result.reason);
  }

  /** Post-copy transfers are accounted when they leave the source. */
  postcopySent(bytes: number, pages: number, zeroPages: number): void {
    this.#ledger.postcopySent(bytes, pages, zeroPages);
  }

  postcopyDone(sim: Simulation): void {
    this.#ledger.closeRound(sim.now, 0);
    if (this.#resumedAt < 0) {
      this.phase = 'resuming'; // everything arrived before the VM resumed
      return;
    }
    this.#acknowledge(sim);
  }

  #onTimeout(): void {
    this.#timeoutEvent = -1;
    if (this.phase !== 'live' && this.phase !== 'setup') return; // the switch-over already began: let it finish
    this.#algorithm.onTimeout(this);
  }

  /** Gives up a live migration: the VM stays at the source, the destination is released. */
  #cancel(sim: Simulation, status: MigrationStatus, reason: string): void {
    this.#abortFlow();
    this.vm.advanceTo(sim.now);
    if (this.vm.state === 'paused') this.vm.state = 'running'; // the source resumes its VM
    this.#ledger.closeRound(sim.now, this.vm.loggedPages);
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
    this.#ledger.account(delivered, this.phase);
    this.#ledger.unsent(flow.size - delivered);
  }

  /** A link or host failed (failures.ts says what it does here). */
  onFailure(sim: Simulation, impact: FailureImpact): void {
    const afterSwitch = this.#postcopy !== null && (this.phase === 'postcopy' || this.#resumedAt >= 0);
    const outcome = failureOutcome(this.phase, afterSwitch, impact);
    const at = `${impact.what} at ${sim.now.toFixed(3)} s during ${this.#phaseName()}`;
    if (outcome === 'source-lost') {
      this.#abortFlow();
      this.#postcopy?.stop();
      this.#lose(sim, `${at}: the source crashed and the VM with it`);
    } else if (outcome === 'split') {
      this.#postcopy?.stop();
      this.#abortFlow();
      this.#lose(sim, `${at}: the VM ran at ${this.destination.name} while ${this.#source.name} still held pages it had not sent; the guest is lost`);
    } else if (outcome === 'aborted') {
      this.#postcopy?.stop();
      this.#cancel(sim, 'aborted', `${at}; the VM keeps running on ${this.#source.name}`);
    }
  }

  #lose(sim: Simulation, reason: string): void {
    const vm = this.vm;
    vm.state = 'lost';
    vm.migrating = false;
    vm.stopTracking();
    this.#ledger.closeRound(sim.now, 0);
    this.#source.release(vm.memory, sim.now);
    this.destination.release(vm.memory, sim.now);
    if (this.#postcopy) this.#postcopyStats(sim.now);
    this.#end(sim, 'failed', reason);
  }

  #phaseName(): string {
    return phaseName(this.phase, this.#ledger.roundIndex, this.#algorithm.phaseNames);
  }

  /** Called by the run when the simulation horizon is reached with this migration in flight. */
  giveUpAtHorizon(sim: Simulation, horizon: number): void {
    if (this.phase === 'live' || this.phase === 'setup') this.#cancel(sim, 'unfinished', `still running at the end of the simulation (${horizon} s); set a timeout or a longer horizon`);
    else if (this.phase === 'pending' || this.phase === 'queued') this.result.reason = `had not started by the end of the simulation (${horizon} s): ${this.result.reason}`;
    else if (this.phase !== 'done') {
      this.result.reason = `still in ${this.#phaseName()} at the end of the simulation (${horizon} s)`;
      if (this.#postcopy) this.#postcopyStats(sim.now);
    }
  }

  #end(sim: Simulation, status: MigrationStatus, reason: string): void {
    sim.cancel(this.#timeoutEvent);
    this.phase = 'done';
    if (status !== 'rejected') this.#hooks?.end();
    this.#ledger.finish(sim.now, status, reason, {
      normalPages: this.#encoder.normalPages,
      remainingPages: this.#transfer?.remainingPages ?? 0,
      pageSize: this.vm.pageSize,
      memory: this.vm.memory,
      xbzrle: this.#encoder.xbzrle,
      returnLatency: this.#resumeWait(),
    });
    this.world.ended(this);
    for (const next of this.#dependents) {
      if (status === 'completed') sim.schedule(next.at, next, Ev.Start);
      else next.#end(sim, 'rejected', `it follows the migration of ${this.vm.name} to ${this.destination.name}, which ended ${status}: ${reason}`);
    }
  }

  #postcopyStats(now: number): void {
    this.#ledger.postcopyStats(this.#postcopy!, this.#resumedAt >= 0 ? now - this.#resumedAt : 0);
  }

  // ---- the algorithm's actions (MigrationActions) --------------------------------------------

  observe(): Observation {
    return this.#observe(0);
  }

  openLiveRound(): void {
    this.phase = 'live';
    this.#ledger.openRound(this.world.sim.now, 'live');
  }

  restartScan(): void {
    this.#transfer!.restartScan();
  }

  sendChunk(budget: number): boolean {
    const sim = this.world.sim;
    if (this.#timedCalls()) return this.#sendCall(sim, budget);
    const cap = this.#liveCap();
    const chunk = this.#takeChunk(budget, this.options.skipRedirtied, false);
    this.#ledger.addChunk(chunk);
    if (chunk.wireBytes === 0) return false;
    this.#send(sim, chunk.wireBytes, this.#paced(sim, chunk, chunk.wireBytes, cap));
    return true;
  }

  syncDirtyLog(): Observation {
    const lastRoundPages = this.#ledger.roundPages;
    this.#ledger.closeRound(this.world.sim.now, this.#sync());
    return this.#observe(lastRoundPages);
  }

  wait(seconds: number): void {
    this.world.sim.schedule(seconds, this, Ev.Waited);
  }

  stopAndCopy(reason: string): void {
    const sim = this.world.sim;
    this.#pause(sim);
    this.phase = 'stop-and-copy';
    this.result.reason = reason;
    // a round already closed by the deciding sync has no open record left
    this.#ledger.closeRound(sim.now, this.#finalSync());
    this.#hooks?.lastCopy();
    this.#ledger.openRound(sim.now, 'stop-and-copy');
    const chunk = this.#takeChunk(Infinity, false, true);
    this.#ledger.addChunk(chunk);
    this.#ledger.addRoundBytes(this.options.deviceState);
    const cap = this.options.uncappedSwitchover ? this.#encoder.cpuWireRate() : this.#liveCap();
    const bytes = chunk.wireBytes + this.options.deviceState;
    this.#send(sim, bytes, this.#paced(sim, chunk, bytes, cap));
  }

  switchToPostcopy(reason: string, afterPrecopy: boolean): void {
    const sim = this.world.sim, t = this.#transfer!, vm = this.vm;
    this.#pause(sim);
    this.phase = 'switchover';
    this.result.reason = reason;
    this.#ledger.closeRound(sim.now, this.#finalSync());
    this.#hooks?.lastCopy();
    vm.stopTracking();
    const discard = afterPrecopy ? t.discardRanges() * DISCARD_RANGE_BYTES : 0;
    this.#ledger.openRound(sim.now, 'stop-and-copy');
    this.#ledger.addRoundBytes(this.options.deviceState + discard);
    this.#postcopy = createPostcopyPhase(sim, this.world.network, this.#path(), this.world.transferLatency, vm, t, this.#encoder, this.options, this);
    this.#send(sim, this.options.deviceState + discard, Infinity);
  }

  timeOut(): void {
    this.#cancel(this.world.sim, 'timeout', `not converged after the ${this.options.timeout} s timeout; the VM keeps running on ${this.#source.name}`);
  }

  abort(reason: string): void {
    this.#cancel(this.world.sim, 'aborted', `${reason}; the VM keeps running on ${this.#source.name}`);
  }

  liveRate(): number {
    return Math.min(this.#liveCap(), this.#pathCapacity());
  }

  get pageWireBytes(): number {
    return this.#encoder.dataPage;
  }

  get pageSize(): number {
    return this.vm.pageSize;
  }

  get wholeRounds(): boolean {
    return this.#transfer!.wholeRounds;
  }

  #observe(lastRoundPages: number): Observation {
    const remainingPages = this.#transfer!.remainingPages;
    return {
      elapsed: this.world.sim.now - this.result.startTime,
      round: this.#ledger.roundIndex,
      remainingPages,
      remainingBytes: remainingPages * this.vm.pageSize,
      bandwidth: this.#bandwidth,
      bytesSent: this.result.bytesTransferred,
      memoryBytes: this.vm.memory,
      lastRoundPages,
    };
  }

  /** The live phase's rate cap: max-bandwidth, and the compression CPU's rate. */
  #liveCap(): number {
    return Math.min(this.options.maxBandwidth, this.#encoder.cpuWireRate());
  }

  #path(): Link[] {
    return (this.#route ??= this.world.path(this.#source, this.destination));
  }

  #pathCapacity(): number {
    let capacity = Infinity;
    for (const l of this.#path()) capacity = Math.min(capacity, l.capacity);
    return capacity;
  }

  /**
   * The destination takes the data pages it receives for the first time at `firstReceiveRate` (it
   * allocates each), the rest at the path's rate: the cap of a transfer of `bytes` carrying `chunk`.
   */
  #receiveCap(chunk: Chunk, bytes: number, cap: number): number {
    const rate = this.options.firstReceiveRate;
    if (!(rate < Infinity) || chunk.firstPages === 0) return cap;
    const first = chunk.firstPages * this.#encoder.dataPage;
    const time = first / rate + Math.max(0, bytes - first) / this.#pathCapacity();
    return Math.min(cap, bytes / time);
  }

  /**
   * The cap of a transfer of `bytes` carrying `chunk` from the destination's pace. Without a
   * receive buffer the source waits for the destination (receiveCap). With one (receiveBuffer,
   * the sockets' buffers) the source runs ahead of it by the buffer's worth of first-time pages:
   * it is done after max(its own time, the destination's backlog + this transfer's work - the
   * buffer's worth), and the destination after the backlog + its work.
   */
  #paced(sim: Simulation, chunk: Chunk, bytes: number, cap: number): number {
    if (!(this.options.receiveBuffer > 0)) return this.#receiveCap(chunk, bytes, cap);
    const own = bytes / Math.min(cap, this.#pathCapacity());
    const backlog = Math.max(0, this.#destFree - sim.now);
    const work = this.#destinationWork(chunk, bytes);
    const time = Math.max(own, backlog + work - this.#bufferTime());
    this.#destFree = sim.now + Math.max(backlog + work, time);
    return time > 0 ? bytes / time : cap;
  }

  /** The destination's time to take `bytes` carrying `chunk`: first-time data pages at firstReceiveRate, the rest at the path's rate. */
  #destinationWork(chunk: Chunk, bytes: number): number {
    const rate = this.options.firstReceiveRate;
    const first = rate < Infinity ? chunk.firstPages * this.#encoder.dataPage : 0;
    return (first > 0 ? first / rate : 0) + Math.max(0, bytes - first) / this.#pathCapacity();
  }

  /** The receive buffer's worth of the destination's work: the buffer full of first-time pages, s. */
  #bufferTime(): number {
    const rate = this.options.firstReceiveRate;
    return rate < Infinity ? this.options.receiveBuffer / rate : 0;
  }

  /** At the switch-over: how long the destination still takes for what it has buffered (receiveBuffer). */
  #drain(sim: Simulation): void {
    if (this.options.receiveBuffer > 0) this.#drainWait = Math.max(0, this.#destFree - sim.now);
  }

  /**
   * From the switch-over's last byte to the guest running at the destination, beyond the final
   * sync: the flight, what the destination still has buffered, its resume and, after a switch to
   * post-copy, its post-copy setup. The resume waits this long and QEMU's downtime leaves it out.
   */
  #resumeWait(): number {
    return this.world.transferLatency + this.#drainWait + this.options.resumeLatency + (this.#postcopy ? this.options.postcopySetup : 0);
  }

  /**
   * Live sends go in timed calls (QEMU's ram_save_iterate within its rate-limit window): on
   * page-exact memory with a window and iterationMaxWait set.
   */
  #timedCalls(): boolean {
    const o = this.options;
    return o.iterationMaxWait > 0 && o.iterationWindow > 0 && o.batchPages === 0 && this.#transfer!.pageExact !== null;
  }

  /**
   * One send call of QEMU's migration thread (ram_save_iterate): pages in scan order until the
   * window's budget is spent or the call has worked iterationMaxWait (MAX_WAIT), the clock looked
   * at every 64 pages as QEMU does. Its work is the data at the link's rate and the zero pages at
   * zeroScanRate. A call that spent the budget lasts to the window's end (the thread sleeps out
   * the window); one that ran out of time, or of pages, returns at once, and the stop rule is
   * checked then (precopy.ts), mid-window.
   */
  #sendCall(sim: Simulation, budget: number): boolean {
    const o = this.options, t = this.#transfer!;
    if (this.#windowStart < 0) {
      this.#windowStart = sim.now;
      this.#windowBytes = 0;
    }
    const left = budget - this.#windowBytes;
    const link = this.#pathCapacity();
    const zeroWork = this.vm.pageSize / o.zeroScanRate;
    // data pages new to the destination go at its first-receive rate: the source waits for it
    const firstWork = this.#encoder.dataPage / o.firstReceiveRate - this.#encoder.dataPage / link;
    const call = (this.#call ??= newChunk()); // (made only where send calls are timed: page-exact memory)
    call.pages = call.zeroPages = call.wireBytes = call.skipped = call.firstPages = 0;
    // with a receive buffer the source runs ahead of the destination by the buffer's worth
    const buffered = o.receiveBuffer > 0;
    const backlog = buffered ? Math.max(0, this.#destFree - sim.now) : 0;
    const slack = buffered ? this.#bufferTime() : 0;
    let work = 0, own = 0, destination = backlog;
    while (t.remainingPages > 0 && call.wireBytes < left && work < o.iterationMaxWait) {
      const c = this.#takeChunk(left - call.wireBytes, o.skipRedirtied, false, 64);
      this.#ledger.addChunk(c);
      call.pages += c.pages;
      call.zeroPages += c.zeroPages;
      call.wireBytes += c.wireBytes;
      call.skipped += c.skipped;
      call.firstPages += c.firstPages;
      if (buffered) {
        own += c.wireBytes / link + c.zeroPages * zeroWork;
        destination += this.#destinationWork(c, c.wireBytes);
        work = Math.max(own, destination - slack);
      } else work += c.wireBytes / link + c.zeroPages * zeroWork + (firstWork > 0 ? c.firstPages * firstWork : 0);
    }
    if (call.wireBytes === 0) return false;
    const windowLeft = this.#windowStart + o.iterationWindow - sim.now;
    const duration = call.wireBytes >= left ? Math.max(work, windowLeft) : work;
    if (buffered) {
      this.#destFree = sim.now + Math.max(destination, duration);
      this.#send(sim, call.wireBytes, duration > 0 ? call.wireBytes / duration : Infinity);
    } else this.#send(sim, call.wireBytes, this.#receiveCap(call, call.wireBytes, duration > 0 ? call.wireBytes / duration : Infinity));
    return true;
  }

  /** Pages in scan order up to `budget` wire bytes (and `maxPages`), encoded as the wire format stands now. */
  #takeChunk(budget: number, skipRedirtied: boolean, lastStage: boolean, maxPages = Infinity): Chunk {
    const t = this.#transfer!, enc = this.#encoder;
    enc.xbzrleActive = t.wraps >= 1; // QEMU enables XBZRLE after the first full pass
    if (lastStage) enc.lastStage = true;
    enc.writeSize = this.vm.workload.writeSizeAt(this.world.sim.now);
    return maxPages < Infinity ? t.pageExact!.takeChunk(budget, enc, skipRedirtied, scratchChunk, maxPages) : t.takeChunk(budget, enc, skipRedirtied, scratchChunk);
  }

  /** A dirty-bitmap sync: the log joins the to-send set. */
  #sync(): number {
    this.#hooks?.beforeSync();
    const dirtied = this.#transfer!.sync();
    this.#ledger.syncs++;
    this.#hooks?.afterSync(dirtied);
    return dirtied;
  }

  /** The sync at the pause (only a live migration tracks dirty pages). */
  #finalSync(): number {
    return this.vm.tracking ? this.#sync() : this.#transfer!.sync();
  }

  #send(sim: Simulation, bytes: number, cap: number, reverse = false): void {
    this.#chunkStart = sim.now;
    const path = reverse ? this.world.path(this.destination, this.#source) : this.#path();
    this.#flow = this.world.network.start(path, bytes, cap, this);
  }
}

/** Memory for a person: MiB below 1 GiB, GiB above. */
function gib(bytes: number): string {
  return bytes < 2 ** 30 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
