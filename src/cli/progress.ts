/**
 * @module cli/progress
 * A progress bar for counted work (runs of a sweep) on stderr: redrawn in place on a terminal,
 * a line per 10 % otherwise; with the rate and the estimated time left.
 */

const WIDTH = 30;

/** Returns the callback to give (done, total); `now` reads a clock in seconds. */
export function countProgress(write: (t: string) => void, tty: boolean, what: string, now: () => number): (done: number, total: number) => void {
  const t0 = now();
  let lastDraw = -Infinity;
  let lastStep = -1;
  return (done, total) => {
    const frac = total === 0 ? 1 : done / total;
    const t = now();
    const step = Math.floor(frac * 10);
    if (tty ? t - lastDraw < 0.1 && done < total : step === lastStep && done < total) return;
    if (!tty && done === total && lastStep === 10) return;
    lastDraw = t;
    lastStep = step;
    const elapsed = t - t0;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = done > 0 && done < total ? `, ETA ${clock((total - done) / rate)}` : '';
    const filled = Math.round(frac * WIDTH);
    const text = `${what} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}% ${done}/${total}${rate > 0 ? `, ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)}/s` : ''}${eta}`;
    write(tty ? `\r${text}\x1b[K${done >= total ? '\n' : ''}` : `${text}\n`);
  };
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}
