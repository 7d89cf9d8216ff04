/**
 * @module memory/bitset
 * Fixed-size bit sets over Uint32Array words: one bit per guest page. 16 GiB of 4 KiB pages is
 * 4 Mi bits = 512 KiB.
 */

export class Bitset {
  readonly words: Uint32Array;
  /** Number of set bits, kept up to date by every mutator. */
  count = 0;

  constructor(readonly size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  has(i: number): boolean {
    return (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Sets bit i; returns true if it was clear. */
  add(i: number): boolean {
    const w = i >>> 5, m = 1 << (i & 31);
    if (this.words[w] & m) return false;
    this.words[w] |= m;
    this.count++;
    return true;
  }

  /** Clears bit i; returns true if it was set. */
  delete(i: number): boolean {
    const w = i >>> 5, m = 1 << (i & 31);
    if (!(this.words[w] & m)) return false;
    this.words[w] &= ~m;
    this.count--;
    return true;
  }

  /** Sets bits [from, to). */
  addRange(from: number, to: number): void {
    for (let i = from; i < to; i++) this.add(i);
  }

  clear(): void {
    this.words.fill(0);
    this.count = 0;
  }

  fill(): void {
    this.words.fill(0xffffffff);
    const tail = this.size & 31;
    if (tail) this.words[this.words.length - 1] = ((1 << tail) - 1) >>> 0;
    this.count = this.size;
  }

  /** this |= other; returns how many bits were newly set. */
  or(other: Bitset): number {
    const a = this.words, b = other.words, n = a.length;
    let added = 0;
    for (let w = 0; w < n; w++) {
      const x = b[w];
      if (x === 0) continue; // a dirty log is mostly empty words
      const fresh = x & ~a[w];
      if (fresh !== 0) {
        added += popcount(fresh);
        a[w] |= fresh;
      }
    }
    this.count += added;
    return added;
  }

  /** this &= ~other; returns how many bits were cleared. */
  andNot(other: Bitset): number {
    const a = this.words, b = other.words;
    let removed = 0;
    for (let w = 0; w < a.length; w++) {
      const gone = a[w] & b[w];
      if (gone) {
        removed += popcount(gone);
        a[w] &= ~gone;
      }
    }
    this.count -= removed;
    return removed;
  }

  /** Copies other into this. */
  copyFrom(other: Bitset): void {
    this.words.set(other.words);
    this.count = other.count;
  }

  /** The first set bit at index >= from, or -1. */
  nextSet(from: number): number {
    if (from >= this.size) return -1;
    const words = this.words;
    let w = from >>> 5;
    let bits = words[w] & (~0 << (from & 31));
    for (;;) {
      if (bits) return (w << 5) + ctz(bits);
      if (++w >= words.length) return -1;
      bits = words[w];
    }
  }

  /** The last set bit at index <= from, or -1. */
  prevSet(from: number): number {
    if (from < 0) return -1;
    if (from >= this.size) from = this.size - 1;
    const words = this.words;
    let w = from >>> 5;
    const shift = 31 - (from & 31);
    let bits = shift === 0 ? words[w] : (words[w] << shift) >>> shift;
    for (;;) {
      if (bits) return (w << 5) + 31 - Math.clz32(bits);
      if (--w < 0) return -1;
      bits = words[w];
    }
  }

  /** Number of runs of consecutive set bits (e.g. ranges in a discard list). */
  runs(): number {
    let runs = 0;
    for (let i = this.nextSet(0); i >= 0; i = this.nextSet(i + 1)) if (i === 0 || !this.has(i - 1)) runs++;
    return runs;
  }

  /** Recounts from the words (for tests). */
  recount(): number {
    let c = 0;
    for (let w = 0; w < this.words.length; w++) c += popcount(this.words[w]);
    return c;
  }
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Count of trailing zeros of a non-zero 32-bit word. */
function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}
