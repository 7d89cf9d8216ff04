// Shared by the benchmark scripts: timing, peak memory, printing. Benchmarks print; they never assert.
import { performance } from 'node:perf_hooks';
import { resourceUsage } from 'node:process';

/** Runs fn once and returns its value and wall seconds. */
export function timed(fn) {
  const t0 = performance.now();
  const value = fn();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

/** Peak resident set size of this process so far, bytes (maxRSS is in KiB). */
export function peakRss() {
  return resourceUsage().maxRSS * 1024;
}

export function report(title, figures) {
  console.log(`\n${title}`);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(28)} ${v}`);
}
