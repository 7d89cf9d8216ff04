/**
 * @module memory/fluid
 * Fluid memory: a VM's pages as a few regions whose counts evolve in expectation, O(regions) per
 * step, instead of one bit per page. A region is a run of pages the guest writes uniformly (or
 * sweeps sequentially) at a rate that depends on the workload's phase. Per region: pages, expected
 * zero pages, expected pages in the dirty log, expected pages still to send.
 *
 * - uniform writes at w pages/s over n pages: a page is still out of the log after t with
 *   probability e^(-w t / n), so the log grows to n - (n - L) e^(-w t / n);
 * - a sequential sweep dirties min(n, L + w t) distinct pages;
 * - a sync joins the log to the pages still to send, independently placed: T + L - T L / n;
 * - a transfer takes pages from the regions in proportion to what each still has to send.
 *
 * The same migration driver runs on it (MemoryTransfer); tests hold it within a few percent of the
 * mean of page-exact runs.
 */
import { Chunk, MemoryTransfer, newChunk, PageEncoder } from './page-transfer.js';
import { ZERO } from '../core/doubles.js';

/** Regions of a VM's memory and their write rates per workload phase. */
export interface FluidLayout {
  /** Pages of each region, in address order. */
  sizes: number[];
  /** Regions a sweep writes (sequentially); the others are written uniformly. */
  sweep: boolean[];
  /** Pages of each region holding data at start. */
  resident: number[];
  /** Writes/s per region, one row per phase. */
  writeRates: number[][];
  /** Reads/s per region, one row per phase. */
  readRates: number[][];
  /** Phase durations (s) and whether the phases repeat; one phase of Infinity for a plain workload. */
  durations: number[];
  repeat: boolean;
}

// (a VM has a few regions: plain arrays of numbers, which cost less to make than typed arrays)
export class FluidImage {
  readonly size: number[];
  /** Expected zero pages per region. */
  readonly zero: number[];
  /** Expected pages in the dirty log per region (while tracking). */
  readonly log: number[];
  tracking = false;
  readonly pageCount: number;

  constructor(readonly layout: FluidLayout) {
    const n = layout.sizes.length;
    // (copies of their size: an array pushed to grows to 16 entries, and a VM has a few regions)
    this.size = layout.sizes.slice();
    this.zero = layout.sizes.slice();
    this.log = layout.sizes.slice();
    let pages = 0;
    for (let i = 0; i < n; i++) {
      this.zero[i] -= layout.resident[i];
      this.log[i] = 0;
      pages += this.size[i];
    }
    this.pageCount = pages;
  }

  get regions(): number {
    return this.size.length;
  }

  /** The phase index at time t. */
  phaseAt(t: number): number {
    const d = this.layout.durations;
    if (d.length === 1) return 0;
    const cycle = d.reduce((a, b) => a + b, 0);
    let x = this.layout.repeat && Number.isFinite(cycle) ? t % cycle : t;
    for (let i = 0; i < d.length; i++) {
      if (x < d[i]) return i;
      x -= d[i];
    }
    return d.length - 1;
  }

  /** The time the phase active at t ends. */
  phaseEnd(t: number): number {
    const d = this.layout.durations;
    if (d.length === 1) return Infinity;
    const cycle = d.reduce((a, b) => a + b, 0);
    const base = this.layout.repeat && Number.isFinite(cycle) ? Math.floor(t / cycle) * cycle : 0;
    let end = base;
    for (let i = 0; i < d.length; i++) {
      end += d[i];
      if (t < end) return end;
    }
    return Infinity;
  }

  /** The guest's writes in (t0, t1] at `speed`, in expectation. */
  advance(t0: number, t1: number, speed: number): void {
    let t = t0;
    while (t < t1) {
      const end = Math.min(t1, this.phaseEnd(t));
      this.#write(this.layout.writeRates[this.phaseAt(t)], (end - t) * speed);
      if (end <= t) break;
      t = end;
    }
  }

  #write(rates: number[], dt: number): void {
    for (let i = 0; i < rates.length; i++) {
      const w = rates[i] * dt;
      if (w <= 0) continue;
      const n = this.size[i];
      if (this.layout.sweep[i]) {
        const fresh = Math.min(n - this.log[i], w);
        this.zero[i] *= 1 - Math.min(1, w / n);
        if (this.tracking) this.log[i] += fresh;
      } else {
        const keep = Math.exp(-w / n);
        this.zero[i] *= keep;
        if (this.tracking) this.log[i] = n - (n - this.log[i]) * keep;
      }
    }
  }

  startTracking(): void {
    this.tracking = true;
    this.log.fill(0);
  }

  stopTracking(): void {
    this.tracking = false;
    this.log.fill(0);
  }

  /** Expected pages in the log. */
  get logged(): number {
    let s = 0;
    for (let i = 0; i < this.log.length; i++) s += this.log[i];
    return s;
  }
}

/** The migration's view of a fluid image: expected pages still to send per region. */
export class FluidTransfer implements MemoryTransfer {
  readonly toSend: number[];
  /** Expected pages sent per region since the migration started (for the first-pass mark). */
  #sent = ZERO;
  wraps = 0;
  readonly freeSkipped = 0;
  readonly pageExact = null;
  readonly wholeRounds = true;

  constructor(readonly image: FluidImage) {
    this.toSend = new Array<number>(image.regions).fill(0);
  }

  markAll(): void {
    for (let i = 0; i < this.toSend.length; i++) this.toSend[i] = this.image.size[i];
  }

  get remainingPages(): number {
    let s = 0;
    for (let i = 0; i < this.toSend.length; i++) s += this.toSend[i];
    return s;
  }

  sync(): number {
    const img = this.image;
    let dirtied = 0;
    for (let i = 0; i < this.toSend.length; i++) {
      const n = img.size[i], l = img.log[i], t = this.toSend[i];
      dirtied += l;
      this.toSend[i] = t + l - (t * l) / n;
      img.log[i] = 0;
    }
    return dirtied;
  }

  restartScan(): void {}

  /** Takes pages from every region in proportion to what it still has to send. */
  takeChunk(budget: number, encoder: PageEncoder, skipRedirtied = false, out: Chunk = newChunk()): Chunk {
    out.pages = 0; out.zeroPages = 0; out.wireBytes = 0; out.skipped = 0; out.firstPages = 0;
    const img = this.image;
    const total = this.remainingPages;
    if (total <= 1e-9) {
      this.#zeroRemaining();
      return out;
    }
    // expected wire bytes per page to send, over the regions' mix of zero and data pages
    const dataCost = encoder.dataPage;
    const zeroCost = encoder.zeroPage;
    let perPage = 0;
    for (let i = 0; i < this.toSend.length; i++) {
      const zeroShare = img.zero[i] / img.size[i];
      const skipShare = skipRedirtied && img.tracking ? img.log[i] / img.size[i] : 0;
      perPage += (this.toSend[i] / total) * (1 - skipShare) * (zeroShare * zeroCost + (1 - zeroShare) * dataCost);
    }
    const take = Math.min(total, perPage > 0 ? Math.max(1, budget / perPage) : total);
    const share = take / total;
    for (let i = 0; i < this.toSend.length; i++) {
      const pages = this.toSend[i] * share;
      const zeroShare = img.zero[i] / img.size[i];
      const skipShare = skipRedirtied && img.tracking ? img.log[i] / img.size[i] : 0;
      const sent = pages * (1 - skipShare);
      out.skipped += pages - sent;
      out.pages += sent;
      out.zeroPages += sent * zeroShare;
      out.wireBytes += sent * (zeroShare * zeroCost + (1 - zeroShare) * dataCost);
      encoder.addNormal(sent * (1 - zeroShare));
      this.toSend[i] -= pages;
    }
    this.#sent += take;
    if (this.#sent >= img.pageCount * (this.wraps + 1)) this.wraps++;
    if (this.remainingPages < 1e-6) this.#zeroRemaining();
    return out;
  }

  #zeroRemaining(): void {
    this.toSend.fill(0);
  }

  /** The destination is current by construction: every page to send is sent at the switch-over. */
  stalePages(): number {
    return 0;
  }

  /**
   * Discard-list entries: k pages scattered uniformly among n form k (1 - k / n) runs in
   * expectation; a swept region's pages are one run.
   */
  discardRanges(): number {
    let runs = 0;
    for (let i = 0; i < this.toSend.length; i++) {
      const k = this.toSend[i], n = this.image.size[i];
      if (k <= 0) continue;
      runs += this.image.layout.sweep[i] ? 1 : Math.max(1, k * (1 - k / n));
    }
    return Math.round(runs);
  }
}
