/**
 * @module datacenter/kept-images
 * Memory reuse in consolidation (Akiyama et al., "MiyakoDori", IEEE CLOUD 2012, with the seed
 * paper's caching policy; migration/reuse.ts has the page-exact form for migration plans):
 * when a VM's migration completes, the host it left keeps the VM's memory image as evictable
 * memory; when the VM later migrates to a host holding its image, the pages held there and not
 * written since are not sent again.
 *
 * Memory is fluid, as the engine's fluid VMs: per region of the VM's memory (its hot set, the
 * rest), pages written uniformly at `rate x u(t)` writes/s, u the VM's utilisation trace. A page
 * of a region of n pages is unwritten over [t0, t1] with probability exp(-rate x U / n), U the
 * integral of u over [t0, t1]: so expected pages held and unchanged are products of such factors.
 *  - keep-all: the whole image is held until the VM returns, is evicted or its host goes off;
 *  - drop-updated: the other host reports the pages the VM wrote (at each scheduling step, and
 *    whenever the image is needed): those pages are dropped, so the memory held shrinks;
 *  - skip-hot: pages written within `hotWindow` before departure are not kept;
 *  - drop-updated+skip-hot: both.
 * Memory: a host's VMs (reserved RAM, incoming ones included) plus its kept images never exceed
 * its RAM (images live only in RAM the VMs leave free). Placement sees kept memory as free; a VM arriving evicts images, oldest first (its own
 * image becomes part of its memory). A host whose last VM leaves is switched off (0 W in the power
 * model), so its DRAM and the images in it are lost; `whenOff: keep` keeps them at no cost instead,
 * an upper bound of what reuse can give when hosts switch off.
 */
import { reuseDefaults, type ReuseOptions } from '../migration/reuse.js';
import type { DataCenterState } from './state.js';
import type { TraceTable } from './traces.js';

/** A VM's memory as the reuse model sees it: its regions and their write rates at full load. */
export interface VmMemory {
  pageSize: number;
  /** Pages per region, in the engine's fluid-layout order. */
  sizes: readonly number[];
  /** Page writes/s per region at 100 % CPU. */
  fullRates: readonly number[];
}

/** Reuse in consolidation: the policy (its `reportInterval` is not used: hosts report at each step). */
export interface KeptImageOptions extends ReuseOptions {
  /** A host that switches off (its last VM left): `drop` its images (its DRAM goes off), or `keep` them at no cost (an upper bound). */
  whenOff: 'drop' | 'keep';
}

export const keptImageDefaults: KeptImageOptions = { ...reuseDefaults, whenOff: 'drop' };

/** What a migration model offers for reuse: the policy and the memory model of a VM of a given size. */
export interface ReuseModel {
  options: KeptImageOptions;
  memoryOf(ramBytes: number): VmMemory;
}

/** Reuse figures of a run. */
export interface ReuseSummary {
  policy: string;
  /** Migrations that started toward a host holding their VM's image. */
  returns: number;
  /** Expected pages those migrations did not send (held and unchanged at the start). */
  pagesReused: number;
  /** pagesReused x page size: memory that did not travel again. */
  bytesSaved: number;
  /** Bytes of the dirty-bitmap exchanges of the returns (one bit per page). */
  exchangeBytes: number;
  /** Memory held by kept images over the whole data center, bytes: peak and time average. */
  keptPeakBytes: number;
  keptAverageBytes: number;
  /** Images evicted to make room for an arriving VM. */
  evictions: number;
  /** Images lost because their host switched off (its last VM left; whenOff: drop). */
  lostAtPowerOff: number;
  /** Images dropped because their VM was retired. */
  droppedRetired: number;
  /**
   * The fullest host holding images, at any instant: (VMs' RAM + kept images) / RAM, at most 1.
   * (CloudSim checks RAM only at the initial placement, so VMs alone may exceed a host's RAM;
   * such a host keeps no image.)
   */
  peakHostMemoryShare: number;
}

interface Image {
  vm: number;
  /** Expected pages held, per region. */
  held: Float64Array;
  /** Expected pages held and not written since departure, as of `cleanAt`, per region. */
  clean: Float64Array;
  cleanAt: number;
  bytes: number;
}

export class KeptImages {
  /** Per host: kept images by VM, oldest first (Map keeps insertion order). */
  readonly #byHost: Map<number, Image>[];
  readonly #keptBytes: Float64Array;
  readonly #memory = new Map<number, VmMemory>();
  readonly #dropsUpdated: boolean;
  readonly #skipsHot: boolean;
  #total = 0;
  #integral = 0;
  #lastChange = 0;
  readonly #s: ReuseSummary;

  constructor(
    private readonly dc: DataCenterState,
    private readonly traces: TraceTable,
    private readonly traceInterval: number,
    private readonly model: ReuseModel,
  ) {
    this.#byHost = Array.from({ length: dc.hostCount }, () => new Map());
    this.#keptBytes = new Float64Array(dc.hostCount);
    const p = model.options.policy;
    this.#dropsUpdated = p === 'drop-updated' || p === 'drop-updated+skip-hot';
    this.#skipsHot = p === 'skip-hot' || p === 'drop-updated+skip-hot';
    this.#s = {
      policy: p,
      returns: 0,
      pagesReused: 0,
      bytesSaved: 0,
      exchangeBytes: 0,
      keptPeakBytes: 0,
      keptAverageBytes: 0,
      evictions: 0,
      lostAtPowerOff: 0,
      droppedRetired: 0,
      peakHostMemoryShare: 0,
    };
  }

  /** Bytes of kept images on host h. */
  keptOn(h: number): number {
    return this.#keptBytes[h];
  }

  /** VM v's migration off host h completed at t: h keeps its image. */
  left(v: number, h: number, t: number): void {
    const mem = this.#memoryOf(v);
    const n = mem.sizes.length;
    const held = new Float64Array(n);
    const hot = this.#skipsHot ? this.traces.integral(v, t - this.model.options.hotWindow, t, this.traceInterval) : 0;
    for (let r = 0; r < n; r++) held[r] = mem.sizes[r] * Math.exp((-mem.fullRates[r] * hot) / mem.sizes[r]);
    const old = this.#byHost[h].get(v);
    if (old) this.#remove(h, old, t);
    const image: Image = { vm: v, held, clean: held.slice(), cleanAt: t, bytes: 0 };
    this.#byHost[h].set(v, image);
    this.#setBytes(h, image, t);
    this.#makeRoom(h, -1, t);
  }

  /**
   * VM v starts migrating to host h at t (its RAM already reserved there). Returns the expected
   * pages per region h already holds (its image is taken back into the VM's memory), or undefined;
   * then evicts other images until h's memory fits.
   */
  arrive(v: number, h: number, t: number): Float64Array | undefined {
    const image = this.#byHost[h].get(v);
    let reusable: Float64Array | undefined;
    if (image) {
      this.#refresh(v, image, t);
      reusable = image.clean.slice();
      const mem = this.#memoryOf(v);
      let pages = 0, total = 0;
      for (let r = 0; r < reusable.length; r++) {
        pages += reusable[r];
        total += mem.sizes[r];
      }
      this.#s.returns++;
      this.#s.pagesReused += pages;
      this.#s.bytesSaved += pages * mem.pageSize;
      this.#s.exchangeBytes += Math.ceil(total / 8);
      this.#remove(h, image, t);
    }
    this.#makeRoom(h, v, t);
    return reusable;
  }

  /** A scheduling step at t: under drop-updated, the hosts report what their VMs wrote. */
  step(t: number): void {
    if (!this.#dropsUpdated) return;
    for (let h = 0; h < this.#byHost.length; h++) {
      const images = this.#byHost[h];
      if (images.size === 0) continue;
      for (const image of images.values()) this.#refresh(image.vm, image, t);
      this.#recount(h, t);
    }
  }

  /** Host h switched off at t (its last VM left): its images are lost (unless whenOff is keep). */
  poweredOff(h: number, t: number): void {
    const images = this.#byHost[h];
    if (images.size === 0 || this.model.options.whenOff === 'keep') return;
    this.#s.lostAtPowerOff += images.size;
    for (const image of [...images.values()]) this.#remove(h, image, t);
  }

  /** VM v was retired at t: its images go. */
  retired(v: number, t: number): void {
    for (let h = 0; h < this.#byHost.length; h++) {
      const image = this.#byHost[h].get(v);
      if (!image) continue;
      this.#s.droppedRetired++;
      this.#remove(h, image, t);
    }
  }

  /** The figures of the run up to t. */
  summary(t: number): ReuseSummary {
    this.#integrate(t);
    return { ...this.#s, keptAverageBytes: t > 0 ? this.#integral / t : 0 };
  }

  #memoryOf(v: number): VmMemory {
    const ram = this.dc.vmRam[v];
    let m = this.#memory.get(ram);
    if (!m) this.#memory.set(ram, (m = this.model.memoryOf(ram)));
    return m;
  }

  /** Brings an image's unchanged pages up to t; under drop-updated the written pages are dropped. */
  #refresh(v: number, image: Image, t: number): void {
    if (t <= image.cleanAt) return;
    const mem = this.#memoryOf(v);
    const written = this.traces.integral(v, image.cleanAt, t, this.traceInterval);
    for (let r = 0; r < image.clean.length; r++) image.clean[r] *= Math.exp((-mem.fullRates[r] * written) / mem.sizes[r]);
    image.cleanAt = t;
    if (this.#dropsUpdated) image.held.set(image.clean);
  }

  /** Evicts h's images, oldest first (never VM `keep`'s), until its VMs and images fit its RAM. */
  #makeRoom(h: number, keep: number, t: number): void {
    const ram = this.dc.hostRam[h];
    if (this.dc.ramUsed[h] + this.#keptBytes[h] > ram) {
      for (const image of [...this.#byHost[h].values()]) {
        if (this.dc.ramUsed[h] + this.#keptBytes[h] <= ram) break;
        if (image.vm === keep) continue;
        this.#s.evictions++;
        this.#remove(h, image, t);
      }
    }
    // recounted from the images, not the running sum: the invariant's own check
    let kept = 0;
    for (const image of this.#byHost[h].values()) kept += image.bytes;
    if (kept === 0) return;
    const share = (this.dc.ramUsed[h] + kept) / ram;
    if (share > this.#s.peakHostMemoryShare) this.#s.peakHostMemoryShare = share;
  }

  #remove(h: number, image: Image, t: number): void {
    this.#byHost[h].delete(image.vm);
    this.#change(h, -image.bytes, t);
  }

  #setBytes(h: number, image: Image, t: number): void {
    const mem = this.#memoryOf(image.vm);
    let pages = 0;
    for (let r = 0; r < image.held.length; r++) pages += image.held[r];
    const bytes = pages * mem.pageSize;
    this.#change(h, bytes - image.bytes, t);
    image.bytes = bytes;
  }

  #recount(h: number, t: number): void {
    for (const image of this.#byHost[h].values()) this.#setBytes(h, image, t);
  }

  #change(h: number, delta: number, t: number): void {
    if (delta === 0) return;
    this.#integrate(t);
    this.#keptBytes[h] += delta;
    this.#total += delta;
    if (this.#keptBytes[h] < 1e-6) this.#keptBytes[h] = 0;
    if (this.#total < 1e-6) this.#total = 0;
    if (this.#total > this.#s.keptPeakBytes) this.#s.keptPeakBytes = this.#total;
  }

  #integrate(t: number): void {
    this.#integral += this.#total * (t - this.#lastChange);
    this.#lastChange = t;
  }
}
