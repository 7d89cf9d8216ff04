/**
 * @module core/kernel
 * The discrete-event kernel: a binary heap over parallel typed arrays, ordered by
 * (time, priority, sequence) so that equal-time events of equal priority run FIFO and every run
 * reproduces. An event is (target, kind): the kernel calls `target.onEvent(kind, sim)`; no closure is
 * allocated per event. Cancellation is lazy: a cancelled slot is skipped when it is popped.
 */
import { ZERO } from './doubles.js';
import { grown } from './typed-arrays.js';

/** Anything that receives events. `kind` is the target's own event code. */
export interface EventTarget {
  onEvent(kind: number, sim: Simulation): void;
}

/** Event priorities: lower runs first at equal time. */
export const Priority = { urgent: -1, normal: 0, late: 1 } as const;

/** A handle returned by schedule(); pass it to cancel(). Encodes (slot generation, slot). */
export type EventHandle = number;
const SLOT_SPACE = 2 ** 24;

export class Simulation {
  /** Current simulated time, seconds. */
  now = ZERO;
  /** Events executed so far. */
  eventsRun = 0;

  // heap of slot indices, keys live in the slot arrays
  #heap = new Int32Array(64);
  #size = 0;
  // slots: key and payload of each pending event
  #time = new Float64Array(64);
  #prio = new Int32Array(64);
  #seq = new Float64Array(64);
  #kind = new Int32Array(64);
  #alive = new Uint8Array(64);
  #daemon = new Uint8Array(64);
  /** Pending live events that are not daemons: when none is left, run() returns. */
  #nonDaemon = 0;
  #gen = new Uint32Array(64);
  #target: (EventTarget | undefined)[] = new Array(64);
  #free: number[] = [];
  #slots = 0;
  #nextSeq = 0;
  #stopped = false;

  /** Schedules `target.onEvent(kind)` after `delay` seconds (>= 0). */
  schedule(delay: number, target: EventTarget, kind = 0, priority: number = Priority.normal): EventHandle {
    if (!(delay >= 0)) throw new RangeError(`event delay must be >= 0, got ${delay}`);
    return this.scheduleAt(this.now + delay, target, kind, priority);
  }

  /**
   * Schedules a daemon event: it runs like any other, but does not keep run() going: a run with
   * only daemon events left is over (periodic housekeeping, such as reports, uses these).
   */
  scheduleDaemon(delay: number, target: EventTarget, kind = 0): EventHandle {
    const handle = this.schedule(delay, target, kind, Priority.late);
    const slot = handle % SLOT_SPACE;
    this.#daemon[slot] = 1;
    this.#nonDaemon--;
    return handle;
  }

  /** Schedules at an absolute time (>= now). */
  scheduleAt(time: number, target: EventTarget, kind = 0, priority: number = Priority.normal): EventHandle {
    if (!(time >= this.now)) throw new RangeError(`event time ${time} is before now (${this.now})`);
    const slot = this.#allocSlot();
    this.#time[slot] = time;
    this.#prio[slot] = priority;
    this.#seq[slot] = this.#nextSeq++;
    this.#kind[slot] = kind;
    this.#alive[slot] = 1;
    this.#daemon[slot] = 0;
    this.#nonDaemon++;
    this.#target[slot] = target;
    this.#push(slot);
    return this.#gen[slot] * SLOT_SPACE + slot;
  }

  /** Cancels a pending event; cancelling one that already ran or was cancelled is a no-op. */
  cancel(handle: EventHandle): void {
    if (handle < 0) return;
    const slot = handle % SLOT_SPACE;
    if (slot < this.#slots && this.#gen[slot] === Math.floor(handle / SLOT_SPACE) && this.#alive[slot]) {
      this.#alive[slot] = 0;
      if (!this.#daemon[slot]) this.#nonDaemon--;
    }
  }

  /** Number of pending (possibly cancelled) events. */
  get pending(): number {
    return this.#size;
  }

  /** Time of the next live event, or Infinity. */
  peek(): number {
    while (this.#size > 0 && !this.#alive[this.#heap[0]]) this.#releaseSlot(this.#pop());
    return this.#size > 0 ? this.#time[this.#heap[0]] : Infinity;
  }

  /** Runs one event; returns false when none is left. */
  step(): boolean {
    while (this.#size > 0) {
      const slot = this.#pop();
      const alive = this.#alive[slot];
      const target = this.#target[slot]!;
      const kind = this.#kind[slot];
      if (alive && !this.#daemon[slot]) this.#nonDaemon--;
      this.now = this.#time[slot];
      this.#releaseSlot(slot);
      if (!alive) continue;
      this.eventsRun++;
      target.onEvent(kind, this);
      return true;
    }
    return false;
  }

  /**
   * Runs until no event is left (the clock stays at the last event), stop() is called, or the next
   * event is after `until` (the clock then moves to `until`). `onProgress` hears the simulated
   * time now and then.
   */
  run(until = Infinity, onProgress?: (now: number) => void): void {
    this.#stopped = false;
    for (;;) {
      const next = this.#nonDaemon > 0 ? this.peek() : Infinity;
      if (this.#stopped || next === Infinity) return; // no event left: the clock stays at the last one
      if (next > until) break;
      this.step();
      // simulated time for a progress bar, every 2^14 events: the caller reads the wall clock
      if (onProgress !== undefined && (this.eventsRun & 0x3fff) === 0) onProgress(this.now);
    }
    if (!this.#stopped && this.now < until) this.now = until; // stopped by the horizon
  }

  /** Makes run() return after the current event. */
  stop(): void {
    this.#stopped = true;
  }

  // ---- heap internals --------------------------------------------------------------------
  // The comparison (time, then priority, then sequence) is written out in #push and #pop over
  // local references to the key arrays: a run of a few thousand events is mostly executed before
  // V8 optimizes it, and there a call and a private-field load per comparison cost more than
  // the comparison itself.

  #push(slot: number): void {
    if (this.#size === this.#heap.length) {
      const grown = new Int32Array(this.#heap.length * 2);
      grown.set(this.#heap);
      this.#heap = grown;
    }
    const heap = this.#heap, time = this.#time, prio = this.#prio, seq = this.#seq;
    const t = time[slot], p = prio[slot], q = seq[slot];
    let i = this.#size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const up = heap[parent];
      const tu = time[up];
      // stop unless slot < up
      if (t > tu || (t === tu && (p > prio[up] || (p === prio[up] && q > seq[up])))) break;
      heap[i] = up;
      i = parent;
    }
    heap[i] = slot;
  }

  #pop(): number {
    const heap = this.#heap, time = this.#time, prio = this.#prio, seq = this.#seq;
    const top = heap[0];
    const n = --this.#size;
    const last = heap[n];
    const t = time[last], p = prio[last], q = seq[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = heap[child];
      if (child + 1 < n) {
        const d = heap[child + 1];
        const td = time[d], tc = time[c];
        if (td < tc || (td === tc && (prio[d] < prio[c] || (prio[d] === prio[c] && seq[d] < seq[c])))) {
          child++;
          c = d;
        }
      }
      const tc = time[c];
      // stop unless c < last
      if (tc > t || (tc === t && (prio[c] > p || (prio[c] === p && seq[c] > q)))) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
    return top;
  }

  #allocSlot(): number {
    const reused = this.#free.pop();
    if (reused !== undefined) return reused;
    if (this.#slots === this.#time.length) this.#growSlots();
    return this.#slots++;
  }

  #releaseSlot(slot: number): void {
    this.#alive[slot] = 0;
    this.#gen[slot]++; // a stale handle no longer matches this slot
    this.#target[slot] = undefined;
    this.#free.push(slot);
  }

  #growSlots(): void {
    const n = this.#time.length * 2;
    this.#time = grown(this.#time, n);
    this.#prio = grown(this.#prio, n);
    this.#seq = grown(this.#seq, n);
    this.#kind = grown(this.#kind, n);
    this.#alive = grown(this.#alive, n);
    this.#daemon = grown(this.#daemon, n);
    this.#gen = grown(this.#gen, n);
    this.#target.length = n;
  }
}
