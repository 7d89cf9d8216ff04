/**
 * @module core/random
 * Seeded random streams: the only source of randomness in the simulator.
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32 from (seed, stream name), so that
 * each consumer (a VM's workload, a policy) has its own stream and adding one consumer does not
 * shift the numbers another one sees.
 */

function splitmix32(state: number): [number, number] {
  state = (state + 0x9e3779b9) | 0;
  let z = state;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [state, (z ^ (z >>> 16)) >>> 0];
}

/** FNV-1a hash of a stream name. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic random stream. */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /** @param seed any integer; @param stream a name separating independent streams. */
  constructor(seed: number, stream = '') {
    let st = (Math.trunc(seed) ^ hashName(stream)) | 0;
    let out: number;
    [st, out] = splitmix32(st); this.#s0 = out;
    [st, out] = splitmix32(st ^ Math.trunc(seed / 2 ** 32)); this.#s1 = out;
    [st, out] = splitmix32(st); this.#s2 = out;
    [st, out] = splitmix32(st); this.#s3 = out | 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9);
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = rotl(n3, 11);
    this.#s0 = n0; this.#s1 = n1; this.#s2 = n2; this.#s3 = n3;
    return r >>> 0;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), n <= 2^32: one 32-bit draw (bias below n / 2^32, negligible for page indices). */
  int(n: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * n);
  }

  /**
   * `count` draws of int(n), n <= 2^31, into out[0..count): the numbers, and the state left
   * behind, of `count` calls of int(n), without a call per draw (the generator's state stays in
   * locals). Bulk writes (workload/workload.ts) draw their pages this way.
   */
  ints(n: number, count: number, out: Int32Array): void {
    let s0 = this.#s0 | 0, s1 = this.#s1 | 0, s2 = this.#s2 | 0, s3 = this.#s3 | 0;
    // (u / 2^32) * n is u * (n / 2^32): scaling by a power of two is exact, so the same double
    const scale = n / 4294967296;
    for (let i = 0; i < count; i++) {
      const x = Math.imul(s1, 5);
      const r = Math.imul((x << 7) | (x >>> 25), 9); // nextUint32's steps, rotl written out
      const t = s1 << 9;
      let n2 = s2 ^ s0;
      let n3 = s3 ^ s1;
      const n1 = s1 ^ n2;
      const n0 = s0 ^ n3;
      n2 ^= t;
      n3 = (n3 << 11) | (n3 >>> 21);
      s0 = n0; s1 = n1; s2 = n2; s3 = n3;
      out[i] = Math.floor((r >>> 0) * scale);
    }
    this.#s0 = s0; this.#s1 = s1; this.#s2 = s2; this.#s3 = s3;
  }

  /** A child stream, independent of this one, named relative to it. */
  fork(name: string): Rng {
    return new Rng(this.nextUint32() ^ hashName(name), name);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
