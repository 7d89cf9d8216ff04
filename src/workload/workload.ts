/**
 * @module workload/workload
 * How a guest touches its memory over time. Two views of the same process:
 * - in bulk, `advance(t0, t1)` writes every page the guest writes in (t0, t1] into the page image,
 *   allocating nothing per write (what pre-copy needs between two events);
 * - one access at a time, `nextAccess(t)` returns the next page the guest reads or writes, in
 *   order (what post-copy needs: the first access to a missing page blocks the vCPU).
 * Reads follow the same spatial distribution as writes, with their own rate and their own cursor.
 * Rates are accesses per second; sizes and offsets are in pages (converted at the scenario edge).
 *
 * Where the working set lies: contiguous from `offset` (index i is page offset + i), or, with
 * `scatteredOver`, a set of `workingSet` pages drawn once (from the VM's seeded stream) out of the
 * `scatteredOver` pages from `offset`, indexed in address order (a sweep goes up through them).
 * A `mix` runs several patterns at once (say an application's working set and the guest kernel's
 * own pages): each writes at its own rate, and each access comes from a part with probability
 * proportional to the part's access rate.
 */
import { Rng } from '../core/random.js';
import { BULK_PAGE_LIMIT, writeDrawn } from '../memory/bulk-writes.js';
import { PageImage } from '../memory/page-image.js';
import { ZipfSampler } from './zipf.js';

interface Pattern {
  writeRate: number;
  /** Bytes a write changes in its page, the same bytes each time (default: the whole page). */
  writeSize?: number;
  /** Page reads per second that are not writes (default 0). */
  readRate: number;
  workingSet: number;
  offset: number;
  /** The working set's pages are scattered over this many pages from `offset` (default: contiguous). */
  scatteredOver?: number;
}

export type WorkloadSpec =
  | { kind: 'idle' }
  | ({ kind: 'uniform' } & Pattern)
  | ({ kind: 'hotcold'; hotSet: number; hotShare: number } & Pattern)
  | ({ kind: 'zipf'; exponent: number } & Pattern)
  | ({ kind: 'sweep' } & Pattern)
  | { kind: 'mix'; parts: MixPart[] }
  | { kind: 'phases'; phases: { duration: number; workload: WorkloadSpec }[]; repeat: boolean };

/** A part of a mix: a pattern (or idle). */
export type MixPart = Exclude<WorkloadSpec, { kind: 'mix' } | { kind: 'phases' }>;

export type WorkloadKind = WorkloadSpec['kind'];

/** A running workload bound to one VM's random stream. */
export interface Workload {
  /**
   * Writes the pages written during (t0, t1] (seconds) into `image`. `speed` in [0, 1] scales the
   * rates (a throttled vCPU writes proportionally less).
   */
  advance(t0: number, t1: number, image: PageImage, speed?: number): void;
  /** Page writes per second at full speed at time t. */
  writeRateAt(t: number): number;
  /** Page accesses (reads + writes) per second at full speed at time t. */
  accessRateAt(t: number): number;
  /** Bytes a write changes in its page at time t (Infinity: the whole page). */
  writeSizeAt(t: number): number;
  /** The next page the guest accesses at time t; `lastAccessWasWrite` says whether it writes it. */
  nextAccess(t: number): number;
  readonly lastAccessWasWrite: boolean;
}

/** What a batch of writes goes into: the page image, or a mapping in front of it. */
interface PageSink {
  write(page: number): void;
}

/** Where one stream of accesses (the writes, or the reads) lands. */
interface PageSampler {
  next(): number;
  /** n writes into the image; samplers may do it faster than n next() calls. */
  writeBatch(n: number, image: PageSink): void;
}

export function createWorkload(spec: WorkloadSpec, rng: Rng): Workload {
  switch (spec.kind) {
    case 'idle':
      return new IdleWorkload();
    case 'phases':
      return new PhasedWorkload(spec.phases.map((p) => ({ duration: p.duration, workload: createWorkload(p.workload, rng) })), spec.repeat);
    case 'mix':
      // each part its own stream, so adding a part leaves the others' sample paths alone
      return new MixWorkload(spec.parts.map((p, i) => createWorkload(p, rng.fork(`part:${i}`))), rng.fork('mix'));
    default: {
      const place = spec.scatteredOver !== undefined ? scatteredPages(spec.offset, spec.workingSet, spec.scatteredOver, rng.fork('scatter')) : null;
      return new RateWorkload(spec, createSampler(spec, rng, place), createSampler(spec, rng, place), rng);
    }
  }
}

/**
 * `count` distinct pages out of the `span` pages from `offset`, drawn uniformly (partial
 * Fisher-Yates), in address order.
 */
export function scatteredPages(offset: number, count: number, span: number, rng: Rng): Int32Array {
  const pool = new Int32Array(span);
  for (let i = 0; i < span; i++) pool[i] = i;
  for (let i = 0; i < count; i++) {
    const j = i + rng.int(span - i);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  const pages = pool.slice(0, count).sort();
  for (let i = 0; i < count; i++) pages[i] += offset;
  return pages;
}

type PatternSpec = Exclude<WorkloadSpec, { kind: 'idle' } | { kind: 'phases' } | { kind: 'mix' }>;

/** The sampler of a pattern; `place` maps working-set indices to pages when the set is scattered. */
function createSampler(spec: PatternSpec, rng: Rng, place: Int32Array | null): PageSampler {
  if (place) {
    // the contiguous sampler over indices 0..ws-1, each index mapped to its page
    const inner = createSampler({ ...spec, offset: 0, scatteredOver: undefined }, rng, null);
    return {
      next: () => place[inner.next()],
      writeBatch: (n, image) => inner.writeBatch(n, { write: (i) => image.write(place[i]) }),
    };
  }
  const { offset, workingSet: ws } = spec;
  switch (spec.kind) {
    case 'uniform':
      return {
        next: () => offset + rng.int(ws),
        writeBatch: (n, image) => writeUniform(image, offset, ws, n, rng),
      };
    case 'hotcold': {
      const hot = Math.min(spec.hotSet, ws);
      const cold = ws - hot;
      return {
        next: () => (cold <= 0 || rng.float() < spec.hotShare ? offset + rng.int(hot) : offset + hot + rng.int(cold)),
        writeBatch: (n, image) => {
          // split the batch by the expected share with stochastic rounding (one draw per batch)
          const hotWrites = Math.floor(n * spec.hotShare + rng.float());
          writeUniform(image, offset, hot, hotWrites, rng);
          writeUniform(image, offset + hot, ws - hot, n - hotWrites, rng);
        },
      };
    }
    case 'zipf': {
      const zipf = new ZipfSampler(ws, spec.exponent);
      const stride = coprimeStride(ws);
      // rank 1 is the hottest page; ranks are scattered over the working set by a fixed stride
      const next = () => offset + (((zipf.sample(rng) - 1) * stride) % ws);
      return { next, writeBatch: (n, image) => { for (let i = 0; i < n; i++) image.write(next()); } };
    }
    case 'sweep': {
      let pos = 0;
      return {
        next: () => {
          const p = offset + pos;
          pos = (pos + 1) % ws;
          return p;
        },
        writeBatch: (n, image) => {
          const distinct = Math.min(n, ws);
          for (let i = 0; i < distinct; i++) image.write(offset + ((pos + i) % ws));
          pos = (pos + n) % ws;
        },
      };
    }
  }
}

class IdleWorkload implements Workload {
  readonly lastAccessWasWrite = false;
  advance(): void {}
  writeRateAt(): number {
    return 0;
  }
  accessRateAt(): number {
    return 0;
  }
  writeSizeAt(): number {
    return Infinity;
  }
  nextAccess(): number {
    throw new Error('an idle guest accesses no page');
  }
}

/** Constant rates: elapsed time becomes whole writes, the fraction carried to the next call. */
class RateWorkload implements Workload {
  #carry = 0;
  lastAccessWasWrite = false;
  readonly #writeShare: number;

  constructor(
    readonly pattern: Pattern,
    readonly writes: PageSampler,
    readonly reads: PageSampler,
    readonly rng: Rng,
  ) {
    const total = pattern.writeRate + pattern.readRate;
    this.#writeShare = total > 0 ? pattern.writeRate / total : 0;
  }

  advance(t0: number, t1: number, image: PageImage, speed = 1): void {
    if (t1 <= t0 || this.pattern.writeRate === 0) return;
    this.#carry += this.pattern.writeRate * speed * (t1 - t0);
    const n = Math.floor(this.#carry + 1e-9);
    if (n <= 0) return;
    this.#carry = Math.max(0, this.#carry - n);
    this.writes.writeBatch(n, image);
  }

  writeRateAt(): number {
    return this.pattern.writeRate;
  }

  accessRateAt(): number {
    return this.pattern.writeRate + this.pattern.readRate;
  }

  writeSizeAt(): number {
    return this.pattern.writeSize ?? Infinity;
  }

  nextAccess(): number {
    this.lastAccessWasWrite = this.#writeShare === 1 || (this.#writeShare > 0 && this.rng.float() < this.#writeShare);
    return this.lastAccessWasWrite ? this.writes.next() : this.reads.next();
  }
}

/** Several patterns at once: writes add up, each access comes from one part by access rate. */
class MixWorkload implements Workload {
  lastAccessWasWrite = false;

  constructor(
    readonly parts: Workload[],
    readonly rng: Rng,
  ) {}

  advance(t0: number, t1: number, image: PageImage, speed = 1): void {
    for (const p of this.parts) p.advance(t0, t1, image, speed);
  }

  writeRateAt(t: number): number {
    let r = 0;
    for (const p of this.parts) r += p.writeRateAt(t);
    return r;
  }

  accessRateAt(t: number): number {
    let r = 0;
    for (const p of this.parts) r += p.accessRateAt(t);
    return r;
  }

  /** The size of the busiest writer's writes (what the encoder sees most). */
  writeSizeAt(t: number): number {
    let best = this.parts[0], rate = -1;
    for (const p of this.parts) {
      const r = p.writeRateAt(t);
      if (r > rate) [best, rate] = [p, r];
    }
    return best.writeSizeAt(t);
  }

  nextAccess(t: number): number {
    let u = this.rng.float() * this.accessRateAt(t);
    let part = this.parts[this.parts.length - 1];
    for (const p of this.parts) {
      const r = p.accessRateAt(t);
      if (u < r) {
        part = p;
        break;
      }
      u -= r;
    }
    const page = part.nextAccess(t);
    this.lastAccessWasWrite = part.lastAccessWasWrite;
    return page;
  }
}

class PhasedWorkload implements Workload {
  readonly cycle: number;
  lastAccessWasWrite = false;

  constructor(readonly phases: { duration: number; workload: Workload }[], readonly repeat: boolean) {
    this.cycle = phases.reduce((s, p) => s + p.duration, 0);
  }

  /** Index of the phase active at t and the time that phase ends. */
  #phaseAt(t: number): [number, number] {
    const n = this.phases.length;
    const cycles = this.repeat && this.cycle > 0 ? Math.floor(t / this.cycle) : 0;
    let end = cycles * this.cycle;
    for (let i = 0; i < n; i++) {
      end += this.phases[i].duration;
      if (t < end) return [i, end];
    }
    return [n - 1, Infinity]; // past the last phase without repeat: the last one goes on
  }

  advance(t0: number, t1: number, image: PageImage, speed = 1): void {
    let t = t0;
    while (t < t1) {
      const [i, end] = this.#phaseAt(t);
      const stop = Math.min(end, t1);
      this.phases[i].workload.advance(t, stop, image, speed);
      if (stop === t) break; // zero-length phase guard
      t = stop;
    }
  }

  writeRateAt(t: number): number {
    return this.phases[this.#phaseAt(t)[0]].workload.writeRateAt(t);
  }

  accessRateAt(t: number): number {
    return this.phases[this.#phaseAt(t)[0]].workload.accessRateAt(t);
  }

  writeSizeAt(t: number): number {
    return this.phases[this.#phaseAt(t)[0]].workload.writeSizeAt(t);
  }

  /** Time the phase active at t ends (Infinity for the last, non-repeating phase). */
  phaseEnd(t: number): number {
    return this.#phaseAt(t)[1];
  }

  nextAccess(t: number): number {
    const w = this.phases[this.#phaseAt(t)[0]].workload;
    const page = w.nextAccess(t);
    this.lastAccessWasWrite = w.lastAccessWasWrite;
    return page;
  }
}

/**
 * n uniform writes over [offset, offset + size). When n exceeds the number of pages, each page is
 * written with the exact marginal probability 1 - (1 - 1/size)^n instead of drawing n samples:
 * same expected dirty set, O(size) work.
 */
export function writeUniform(image: PageSink, offset: number, size: number, n: number, rng: Rng): void {
  if (size <= 0 || n <= 0) return;
  if (n < size) {
    if (image instanceof PageImage && !image.pageByPage && offset + size <= BULK_PAGE_LIMIT) {
      writeDrawn(image, offset, size, n, rng); // the same draws, the same writes, in bulk
      return;
    }
    for (let i = 0; i < n; i++) image.write(offset + rng.int(size));
    return;
  }
  const p = -Math.expm1(n * Math.log1p(-1 / size));
  for (let i = 0; i < size; i++) if (p >= 1 || rng.float() < p) image.write(offset + i);
}

/** A stride near the golden ratio of n, coprime with n, to scatter ranks over pages. */
function coprimeStride(n: number): number {
  if (n <= 2) return 1;
  let s = Math.max(1, Math.round(n * 0.6180339887));
  while (gcd(s, n) !== 1) s++;
  return s;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
