/**
 * @module migration/postcopy-phase
 * The post-copy phase after switch-over: the VM runs at the destination while the source pushes
 * the pages it still holds. Every page crosses once: a page leaves the to-send bitmap when it is
 * put on the wire, and is present at the destination when its transfer arrives.
 *
 * The guest is simulated access by access (it must be: the first access to a missing page blocks
 * the vCPU), but lazily: from its last access it draws accesses until the first miss, which
 * becomes a fault event. Presence only grows, so hits stay hits; a pending miss is re-checked at
 * every arrival before its time.
 *
 * A fault sends a request to the source (the destination's fault handling, `faultService`, then
 * one-way latency). Without `preempt` the requested page goes out after the push transfer in
 * flight (the queue in front of it); with `preempt` it goes at once on its own channel. Either way
 * it arrives after another one-way latency. Pre-paging re-centres the push at the requested page
 * (algorithms/postcopy.ts).
 *
 * With `postcopyWindow` the rate cap is kept as QEMU keeps it (migration.c: BUFFER_DELAY, 100 ms;
 * savevm.c: qemu_savevm_state_iterate returns at once while the window's budget is spent): each
 * window's budget goes out at the link's rate, then the channel is silent until the next window,
 * and a request that comes in meanwhile waits for it. A fault then costs up to a window, and the
 * push moves in bursts from the last requested page.
 */
import { EventHandle, EventTarget, Simulation } from '../core/kernel.js';
import { Bitset } from '../memory/bitset.js';
import { ThinnedSeries } from '../core/thinned-series.js';
import { FluidTransfer } from '../memory/fluid.js';
import { MemoryTransfer, PageTransfer } from '../memory/page-transfer.js';
import { Flow, FlowOwner, Link, Network } from '../network/network.js';
import { PostcopyOptions, PushOrder } from './algorithms/postcopy.js';
import { FluidPostcopyPhase } from './fluid-postcopy.js';
import { QemuPageEncoder } from './optimizations/encoder.js';
import { Vm } from './world.js';

const enum Ev {
  Arrive,
  Fault,
  RequestAtSource,
  GuestTick,
  WindowStart,
}

/** How far ahead the guest is drawn when it hits only present pages, s. */
const LOOKAHEAD = 0.25;

/** What the phase reports to the migration that owns it. */
export interface PostcopyOwner {
  /** Bytes of pages that left the source, and how many pages (zero pages among them). */
  postcopySent(bytes: number, pages: number, zeroPages: number): void;
  /** Every page is at the destination. */
  postcopyDone(sim: Simulation): void;
}

interface Batch {
  pages: number[];
  arrivesAt: number;
}

/** Fault latency figures, s. */
export interface LatencySummary {
  mean: number;
  p50: number;
  p99: number;
  max: number;
  /** The latency at 0, 5, ..., 100 % of faults (nearest rank), s; null where only expectations are known (fluid). */
  quantiles: number[] | null;
}

/** The shares of faults quantiles are given at: 0, 5, ..., 100 %. */
export const LATENCY_QUANTILE_STEPS = 20;

/** One row of the fault timeline: [time s, faults so far, guest time blocked so far s]. */
export type FaultTimelineRow = [number, number, number];

/** What the driver needs from a post-copy phase, page-exact or fluid. */
export interface PostcopyMechanism {
  readonly stats: PostcopyStats;
  readonly guestTime: number;
  startPush(): void;
  startGuest(): void;
  stop(): void;
  latencySummary(): LatencySummary;
}

export interface PostcopyStats {
  /** Guest accesses that found their page missing (the vCPU blocked). */
  faults: number;
  /** Page requests that reached the source (QEMU's postcopy-requests). */
  requests: number;
  /** Pages pushed in the background, and sent on request. */
  pagesPushed: number;
  pagesRequested: number;
  /** Guest time blocked on faults, s. */
  blockedTime: number;
  /** Each fault's block time, s. */
  faultLatencies: number[];
  /** Faults and blocked time as they accumulate (a bounded series). */
  timeline: ThinnedSeries<FaultTimelineRow>;
}

export class PostcopyPhase implements EventTarget, FlowOwner, PostcopyMechanism {
  readonly stats: PostcopyStats = { faults: 0, requests: 0, pagesPushed: 0, pagesRequested: 0, blockedTime: 0, faultLatencies: [], timeline: new ThinnedSeries() };
  readonly #order: PushOrder;
  /** Pages on the wire, not yet at the destination. */
  readonly #inFlight: Bitset;
  readonly #batches: Batch[] = []; // arrival order
  readonly #flowBatch = new Map<Flow, { pages: number[]; requested: boolean }>();
  #mainFlow: Flow | null = null;
  // the rate limit's window (postcopyWindow > 0 with a finite cap): bytes sent in the current one
  #windowStart = 0;
  #windowUsed = 0;
  #windowEvent: EventHandle = -1;
  readonly #requestQueue: number[] = []; // requests at the source waiting for the channel
  readonly #requestsInTransit: number[] = []; // requests on their way to the source
  // the guest
  #guestRunning = false;
  #guestTime = 0;
  #pendingFault = -1; // page of the drawn access that missed
  #pendingFaultTime = 0;
  #faultEvent: EventHandle = -1;
  #tickEvent: EventHandle = -1;
  #waitingFor = -1; // page the blocked vCPU waits for
  #blockedSince = 0;
  #finished = false;
  stopped = false;

  constructor(
    readonly sim: Simulation,
    readonly network: Network,
    readonly path: readonly Link[],
    readonly latency: number,
    readonly vm: Vm,
    readonly transfer: PageTransfer,
    readonly encoder: QemuPageEncoder,
    readonly options: PostcopyOptions,
    readonly owner: PostcopyOwner,
  ) {
    this.#order = new PushOrder(options.prepaging);
    this.#inFlight = new Bitset(transfer.image.pageCount);
  }

  /** Starts the background push (the source side). */
  startPush(): void {
    this.#windowStart = this.sim.now;
    this.#pump();
    this.#checkDone();
  }

  /** The VM runs at the destination from now on. */
  startGuest(): void {
    this.#guestRunning = true;
    this.#guestTime = this.sim.now;
    this.stats.timeline.add([this.sim.now, this.stats.faults, this.stats.blockedTime]);
    this.#runGuest();
  }

  /** Time the guest's accesses have been drawn up to (the destination's workload clock). */
  get guestTime(): number {
    return this.#guestTime;
  }

  latencySummary(): LatencySummary {
    const lat = [...this.stats.faultLatencies].sort((a, b) => a - b);
    return {
      mean: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : 0,
      p50: quantile(lat, 0.5),
      p99: quantile(lat, 0.99),
      max: lat.length ? lat[lat.length - 1] : 0,
      quantiles: lat.length ? Array.from({ length: LATENCY_QUANTILE_STEPS + 1 }, (_, i) => quantile(lat, i / LATENCY_QUANTILE_STEPS)) : null,
    };
  }

  /** A page is at the destination: not waiting to be sent, not on the wire. */
  present(p: number): boolean {
    return !this.transfer.toSend.has(p) && !this.#inFlight.has(p);
  }

  /** Stops everything (failure): flows are aborted, no more events act. */
  stop(): void {
    this.stopped = true;
    for (const flow of this.#flowBatch.keys()) this.network.abort(flow);
    this.#flowBatch.clear();
    this.sim.cancel(this.#faultEvent);
    this.sim.cancel(this.#tickEvent);
    this.sim.cancel(this.#windowEvent);
  }

  onEvent(kind: number, sim: Simulation): void {
    if (this.stopped) return;
    switch (kind) {
      case Ev.Arrive:
        return this.#arrive(sim);
      case Ev.Fault:
        return this.#fault(sim);
      case Ev.RequestAtSource:
        return this.#requestAtSource();
      case Ev.GuestTick:
        this.#tickEvent = -1;
        return this.#runGuest();
      case Ev.WindowStart:
        this.#windowEvent = -1;
        return this.#pump();
    }
  }

  onFlowDone(flow: Flow, sim: Simulation): void {
    if (this.stopped) return;
    const batch = this.#flowBatch.get(flow)!;
    this.#flowBatch.delete(flow);
    this.#batches.push({ pages: batch.pages, arrivesAt: sim.now + this.latency });
    sim.schedule(this.latency, this, Ev.Arrive);
    if (flow === this.#mainFlow) {
      this.#mainFlow = null;
      this.#pump();
    }
  }

  // ---- the source: push and requests -------------------------------------------------------

  /** Puts the next transfer on the main channel: queued requests first, then the push. */
  #pump(): void {
    if (this.#mainFlow) return;
    const budget = this.#windowBudget();
    if (budget <= 0) return; // this window's budget is spent: the next window pumps
    const pages: number[] = [];
    let bytes = 0;
    let requested = false;
    if (this.#requestQueue.length > 0) {
      requested = true;
      for (const p of this.#requestQueue) bytes += this.#take(p, pages);
      this.#requestQueue.length = 0;
    } else {
      const toSend = this.transfer.toSend;
      const chunk = Math.min(this.options.pushChunk, budget);
      while (bytes < chunk) {
        const p = this.#order.next(toSend);
        if (p < 0) break;
        bytes += this.#take(p, pages);
      }
    }
    if (pages.length === 0) return;
    if (requested) this.stats.pagesRequested += pages.length;
    else this.stats.pagesPushed += pages.length;
    this.#windowUsed += bytes;
    this.#mainFlow = this.#send(pages, bytes, requested);
  }

  /**
   * Bytes the main channel may still send in the current rate-limit window (Infinity without
   * windows). With none left, the next window's start is scheduled and 0 returned.
   */
  #windowBudget(): number {
    const w = this.options.postcopyWindow, cap = this.options.maxPostcopyBandwidth;
    if (!(w > 0) || !Number.isFinite(cap)) return Infinity;
    const now = this.sim.now;
    if (now >= this.#windowStart + w - 1e-12) {
      this.#windowStart += Math.floor((now - this.#windowStart) / w + 1e-9) * w;
      this.#windowUsed = 0;
    }
    const left = cap * w - this.#windowUsed;
    if (left > 0) return left;
    if (this.#windowEvent < 0) this.#windowEvent = this.sim.scheduleAt(this.#windowStart + w, this, Ev.WindowStart);
    return 0;
  }

  /** Moves page p from to-send onto the wire; returns its wire bytes. */
  #take(p: number, into: number[]): number {
    this.transfer.toSend.delete(p);
    this.#inFlight.add(p);
    into.push(p);
    return this.encoder.plain(!this.transfer.image.nonZero.has(p)); // post-copy sends plain pages
  }

  #send(pages: number[], bytes: number, requested: boolean): Flow {
    let zero = 0;
    for (const p of pages) if (!this.transfer.image.nonZero.has(p)) zero++;
    this.owner.postcopySent(bytes, pages.length, zero);
    // in windows the budget is the rate limit: each burst goes at the link's rate
    const cap = this.options.postcopyWindow > 0 ? Infinity : this.options.maxPostcopyBandwidth;
    const flow = this.network.start(this.path, bytes, cap, this);
    this.#flowBatch.set(flow, { pages, requested });
    return flow;
  }

  #requestAtSource(): void {
    const p = this.#requestsInTransit.shift()!;
    this.stats.requests++;
    if (!this.transfer.toSend.has(p)) return; // already pushed: the source skips it
    this.#order.onRequest(p);
    if (this.options.preempt) {
      const pages: number[] = [];
      const bytes = this.#take(p, pages);
      this.stats.pagesRequested++;
      this.#send(pages, bytes, true);
    } else {
      this.#requestQueue.push(p);
      this.#pump(); // only sends if the channel is idle
    }
  }

  // ---- the destination: arrivals and the guest -----------------------------------------------

  #arrive(sim: Simulation): void {
    const batch = this.#batches.shift()!;
    for (const p of batch.pages) {
      this.#inFlight.delete(p);
      this.transfer.deliver(p);
    }
    if (this.#waitingFor >= 0 && this.present(this.#waitingFor)) {
      const blocked = sim.now - this.#blockedSince;
      this.stats.blockedTime += blocked;
      this.stats.faultLatencies.push(blocked);
      this.stats.timeline.add([sim.now, this.stats.faults, this.stats.blockedTime]);
      this.#commitAccess(this.#waitingFor);
      this.#waitingFor = -1;
      this.#guestTime = sim.now;
    }
    this.#runGuest();
    this.#checkDone();
  }

  #fault(sim: Simulation): void {
    this.#faultEvent = -1;
    const p = this.#pendingFault;
    this.#pendingFault = -1;
    if (this.present(p)) {
      this.#commitAccess(p);
      this.#guestTime = this.#pendingFaultTime;
      return this.#runGuest();
    }
    this.stats.faults++;
    this.#waitingFor = p;
    this.#blockedSince = sim.now;
    this.#requestsInTransit.push(p);
    sim.schedule(this.options.faultService + this.latency, this, Ev.RequestAtSource);
  }

  /** Draws the guest's accesses from its last one until the first miss or the lookahead bound. */
  #runGuest(): void {
    if (!this.#guestRunning || this.#waitingFor >= 0 || this.#finished || this.stopped) return;
    const sim = this.sim;
    if (this.#pendingFault >= 0) {
      if (!this.present(this.#pendingFault)) return; // its fault event is still due
      sim.cancel(this.#faultEvent);
      this.#faultEvent = -1;
      this.#commitAccess(this.#pendingFault);
      this.#guestTime = this.#pendingFaultTime;
      this.#pendingFault = -1;
    }
    const workload = this.vm.workload;
    const bound = sim.now + LOOKAHEAD;
    let t = this.#guestTime;
    for (;;) {
      const rate = workload.accessRateAt(t) * this.vm.speed;
      if (!(rate > 0)) {
        t = bound;
        break;
      }
      const next = t + 1 / rate;
      if (next > bound) break;
      t = next;
      const p = workload.nextAccess(t);
      if (this.present(p)) {
        if (workload.lastAccessWasWrite) this.#write(p);
        continue;
      }
      this.#pendingFault = p;
      this.#pendingFaultTime = t;
      this.#faultEvent = sim.scheduleAt(Math.max(t, sim.now), this, Ev.Fault);
      this.#guestTime = t;
      return;
    }
    this.#guestTime = t;
    if (this.#tickEvent < 0) this.#tickEvent = sim.scheduleAt(Math.max(bound, sim.now), this, Ev.GuestTick);
  }

  #commitAccess(p: number): void {
    if (this.vm.workload.lastAccessWasWrite) this.#write(p);
  }

  /** A write at the destination: the destination's copy is the current one. */
  #write(p: number): void {
    this.transfer.image.write(p);
    this.transfer.deliver(p);
  }

  #checkDone(): void {
    if (this.#finished || this.transfer.toSend.count > 0 || this.#inFlight.count > 0) return;
    this.#finished = true;
    this.sim.cancel(this.#tickEvent);
    this.sim.cancel(this.#faultEvent);
    this.owner.postcopyDone(this.sim);
  }
}

/** Nearest-rank quantile of sorted values (0 for none). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The post-copy phase for a VM's memory: access by access on page-exact memory, in expectation on fluid memory. */
export function createPostcopyPhase(
  sim: Simulation,
  network: Network,
  path: readonly Link[],
  latency: number,
  vm: Vm,
  transfer: MemoryTransfer,
  encoder: QemuPageEncoder,
  options: PostcopyOptions,
  owner: PostcopyOwner,
): PostcopyMechanism {
  const pages = transfer.pageExact;
  return pages
    ? new PostcopyPhase(sim, network, path, latency, vm, pages, encoder, options, owner)
    : new FluidPostcopyPhase(sim, network, path, latency, vm, transfer as FluidTransfer, encoder, options, owner);
}
