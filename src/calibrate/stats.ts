/**
 * @module calibrate/stats
 * Error statistics of a calibration: absolute relative errors and their quantiles.
 * Quantiles interpolate linearly between order statistics (Hyndman & Fan type 7, the default of
 * numpy, R and spreadsheets): q of n sorted values is at rank h = (n - 1) q.
 */

/** |predicted - measured| / |measured|; null when either is missing or measured is 0. */
export function relativeError(predicted: number | null | undefined, measured: number | null | undefined): number | null {
  if (predicted === null || predicted === undefined || measured === null || measured === undefined) return null;
  if (!Number.isFinite(predicted) || !Number.isFinite(measured) || measured === 0) return null;
  return Math.abs(predicted - measured) / Math.abs(measured);
}

/** The q-quantile (0..1) of the values, linear interpolation (type 7); NaN for no values. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median and 90th percentile of a list of errors, and how many there were. */
export interface ErrorSummary {
  median: number;
  p90: number;
  n: number;
}

export function summarize(values: readonly (number | null)[]): ErrorSummary {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return { median: median(v), p90: quantile(v, 0.9), n: v.length };
}

/** Ordinary least squares y = a + b x. */
export function linearFit(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const n = xs.length;
  if (n < 2) throw new Error('linearFit: need at least two points');
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

/**
 * Theil-Sen line y = a + b x: b is the median of the slopes between every pair of points with
 * different x, a the median of y - b x. Robust: a few points off the line (here, idle guests
 * whose final copy is slower) do not pull it.
 */
export function theilSen(xs: readonly number[], ys: readonly number[]): { intercept: number; slope: number } {
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[j] !== xs[i]) slopes.push((ys[j] - ys[i]) / (xs[j] - xs[i]));
    }
  }
  if (slopes.length === 0) throw new Error('theilSen: need two points with different x');
  const slope = median(slopes);
  return { slope, intercept: median(xs.map((x, i) => ys[i] - slope * x)) };
}
