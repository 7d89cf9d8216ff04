/**
 * @module datacenter/selection/mc
 * MC, maximum correlation (Beloglazov & Buyya, CCPE 2012, sec. 6.3; CloudSim
 * PowerVmSelectionPolicyMaximumCorrelation): for each migratable VM, the coefficient of
 * determination R^2 of a multiple linear regression of its utilisation history on the other VMs'
 * histories; the VM with the largest R^2 leaves. With too few history values for the regression
 * (degrees of freedom <= 0) the fallback selector (MMT) decides.
 */
import { migratableVms, type VmSelector } from '../policy.js';

/** Maximum-correlation selector falling back to `fallback`. */
export function maximumCorrelation(fallback: VmSelector): VmSelector {
  return {
    name: 'mc',
    select(dc, h) {
      const vms = migratableVms(dc, h);
      if (vms.length === 0) return -1;
      let m = Infinity;
      for (const v of vms) m = Math.min(m, dc.histCount[v]);
      const n = vms.length;
      // n - 1 regressors plus an intercept need more than n observations
      if (n < 2 || m - n <= 0) return fallback.select(dc, h);
      const hist = new Float64Array(n * m);
      for (let j = 0; j < n; j++) for (let k = 0; k < m; k++) hist[j * m + k] = dc.historyAt(vms[j], k);
      let best = 0;
      let max = Number.MIN_VALUE;
      for (let i = 0; i < n; i++) {
        const r2 = determination(hist, n, m, i);
        if (r2 > max) {
          max = r2;
          best = i;
        }
      }
      return vms[best];
    },
  };
}

/**
 * R^2 of series i regressed (with intercept) on the other series, over m values; `hist` holds n
 * series of m values each (row-major).
 */
export function determination(hist: Float64Array, n: number, m: number, i: number): number {
  const p = n; // intercept + (n - 1) regressors
  const row = (k: number, j: number): number => (j === 0 ? 1 : hist[(j <= i ? j - 1 : j) * m + k]);
  const xtx = new Float64Array(p * p);
  const xty = new Float64Array(p);
  let ySum = 0;
  for (let k = 0; k < m; k++) {
    const y = hist[i * m + k];
    ySum += y;
    for (let a = 0; a < p; a++) {
      const xa = row(k, a);
      xty[a] += xa * y;
      for (let b = 0; b < p; b++) xtx[a * p + b] += xa * row(k, b);
    }
  }
  const beta = solve(xtx, xty, p);
  if (!beta) return NaN;
  const yMean = ySum / m;
  let ssRes = 0;
  let ssTot = 0;
  for (let k = 0; k < m; k++) {
    const y = hist[i * m + k];
    let fit = 0;
    for (let a = 0; a < p; a++) fit += beta[a] * row(k, a);
    ssRes += (y - fit) ** 2;
    ssTot += (y - yMean) ** 2;
  }
  return ssTot > 0 ? 1 - ssRes / ssTot : NaN;
}

/** Gaussian elimination with partial pivoting; undefined if singular. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array | undefined {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  const SINGULAR = 1e-12;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (Math.abs(m[piv * n + c]) < SINGULAR) return undefined;
    if (piv !== c) {
      for (let k = 0; k < n; k++) [m[c * n + k], m[piv * n + k]] = [m[piv * n + k], m[c * n + k]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / m[c * n + c];
      if (f === 0) continue;
      for (let k = c; k < n; k++) m[r * n + k] -= f * m[c * n + k];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let k = r + 1; k < n; k++) s -= m[r * n + k] * x[k];
    x[r] = s / m[r * n + r];
  }
  return x;
}
