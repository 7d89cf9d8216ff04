/**
 * @module memory/page-image
 * Page-exact guest memory as struct-of-arrays: no page objects. Per page: a content class bit
 * (zero / data), a write generation (Uint8, wraps) and, while a migration tracks it, a bit in the
 * dirty log (the hypervisor's log-dirty bitmap / KVM dirty log).
 */
import { Bitset } from './bitset.js';

export class PageImage {
  /** Pages holding data; the rest are zero pages (untouched memory). */
  readonly nonZero: Bitset;
  /** Write generation per page; bumped on every write, compared to decide if a copy is current. */
  readonly version: Uint8Array;
  /** The dirty log while tracking is on (pages written since the last sync), else null. */
  log: Bitset | null = null;
  /** Pages written since the image was created (statistic). */
  writes = 0;

  /**
   * @param pageCount pages of guest memory
   * @param residentPages the first `residentPages` pages start as data pages, the rest as zero pages
   */
  constructor(readonly pageCount: number, residentPages: number) {
    this.nonZero = new Bitset(pageCount);
    this.version = new Uint8Array(pageCount);
    const full = Math.min(pageCount, Math.max(0, Math.floor(residentPages)));
    const words = this.nonZero.words;
    words.fill(0xffffffff, 0, full >>> 5);
    for (let i = full & ~31; i < full; i++) words[i >>> 5] |= 1 << (i & 31);
    this.nonZero.count = full;
  }

  /** The guest writes page p. */
  write(p: number): void {
    this.version[p] = (this.version[p] + 1) & 0xff;
    this.nonZero.add(p);
    this.log?.add(p);
    this.writes++;
  }

  /** Turns dirty logging on (a fresh, empty log). */
  startTracking(): Bitset {
    this.log = new Bitset(this.pageCount);
    return this.log;
  }

  stopTracking(): void {
    this.log = null;
  }

  /** Bytes of state this image holds (for the memory benchmark). */
  get stateBytes(): number {
    return this.nonZero.words.byteLength + this.version.byteLength + (this.log?.words.byteLength ?? 0);
  }
}
