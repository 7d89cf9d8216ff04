/**
 * @module migration/reuse
 * Memory reuse (Akiyama et al., MiyakoDori, IEEE CLOUD 2012): a host keeps the memory image of a
 * VM that left it; when the VM comes back, the pages it did not change meanwhile are reused and
 * only the others travel. The seed paper's caching policy saves the memory the kept images hold:
 * (a) `drop-updated`: a page written on the other host cannot be reused, so the kept copy is
 *     dropped as soon as the other host reports it (its dirty log, every `reportInterval`);
 * (b) `skip-hot`: a page likely to be written again soon (written within the last `hotWindow`
 *     before departure: a recency predictor) is not kept at all.
 */
import { EventTarget, Simulation } from '../core/kernel.js';
import { Bitset } from '../memory/bitset.js';
import type { MemoryTransfer, PageTransfer } from '../memory/page-transfer.js';
import type { Host, Vm } from './world.js';

export const reusePolicies = ['none', 'keep-all', 'drop-updated', 'skip-hot', 'drop-updated+skip-hot'] as const;
export type ReusePolicy = (typeof reusePolicies)[number];

export interface ReuseOptions {
  policy: ReusePolicy;
  /** How often the other host reports the pages the VM wrote (drop-updated), s. */
  reportInterval: number;
  /** Pages written within this long before departure are predicted hot (skip-hot), s. */
  hotWindow: number;
}

export const reuseDefaults: ReuseOptions = { policy: 'none', reportInterval: 1, hotWindow: 10 };

/**
 * What a migration needs of an image kept at its destination: the pages to take off the transfer
 * (page-exact images here; a data-center run keeps fluid ones, datacenter/kept-images.ts).
 */
export interface ReusableImage {
  readonly vm: Vm;
  readonly options: ReuseOptions;
  /** Host memory the image holds, bytes. */
  readonly bytes: number;
  /** Takes the pages held and unchanged off the transfer; returns how many; the image is released. */
  reuseInto(transfer: MemoryTransfer, sim: Simulation): number;
  release(sim: Simulation): void;
}

/** A VM's memory image kept on a host it left. */
export class KeptImage implements EventTarget, ReusableImage {
  /** Pages still held. */
  readonly kept: Bitset;
  /** Pages the VM wrote since it left (reported by the host it runs on). */
  readonly changed: Bitset;
  /** Pages dropped because they were updated elsewhere (drop-updated). */
  droppedUpdated = 0;
  /** Pages never kept because they were predicted hot (skip-hot). */
  skippedHot = 0;
  #report = -1;
  #alive = true;

  constructor(
    readonly vm: Vm,
    readonly host: Host,
    readonly options: ReuseOptions,
    readonly leftAt: number,
    sim: Simulation,
  ) {
    const image = vm.pages;
    this.kept = new Bitset(image.pageCount);
    this.kept.fill();
    if (options.policy === 'skip-hot' || options.policy === 'drop-updated+skip-hot') {
      for (let p = 0; p < image.pageCount; p++) {
        if (image.writtenWithin(p, leftAt, options.hotWindow)) {
          this.kept.delete(p);
          this.skippedHot++;
        }
      }
    }
    this.changed = image.watch();
    // the other host reports the pages the VM writes under every policy (that is how the way back
    // knows what changed); only drop-updated acts on each report. Same reports, same sample path.
    this.#report = sim.scheduleDaemon(options.reportInterval, this);
  }

  get dropsUpdated(): boolean {
    return this.options.policy === 'drop-updated' || this.options.policy === 'drop-updated+skip-hot';
  }

  /** Host memory this image holds, bytes. */
  get bytes(): number {
    return this.kept.count * this.vm.pageSize;
  }

  /** The other host's periodic dirty-log report: drop what was updated. */
  onEvent(_kind: number, sim: Simulation): void {
    if (!this.#alive) return;
    if (this.vm.state === 'running') this.vm.advanceTo(sim.now);
    if (this.dropsUpdated) {
      const before = this.bytes;
      this.droppedUpdated += this.kept.andNot(this.changed);
      if (this.bytes !== before) this.host.keptChanged(sim.now);
    }
    this.#report = sim.scheduleDaemon(this.options.reportInterval, this);
  }

  /**
   * The VM is back: the pages held and unchanged are already at the destination. Returns how
   * many pages are reused; the image is released.
   */
  reuseInto(memory: MemoryTransfer, sim: Simulation): number {
    const transfer = memory as PageTransfer;
    const usable = new Bitset(this.kept.size);
    usable.copyFrom(this.kept);
    usable.andNot(this.changed);
    let reused = 0;
    for (let p = usable.nextSet(0); p >= 0; p = usable.nextSet(p + 1)) {
      transfer.toSend.delete(p);
      transfer.deliver(p); // unchanged since the VM left: the copy here is current
      reused++;
    }
    this.release(sim);
    return reused;
  }

  /** Frees the image (reused, evicted, or its host or VM gone). */
  release(sim: Simulation): void {
    if (!this.#alive) return;
    this.#alive = false;
    sim.cancel(this.#report);
    this.vm.pages.unwatch(this.changed);
    this.host.forget(this, sim.now);
  }
}
