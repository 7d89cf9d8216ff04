/**
 * @module memory/page-image
 * Page-exact guest memory as struct-of-arrays: no page objects. Per page, always: a content class
 * bit (zero / data), a bit in each active change log (the migration's dirty log, KVM's dirty log /
 * Xen's log-dirty bitmap; the logs of kept images on other hosts, the pages changed since the VM
 * left them) and a bit saying whether the migration destination's copy is current. Only for the
 * mechanisms that read them: a write generation (Uint8, wraps) for XBZRLE's cache and hot-page
 * deferral, and the time of the last write (whole seconds) for reuse's skip-hot prediction. A plain
 * migration thus holds under one byte per guest page.
 */
import { Bitset } from './bitset.js';

/** Granularity of the last-write history, s. */
export const HISTORY_EPOCH = 1;

export class PageImage {
  /** Pages holding data; the rest are zero pages (untouched memory). */
  readonly nonZero: Bitset;
  /** Write generation per page, mod 256, once a mechanism asked for generations (versions()); else null. */
  #version: Uint8Array | null = null;
  /** 1 + the epoch of each page's last write, mod 2^16 (0: never written since the start); null unless kept (recency). */
  readonly lastWrite: Uint16Array | null;
  /** The migration's dirty log while tracking is on (pages written since the last sync), else null. */
  log: Bitset | null = null;
  /** Pages whose copy at the destination of the migration under way is current: a write clears its bit (null: no migration yet). */
  current: Bitset | null = null;
  /** Other change logs (kept images elsewhere): every write is recorded in each. */
  readonly watchers: Bitset[] = [];
  /** Pages written since the image was created (statistic). */
  writes = 0;
  /**
   * Free pages: guest-unused memory that still holds data (a balloon driver or free-page hinting
   * knows them); null when the VM declares none.
   */
  free: Bitset | null = null;
  /**
   * Content identity per page for deduplication: 0 is content no other page has; equal non-zero ids
   * are equal pages (within the VM, or across VMs built from the same image). null when unused.
   */
  content: Uint32Array | null = null;
  /** Epoch stamped on writes: set by whoever advances the workload. */
  epoch = 0;
  /**
   * The plain path: the workload writes page by page through write() and transfers take pages one
   * at a time (the off switch of the bulk writes, bulk-writes.ts, and of the word-at-a-time scan;
   * the same results).
   */
  pageByPage = false;

  /**
   * @param pageCount pages of guest memory
   * @param residentPages pages that start as data pages, the rest as zero pages
   * @param residentAt where the data pages are: the first pages, or the last (Linux fills memory from the top)
   * @param recency keep the time of each page's last write (writtenWithin), from the start
   * @param topPages data pages at the very top besides them (the kernel's per-page structures)
   */
  constructor(readonly pageCount: number, residentPages: number, residentAt: 'start' | 'end' = 'start', recency = false, topPages = 0) {
    this.nonZero = new Bitset(pageCount);
    this.lastWrite = recency ? new Uint16Array(pageCount) : null;
    for (let p = Math.max(0, pageCount - Math.floor(topPages)); p < pageCount; p++) this.nonZero.add(p);
    const full = Math.min(pageCount, Math.max(0, Math.floor(residentPages)));
    if (residentAt === 'end') {
      for (let p = pageCount - full; p < pageCount; p++) this.nonZero.add(p);
      return;
    }
    if (topPages >= 1) {
      for (let p = 0; p < full; p++) this.nonZero.add(p);
      return;
    }
    const words = this.nonZero.words;
    words.fill(0xffffffff, 0, full >>> 5);
    for (let i = full & ~31; i < full; i++) words[i >>> 5] |= 1 << (i & 31);
    this.nonZero.count = full;
  }

  /**
   * Write generations from now on. They count from the first call, not from the start: a mechanism
   * compares only generations it read itself, so where the count began does not matter.
   */
  versions(): Uint8Array {
    return (this.#version ??= new Uint8Array(this.pageCount));
  }

  /** The write generations if a mechanism asked for them, else null (asks for nothing). */
  get generations(): Uint8Array | null {
    return this.#version;
  }

  /** The guest writes page p. */
  write(p: number): void {
    if (this.#version !== null) this.#version[p] = (this.#version[p] + 1) & 0xff;
    if (this.lastWrite !== null) this.lastWrite[p] = (this.epoch + 1) & 0xffff;
    this.nonZero.add(p);
    if (this.content !== null) this.content[p] = 0; // a written page has content of its own
    this.log?.add(p);
    this.current?.delete(p);
    for (let i = 0; i < this.watchers.length; i++) this.watchers[i].add(p);
    this.writes++;
  }

  /** Sets the epoch for the writes that follow, from a simulated time in seconds. */
  setTime(t: number): void {
    this.epoch = Math.floor(t / HISTORY_EPOCH);
  }

  /** True if page p was written within the last `window` seconds before time t. */
  writtenWithin(p: number, t: number, window: number): boolean {
    if (this.lastWrite === null) throw new Error('PageImage: the time of last writes is kept only when asked for at creation (recency)');
    const stamp = this.lastWrite[p];
    if (stamp === 0) return false;
    const age = (Math.floor(t / HISTORY_EPOCH) + 1 - stamp) & 0xffff;
    return age * HISTORY_EPOCH < window;
  }

  /** Turns dirty logging on (a fresh, empty log). */
  startTracking(): Bitset {
    this.log = new Bitset(this.pageCount);
    return this.log;
  }

  stopTracking(): void {
    this.log = null;
  }

  /** Starts recording changed pages into a new log (for a kept image); returns it. */
  watch(): Bitset {
    const log = new Bitset(this.pageCount);
    this.watchers.push(log);
    return log;
  }

  unwatch(log: Bitset): void {
    const i = this.watchers.indexOf(log);
    if (i >= 0) this.watchers.splice(i, 1);
  }

  /** Bytes of state this image holds (for the memory benchmark). */
  get stateBytes(): number {
    return (
      this.nonZero.words.byteLength +
      (this.#version?.byteLength ?? 0) +
      (this.lastWrite?.byteLength ?? 0) +
      (this.log?.words.byteLength ?? 0) +
      (this.current?.words.byteLength ?? 0) +
      this.watchers.reduce((s, w) => s + w.words.byteLength, 0)
    );
  }
}
