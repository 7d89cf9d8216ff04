/**
 * @module qemu/dirty-curve
 * From QEMU's dirty-rate measurements to lmsim's workload: a working set and a write rate.
 *
 * `query-dirty-rate` reports DISTINCT pages found dirty over a period of `calc-time` seconds,
 * divided by the period (migration/dirtyrate.c), in MiB/s rounded down. A guest that rewrites a
 * hot set dirties fewer distinct pages per second the longer the period, so the reported rate is
 * not lmsim's `writeRate` (page writes per second). Over several periods the count D(t) traces a
 * curve whose shape gives both:
 *
 *   uniform writes at w pages/s over n pages:  D(t) = n (1 - e^(-w t / n))
 *   a sequential sweep at w pages/s over n:     D(t) = min(w t, n)
 *
 * The fit minimises the squared residuals weighted by 1 / D (counts whose noise grows with their
 * size): a grid over log n, and for each n a scan then a golden-section search over log w. One period alone
 * cannot separate n from w (every n has a w through the point); then the writes are assumed to
 * spread over all the guest's data pages, the largest working set the guest can have, which is
 * the pessimistic choice for convergence. When D(t) has not bent within the periods measured, n
 * is not identified either and the same assumption applies (n = the data pages).
 *
 * QEMU rounds the rate down to a whole MiB/s, so each count is taken at the middle of its step:
 * (rate + 0.5) MiB/s x t.
 */

export interface DirtyPoint {
  /** Sampling period, s. */
  t: number;
  /** Distinct pages dirtied over the period. */
  pages: number;
}

export interface DirtyFit {
  model: 'uniform' | 'sweep' | 'idle';
  /** Working set, pages. */
  workingSet: number;
  /** Page writes per second. */
  writeRate: number;
  /** False when the periods could not separate n and w, and n was assumed (see `notes`). */
  identified: boolean;
  /** The curve at each measured period: measured and fitted distinct pages. */
  points: { t: number; pages: number; fitted: number }[];
  /** Root-mean-square of the relative residuals. */
  rmsRelative: number;
  notes: string[];
}

const MiB = 2 ** 20;

/** Distinct pages behind one reported rate (MiB/s, rounded down by QEMU) over t seconds. */
export function distinctPages(rateMiBps: number, t: number, pageSize: number): number {
  return ((rateMiBps + 0.5) * MiB * t) / pageSize;
}

export function uniformCurve(n: number, w: number, t: number): number {
  return n * -Math.expm1((-w * t) / n);
}

export function sweepCurve(n: number, w: number, t: number): number {
  return Math.min(w * t, n);
}

type Curve = (n: number, w: number, t: number) => number;

function cost(curve: Curve, n: number, w: number, pts: readonly DirtyPoint[]): number {
  let s = 0;
  for (const p of pts) {
    const r = p.pages - curve(n, w, p.t);
    s += (r * r) / Math.max(p.pages, 1);
  }
  return s;
}

/** Golden-section minimum of f over [lo, hi] (f unimodal). */
function golden(f: (x: number) => number, lo: number, hi: number, iterations = 80): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < iterations; i++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** Best (n, w) of a curve for n in [nLo, nHi]; w searched on a log scale. */
function fitCurve(curve: Curve, pts: readonly DirtyPoint[], nLo: number, nHi: number): { n: number; w: number; cost: number } {
  const maxRate = Math.max(...pts.map((p) => p.pages / p.t));
  const wLo = Math.log(maxRate / 4);
  const wHi = Math.log(maxRate * 1e3);
  let best = { n: nHi, w: maxRate, cost: Infinity };
  const steps = 240;
  for (let i = 0; i <= steps; i++) {
    const n = nLo * Math.pow(nHi / nLo, i / steps);
    // a coarse scan brackets the minimum first: the sweep's cost is flat once w t >= n everywhere
    const f = (x: number) => cost(curve, n, Math.exp(x), pts);
    const scan = 48;
    let k = 0;
    for (let j = 1, fk = f(wLo); j <= scan; j++) {
      const fj = f(wLo + ((wHi - wLo) * j) / scan);
      if (fj < fk) [k, fk] = [j, fj];
    }
    const step = (wHi - wLo) / scan;
    const lw = golden(f, wLo + Math.max(0, k - 1) * step, wLo + Math.min(scan, k + 1) * step);
    const c = cost(curve, n, Math.exp(lw), pts);
    if (c < best.cost) best = { n, w: Math.exp(lw), cost: c };
  }
  return best;
}

/**
 * Fits the working set and write rate to the distinct-pages curve.
 * @param maxPages the guest's data pages: the largest working set possible (and the assumption
 *   when n cannot be identified)
 */
export function fitDirtyCurve(points: readonly DirtyPoint[], maxPages: number): DirtyFit {
  const pts = [...points].sort((a, b) => a.t - b.t);
  if (pts.length === 0) throw new Error('fitDirtyCurve: no points');
  if (pts.every((p) => p.pages <= 0)) return idleFit(pts);
  const notes: string[] = [];
  const result = (model: DirtyFit['model'], n: number, w: number, identified: boolean, curve: Curve): DirtyFit => {
    const fitted = pts.map((p) => ({ t: p.t, pages: p.pages, fitted: model === 'idle' ? 0 : curve(n, w, p.t) }));
    const rel = fitted.filter((p) => p.pages > 0).map((p) => (p.fitted - p.pages) / p.pages);
    return {
      model,
      workingSet: n,
      writeRate: w,
      identified,
      points: fitted,
      rmsRelative: rel.length ? Math.sqrt(rel.reduce((s, x) => s + x * x, 0) / rel.length) : 0,
      notes,
    };
  };
  const distinctT = new Set(pts.map((p) => p.t)).size;
  const maxD = Math.max(...pts.map((p) => p.pages));
  if (distinctT < 2) {
    // one period: assume the writes spread over every data page and solve D = n (1 - e^(-w t / n)) for w
    const p = pts.reduce((a, b) => (b.pages > a.pages ? b : a));
    const n = maxPages;
    const frac = Math.min(p.pages / n, 1 - 1e-9);
    const w = (-n / p.t) * Math.log1p(-frac);
    notes.push(
      `one calc-time (${p.t} s) cannot separate the working set from the write rate: assumed uniform writes over all ${n} data pages (the pessimistic case); measure several calc-times (e.g. 1, 2, 4, 8 s) to fit both`,
    );
    return result('uniform', n, w, false, uniformCurve);
  }
  const nLo = Math.max(1, maxD * 0.98);
  const nHi = Math.max(maxPages, nLo * 1.01);
  const u = fitCurve(uniformCurve, pts, nLo, nHi);
  const s = fitCurve(sweepCurve, pts, nLo, nHi);
  // the sweep's kink can fit noise by chance: it wins only clearly, and with three periods or more
  const sweep = distinctT >= 3 && s.cost < 0.5 * u.cost;
  const best = sweep ? s : u;
  const curve = sweep ? sweepCurve : uniformCurve;
  // bent: at the longest period the fitted curve is well below the straight line w t
  const tMax = pts[pts.length - 1].t;
  const bent = curve(best.n, best.w, tMax) < 0.8 * best.w * tMax;
  if (best.n >= nHi * 0.95 || !bent) {
    notes.push(
      `the distinct-pages curve did not bend over calc-times ${pts.map((p) => p.t).join(', ')} s: the working set is larger than the periods can show, assumed to be all ${maxPages} data pages`,
    );
    const f = fitCurve(curve, pts, maxPages, maxPages * 1.0000001);
    return result(sweep ? 'sweep' : 'uniform', maxPages, f.w, false, curve);
  }
  return result(sweep ? 'sweep' : 'uniform', best.n, best.w, true, curve);
}

/** The fit of a guest that dirtied nothing measurable. */
export function idleFit(points: readonly DirtyPoint[]): DirtyFit {
  return {
    model: 'idle',
    workingSet: 0,
    writeRate: 0,
    identified: true,
    points: points.map((p) => ({ t: p.t, pages: p.pages, fitted: 0 })),
    rmsRelative: 0,
    notes: ['QEMU reported 0 MiB/s at every calc-time: the guest is taken as idle'],
  };
}
