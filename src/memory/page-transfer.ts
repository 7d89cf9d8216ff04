/**
 * @module memory/page-transfer
 * The migration's view of one VM's memory, page-exact: the bitmap of pages still to send (QEMU's
 * `RAMBlock.bmap`, Xen's to_send), the scan position, and what the destination holds (pages received,
 * and which of them are current: the guest's writes clear that bit in the image), so that "every
 * destination page is current at switch-over" can be checked.
 */
import { Bitset, popcount } from './bitset.js';
import { PageImage } from './page-image.js';
import { ZERO } from '../core/doubles.js';

/** Decides what a page costs on the wire when it is sent (the migration's encoding). */
export interface PageEncoder {
  /** Wire bytes of a full data page, and of a zero page. */
  readonly dataPage: number;
  readonly zeroPage: number;
  /** Wire bytes of page p now; 0 means nothing needs to go (it is still delivered). */
  encode(p: number, zero: boolean): number;
  /** Counts full data pages sent by a caller that does not go page by page (fluid memory). */
  addNormal(pages: number): void;
  /**
   * Every page costs dataPage or zeroPage now and encode() records nothing but that count (no
   * cache, no dedup): a transfer may then take pages a word of the bitmap at a time.
   */
  readonly uniform: boolean;
}

/**
 * What the migration driver needs from a VM's memory, page-exact (PageTransfer) or fluid
 * (FluidTransfer): the to-send set, syncs, transfers in scan order, and the final check.
 */
export interface MemoryTransfer {
  /** Pages still to send (QEMU's migration_dirty_pages). */
  readonly remainingPages: number;
  /** Times the scan went past the end of memory (QEMU enables XBZRLE after the first). */
  readonly wraps: number;
  /** Bulk stage: every page is to be sent. */
  markAll(): void;
  /** Dirty-bitmap sync: to-send |= log, log cleared; returns the pages dirtied since the last sync. */
  sync(): number;
  /** A round that is one pass starts from the first page again (Xen, SimGrid). */
  restartScan(): void;
  /** Takes pages until `budget` wire bytes are used (at least one page) or nothing is left. */
  takeChunk(budget: number, encoder: PageEncoder, skipRedirtied?: boolean, out?: Chunk): Chunk;
  /** Pages whose destination copy is missing or stale (0 when the destination is current). */
  stalePages(): number;
  /** Entries of a discard list of the pages left to send (runs of pages). */
  discardRanges(): number;
  /** Free pages not sent (free-page elimination; 0 on fluid memory). */
  readonly freeSkipped: number;
  /** The page-exact transfer, for mechanisms that work page by page (deferral, reuse, free pages, the access-by-access post-copy); null on fluid memory. */
  readonly pageExact: PageTransfer | null;
  /**
   * A live transfer may run to the next decision point in one flow instead of window by window:
   * true on fluid memory, whose state between two decisions is an expectation no window observes.
   */
  readonly wholeRounds: boolean;
}

/** What one chunk of the stream carried. */
export interface Chunk {
  pages: number;
  zeroPages: number;
  wireBytes: number;
  /** Pages skipped because they were re-dirtied during the round (Xen legacy). */
  skipped: number;
  /** Data pages the destination had never received (it allocates them on arrival); 0 on fluid memory. */
  firstPages: number;
}

export class PageTransfer implements MemoryTransfer {
  readonly toSend: Bitset;
  /** Pages the destination has received at least once. */
  readonly dstHas: Bitset;
  /** Pages whose copy at the destination is current (written since: cleared by the image). */
  readonly dstCurrent: Bitset;
  /** Next page the scan looks at; wraps at the end of memory (QEMU's last_page). */
  scanPos = 0;
  /** Times the scan wrapped past the end of memory (QEMU enables XBZRLE after the first). */
  wraps = 0;
  /** Pages held back for the stop-and-copy (hot-page deferral); not counted as pending. Made on first use. */
  #deferred: Bitset | null = null;
  /** Decides, page by page, what the scan holds back (null: nothing). */
  deferral: ((p: number) => boolean) | null = null;
  /** Skip free pages: the destination gets them as zero pages (free-page elimination). */
  skipFree = false;
  /** Free pages not sent. */
  freeSkipped = 0;
  readonly wholeRounds = false;

  constructor(readonly image: PageImage) {
    this.toSend = new Bitset(image.pageCount);
    this.dstHas = new Bitset(image.pageCount);
    this.dstCurrent = image.current = new Bitset(image.pageCount);
  }

  /** Pages held back for the stop-and-copy (hot-page deferral). */
  get deferred(): Bitset {
    return (this.#deferred ??= new Bitset(this.image.pageCount));
  }

  get pageExact(): PageTransfer {
    return this;
  }

  /** The stop-and-copy sends what was held back too. */
  releaseDeferred(): number {
    const deferred = this.#deferred;
    if (deferred === null || deferred.count === 0) return 0;
    const n = deferred.count;
    this.toSend.or(deferred);
    deferred.clear();
    return n;
  }

  /** Bulk stage: every page is to be sent. */
  markAll(): void {
    this.toSend.fill();
  }

  /** Dirty-bitmap sync: to-send |= log, log cleared. Returns pages dirtied since the last sync. */
  sync(): number {
    const log = this.image.log;
    if (!log) return 0;
    const dirtied = log.count;
    this.toSend.or(log);
    log.clear();
    return dirtied;
  }

  /** Pending pages (QEMU's migration_dirty_pages). */
  get remainingPages(): number {
    return this.toSend.count;
  }

  restartScan(): void {
    this.scanPos = 0;
  }

  discardRanges(): number {
    return this.toSend.runs();
  }

  /**
   * Takes pages in scan order until `budget` wire bytes are used (at least one page), `maxPages`
   * pages are taken, or nothing is left; marks them as current at the destination. With
   * `skipRedirtied`, a page already in the dirty log is not sent now (it will be in the next round
   * anyway): Xen's legacy to_skip rule.
   */
  takeChunk(budget: number, encoder: PageEncoder, skipRedirtied = false, out: Chunk = newChunk(), maxPages = Infinity): Chunk {
    out.pages = 0; out.zeroPages = 0; out.wireBytes = 0; out.skipped = 0; out.firstPages = 0;
    const toSend = this.toSend, image = this.image, log = image.log;
    const pageByPage = image.pageByPage || skipRedirtied || this.deferral !== null || (this.skipFree && image.free !== null) || !encoder.uniform || maxPages < Infinity;
    let pos = pageByPage ? this.scanPos : this.#takeWords(budget, encoder, out);
    while (toSend.count > 0 && (out.wireBytes < budget || out.pages === 0) && out.pages + out.skipped < maxPages) {
      let p = toSend.nextSet(pos);
      if (p < 0) {
        p = toSend.nextSet(0);
        this.wraps++;
      }
      toSend.delete(p);
      pos = p + 1;
      if (skipRedirtied && log !== null && log.has(p)) {
        out.skipped++;
        continue;
      }
      if (this.deferral !== null && this.deferral(p)) {
        this.deferred.add(p);
        continue;
      }
      if (this.skipFree && image.free !== null && image.free.has(p)) {
        this.deliver(p); // the destination maps a zero page there: the guest does not use it
        this.freeSkipped++;
        continue;
      }
      const zero = !image.nonZero.has(p);
      if (!zero && !this.dstHas.has(p)) out.firstPages++;
      this.deliver(p);
      out.wireBytes += encoder.encode(p, zero);
      if (zero) out.zeroPages++;
      out.pages++;
    }
    if (pos >= image.pageCount) {
      pos = 0;
      this.wraps++;
    }
    this.scanPos = pos;
    return out;
  }

  /**
   * The loop of takeChunk a bitmap word at a time, for pages that need no decision of their own: the
   * pages of a word go together while the chunk stays under budget with all of them, which gives
   * the same pages, bytes and scan position as taking them one by one. Stops before the word that
   * would cross the budget (takeChunk's loop takes its pages one by one) and returns the position.
   */
  #takeWords(budget: number, encoder: PageEncoder, out: Chunk): number {
    const toSend = this.toSend, words = toSend.words, nonZero = this.image.nonZero.words;
    const has = this.dstHas, current = this.dstCurrent, hasWords = has.words, currentWords = current.words;
    const dataPage = encoder.dataPage, zeroPage = encoder.zeroPage;
    let pos = this.scanPos, wire = out.wireBytes, pages = 0, zeroPages = 0, dataPages = 0, firstPages = 0;
    let left = toSend.count, hasAdded = 0, currentAdded = 0; // the counts, written back at the end
    while (left > 0) {
      let w = pos >>> 5;
      if (w >= words.length) {
        pos = 0; // past the end: the scan starts again from the first page
        w = 0;
        this.wraps++;
      }
      const bits = words[w] & (~0 << (pos & 31)); // int32: all 32 pages is -1
      if (bits === 0) {
        // past the empty words in a loop of their own (a sparse bitmap is mostly empty words)
        const end = words.length;
        do w++;
        while (w < end && words[w] === 0);
        pos = w << 5;
        continue;
      }
      // a full word, a word of data pages and a word new to the destination need no count of bits
      const n = bits === -1 ? 32 : popcount(bits);
      const zeroBits = bits & ~nonZero[w], zeros = zeroBits === 0 ? 0 : popcount(zeroBits);
      const cost = (n - zeros) * dataPage + zeros * zeroPage;
      if (!(wire + cost < budget)) break;
      words[w] &= ~bits;
      left -= n;
      const hasBits = bits & ~hasWords[w], currentBits = bits & ~currentWords[w];
      const firstBits = hasBits & ~zeroBits; // data pages new to the destination
      firstPages += firstBits === 0 ? 0 : firstBits === bits ? n : popcount(firstBits);
      hasAdded += hasBits === bits ? n : popcount(hasBits);
      hasWords[w] |= bits;
      currentAdded += currentBits === bits ? n : popcount(currentBits);
      currentWords[w] |= bits;
      wire += cost;
      pages += n;
      zeroPages += zeros;
      dataPages += n - zeros;
      pos = (w << 5) + 32 - Math.clz32(bits);
    }
    toSend.count = left;
    has.count += hasAdded;
    current.count += currentAdded;
    encoder.addNormal(dataPages);
    out.wireBytes = wire;
    out.pages = pages;
    out.zeroPages = zeroPages;
    out.firstPages = firstPages;
    return pos;
  }

  /** The destination now holds the current copy of page p. */
  deliver(p: number): void {
    this.dstHas.add(p);
    this.dstCurrent.add(p);
  }

  /**
   * Pages the guest uses whose destination copy is missing or stale (0 when the destination is
   * current); free pages do not count: the guest does not read them.
   */
  stalePages(): number {
    const free = this.image.free?.words, has = this.dstHas.words, current = this.dstCurrent.words;
    const n = has.length, tail = this.image.pageCount & 31;
    let stale = 0;
    for (let w = 0; w < n; w++) {
      let used = free ? ~free[w] : ~0;
      if (w === n - 1 && tail !== 0) used &= (1 << tail) - 1;
      const missing = used & ~(has[w] & current[w]);
      if (missing !== 0) stale += popcount(missing);
    }
    return stale;
  }

  get stateBytes(): number {
    return this.toSend.words.byteLength + this.dstHas.words.byteLength + (this.#deferred?.words.byteLength ?? 0);
  }
}

export function newChunk(): Chunk {
  return { pages: ZERO, zeroPages: ZERO, wireBytes: ZERO, skipped: ZERO, firstPages: ZERO };
}
