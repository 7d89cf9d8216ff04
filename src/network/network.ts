/**
 * @module network/network
 * Links with a capacity and flows over paths of links. Concurrent flows share links max-min fairly
 * (each flow's own rate cap is an extra constraint). Rates are recomputed only when a flow starts or
 * ends, a link goes down or up, and only over the connected set of flows and links the change
 * touches: max-min shares of two sets that share no link are independent. Each flow has one
 * completion event, rescheduled only when its rate changes.
 *
 * Two bounds of the network model (network-models.ts) live here: a cap on every flow (the TCP
 * window bound, `flowCap`), and cross-traffic: with `crossWeight` > 0 a flow also loads the links of
 * its reverse route (each link's `twin`, the other direction of the same NIC) with that weight, as
 * SimGrid's max-min system does (a link's constraint is the weighted sum of its flows' rates; a
 * link's fair share goes to every flow crossing it, whatever its weight there); and SimGrid's
 * sharing penalties (LV08's weight-S): with `penalized`, a flow's penalty is the path's latency plus
 * each link's `penalty`, and max-min is weighted by it: a link's share s (in penalty-scaled units)
 * gives each of its flows s / penalty (SimGrid kernel/lmm/maxmin.cpp). Without them every penalty
 * is 1 and the shares are plain max-min.
 */
import { EventHandle, EventTarget, Priority, Simulation } from '../core/kernel.js';
import { ZERO } from '../core/doubles.js';

export class Link {
  /** False after a failure: flows on it stall (rate 0). */
  up = true;
  /** Active flows over this link. */
  readonly flows: Flow[] = [];
  /** The other direction of the same NIC (a flow's reverse route, for cross-traffic), if any. */
  twin: Link | null = null;
  /** Its part of a flow's sharing penalty when the network is `penalized` (weight-S / bandwidth). */
  penalty = 0;
  /** Scratch state of the max-min computation (no allocation per re-share). */
  residual = ZERO;
  users = 0;
  /** The unfrozen flows' weights on this link (= users without cross-traffic). */
  usage = ZERO;
  stamp = 0;

  constructor(
    readonly name: string,
    /** bytes/s */
    public capacity: number,
  ) {}
}

/** Receives the completion of a flow it started. */
export interface FlowOwner {
  onFlowDone(flow: Flow, sim: Simulation): void;
}

export class Flow implements EventTarget {
  #rate = ZERO;
  /** Bytes delivered so far (as of `updatedAt`). */
  done = ZERO;
  updatedAt = ZERO;
  /** Completion event, if scheduled. */
  event: EventHandle = -1;
  active = true;
  /** 1 / its sharing penalty (1: plain max-min). */
  inversePenalty = 1;
  /** Its cap in penalty-scaled units (cap x penalty), the order caps are reached in. */
  capLevel = ZERO;
  /**
   * Its index in each of its links' `flows` (links, then back), so that leaving a link takes no
   * search; null when it crosses a link twice (it is then found by a search, as each copy).
   */
  readonly slots: number[] | null;
  /** Scratch state of the max-min computation. */
  frozen = false;
  level = ZERO;
  stamp = 0;

  constructor(
    readonly network: Network,
    readonly links: readonly Link[],
    /** links its cross-traffic loads (the reverse route), with the network's crossWeight */
    readonly back: readonly Link[],
    /** bytes to carry */
    readonly size: number,
    /** per-flow rate cap, bytes/s (Infinity = none) */
    readonly cap: number,
    readonly owner: FlowOwner,
    now: number,
  ) {
    this.updatedAt = now;
    this.capLevel = cap;
    // (made at its size: an array pushed to grows to 16 entries, and flows by the thousand stay a while)
    this.slots = distinctLinks(links, back) ? new Array<number>(links.length + back.length) : null;
  }

  /** It moved from index `from` to `to` of `link`'s flows (another flow left the link). */
  moved(link: Link, from: number, to: number): void {
    const slots = this.slots!, n = this.links.length;
    for (let k = 0; k < slots.length; k++) {
      if (slots[k] === from && (k < n ? this.links[k] : this.back[k - n]) === link) {
        slots[k] = to;
        return;
      }
    }
  }

  /** Current rate, bytes/s (brings a deferred re-share up to date first). */
  get rate(): number {
    this.network.flush();
    return this.#rate;
  }

  /** The rate as the last re-share left it (the network's own use). */
  get lastRate(): number {
    return this.#rate;
  }

  /** Sets the rate (the network's own use). */
  setRate(rate: number): void {
    this.#rate = rate;
  }

  /** Bytes delivered as of time t (t >= updatedAt, no rate change in between). */
  deliveredAt(t: number): number {
    return Math.min(this.size, this.done + this.#rate * (t - this.updatedAt));
  }

  onEvent(_kind: number, sim: Simulation): void {
    this.network.finish(this, sim);
  }
}

export class Network implements EventTarget {
  readonly links: Link[] = [];
  #active = 0;
  /**
   * Links whose flows need a re-share. Changes at one instant are gathered and re-shared once, by
   * an event after the instant's other events (or at once when a rate is read): the migrations of
   * a batch start together, and symmetric transfers end together.
   */
  readonly #dirty: Link[] = [];
  #dirtyCount = 0;
  #flushPending = false;
  /** While a completion is handled: the flows it started, and whether anything else changed. */
  #handling = false;
  #startedDuring = 0;
  #startedFlow: Flow | null = null;
  #otherChange = false;
  // Scratch of one re-share, reused with a count: setting an array's length to 0 frees V8's
  // backing store, and the refill allocated it again at each of the tens of thousands of re-shares.
  readonly #compLinks: Link[] = [];
  readonly #compFlows: Flow[] = [];
  readonly #capped: Flow[] = [];
  #stamp = 0;
  /** Re-shares done so far. */
  #reshares = 0;
  /** Every flow's rate bound besides its own cap, bytes/s (the TCP window bound). */
  flowCap = Infinity;
  /** Weight of a flow on its reverse route's links (cross-traffic); 0 = none. */
  crossWeight = 0;
  /** Flows have sharing penalties: `penaltyLatency` + their links' `penalty`. */
  penalized = false;
  penaltyLatency = 0;

  constructor(readonly sim: Simulation) {}

  addLink(name: string, capacity: number): Link {
    if (!(capacity > 0)) throw new RangeError(`link ${name}: capacity must be > 0 bytes/s, got ${capacity}`);
    const link = new Link(name, capacity);
    this.links.push(link);
    return link;
  }

  /** Starts carrying `size` bytes over `links` at most at `cap` bytes/s. */
  start(links: readonly Link[], size: number, cap: number, owner: FlowOwner): Flow {
    const back = this.crossWeight > 0 ? reverseRoute(links) : NO_LINKS;
    const flow = new Flow(this, links, back, size, Math.min(cap, this.flowCap), owner, this.sim.now);
    if (this.penalized) {
      let penalty = this.penaltyLatency;
      for (const l of links) penalty += l.penalty;
      flow.inversePenalty = 1 / penalty;
      flow.capLevel = flow.cap * penalty;
    }
    const slots = flow.slots, n = links.length;
    for (let k = 0; k < n; k++) {
      if (slots !== null) slots[k] = links[k].flows.length;
      links[k].flows.push(flow);
    }
    for (let k = 0; k < back.length; k++) {
      if (slots !== null) slots[n + k] = back[k].flows.length;
      back[k].flows.push(flow);
    }
    this.#active++;
    if (this.#handling) {
      this.#startedDuring++;
      this.#startedFlow = flow;
    }
    this.#changed(links);
    if (back.length) this.#changed(back);
    return flow;
  }

  /** Stops a flow early (cancelled migration); returns the bytes it delivered. */
  abort(flow: Flow): number {
    if (!flow.active) return flow.done;
    this.#settle(flow);
    this.#remove(flow);
    this.#otherChange = true;
    this.#changed(flow.links);
    if (flow.back.length) this.#changed(flow.back);
    return flow.done;
  }

  /** Marks a link down or up; flows on a down link stall. */
  setLinkUp(link: Link, up: boolean): void {
    link.up = up;
    this.#otherChange = true;
    this.#changed([link]);
  }

  /** Flows currently active (for tests and reports). */
  get activeFlows(): number {
    return this.#active;
  }

  /**
   * A flow's completion. Its owner usually starts the next transfer at once; when that one has
   * the same path and nothing else changed at this instant, and its cap is the same (the next
   * round of a migration) or higher than a cap the old rate was below (pre-copy's uncapped
   * stop-and-copy after capped rounds, with the NIC the limit), every flow keeps a bottleneck or
   * its cap, so the max-min rates are those of before: the new flow takes the old one's and no
   * re-share is needed.
   */
  finish(flow: Flow, sim: Simulation): void {
    if (!flow.active) return;
    flow.done = flow.size;
    flow.updatedAt = sim.now;
    const clean = this.#dirtyCount === 0;
    const reshares = this.#reshares;
    this.#remove(flow);
    this.#startedDuring = 0;
    this.#startedFlow = null;
    this.#otherChange = false;
    this.#handling = true;
    this.#changed(flow.links);
    if (flow.back.length) this.#changed(flow.back);
    try {
      flow.owner.onFlowDone(flow, sim);
    } finally {
      this.#handling = false;
    }
    // (not if the handler read a rate: that re-shared without the old flow already)
    if (clean && this.#reshares === reshares && !this.#otherChange && this.#startedDuring === 1) {
      const next = this.#startedFlow!;
      const sameLimit = next.cap === flow.cap || (next.cap > flow.cap && flow.lastRate < flow.cap);
      if (next.active && sameLimit && samePath(next.links, flow.links) && flow.lastRate > 0) {
        this.#dirtyCount = 0;
        next.setRate(flow.lastRate);
        next.event = this.sim.scheduleAt(sim.now + next.size / flow.lastRate, next);
      }
    }
  }

  /** Runs a pending re-share now (a rate is read, or the instant's events are done). */
  flush(): void {
    const count = this.#dirtyCount;
    if (count === 0) return;
    this.#dirtyCount = 0;
    this.#reshare(this.#dirty, count);
  }

  /** The re-share event. */
  onEvent(_kind: number, _sim: Simulation): void {
    this.#flushPending = false;
    this.flush();
  }

  #changed(links: readonly Link[]): void {
    for (let i = 0; i < links.length; i++) this.#dirty[this.#dirtyCount++] = links[i];
    if (!this.#flushPending) {
      this.#flushPending = true;
      this.sim.scheduleAt(this.sim.now, this, 0, Priority.late);
    }
  }

  #remove(flow: Flow): void {
    flow.active = false;
    this.#active--;
    if (flow.event >= 0) this.sim.cancel(flow.event);
    flow.event = -1;
    const slots = flow.slots, n = flow.links.length;
    for (let k = 0; k < n; k++) dropFlow(flow.links[k], flow, slots === null ? -1 : slots[k]);
    for (let k = 0; k < flow.back.length; k++) dropFlow(flow.back[k], flow, slots === null ? -1 : slots[n + k]);
  }

  #settle(flow: Flow): void {
    const now = this.sim.now;
    flow.done = flow.deliveredAt(now);
    flow.updatedAt = now;
  }

  /**
   * Max-min fair rates of the flows connected to `seeds` (bottleneck order: the link with the
   * smallest fair share, or the smallest cap, fixes its flows' rates first); reschedules the
   * completions whose rate changed.
   */
  #reshare(seeds: readonly Link[], seedCount: number): void {
    const links = this.#compLinks, flows = this.#compFlows, capped = this.#capped;
    const stamp = ++this.#stamp;
    this.#reshares++;
    let linkCount = 0, flowCount = 0, cappedCount = 0;
    // the connected component: links reach flows, flows reach links
    for (let i = 0; i < seedCount; i++) {
      const l = seeds[i];
      if (l.stamp !== stamp) {
        l.stamp = stamp;
        links[linkCount++] = l;
      }
    }
    for (let i = 0; i < linkCount; i++) {
      const on = links[i].flows;
      for (let j = 0; j < on.length; j++) {
        const f = on[j];
        if (f.stamp === stamp) continue;
        f.stamp = stamp;
        flows[flowCount++] = f;
        for (let k = 0; k < f.links.length; k++) {
          const l = f.links[k];
          if (l.stamp !== stamp) {
            l.stamp = stamp;
            links[linkCount++] = l;
          }
        }
        for (let k = 0; k < f.back.length; k++) {
          const l = f.back[k];
          if (l.stamp !== stamp) {
            l.stamp = stamp;
            links[linkCount++] = l;
          }
        }
      }
    }
    for (let i = 0; i < linkCount; i++) {
      const l = links[i];
      l.residual = l.up ? l.capacity : 0;
      l.users = 0;
      l.usage = 0;
    }
    const cross = this.crossWeight;
    let unfrozen = 0;
    for (let i = 0; i < flowCount; i++) {
      const f = flows[i];
      let stalled = f.cap <= 0;
      for (let k = 0; k < f.links.length; k++) if (!f.links[k].up) stalled = true; // a flow over a failed link takes no share
      f.frozen = stalled;
      f.level = 0;
      if (stalled) continue;
      unfrozen++;
      const inv = f.inversePenalty;
      for (let k = 0; k < f.links.length; k++) {
        const l = f.links[k];
        l.users++;
        l.usage += inv;
      }
      for (let k = 0; k < f.back.length; k++) {
        const l = f.back[k];
        l.users++;
        l.usage += cross * inv;
      }
      if (f.cap < Infinity) capped[cappedCount++] = f;
    }
    if (!sortedByCap(capped, cappedCount)) sortByCap(capped, cappedCount); // usually one cap for all
    let nextCap = 0;
    // links[0..live) are those that may still have users: each scan drops the others, keeping
    // the order (ties go to the first link in it)
    let live = linkCount;
    while (unfrozen > 0) {
      let share = Infinity;
      let bottleneck: Link | undefined;
      let kept = 0;
      for (let i = 0; i < live; i++) {
        const l = links[i];
        if (l.users === 0) continue;
        links[kept++] = l;
        const s = l.residual > 0 ? l.residual / l.usage : 0;
        if (s < share) {
          share = s;
          bottleneck = l;
        }
      }
      live = kept;
      // every flow capped at or below the smallest share is fixed at its cap; freezing a flow
      // below a link's share only raises that share, so they go in one pass, without re-scanning
      let froze = false;
      while (nextCap < cappedCount && (capped[nextCap].frozen || capped[nextCap].capLevel <= share)) {
        const f = capped[nextCap++];
        if (f.frozen) continue;
        freeze(f, f.cap, cross);
        unfrozen--;
        froze = true;
      }
      if (froze) continue;
      if (!bottleneck) break; // flows over no link and no cap: nothing limits them; they get 0
      const on = bottleneck.flows;
      for (let k = 0; k < on.length; k++) {
        const f = on[k];
        if (f.frozen) continue;
        freeze(f, share * f.inversePenalty, cross);
        unfrozen--;
      }
    }
    const now = this.sim.now;
    for (let i = 0; i < flowCount; i++) {
      const f = flows[i];
      const r = f.level;
      if (r === f.lastRate && f.event >= 0) continue;
      this.#settle(f); // bytes so far at the old rate
      f.setRate(r);
      if (f.event >= 0) this.sim.cancel(f.event);
      f.event = r > 0 ? this.sim.scheduleAt(now + (f.size - f.done) / r, f) : -1;
    }
    // let go of the flows (a network that lives for a whole data-center day would otherwise keep
    // finished flows, and their migrations, alive until a component as large comes again)
    flows.fill(RELEASED, 0, flowCount);
    capped.fill(RELEASED, 0, cappedCount);
  }
}

/** What a re-share's scratch holds past its count (no flow). */
const RELEASED = undefined as unknown as Flow;

/** Fixes flow `f` at `rate` and takes it off its links (and its reverse route's, at weight `cross`). */
function freeze(f: Flow, rate: number, cross: number): void {
  f.frozen = true;
  f.level = rate;
  const inv = f.inversePenalty;
  for (let k = 0; k < f.links.length; k++) {
    const l = f.links[k];
    l.residual -= rate;
    l.users--;
    l.usage -= inv;
  }
  for (let k = 0; k < f.back.length; k++) {
    const l = f.back[k];
    l.residual -= cross * rate;
    l.users--;
    l.usage -= cross * inv;
  }
}

const NO_LINKS: readonly Link[] = [];

/** The reverse of a route: each link's twin, in the opposite order (links without a twin left out). */
function reverseRoute(links: readonly Link[]): Link[] {
  // the usual route (two NICs, both with twins) as a literal of its size
  if (links.length === 2 && links[0].twin !== null && links[1].twin !== null) return [links[1].twin, links[0].twin];
  const back: Link[] = [];
  for (let i = links.length - 1; i >= 0; i--) {
    const twin = links[i].twin;
    if (twin) back.push(twin);
  }
  return back;
}

/**
 * Takes `flow` off link `l`: the link's last flow takes its place (at `slot`, its known index, or
 * where a search finds it when -1).
 */
function dropFlow(l: Link, flow: Flow, slot: number): void {
  const fs = l.flows;
  const i = slot >= 0 ? slot : fs.indexOf(flow);
  if (i < 0) return;
  const last = fs.length - 1, moving = fs[last];
  fs[i] = moving;
  fs.pop();
  if (i !== last && moving.slots !== null) moving.moved(l, last, i);
}

/** No link twice on a flow's route and reverse route. */
function distinctLinks(links: readonly Link[], back: readonly Link[]): boolean {
  for (let i = 0; i < links.length; i++) {
    for (let j = 0; j < i; j++) if (links[i] === links[j]) return false;
    for (let j = 0; j < back.length; j++) if (links[i] === back[j]) return false;
  }
  for (let i = 0; i < back.length; i++) for (let j = 0; j < i; j++) if (back[i] === back[j]) return false;
  return true;
}

function sortedByCap(flows: readonly Flow[], count: number): boolean {
  for (let i = 1; i < count; i++) if (flows[i - 1].capLevel > flows[i].capLevel) return false;
  return true;
}

/** Sorts the first `count` flows by cap level (stable; drops the stale entries after them). */
function sortByCap(flows: Flow[], count: number): void {
  flows.length = count;
  flows.sort((a, b) => a.capLevel - b.capLevel);
}

function samePath(a: readonly Link[], b: readonly Link[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
