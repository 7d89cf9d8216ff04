/**
 * @module workload/zipf
 * Zipf-distributed ranks in [1, n] with P(k) proportional to k^-s, sampled in O(1) without a table
 * by rejection-inversion (Hörmann & Derflinger, "Rejection-inversion to generate variates from
 * monotone discrete distributions", ACM TOMACS 1996).
 */
import { Rng } from '../core/random.js';

export class ZipfSampler {
  readonly #hIntegralX1: number;
  readonly #hIntegralN: number;
  readonly #s: number;

  constructor(readonly n: number, readonly exponent: number) {
    if (!(n >= 1)) throw new RangeError(`zipf needs n >= 1, got ${n}`);
    if (!(exponent > 0)) throw new RangeError(`zipf exponent must be > 0, got ${exponent}`);
    this.#hIntegralX1 = this.#hIntegral(1.5) - 1;
    this.#hIntegralN = this.#hIntegral(n + 0.5);
    this.#s = 2 - this.#hIntegralInverse(this.#hIntegral(2.5) - this.#h(2));
  }

  sample(rng: Rng): number {
    for (;;) {
      const u = this.#hIntegralN + rng.float() * (this.#hIntegralX1 - this.#hIntegralN);
      const x = this.#hIntegralInverse(u);
      let k = Math.round(x);
      if (k < 1) k = 1;
      else if (k > this.n) k = this.n;
      if (k - x <= this.#s || u >= this.#hIntegral(k + 0.5) - this.#h(k)) return k;
    }
  }

  #h(x: number): number {
    return Math.exp(-this.exponent * Math.log(x));
  }

  #hIntegral(x: number): number {
    const logX = Math.log(x);
    return expm1OverX((1 - this.exponent) * logX) * logX;
  }

  #hIntegralInverse(x: number): number {
    let t = x * (1 - this.exponent);
    if (t < -1) t = -1; // numerical guard at the boundary
    return Math.exp(log1pOverX(t) * x);
  }
}

function expm1OverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + x * 0.25));
}

function log1pOverX(x: number): number {
  return Math.abs(x) > 1e-8 ? Math.log1p(x) / x : 1 - x * (0.5 - x * (1 / 3 - x * 0.25));
}
