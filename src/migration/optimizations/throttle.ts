/**
 * @module migration/optimizations/throttle
 * QEMU's auto-converge (migration/ram.c `migration_trigger_throttle`, `mig_throttle_guest_down`)
 * as policy. At a dirty-bitmap sync at least one second after the period began, compare the
 * bytes dirtied in the period (pages found dirty at the period's syncs x page size) with the bytes
 * sent in it: if they exceed `throttleTriggerThreshold`% of them, that counts once; the second
 * time, throttle the vCPUs: `cpuThrottleInitial`% at first, then `cpuThrottleIncrement`% more each
 * time, up to `maxCpuThrottle`%. With `dirtyLimit` (QEMU's dirty-limit capability) the trigger caps
 * the guest's dirtying rate instead.
 */
import { OptimizationOptions } from './options.js';
import { ZERO } from '../../core/doubles.js';

/** QEMU evaluates the trigger only when a sync comes at least this long after the period began, s. */
const PERIOD = 1;

/** Auto-converge or the dirty limit is on. */
export function autoConvergeEnabled(o: OptimizationOptions): boolean {
  return o.autoConverge || Number.isFinite(o.dirtyLimit);
}

export class AutoConverge {
  /** Current vCPU throttle, percent. */
  percent = 0;
  /** When the throttle changed, and to what. */
  readonly steps: { time: number; percent: number }[] = [];
  #periodStart = ZERO;
  #dirtyPeriod = ZERO;
  #sentAtPeriodStart = ZERO;
  #highCount = 0;

  constructor(readonly options: OptimizationOptions, start: number) {
    this.#periodStart = start;
  }

  get enabled(): boolean {
    return autoConvergeEnabled(this.options);
  }

  /**
   * A bitmap sync found `dirtyPages` dirty pages; `sent` bytes have gone so far. Returns true when
   * the throttle (or the dirty limit) triggers now.
   */
  onSync(now: number, dirtyPages: number, sent: number, pageSize: number): boolean {
    this.#dirtyPeriod += dirtyPages;
    if (!this.enabled || now <= this.#periodStart + PERIOD) return false;
    const dirtied = this.#dirtyPeriod * pageSize;
    const threshold = ((sent - this.#sentAtPeriodStart) * this.options.throttleTriggerThreshold) / 100;
    this.#periodStart = now;
    this.#dirtyPeriod = 0;
    this.#sentAtPeriodStart = sent;
    if (dirtied > threshold && ++this.#highCount >= 2) {
      this.#highCount = 0;
      if (this.options.autoConverge && !Number.isFinite(this.options.dirtyLimit)) {
        const o = this.options;
        this.percent = this.percent === 0 ? o.cpuThrottleInitial : Math.min(o.maxCpuThrottle, this.percent + o.cpuThrottleIncrement);
        this.steps.push({ time: now, percent: this.percent });
      }
      return true;
    }
    return false;
  }
}

/** QEMU's throttle timeslice: the vCPU runs this long, then sleeps slice x p / (1 - p). */
export const THROTTLE_SLICE = 0.01;

/**
 * The share of its full write rate a throttled guest keeps. A compute-bound guest (catchUp 0)
 * runs (1 - p) of the time. A guest that works at a wall-clock pace catches up a backlog of up to
 * `catchUp` seconds after a stall, so it loses nothing while the throttle's sleeps are shorter than
 * that; after a longer sleep it drops the whole backlog (as the lab's dirty.c resets its deadline)
 * and works only during the slice: slice / (sleep + slice).
 */
export function throttledSpeed(percent: number, catchUp: number): number {
  if (percent <= 0) return 1;
  const p = Math.min(percent, 99.999) / 100;
  if (catchUp <= 0) return 1 - p;
  const sleep = (THROTTLE_SLICE * p) / (1 - p);
  return sleep <= catchUp ? 1 : THROTTLE_SLICE / (sleep + THROTTLE_SLICE);
}
