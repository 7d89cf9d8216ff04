/**
 * @module calibrate/fit
 * Estimates the properties of the measuring machine that the model takes as inputs, from the
 * measured rows themselves: a handful of constants, each from the rows that isolate it, never one
 * per row. The rules are fixed here (documented in docs/validation.md) so the fit is
 * reproducible: `lmsim calibrate qemu runs.csv --fit` prints what they give.
 */
import { calibrate } from './calibrate.js';
import { CalibrationConstants } from './constants.js';
import { qemu10 } from './mapping.js';
import { QemuRun } from './qemu-runs.js';
import { median, theilSen } from './stats.js';

/** The grid the guest kernel's read rate (/s) and the fault service time (s) are chosen from. */
export const kernelReadRates = [50, 100, 200];
export const faultServiceTimes = [0.001, 0.002, 0.003];

/** One fitted constant: its value, the rows it came from and how. */
export interface Derivation {
  value: number;
  unit: string;
  rows: number;
  how: string;
}

export interface FitResult {
  constants: CalibrationConstants;
  derivations: Record<keyof CalibrationConstants, Derivation>;
}

/** Thrown when the rows do not contain what a constant is estimated from. */
export class FitError extends Error {}

const round = (v: number, step: number) => Math.round(v / step) * step;
/** Rounds to `digits` significant digits (the fit is not more precise than that). */
const sig = (v: number, digits: number) => (v === 0 ? 0 : Number(v.toPrecision(digits)));

const completed = (r: QemuRun) => r.measured.converged && r.measured.outcome === 'completed';
const idle = (r: QemuRun) => r.workingSet === 0 || r.rate === 0;
/** Pure post-copy on QEMU 7.2 (QEMU 10 reports downtime = total time for it). */
const pureCopy = (r: QemuRun) => r.algo === 'postcopy' && completed(r);

export function fitConstants(runs: readonly QemuRun[]): FitResult {
  // 1. Base footprint: in pure post-copy every page crosses exactly once, so ram.normal is the
  //    guest's data pages; beyond the workload's allocation that is kernel, initramfs, page cache.
  let basis = runs.filter(pureCopy);
  let baseHow = 'median over completed pure post-copy rows of (ram.normal - alloc pages): every page crosses exactly once in post-copy';
  if (basis.length === 0) {
    basis = runs.filter((r) => r.algo === 'precopy' && idle(r) && completed(r));
    baseHow = 'median over completed idle pre-copy rows of (ram.normal - alloc pages) (no post-copy rows)';
  }
  if (basis.length === 0) throw new FitError('base footprint: needs completed post-copy or idle pre-copy rows');
  const pageStructShare = 1 / 64; // sizeof(struct page) / 4 KiB: from the kernel, not fitted
  // the layout and the scan's cadence: from the lab's polls and QEMU's source (see the derivations)
  const structPagesAtTop = 1;
  const topExtraPages = 864;
  const iterationMaxWait = 0.05;
  const zeroScanRate = 0;
  const structPages = (r: QemuRun) => Math.floor((r.ram * pageStructShare) / r.pageSize);
  const basePages = Math.round(median(basis.map((r) => r.measured.normalPages - r.alloc / r.pageSize - structPages(r))));

  // 2. Rate limiter: the rate of a stream that only max-bandwidth limits, over the limit. A
  //    pre-copy run cancelled at the timeout is such a stream from migrate to cancel (no
  //    unthrottled final copy, no post-copy requests): ram.transferred / total-time / limit.
  //    Without such rows: the bulk pass of idle pre-copy runs (migrate -> STOP).
  const ratios: number[] = [];
  let rateHow = 'median over pre-copy rows cancelled at the timeout (rate-limited from migrate to cancel) of ram.transferred / total-time / max-bandwidth';
  for (const r of runs) {
    const m = r.measured;
    if (r.algo === 'precopy' && !m.converged && m.outcome === 'timeout' && m.totalTime > 0) ratios.push(m.ramTransferred / m.totalTime / r.maxBandwidth);
  }
  if (ratios.length === 0) {
    rateHow = 'median over completed idle pre-copy rows of precopy-bytes / (migrate -> STOP) / max-bandwidth (no cancelled pre-copy rows)';
    for (const r of runs) {
      const m = r.measured;
      if (r.algo === 'precopy' && idle(r) && completed(r) && m.precopyBytes && m.precopyPhase) ratios.push(m.precopyBytes / m.precopyPhase / r.maxBandwidth);
    }
  }
  if (ratios.length === 0) throw new FitError('rate-limit factor: needs pre-copy rows cancelled at the timeout or completed idle pre-copy rows');
  const rateLimitFactor = round(median(ratios), 0.001);

  // 3./4. The final copy is not rate-limited: QMP downtime = fixed cost + downtime bytes / rate.
  //    A Theil-Sen line over completed plain pre-copy rows (verify runs excluded): the slope gives
  //    the unthrottled rate (lmsim's network bandwidth), the intercept the fixed cost of the stop
  //    (device state, final sync), expressed as device-state bytes at that rate. Theil-Sen rather
  //    than least squares: the idle guests' final copies (first-time pages, 0.3-0.5 GiB/s) sit
  //    off the line and would pull a least-squares intercept to 5 ms.
  const dt = runs.filter(
    (r) => r.algo === 'precopy' && completed(r) && !r.measured.verify && r.measured.qmpDowntime !== null && r.measured.downtimeBytes !== null,
  );
  if (dt.length < 2) throw new FitError('final-copy rate: needs at least two completed pre-copy rows with downtime and downtime bytes');
  const line = theilSen(
    dt.map((r) => r.measured.downtimeBytes!),
    dt.map((r) => r.measured.qmpDowntime!),
  );
  if (!(line.slope > 0)) throw new FitError('final-copy rate: downtime does not grow with the bytes sent in it');
  const finalCopyRate = sig(1 / line.slope, 3);
  const deviceState = Math.max(0, round(line.intercept * finalCopyRate, 1024));
  //    QEMU 10's final copy is faster: the slope of the same line over its rows alone (the stop's
  //    fixed cost stays the common one); 0 (the common rate) without two such rows or if not faster
  const dt10 = dt.filter(qemu10);
  const slope10 = dt10.length >= 2 ? theilSen(dt10.map((r) => r.measured.downtimeBytes!), dt10.map((r) => r.measured.qmpDowntime!)).slope : 0;
  const rate10 = slope10 > 0 ? sig(1 / slope10, 3) : 0;
  const finalCopyRateQemu10 = rate10 > finalCopyRate ? rate10 : 0;
  const copyRate = (r: QemuRun) => (qemu10(r) && finalCopyRateQemu10 > 0 ? finalCopyRateQemu10 : finalCopyRate);

  // 5. Resume latency: source STOP -> destination RESUME beyond QEMU's own downtime, after a
  //    stop-and-copy; after a switch to post-copy the destination sets post-copy up first
  //    (userfaultfd, discards, the device-state package): the same gap's excess there.
  const gapRows = runs
    .filter((r) => completed(r) && r.measured.hostDowntime !== null && r.measured.qmpDowntime !== null)
    .filter((r) => !(r.algo === 'postcopy' && qemu10(r)));
  const gap = (r: QemuRun) => r.measured.hostDowntime! - r.measured.qmpDowntime!;
  const switchesToPostcopy = (r: QemuRun) => r.algo === 'hybrid' || r.algo === 'postcopy';
  const gaps = gapRows.filter((r) => !switchesToPostcopy(r)).map(gap);
  const postcopyGaps = gapRows.filter(switchesToPostcopy).map(gap);
  if (gaps.length === 0) throw new FitError('resume latency: needs completed pre-copy rows with host_downtime_ms and src_downtime');
  const resumeLatency = round(median(gaps), 0.0001);
  const postcopySetup = postcopyGaps.length ? Math.max(0, round(median(postcopyGaps) - resumeLatency, 0.0001)) : 0;

  // 6. Bitmap sync cost: syncs happen at 100 ms iteration boundaries, so the time between two
  //    MIGRATION_PASS events is whole windows plus the sync; the excess over the nearest whole
  //    number of windows (intervals >= 1 window, pre-copy rows).
  const excess: number[] = [];
  for (const r of runs) {
    if (r.algo !== 'precopy') continue;
    const p = r.measured.passTimes;
    for (let i = 2; i < p.length; i++) {
      const d = p[i] - p[i - 1];
      if (d < 0.1 - 1e-9) continue;
      excess.push(Math.max(0, d - 0.1 * Math.round(d / 0.1)));
    }
  }
  const syncTime = excess.length ? round(median(excess), 0.0001) : 0;

  // 7. The guest kernel's working set: an idle guest sends, in one pre-copy pass and its final
  //    copy, its data pages plus those its kernel wrote meanwhile; pure post-copy sends each data
  //    page once. The difference (per QEMU version) is the pages the kernel keeps using.
  const pureNormal = new Map<string, number>();
  for (const v of new Set(basis.filter(pureCopy).map((r) => r.qemuVersion))) {
    pureNormal.set(v, median(basis.filter((r) => r.qemuVersion === v).map((r) => r.measured.normalPages)));
  }
  const rewritten = runs
    .filter((r) => r.algo === 'precopy' && idle(r) && completed(r) && pureNormal.has(r.qemuVersion))
    .map((r) => r.measured.normalPages - pureNormal.get(r.qemuVersion)!);
  const kernelPages = rewritten.length ? Math.max(0, Math.round(median(rewritten))) : 0;
  // ... and its write rate: a kernel writing its K pages uniformly at w/s has written
  // K (1 - e^(-w T / K)) distinct ones after T s, so each idle row that rewrote D < K pages in a
  // migration of T s gives w = -K ln(1 - D / K) / T (rows with D >= K say only that w is large)
  const idleRows = runs.filter((r) => r.algo === 'precopy' && idle(r) && completed(r) && pureNormal.has(r.qemuVersion) && r.measured.totalTime > 0);
  const rates = idleRows
    .map((r) => ({ d: r.measured.normalPages - pureNormal.get(r.qemuVersion)!, t: r.measured.totalTime }))
    .filter(({ d }) => d > 0 && d < kernelPages)
    .map(({ d, t }) => (-kernelPages * Math.log(1 - d / kernelPages)) / t);
  const kernelWriteRate = rates.length ? sig(median(rates), 2) : 0;

  // 8. The destination's first-receive rate: an idle guest's final copy is data the pass had not
  //    reached (the top of RAM), pages the destination receives for the first time; their rate is
  //    downtime bytes over the stop less its fixed parts (resume, device state), per QEMU
  //    generation (10 receives them 3-4x faster). A rate no slower than the final copy's is none.
  const firstRows = runs.filter(
    (r) => r.algo === 'precopy' && idle(r) && completed(r) && !r.measured.verify && r.measured.hostDowntime !== null && (r.measured.downtimeBytes ?? 0) >= 1e6,
  );
  const firstRate = (rows: QemuRun[]) => {
    const rates = rows
      .map((r) => r.measured.downtimeBytes! / (r.measured.hostDowntime! - resumeLatency - deviceState / copyRate(r)))
      .filter((v) => v > 0);
    if (rates.length === 0) return 0;
    const rate = sig(median(rates), 2);
    return rate >= copyRate(rows[0]) ? 0 : rate;
  };
  const firstReceiveRate = firstRate(firstRows.filter((r) => !qemu10(r)));
  const firstReceiveRateQemu10 = firstRate(firstRows.filter(qemu10));
  // the loopback connection's buffering: Linux's (6.1, the lab's) receive window with its default
  // buffers, half of tcp_rmem's 6 MiB maximum (tcp_adv_win_scale 1); from the kernel, not fitted
  const receiveBuffer = 3 * 2 ** 20;

  // 9./10. The kernel's read rate and the fault service time: no row isolates them, so they are
  //    the pair of a small grid whose larger median error (post-copy requests, blocked time) over
  //    all hybrid and post-copy rows together is smallest; the first such pair in grid order.
  const base: CalibrationConstants = {
    baseFootprintPages: basePages,
    pageStructShare,
    rateLimitFactor,
    finalCopyRate,
    finalCopyRateQemu10,
    deviceState,
    resumeLatency,
    postcopySetup,
    syncTime,
    kernelPages,
    kernelReadRate: 0,
    kernelWriteRate,
    faultService: 0,
    structPagesAtTop,
    topExtraPages,
    iterationMaxWait,
    zeroScanRate,
    firstReceiveRate,
    firstReceiveRateQemu10,
    receiveBuffer,
  };
  const pc = runs.filter((r) => (r.algo === 'hybrid' || r.algo === 'postcopy') && r.measured.postcopyRequests !== null && r.measured.postcopyBlocktime !== null);
  let best = { kernelReadRate: 0, faultService: 0, score: Infinity };
  if (pc.length > 0 && kernelPages > 0) {
    for (const kernelReadRate of kernelReadRates) {
      for (const faultService of faultServiceTimes) {
        const s = calibrate(pc, { ...base, kernelReadRate, faultService }).summary;
        const score = Math.max(s.postcopyRequests.median, s.blockedTime.median);
        if (score < best.score - 1e-12) best = { kernelReadRate, faultService, score };
      }
    }
  }

  const constants: CalibrationConstants = { ...base, kernelReadRate: best.kernelReadRate, faultService: best.faultService };
  return {
    constants,
    derivations: {
      baseFootprintPages: { value: basePages, unit: 'pages', rows: basis.length, how: `${baseHow}, less the per-page structures` },
      pageStructShare: { value: pageStructShare, unit: 'of RAM', rows: 0, how: "Linux's struct page, 64 bytes per 4 KiB page on x86-64 (taken from the kernel, not fitted)" },
      rateLimitFactor: {
        value: rateLimitFactor,
        unit: 'x max-bandwidth',
        rows: ratios.length,
        how: rateHow,
      },
      finalCopyRate: {
        value: finalCopyRate,
        unit: 'bytes/s',
        rows: dt.length,
        how: 'Theil-Sen line of QMP downtime on downtime-bytes over completed pre-copy rows (not verify): 1 / slope; used as the network bandwidth',
      },
      finalCopyRateQemu10: {
        value: finalCopyRateQemu10,
        unit: 'bytes/s',
        rows: dt10.length,
        how: 'the slope of the same line over the completed QEMU 10 pre-copy rows alone: 1 / slope (0: the common rate, when not faster); the network bandwidth of QEMU 10 rows',
      },
      deviceState: {
        value: deviceState,
        unit: 'bytes',
        rows: dt.length,
        how: 'the same fit: intercept (fixed cost of the stop: device state, final sync) x the final-copy rate',
      },
      resumeLatency: {
        value: resumeLatency,
        unit: 's',
        rows: gaps.length,
        how: 'median of host_downtime_ms - QMP downtime over completed rows that end in a stop-and-copy (pre-copy, XBZRLE, auto-converge)',
      },
      postcopySetup: {
        value: postcopySetup,
        unit: 's',
        rows: postcopyGaps.length,
        how: 'median of the same gap over completed hybrid and post-copy rows (QEMU 10 pure post-copy excluded: its QMP downtime is the total time), less resumeLatency',
      },
      syncTime: {
        value: syncTime,
        unit: 's',
        rows: excess.length,
        how: 'median excess of the intervals between MIGRATION_PASS events (pre-copy rows) over a whole number of 100 ms iteration windows',
      },
      kernelPages: {
        value: kernelPages,
        unit: 'pages',
        rows: rewritten.length,
        how: "median over completed idle pre-copy rows of ram.normal - the median pure post-copy ram.normal of the same QEMU version: the pages the guest's kernel writes again during a pass",
      },
      kernelReadRate: {
        value: best.kernelReadRate,
        unit: 'reads/s',
        rows: pc.length,
        how: `with faultService: the pair of the grid (${kernelReadRates.join(', ')} /s x ${faultServiceTimes.map((t) => t * 1000).join(', ')} ms) with the smallest larger median error of post-copy requests and blocked time over the hybrid and post-copy rows`,
      },
      kernelWriteRate: {
        value: kernelWriteRate,
        unit: 'writes/s',
        rows: rates.length,
        how: 'median over the idle pre-copy rows that rewrote D < kernelPages pages in T s of -kernelPages ln(1 - D / kernelPages) / T: a kernel writing its working set uniformly',
      },
      faultService: {
        value: best.faultService,
        unit: 's',
        rows: pc.length,
        how: 'with kernelReadRate (above)',
      },
      structPagesAtTop: {
        value: structPagesAtTop,
        unit: '1 = yes',
        rows: 0,
        how: "from the lab's 100 ms polls of idle passes (timeseries, not runs.csv): data at the bottom of RAM and, above 148 MiB of zero pages, at the very top (the kernel's struct page array, allocated top-down at boot)",
      },
      topExtraPages: {
        value: topExtraPages,
        unit: 'pages',
        rows: 0,
        how: "from the lab's polls of idle passes (timeseries, not runs.csv): the data above the last zero pages, less the per-page structures: 69 pages sent live and 2936 in the final copy at 128 MiB/s, less the 93 the kernel rewrote (2912 - 2048); the 32 MiB/s polls give at least 2816 - 2048",
      },
      iterationMaxWait: { value: iterationMaxWait, unit: 's', rows: 0, how: "QEMU's MAX_WAIT in ram_save_iterate (migration/ram.c), not fitted" },
      zeroScanRate: {
        value: zeroScanRate,
        unit: 'bytes/s',
        rows: 0,
        how: "0 (free): the lab's rate-limit windows stay bound by their byte budget through the 148 MiB of zero pages (the idle 128 MiB/s runs end their live phase at the same byte), so the check fits in what is left of a window; the polls bound it only from below (31291 zero pages within 55 ms: >= 2.3e9 bytes/s)",
      },
      firstReceiveRate: {
        value: firstReceiveRate,
        unit: 'bytes/s',
        rows: firstRows.filter((r) => !qemu10(r)).length,
        how: 'median over completed idle pre-copy rows before QEMU 10 with a final copy >= 1 MB (data the pass had not reached) of downtime bytes / (host downtime - resume latency - device state / final-copy rate); 0 when no slower than the final copy',
      },
      firstReceiveRateQemu10: {
        value: firstReceiveRateQemu10,
        unit: 'bytes/s',
        rows: firstRows.filter(qemu10).length,
        how: 'the same rule over the QEMU 10 rows',
      },
      receiveBuffer: {
        value: receiveBuffer,
        unit: 'bytes',
        rows: 0,
        how: "the loopback connection's receive window under Linux 6.1's defaults (the lab's kernel): half of net.ipv4.tcp_rmem's 6 MiB maximum (tcp_adv_win_scale 1); from the kernel, not fitted",
      },
    },
  };
}
