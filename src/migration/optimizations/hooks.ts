/**
 * @module migration/optimizations/hooks
 * Where optimizations attach to a migration. The driver calls every attached hook at fixed points
 * (memory marked to send, around each dirty-log sync, the pause, the last copy, completion, the
 * end) and knows none of them by name. Which ones attach follows from the options, the algorithm
 * (live rounds or not) and the memory (page by page or fluid):
 *
 * - auto-converge / dirty limit (throttle.ts): at each sync of a live migration;
 * - hot-page deferral (deferral.ts): page-exact live migrations; history at each sync, held-back
 *   pages join the last copy;
 * - free-page hinting: the page-exact scan skips free pages;
 * - deduplication: the encoder sends a reference for content the destination already received;
 * - memory reuse (../reuse.ts): a kept image at the destination, and one kept at the source after.
 *
 * Zero pages, XBZRLE and compression are the wire format itself (encoder.ts).
 */
import { Simulation } from '../../core/kernel.js';
import { MemoryTransfer, PageTransfer } from '../../memory/page-transfer.js';
import { MigrationOptions } from '../options.js';
import { MigrationResult } from '../result.js';
import { KeptImage } from '../reuse.js';
import { Host, Vm } from '../world.js';
import { HotPageDeferral } from './deferral.js';
import { QemuPageEncoder } from './encoder.js';
import { AutoConverge, autoConvergeEnabled, throttledSpeed } from './throttle.js';
import { ZERO } from '../../core/doubles.js';

/** What a hook sees of the migration. */
export interface HookContext {
  readonly sim: Simulation;
  readonly vm: Vm;
  readonly source: Host;
  readonly destination: Host;
  readonly transfer: MemoryTransfer;
  readonly encoder: QemuPageEncoder;
  readonly options: MigrationOptions;
  readonly result: MigrationResult;
}

export interface MigrationHooks {
  /** Every page is marked to send; nothing has moved yet. */
  begin?(c: HookContext): void;
  /** A dirty-log sync is about to join the log to the pages to send (the log is still there). */
  beforeSync?(c: HookContext): void;
  /** A sync found `dirtied` pages. */
  afterSync?(c: HookContext, dirtied: number): void;
  /** The guest is about to pause. */
  pausing?(c: HookContext): void;
  /** The last copy (stop-and-copy or the switch-over) is about to be taken. */
  lastCopy?(c: HookContext): void;
  /** The VM runs at the destination: the migration completed. */
  completed?(c: HookContext): void;
  /** The migration ended after it began (any status): figures into the result. */
  end?(c: HookContext): void;
}

/**
 * The hooks a migration's options ask for, or null when none applies (a hook left out would have
 * done nothing: the calls and the objects are saved, thousands of migrations at a time).
 */
export function attachHooks(c: HookContext, live: boolean, now: number): AttachedHooks | null {
  const o = c.options, pages = c.transfer.pageExact, hooks: MigrationHooks[] = [];
  if (pages && c.vm.image) {
    if (o.deferHot && live) hooks.push(new DeferralHook(pages, new HotPageDeferral(c.vm.image, o.deferHot)));
    if (o.freePageHinting) hooks.push(new FreePagesHook(pages));
    if (o.dedup) hooks.push(dedupHook);
  }
  // reuse acts on an image the destination kept, or keeps one at the source (policy, page-exact)
  if (c.destination.kept.has(c.vm) || (o.reuse.policy !== 'none' && c.vm.image)) hooks.push(new ReuseHook(c.transfer));
  // off, auto-converge would never change the guest's speed
  if (live && autoConvergeEnabled(o)) hooks.push(new ThrottleHook(new AutoConverge(o, now)));
  return hooks.length > 0 ? new AttachedHooks(c, hooks) : null;
}

/** One migration's hooks: each point calls them in the order they attached, with its context. */
export class AttachedHooks {
  constructor(
    readonly context: HookContext,
    readonly hooks: readonly MigrationHooks[],
  ) {}

  begin(): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].begin?.(this.context);
  }

  beforeSync(): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].beforeSync?.(this.context);
  }

  afterSync(dirtied: number): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].afterSync?.(this.context, dirtied);
  }

  pausing(): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].pausing?.(this.context);
  }

  lastCopy(): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].lastCopy?.(this.context);
  }

  completed(): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].completed?.(this.context);
  }

  end(): void {
    for (let i = 0; i < this.hooks.length; i++) this.hooks[i].end?.(this.context);
  }
}

/** Auto-converge and the dirty limit: the throttle decides at syncs; the guest time lost is counted. */
class ThrottleHook implements MigrationHooks {
  /** Guest time lost to the throttle so far, s, and since when the current throttle holds. */
  #lost = ZERO;
  #since = ZERO;

  constructor(readonly throttle: AutoConverge) {}

  afterSync(c: HookContext, dirtied: number): void {
    const now = c.sim.now, vm = c.vm;
    if (!this.throttle.onSync(now, dirtied, c.result.bytesTransferred, vm.pageSize)) return;
    this.#accrue(now, vm);
    if (Number.isFinite(c.options.dirtyLimit)) {
      const dirtying = vm.workload.writeRateAt(now) * vm.pageSize;
      vm.speed = Math.min(vm.speed, dirtying > 0 ? c.options.dirtyLimit / dirtying : 1);
    } else {
      vm.speed = throttledSpeed(this.throttle.percent, vm.catchUp);
    }
  }

  pausing(c: HookContext): void {
    this.#accrue(c.sim.now, c.vm);
  }

  end(c: HookContext): void {
    const vm = c.vm;
    if (vm.state === 'running' && vm.speed < 1) this.#accrue(c.sim.now, vm);
    vm.speed = 1; // QEMU stops the throttle when the migration ends
    if (this.throttle.steps.length > 0 || Number.isFinite(c.options.dirtyLimit)) {
      c.result.throttle = { maxPercent: this.throttle.percent, steps: this.throttle.steps, lostTime: this.#lost };
    }
  }

  /** Guest time lost to throttling up to now. */
  #accrue(now: number, vm: Vm): void {
    this.#lost += (1 - vm.speed) * (now - this.#since);
    this.#since = now;
  }
}

/** Hot-page deferral: the scan asks the predictor; held-back pages go in the last copy. */
class DeferralHook implements MigrationHooks {
  constructor(readonly pages: PageTransfer, readonly deferral: HotPageDeferral) {
    pages.deferral = deferral.defer;
  }

  beforeSync(c: HookContext): void {
    if (c.vm.image?.log) this.deferral.onSync(c.vm.image.log);
  }

  lastCopy(): void {
    this.deferral.onPause(this.pages.deferred);
    this.pages.deferral = null;
    this.pages.releaseDeferred();
  }

  end(c: HookContext): void {
    c.result.deferral = this.deferral.stats;
  }
}

class FreePagesHook implements MigrationHooks {
  constructor(readonly pages: PageTransfer) {
    pages.skipFree = true;
  }

  end(c: HookContext): void {
    c.result.freePagesSkipped = this.pages.freeSkipped;
  }
}

const dedupHook: MigrationHooks = {
  begin(c) {
    c.encoder.dedupSeen = c.destination.contents;
  },
  end(c) {
    c.result.dedupPages = c.encoder.dedupPages;
  },
};

/**
 * Memory reuse: pages the destination kept stay there (any image: a data-center run hands fluid
 * ones in); with a policy, the source keeps the image of a page-exact VM.
 */
class ReuseHook implements MigrationHooks {
  constructor(readonly pages: MemoryTransfer) {}

  begin(c: HookContext): void {
    const kept = c.destination.kept.get(c.vm);
    if (!kept) return;
    const count = c.vm.pageCount;
    const reused = kept.reuseInto(this.pages, c.sim);
    // the destination then tells the source which pages it holds: a bitmap, one bit per page
    c.result.reuse = { policy: kept.options.policy, reusedPages: reused, reuseRatio: reused / count, exchangeBytes: Math.ceil(count / 8), keptPages: 0, skippedHotPages: 0 };
  }

  completed(c: HookContext): void {
    const reuse = c.options.reuse;
    if (reuse.policy === 'none' || !c.source.alive || !c.vm.image) return;
    const kept = new KeptImage(c.vm, c.source, reuse, c.sim.now, c.sim);
    c.source.keep(kept, c.sim.now);
    const r = (c.result.reuse ??= { policy: reuse.policy, reusedPages: 0, reuseRatio: 0, exchangeBytes: 0, keptPages: 0, skippedHotPages: 0 });
    r.keptPages = kept.kept.count;
    r.skippedHotPages = kept.skippedHot;
  }
}
