/**
 * @module workload/free-memory
 * Free memory in a guest: pages the guest does not use but that still hold data (freed, not
 * zeroed), which a balloon driver or QEMU's free-page hinting can tell the hypervisor about. The
 * free set changes over time: `churn` pages per second are allocated (taken from the free set and
 * written) while as many used pages are freed (keeping their stale data), so the free size holds.
 */
import { Rng } from '../core/random.js';
import { Bitset } from '../memory/bitset.js';
import { PageImage } from '../memory/page-image.js';

export class FreeMemory {
  /** Free pages as a dense list with positions, so a random one is O(1) to pick and remove. */
  readonly #list: Int32Array;
  readonly #pos: Int32Array;
  #count = 0;
  #carry = 0;

  /**
   * @param image the VM's memory; its `free` bitset is created here
   * @param first, size the free pages at start: [first, first + size)
   * @param span pages [0, span) take part in the churn (the guest's resident memory)
   * @param churn pages allocated (and as many freed) per second
   */
  constructor(readonly image: PageImage, first: number, size: number, readonly span: number, readonly churn: number, readonly rng: Rng) {
    this.#list = new Int32Array(image.pageCount);
    this.#pos = new Int32Array(image.pageCount).fill(-1);
    image.free = new Bitset(image.pageCount);
    for (let p = first; p < first + size; p++) this.#add(p);
  }

  get pages(): number {
    return this.#count;
  }

  /** The churn over dt seconds (at the guest's speed). */
  advance(dt: number): void {
    if (this.churn <= 0 || dt <= 0) return;
    this.#carry += this.churn * dt;
    const n = Math.floor(this.#carry);
    this.#carry -= n;
    for (let i = 0; i < n && this.#count > 0; i++) {
      const used = this.#list[this.rng.int(this.#count)];
      this.#remove(used);
      this.image.write(used); // allocated: the guest writes it before using it
      let freed = this.rng.int(this.span);
      while (this.#pos[freed] >= 0) freed = this.rng.int(this.span);
      this.#add(freed); // its data stays: it is stale, not zero
    }
  }

  #add(p: number): void {
    this.#pos[p] = this.#count;
    this.#list[this.#count++] = p;
    this.image.free!.add(p);
  }

  #remove(p: number): void {
    const i = this.#pos[p], last = this.#list[--this.#count];
    this.#list[i] = last;
    this.#pos[last] = i;
    this.#pos[p] = -1;
    this.image.free!.delete(p);
  }
}
