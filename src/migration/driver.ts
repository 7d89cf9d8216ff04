/**
 * @module migration/driver
 * The mechanism of a migration: transfers on the network, dirty tracking, the VM's run state,
 * bandwidth estimates, timeouts, capacity, metrics. Decisions come from the policy
 * (algorithms/precopy.ts). Events: one per iteration (a rate-limit window or a batch), one per
 * sync, one for the final copy, one for the resume: never one per page.
 */
import { EventTarget, Simulation } from '../core/kernel.js';
import { Chunk, newChunk, PageTransfer, WireCost } from '../memory/page-transfer.js';
import { Flow, FlowOwner } from '../network/network.js';
import { PrecopyObservation, PrecopyPolicy } from './algorithms/precopy.js';
import { MigrationOptions } from './options.js';
import { MigrationResult, MigrationStatus, RoundRecord } from './result.js';
import { Host, Vm, World } from './world.js';

const enum Ev {
  Start,
  Timeout,
  Resume,
}

type Phase = 'pending' | 'live' | 'stop-and-copy' | 'resuming' | 'done';

export class Migration implements EventTarget, FlowOwner {
  phase: Phase = 'pending';
  readonly result: MigrationResult;
  readonly #policy: PrecopyPolicy;
  readonly #cost: WireCost;
  #source!: Host;
  #transfer: PageTransfer | null = null;
  #flow: Flow | null = null;
  #chunk: Chunk = newChunk();
  #chunkStart = 0;
  #round: RoundRecord | null = null;
  #bandwidth = 0;
  #pausedAt = 0;
  #timeoutEvent = -1;

  constructor(
    readonly world: World,
    readonly vm: Vm,
    readonly destination: Host,
    readonly at: number,
    readonly options: MigrationOptions,
  ) {
    this.#policy = new PrecopyPolicy(options);
    this.#cost = { dataPage: vm.pageSize + options.pageHeader, zeroPage: options.zeroPageBytes };
    this.result = {
      vm: vm.name,
      from: vm.host.name,
      to: destination.name,
      algorithm: options.algorithm,
      preset: options.algorithm === 'precopy' ? options.preset : null,
      status: 'unfinished',
      reason: 'not started',
      startTime: at,
      endTime: null,
      totalTime: null,
      downtime: null,
      bytesTransferred: 0,
      bytesByPhase: { live: 0, stopAndCopy: 0 },
      pagesTransferred: 0,
      zeroPages: 0,
      rounds: [],
      stalePagesAtResume: null,
      options: { ...options },
    };
    world.sim.scheduleAt(at, this, Ev.Start);
  }

  onEvent(kind: number, sim: Simulation): void {
    if (kind === Ev.Start) this.#start(sim);
    else if (kind === Ev.Timeout) this.#onTimeout(sim);
    else if (kind === Ev.Resume) this.#resume(sim);
  }

  onFlowDone(flow: Flow, sim: Simulation): void {
    this.#flow = null;
    this.#account(flow.size);
    if (this.phase === 'live') {
      const elapsed = sim.now - this.#chunkStart;
      if (elapsed > 0) this.#bandwidth = flow.size / elapsed;
      this.#iterate(sim);
    } else if (this.phase === 'stop-and-copy') {
      this.phase = 'resuming';
      this.#closeRound(sim.now, 0);
      sim.schedule(this.world.latency + this.options.resumeLatency, this, Ev.Resume);
    }
  }

  // ---- phases ----------------------------------------------------------------------------

  #start(sim: Simulation): void {
    const vm = this.vm, dst = this.destination;
    this.#source = vm.host;
    this.result.from = vm.host.name;
    if (vm.state !== 'running') return this.#end(sim, 'rejected', `VM ${vm.name} is ${vm.state}, not running`);
    if (vm.migrating) return this.#end(sim, 'rejected', `VM ${vm.name} is already migrating`);
    if (vm.host === dst) return this.#end(sim, 'rejected', `VM ${vm.name} is already on host ${dst.name}`);
    if (!dst.alive) return this.#end(sim, 'rejected', `host ${dst.name} is down`);
    if (dst.free < vm.memory) {
      return this.#end(
        sim,
        'rejected',
        `host ${dst.name} has ${gib(dst.free)} free, VM ${vm.name} needs ${gib(vm.memory)}`,
      );
    }
    dst.reserve(vm.memory);
    vm.migrating = true;
    vm.advanceTo(sim.now);
    vm.image.startTracking();
    this.#transfer = new PageTransfer(vm.image);
    this.#transfer.markAll();
    this.phase = 'live';
    this.result.reason = 'in progress';
    if (Number.isFinite(this.options.timeout)) this.#timeoutEvent = sim.schedule(this.options.timeout, this, Ev.Timeout);
    if (this.options.algorithm === 'stop-and-copy') return this.#stopAndCopy(sim, 'non-live migration');
    this.#openRound(sim.now, 'live');
    this.#iterate(sim);
  }

  /** Iteration boundaries of the live phase: check, maybe sync and decide, then send a chunk. */
  #iterate(sim: Simulation): void {
    const t = this.#transfer!;
    this.vm.advanceTo(sim.now);
    for (;;) {
      if (this.#policy.shouldSync(this.#observe())) {
        const lastRoundPages = this.#round!.pagesSent + this.#round!.pagesSkipped;
        this.#closeRound(sim.now, t.sync());
        const reason = this.#policy.stopReason({ ...this.#observe(), lastRoundPages });
        if (reason !== null) return this.#stopAndCopy(sim, reason);
        this.#openRound(sim.now, 'live');
        if (this.options.syncRule === 'round-end') t.scanPos = 0; // a Xen/SimGrid round is one pass from the start
      }
      const rate = Math.min(this.options.maxBandwidth, this.#pathCapacity());
      const budget = this.#policy.iterationBytes(rate, this.#cost.dataPage);
      const chunk = t.takeChunk(budget, this.#cost, this.options.skipRedirtied, this.#chunk);
      this.#addToRound(chunk);
      // a batch of only skipped pages sends nothing: check again at once
      if (chunk.wireBytes > 0) return this.#send(sim, chunk.wireBytes, this.options.maxBandwidth);
    }
  }

  #stopAndCopy(sim: Simulation, reason: string): void {
    const t = this.#transfer!, vm = this.vm;
    vm.advanceTo(sim.now);
    vm.state = 'paused';
    this.#pausedAt = sim.now;
    this.phase = 'stop-and-copy';
    this.result.reason = reason;
    // final sync; a round already closed by the deciding sync has no open record left
    const dirtied = t.sync();
    if (this.#round) this.#closeRound(sim.now, dirtied);
    this.#openRound(sim.now, 'stop-and-copy');
    const chunk = t.takeChunk(Infinity, this.#cost, false, this.#chunk);
    this.#addToRound(chunk);
    const bytes = chunk.wireBytes + this.options.deviceState;
    this.#round!.bytesSent += this.options.deviceState;
    const cap = this.options.uncappedSwitchover ? Infinity : this.options.maxBandwidth;
    this.#send(sim, bytes, cap);
  }

  #resume(sim: Simulation): void {
    const vm = this.vm, t = this.#transfer!;
    this.result.stalePagesAtResume = t.stalePages();
    vm.image.stopTracking();
    this.#source.release(vm.memory);
    vm.host = this.destination;
    vm.state = 'running';
    vm.migrating = false;
    this.result.downtime = sim.now - this.#pausedAt;
    this.#end(sim, 'completed', this.result.reason);
  }

  #onTimeout(sim: Simulation): void {
    if (this.phase !== 'live') return; // the switch-over already began: let it finish
    this.#cancel(sim, 'timeout', `not converged after the ${this.options.timeout} s timeout; the VM keeps running on ${this.#source.name}`);
  }

  /** Gives up a live migration: the VM stays at the source, the destination is released. */
  #cancel(sim: Simulation, status: MigrationStatus, reason: string): void {
    if (this.#flow) {
      const delivered = this.world.network.abort(this.#flow);
      this.#account(delivered);
      if (this.#round) this.#round.bytesSent -= this.#flow.size - delivered;
      this.#flow = null;
    }
    this.vm.advanceTo(sim.now);
    this.#closeRound(sim.now, this.vm.image.log?.count ?? 0);
    this.vm.image.stopTracking();
    this.vm.migrating = false;
    this.destination.release(this.vm.memory);
    this.#end(sim, status, reason);
  }

  /** Called by the run when the simulation horizon is reached with this migration in flight. */
  giveUpAtHorizon(sim: Simulation, horizon: number): void {
    if (this.phase === 'live') this.#cancel(sim, 'unfinished', `still running at the end of the simulation (${horizon} s); set a timeout or a longer horizon`);
    else if (this.phase === 'pending') this.result.reason = `starts after the end of the simulation (${horizon} s)`;
  }

  #end(sim: Simulation, status: MigrationStatus, reason: string): void {
    if (this.#timeoutEvent >= 0) sim.cancel(this.#timeoutEvent);
    this.phase = 'done';
    this.result.status = status;
    this.result.reason = reason;
    if (status !== 'rejected') {
      this.result.endTime = sim.now;
      this.result.totalTime = sim.now - this.result.startTime;
    }
    if (status !== 'completed') this.result.downtime = null;
  }

  // ---- helpers ---------------------------------------------------------------------------

  #send(sim: Simulation, bytes: number, cap: number): void {
    this.#chunkStart = sim.now;
    this.#flow = this.world.network.start(this.world.path(this.#source, this.destination), bytes, cap, this);
  }

  #pathCapacity(): number {
    return Math.min(...this.world.path(this.#source, this.destination).map((l) => l.capacity));
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
    if (this.phase === 'live') this.result.bytesByPhase.live += bytes;
    else this.result.bytesByPhase.stopAndCopy += bytes;
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

function gib(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}
