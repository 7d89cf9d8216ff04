/**
 * @module network/network
 * Links with a capacity and flows over paths of links. Concurrent flows share links max-min fairly
 * (progressive filling, with each flow's own rate cap as an extra constraint), recomputed only when a
 * flow starts or ends. Each flow has one completion event, rescheduled only when its rate changes.
 */
import { EventHandle, EventTarget, Simulation } from '../core/kernel.js';

export interface Link {
  readonly name: string;
  /** bytes/s */
  capacity: number;
  /** False after a failure: flows on it stall (rate 0). */
  up: boolean;
  /** Scratch state of the max-min computation (no allocation per re-share). */
  residual: number;
  users: number;
  stamp: number;
}

/** Receives the completion of a flow it started. */
export interface FlowOwner {
  onFlowDone(flow: Flow, sim: Simulation): void;
}

export class Flow implements EventTarget {
  /** Current rate, bytes/s. */
  rate = 0;
  /** Bytes delivered so far (as of `updatedAt`). */
  done = 0;
  updatedAt: number;
  /** Completion event, if scheduled. */
  event: EventHandle = -1;
  active = true;
  /** Scratch state of the max-min computation. */
  level = 0;
  frozen = false;

  constructor(
    readonly network: Network,
    readonly links: readonly Link[],
    /** bytes to carry */
    readonly size: number,
    /** per-flow rate cap, bytes/s (Infinity = none) */
    readonly cap: number,
    readonly owner: FlowOwner,
    now: number,
  ) {
    this.updatedAt = now;
  }

  /** Bytes delivered as of time t (t >= updatedAt, no rate change in between). */
  deliveredAt(t: number): number {
    return Math.min(this.size, this.done + this.rate * (t - this.updatedAt));
  }

  onEvent(_kind: number, sim: Simulation): void {
    this.network.finish(this, sim);
  }
}

export class Network {
  readonly links: Link[] = [];
  readonly #flows: Flow[] = [];
  /** Links the current re-share touches (scratch, reused). */
  readonly #touched: Link[] = [];
  #stamp = 0;

  constructor(readonly sim: Simulation) {}

  addLink(name: string, capacity: number): Link {
    if (!(capacity > 0)) throw new RangeError(`link ${name}: capacity must be > 0 bytes/s, got ${capacity}`);
    const link: Link = { name, capacity, up: true, residual: 0, users: 0, stamp: 0 };
    this.links.push(link);
    return link;
  }

  /** Starts carrying `size` bytes over `links` at most at `cap` bytes/s. */
  start(links: readonly Link[], size: number, cap: number, owner: FlowOwner): Flow {
    const flow = new Flow(this, links, size, cap, owner, this.sim.now);
    this.#flows.push(flow);
    this.reshare();
    return flow;
  }

  /** Stops a flow early (cancelled migration); returns the bytes it delivered. */
  abort(flow: Flow): number {
    if (!flow.active) return flow.done;
    this.#settle(flow);
    this.#remove(flow);
    this.reshare();
    return flow.done;
  }

  /** Marks a link down or up; flows on a down link stall. */
  setLinkUp(link: Link, up: boolean): void {
    link.up = up;
    this.reshare();
  }

  /** Flows currently active (for tests and reports). */
  get activeFlows(): number {
    return this.#flows.length;
  }

  finish(flow: Flow, sim: Simulation): void {
    if (!flow.active) return;
    flow.done = flow.size;
    flow.updatedAt = sim.now;
    this.#remove(flow);
    this.reshare();
    flow.owner.onFlowDone(flow, sim);
  }

  #remove(flow: Flow): void {
    flow.active = false;
    if (flow.event >= 0) this.sim.cancel(flow.event);
    flow.event = -1;
    const i = this.#flows.indexOf(flow);
    if (i >= 0) {
      this.#flows[i] = this.#flows[this.#flows.length - 1];
      this.#flows.pop();
    }
  }

  #settle(flow: Flow): void {
    const now = this.sim.now;
    flow.done = flow.deliveredAt(now);
    flow.updatedAt = now;
  }

  /** Max-min fair rates by progressive filling; reschedules completions whose rate changed. */
  reshare(): void {
    const flows = this.#flows, touched = this.#touched;
    const now = this.sim.now;
    const stamp = ++this.#stamp;
    touched.length = 0;
    for (const f of flows) {
      this.#settle(f);
      f.level = 0;
      f.frozen = f.cap <= 0;
      for (const l of f.links) {
        if (l.stamp !== stamp) {
          l.stamp = stamp;
          l.residual = l.up ? l.capacity : 0;
          l.users = 0;
          touched.push(l);
        }
        if (!l.up) f.frozen = true; // a flow over a failed link stalls, and takes no share
      }
    }
    let unfrozen = 0;
    for (const f of flows) {
      if (f.frozen) continue;
      unfrozen++;
      for (const l of f.links) l.users++;
    }
    while (unfrozen > 0) {
      // the smallest increment that saturates a link or reaches a flow's cap
      let inc = Infinity;
      for (const f of flows) if (!f.frozen) inc = Math.min(inc, f.cap - f.level);
      for (const l of touched) if (l.users > 0) inc = Math.min(inc, l.residual / l.users);
      if (!Number.isFinite(inc) || inc < 0) inc = 0;
      for (const f of flows) if (!f.frozen) f.level += inc;
      for (const l of touched) if (l.users > 0) l.residual -= inc * l.users;
      let froze = 0;
      for (const f of flows) {
        if (f.frozen) continue;
        let saturated = f.level >= f.cap * (1 - 1e-12);
        for (const l of f.links) if (l.residual <= l.capacity * 1e-12) saturated = true;
        if (saturated) {
          f.frozen = true;
          froze++;
          for (const l of f.links) l.users--;
        }
      }
      unfrozen -= froze;
      if (froze === 0 && inc === 0) break; // nothing can grow any more
    }
    for (const f of flows) {
      const r = f.links.some((l) => !l.up) ? 0 : f.level;
      if (r === f.rate && f.event >= 0) continue;
      f.rate = r;
      if (f.event >= 0) this.sim.cancel(f.event);
      f.event = r > 0 ? this.sim.scheduleAt(now + (f.size - f.done) / r, f) : -1;
    }
  }
}
