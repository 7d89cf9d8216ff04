/**
 * @module datacenter/stats
 * The statistics the overload detectors use, with CloudSim's exact conventions (its MathUtil over
 * Apache Commons Math): the median is the "legacy" 50th percentile, IQR takes the sorted values at
 * round(0.25 (n+1)) and round(0.75 (n+1)), Loess is a simple regression whose tricube weights only
 * apply when 40 % or more of them are zero (so for 10 points it is ordinary least squares), and
 * the regression accumulates its sums incrementally as SimpleRegression does.
 */

const MEDIAN_PERCENTILE = 50;
const Q1 = 0.25;
const Q3 = 0.75;
/** Weights are only applied when at least this share of them is zero (CloudSim's rule). */
const ZERO_WEIGHT_SHARE = 0.4;
/** Robust Loess rejects residuals beyond 6 median absolute residuals. */
const BISQUARE_SCALE = 6;
/** Smallest |sum of squares of x| for a defined slope (Commons Math: 10 * Double.MIN_VALUE). */
const MIN_SXX = 10 * Number.MIN_VALUE;
/** Smallest normal double (Commons Math Precision.SAFE_MIN). */
const SAFE_MIN = 2 ** -1022;

/** Median as Commons Math's legacy percentile(50): lower + frac * (upper - lower). Sorts a copy. */
export function median(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return NaN;
  return percentileSorted(sortedCopy(values, n), MEDIAN_PERCENTILE);
}

let scratch = new Float64Array(64);

/** The first n values sorted, in a reused buffer (valid until the next call). */
function sortedCopy(values: ArrayLike<number>, n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(2 * n);
  const s = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) s[i] = values[i];
  return s.sort();
}

function percentileSorted(s: Float64Array, p: number): number {
  const n = s.length;
  if (n === 1) return s[0];
  const pos = (p * (n + 1)) / 100;
  const fpos = Math.floor(pos);
  const dif = pos - fpos;
  if (pos < 1) return s[0];
  if (pos >= n) return s[n - 1];
  const lower = s[fpos - 1];
  const upper = s[fpos];
  return lower + dif * (upper - lower);
}

/** Median absolute deviation (not scaled), CloudSim's MathUtil.mad. 0 for no data. */
const devScratch = new Float64Array(64);

export function mad(values: ArrayLike<number>, n = values.length): number {
  if (n === 0) return 0;
  const m = median(values, n);
  const dev = n <= devScratch.length ? devScratch : new Float64Array(n);
  for (let i = 0; i < n; i++) dev[i] = Math.abs(m - values[i]);
  return median(dev, n);
}

/** Interquartile range, CloudSim's MathUtil.iqr (nearest-rank on the sorted copy). */
export function iqr(values: ArrayLike<number>, n = values.length): number {
  const s = sortedCopy(values, n);
  const q1 = javaRound(Q1 * (n + 1)) - 1;
  const q3 = javaRound(Q3 * (n + 1)) - 1;
  return s[q3] - s[q1];
}

/** Java's Math.round: floor(x + 0.5). */
function javaRound(x: number): number {
  return Math.floor(x + 0.5);
}

/** Incremental simple linear regression with intercept (Commons Math SimpleRegression). */
export class SimpleRegression {
  /** Forgets all data. */
  reset(): this {
    this.n = this.sumX = this.sumY = this.sumXX = this.sumXY = this.xbar = this.ybar = 0;
    return this;
  }

  private n = 0;
  private sumX = 0;
  private sumY = 0;
  private sumXX = 0;
  private sumXY = 0;
  private xbar = 0;
  private ybar = 0;

  add(x: number, y: number): void {
    if (this.n === 0) {
      this.xbar = x;
      this.ybar = y;
    } else {
      const fact1 = 1 + this.n;
      const fact2 = this.n / (1 + this.n);
      const dx = x - this.xbar;
      const dy = y - this.ybar;
      this.sumXX += dx * dx * fact2;
      this.sumXY += dx * dy * fact2;
      this.xbar += dx / fact1;
      this.ybar += dy / fact1;
    }
    this.sumX += x;
    this.sumY += y;
    this.n++;
  }

  /** Slope, NaN when undefined. */
  slope(): number {
    if (this.n < 2 || Math.abs(this.sumXX) < MIN_SXX) return NaN;
    return this.sumXY / this.sumXX;
  }

  /** Intercept for a given slope. */
  intercept(slope = this.slope()): number {
    return (this.sumY - slope * this.sumX) / this.n;
  }

  predict(x: number): number {
    const b1 = this.slope();
    return this.intercept(b1) + b1 * x;
  }

  /** [intercept, slope]; [mean y, NaN] when x has no spread (as regress() does). */
  estimates(): [number, number] {
    if (Math.abs(this.sumXX) > SAFE_MIN) {
      const b1 = this.slope();
      return [this.intercept(b1), b1];
    }
    return [this.sumY / this.n, NaN];
  }
}

/**
 * CloudSim's tricube weights for n points: 1 / (1 - ((n-1-i)/(n-1))^3)^3 for i >= 2 (the inverse
 * of the textbook weight), the first two copied from the third.
 */
const tricubeCache = new Map<number, Float64Array>();

/** Cached tricube weights (read-only). */
function cachedTricube(n: number): Float64Array {
  let w = tricubeCache.get(n);
  if (!w) tricubeCache.set(n, (w = tricubeWeights(n)));
  return w;
}

export function tricubeWeights(n: number): Float64Array {
  const w = new Float64Array(n);
  const top = n - 1;
  const spread = top;
  for (let i = 2; i < n; i++) {
    const k = Math.pow(1 - Math.pow((top - i) / spread, 3), 3);
    w[i] = k > 0 ? 1 / k : Number.MAX_VALUE;
  }
  w[0] = w[1] = w[2];
  return w;
}

function weightedRegression(x: ArrayLike<number>, y: ArrayLike<number>, w: Float64Array, reg = new SimpleRegression()): SimpleRegression {
  let zeros = 0;
  for (let i = 0; i < w.length; i++) if (w[i] <= 0) zeros++;
  const weighted = zeros >= ZERO_WEIGHT_SHARE * w.length;
  reg.reset();
  for (let i = 0; i < x.length; i++) {
    if (weighted) {
      const s = Math.sqrt(w[i]);
      reg.add(s * x[i], s * y[i]);
    } else reg.add(x[i], y[i]);
  }
  return reg;
}

const abscissaCache = new Map<number, Float64Array>();

/** x = 1..n (cached, read-only). */
function abscissa(n: number): Float64Array {
  let x = abscissaCache.get(n);
  if (!x) {
    x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = i + 1;
    abscissaCache.set(n, x);
  }
  return x;
}

/** Loess [intercept, slope] of y over x = 1..n (CloudSim's getLoessParameterEstimates). */
const loessRegression = new SimpleRegression();

export function loessEstimates(y: ArrayLike<number>): [number, number] {
  const n = y.length;
  return weightedRegression(abscissa(n), y, cachedTricube(n), loessRegression).estimates();
}

/** Robust Loess (tricube x bisquare of the residuals), CloudSim's getRobustLoessParameterEstimates. */
export function robustLoessEstimates(y: ArrayLike<number>): [number, number] {
  const n = y.length;
  const x = abscissa(n);
  const tricube = weightedRegression(x, y, cachedTricube(n));
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) residuals[i] = y[i] - tricube.predict(x[i]);
  const w = cachedTricube(n);
  const absRes = residuals.map(Math.abs);
  const s6 = median(absRes) * BISQUARE_SCALE;
  const w2 = new Float64Array(n);
  for (let i = 2; i < n; i++) {
    const k = Math.pow(1 - Math.pow(residuals[i] / s6, 2), 2);
    w2[i] = k > 0 ? (1 / k) * w[i] : Number.MAX_VALUE;
  }
  w2[0] = w2[1] = w2[2];
  const est = weightedRegression(x, y, w2).estimates();
  if (Number.isNaN(est[0]) || Number.isNaN(est[1])) return tricube.estimates();
  return est;
}

/** Running mean and sample standard deviation (Welford). */
export class RunningStats {
  n = 0;
  private m = 0;
  private s = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.m;
    this.m += d / this.n;
    this.s += d * (x - this.m);
  }
  get mean(): number {
    return this.n > 0 ? this.m : NaN;
  }
  /** Sample standard deviation (n - 1), NaN with fewer than two values. */
  get sd(): number {
    return this.n > 1 ? Math.sqrt(this.s / (this.n - 1)) : NaN;
  }
}

/** Mean, median, 90th percentile (nearest rank) and maximum of a sample. */
export function summarize(values: ArrayLike<number>, n = values.length): { mean: number; p50: number; p90: number; max: number } {
  if (n === 0) return { mean: 0, p50: 0, p90: 0, max: 0 };
  const s = Float64Array.from({ length: n }, (_, i) => values[i]).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  const rank = (p: number): number => s[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))];
  return { mean: sum / n, p50: rank(0.5), p90: rank(0.9), max: s[n - 1] };
}

/** Equal-width bins from 0 to the largest value: `edges` has bins + 1 entries, `counts` bins. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

/** The histogram of values >= 0 over `bins` equal bins from 0 to their maximum (the last bin holds it). */
export function histogram(values: ArrayLike<number>, bins = 40): Histogram {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]);
  if (values.length === 0 || max === 0) return { edges: [0, max], counts: [values.length] };
  const width = max / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => i * width);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor(values[i] / width))]++;
  return { edges, counts };
}
