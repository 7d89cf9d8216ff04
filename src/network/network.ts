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
  readonly #flows = new Set<Flow>();

  constructor(readonly sim: Simulation) {}

  addLink(name: string, capacity: number): Link {
    if (!(capacity > 0)) throw new RangeError(`link ${name}: capacity must be > 0 bytes/s, got ${capacity}`);
    const link: Link = { name, capacity, up: true };
    this.links.push(link);
    return link;
  }

  /** Starts carrying `size` bytes over `links` at most at `cap` bytes/s. */
  start(links: readonly Link[], size: number, cap: number, owner: FlowOwner): Flow {
    const flow = new Flow(this, links, size, cap, owner, this.sim.now);
    this.#flows.add(flow);
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
    return this.#flows.size;
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
    this.#flows.delete(flow);
  }

  #settle(flow: Flow): void {
    const now = this.sim.now;
    flow.done = flow.deliveredAt(now);
    flow.updatedAt = now;
  }

  /** Max-min fair rates by progressive filling; reschedules completions whose rate changed. */
  reshare(): void {
    const flows = [...this.#flows];
    const now = this.sim.now;
    for (const f of flows) this.#settle(f);
    const rate = new Map<Flow, number>();
    const residual = new Map<Link, number>();
    const users = new Map<Link, number>();
    for (const f of flows) {
      for (const l of f.links) {
        residual.set(l, l.up ? l.capacity : 0);
        users.set(l, (users.get(l) ?? 0) + 1);
      }
    }
    let unfrozen = flows.filter((f) => {
      if (f.links.some((l) => !l.up) || f.cap <= 0) {
        rate.set(f, 0);
        return false;
      }
      return true;
    });
    // stalled flows take no share anywhere
    for (const f of flows) if (rate.has(f)) for (const l of f.links) users.set(l, users.get(l)! - 1);
    const level = new Map<Flow, number>(unfrozen.map((f) => [f, 0]));
    while (unfrozen.length > 0) {
      // the smallest increment that saturates a link or reaches a flow's cap
      let inc = Infinity;
      for (const f of unfrozen) inc = Math.min(inc, f.cap - level.get(f)!);
      for (const [l, n] of users) if (n > 0) inc = Math.min(inc, residual.get(l)! / n);
      if (!Number.isFinite(inc)) inc = 0; // no constraint at all cannot happen: every flow has a link
      for (const f of unfrozen) level.set(f, level.get(f)! + inc);
      for (const [l, n] of users) if (n > 0) residual.set(l, residual.get(l)! - inc * n);
      const still: Flow[] = [];
      for (const f of unfrozen) {
        const capped = level.get(f)! >= f.cap * (1 - 1e-12);
        const saturated = f.links.some((l) => residual.get(l)! <= l.capacity * 1e-12);
        if (capped || saturated) {
          rate.set(f, level.get(f)!);
          for (const l of f.links) users.set(l, users.get(l)! - 1);
        } else {
          still.push(f);
        }
      }
      if (still.length === unfrozen.length && inc === 0) {
        for (const f of still) rate.set(f, level.get(f)!);
        break;
      }
      unfrozen = still;
    }
    for (const f of flows) {
      const r = rate.get(f) ?? 0;
      if (r === f.rate && f.event >= 0) continue;
      f.rate = r;
      if (f.event >= 0) this.sim.cancel(f.event);
      f.event = r > 0 ? this.sim.scheduleAt(now + (f.size - f.done) / r, f) : -1;
    }
  }
}
