/**
 * @module report/views/decimate
 * Long series are drawn from a subset of their points: the series is cut into equal buckets and
 * each bucket keeps its first point and the points of its minimum and maximum (in order), so peaks
 * and dips survive and a line drawn through the kept points has the original's envelope. A series
 * with at most `limit` points is kept whole.
 */

/** Indices of the points to draw (ascending), at most about 3 x buckets of them. */
export function decimate(values: ArrayLike<number>, limit = 1200): number[] {
  const n = values.length;
  if (n <= limit) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.floor(limit / 3);
  const kept: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor((b * n) / buckets);
    const to = Math.floor(((b + 1) * n) / buckets);
    let lo = from,
      hi = from;
    for (let i = from; i < to; i++) {
      if (values[i] < values[lo]) lo = i;
      if (values[i] > values[hi]) hi = i;
    }
    for (const i of [...new Set([from, lo, hi])].sort((a, b) => a - b)) kept.push(i);
  }
  if (kept[kept.length - 1] !== n - 1) kept.push(n - 1);
  return kept;
}
