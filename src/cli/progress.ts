/**
 * @module cli/progress
 * The progress bar of `run`, `compare` and `consolidate`, on stderr. The engines report simulated
 * time through a callback and never read a clock; the bar reads the wall clock here. On a terminal
 * it appears once the work has taken a second and is redrawn in place; with `--progress` it is
 * drawn from the start, a line per 10 % when stderr is not a terminal. Otherwise nothing is
 * written, so pipes and tests see clean output. It ends with the wall time (kept out of the
 * deterministic results).
 */

interface Io {
  err(t: string): void;
}

export interface Progress {
  /** `done` of `total` (simulated seconds, or runs); `detail` says it in words. */
  update(done: number, total: number, detail: string): void;
  /** The work is over (or failed): ends the bar's line and prints the wall time, if the bar was drawn. */
  finish(): void;
}

const WIDTH = 30;
const SHOW_AFTER_MS = 1000;

/** A bar labelled `label` ("running", "consolidating"), or one that draws nothing when not wanted. */
export function progressBar(io: Io, label: string, asked: boolean | undefined, tty = process.stderr.isTTY === true): Progress {
  if (!asked && !tty) return { update() {}, finish() {} };
  // the global clock: Node loads perf_hooks when it is first read, and a bar that draws nothing reads it never
  const t0 = performance.now();
  const step = tty ? 1 : 10;
  let last = -1;
  let drawn = false;
  return {
    update(done, total, detail) {
      if (!asked && performance.now() - t0 < SHOW_AFTER_MS) return;
      const frac = total > 0 ? Math.min(1, done / total) : 1;
      const pct = Math.floor(frac * 100);
      if (last >= 0 && Math.floor(pct / step) === Math.floor(last / step)) return;
      last = pct;
      drawn = true;
      const filled = Math.round(frac * WIDTH);
      const text = `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(pct).padStart(3)}% (${detail})`;
      io.err(tty ? `\r${text}` : `${text}\n`);
    },
    finish() {
      if (!drawn) return;
      io.err(`${tty ? '\n' : ''}${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s wall time\n`);
    },
  };
}
