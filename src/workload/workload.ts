/**
 * @module workload/workload
 * How a guest writes its memory over time. A workload advances in bulk between events: it writes
 * the pages the guest writes in (t0, t1] into the page image, allocating nothing per write.
 * Rates are page writes per second; sizes and offsets are in pages (converted at the scenario edge).
 */
import { Rng } from '../core/random.js';
import { PageImage } from '../memory/page-image.js';
import { ZipfSampler } from './zipf.js';

export type WorkloadSpec =
  | { kind: 'idle' }
  | { kind: 'uniform'; writeRate: number; workingSet: number; offset: number }
  | { kind: 'hotcold'; writeRate: number; hotSet: number; hotShare: number; workingSet: number; offset: number }
  | { kind: 'zipf'; writeRate: number; workingSet: number; exponent: number; offset: number }
  | { kind: 'sweep'; writeRate: number; workingSet: number; offset: number }
  | { kind: 'phases'; phases: { duration: number; workload: WorkloadSpec }[]; repeat: boolean };

export type WorkloadKind = WorkloadSpec['kind'];

/** A running workload bound to one VM's image and random stream. */
export interface Workload {
  /**
   * Writes the pages written during (t0, t1] (seconds) into `image`. `speed` in [0, 1] scales the
   * write rate (a throttled vCPU writes proportionally less).
   */
  advance(t0: number, t1: number, image: PageImage, speed?: number): void;
  /** Mean page writes per second at full speed at time t (for reports and fluid models). */
  writeRateAt(t: number): number;
}

export function createWorkload(spec: WorkloadSpec, rng: Rng): Workload {
  switch (spec.kind) {
    case 'idle':
      return { advance() {}, writeRateAt: () => 0 };
    case 'uniform':
      return new RateWorkload(spec.writeRate, (n, image) => writeUniform(image, spec.offset, spec.workingSet, n, rng));
    case 'hotcold':
      return new RateWorkload(spec.writeRate, (n, image) => writeHotCold(image, spec, n, rng));
    case 'zipf': {
      const zipf = new ZipfSampler(spec.workingSet, spec.exponent);
      const stride = coprimeStride(spec.workingSet);
      return new RateWorkload(spec.writeRate, (n, image) => {
        for (let i = 0; i < n; i++) {
          // rank 1 is the hottest page; ranks are scattered over the working set by a fixed stride
          const rank = zipf.sample(rng) - 1;
          image.write(spec.offset + ((rank * stride) % spec.workingSet));
        }
      });
    }
    case 'sweep': {
      let pos = 0;
      return new RateWorkload(spec.writeRate, (n, image) => {
        const ws = spec.workingSet;
        const distinct = Math.min(n, ws);
        for (let i = 0; i < distinct; i++) image.write(spec.offset + ((pos + i) % ws));
        pos = (pos + n) % ws;
      });
    }
    case 'phases':
      return new PhasedWorkload(spec.phases.map((p) => ({ duration: p.duration, workload: createWorkload(p.workload, rng) })), spec.repeat);
  }
}

/** A constant-rate writer: turns elapsed time into a whole number of writes, carrying the fraction. */
class RateWorkload implements Workload {
  #carry = 0;
  constructor(readonly rate: number, readonly writeN: (n: number, image: PageImage) => void) {}

  advance(t0: number, t1: number, image: PageImage, speed = 1): void {
    if (t1 <= t0 || this.rate === 0) return;
    this.#carry += this.rate * speed * (t1 - t0);
    const n = Math.floor(this.#carry + 1e-9);
    if (n <= 0) return;
    this.#carry = Math.max(0, this.#carry - n);
    this.writeN(n, image);
  }

  writeRateAt(): number {
    return this.rate;
  }
}

class PhasedWorkload implements Workload {
  readonly cycle: number;
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
}

/**
 * n uniform writes over [offset, offset + size). When n exceeds the number of pages, each page is
 * written with the exact marginal probability 1 - (1 - 1/size)^n instead of drawing n samples:
 * same expected dirty set, O(size) work.
 */
export function writeUniform(image: PageImage, offset: number, size: number, n: number, rng: Rng): void {
  if (size <= 0 || n <= 0) return;
  if (n < size) {
    for (let i = 0; i < n; i++) image.write(offset + rng.int(size));
    return;
  }
  const p = -Math.expm1(n * Math.log1p(-1 / size));
  for (let i = 0; i < size; i++) if (p >= 1 || rng.float() < p) image.write(offset + i);
}

function writeHotCold(
  image: PageImage,
  spec: Extract<WorkloadSpec, { kind: 'hotcold' }>,
  n: number,
  rng: Rng,
): void {
  // split the batch by the expected share with stochastic rounding (one draw per batch)
  const hotWrites = Math.floor(n * spec.hotShare + rng.float());
  const hot = Math.min(spec.hotSet, spec.workingSet);
  writeUniform(image, spec.offset, hot, hotWrites, rng);
  writeUniform(image, spec.offset + hot, spec.workingSet - hot, n - hotWrites, rng);
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
