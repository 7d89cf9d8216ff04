/**
 * @module calibrate/constants
 * The properties of the measuring machine that a QEMU calibration needs beside each row's own
 * inputs. They are not properties of the migration algorithm, so they are estimated once from the
 * data (calibrate/fit.ts), never per row.
 */

export interface CalibrationConstants {
  /** Guest data pages beyond the workload's allocation and the per-page structures (kernel, initramfs, page cache), pages. */
  baseFootprintPages: number;
  /**
   * The kernel's per-page structures as a share of RAM, at the top of RAM: Linux's struct page
   * is 64 bytes per 4 KiB page (x86-64), 1/64. The footprint that grows with the guest's RAM.
   */
  pageStructShare: number;
  /** The rate a max-bandwidth-limited stream really gets, as a multiple of the limit. */
  rateLimitFactor: number;
  /** Unthrottled rate of the final copy on this machine (loopback TCP, CPU-bound), bytes/s: lmsim's network bandwidth. */
  finalCopyRate: number;
  /** The same on QEMU 10 and later (its final copy is faster); 0 = finalCopyRate. */
  finalCopyRateQemu10: number;
  /** Fixed cost of the stop (device state, final sync), as device-state bytes at finalCopyRate. */
  deviceState: number;
  /** Source STOP -> destination RESUME beyond QEMU's own downtime after a stop-and-copy, s (lmsim resumeLatency). */
  resumeLatency: number;
  /** The same after a switch to post-copy, beyond resumeLatency: the destination's post-copy setup, s (lmsim postcopySetup). */
  postcopySetup: number;
  /** Time of one dirty-bitmap sync, s (lmsim syncTime). */
  syncTime: number;
  /** The guest kernel's own working set: pages it keeps using, scattered over the base footprint. */
  kernelPages: number;
  /** The guest kernel's reads of those pages, per second (they fault in post-copy while missing). */
  kernelReadRate: number;
  /** The guest kernel's writes to them, per second (they dirty pages in pre-copy). */
  kernelWriteRate: number;
  /** Time from a post-copy fault to its page request leaving the destination, s (lmsim faultService). */
  faultService: number;
  /**
   * Where the guest's data lie: 1 = the per-page structures (pageStructShare of RAM) at the very
   * top and the rest of the data from the bottom, as the lab's idle polls show; 0 = all data at
   * the top of RAM.
   */
  structPagesAtTop: number;
  /**
   * With structPagesAtTop: pages of the guest's own data at the top of RAM beside the per-page
   * structures (what boot places top-down there: the initrd, which QEMU's loader puts at the top
   * of RAM and the kernel frees without clearing, and other early allocations), pages.
   */
  topExtraPages: number;
  /** QEMU's MAX_WAIT: a send call returns after this much work and the stop rule is checked (lmsim iterationMaxWait), s; 0 = off. */
  iterationMaxWait: number;
  /** Bytes of zero pages the source checks per second (lmsim zeroScanRate); 0 = free. */
  zeroScanRate: number;
  /** Bytes/s the destination takes data pages at that it receives the first time (lmsim firstReceiveRate), QEMU before 10; 0 = no limit. */
  firstReceiveRate: number;
  /** The same on QEMU 10 and later (its receive path is faster); 0 = no limit. */
  firstReceiveRateQemu10: number;
  /** Bytes the loopback connection buffers between the source's writes and the destination's reads (lmsim receiveBuffer); 0 = none. */
  receiveBuffer: number;
}

/**
 * The constants fitted from shared/validation/qemu/runs.csv (79 rows) by `lmsim calibrate qemu
 * runs.csv --fit` (fit.ts; a test checks the two agree). Derivation of each, on that file:
 */
export const qemuLabConstants: CalibrationConstants = {
  // 16932 pages (66.1 MiB): median over the 10 pure post-copy rows of ram.normal - alloc pages
  // - the per-page structures (84516 - 65536 - 2048 on QEMU 7.2; 84735 - 65536 - 2048 on 10.0):
  // in post-copy every page crosses exactly once, so ram.normal is the guest's data pages
  baseFootprintPages: 16932,
  // 1/64: sizeof(struct page) = 64 bytes on x86-64 for each 4 KiB page (include/linux/mm_types.h);
  // taken from the source, not fitted (every row has 512 MiB of RAM: 2048 pages of it)
  pageStructShare: 1 / 64,
  // 1.002: median over the 11 pre-copy rows cancelled at the timeout (rate-limited from migrate
  // to cancel: no unthrottled final copy, no post-copy requests) of ram.transferred / total-time
  // / max-bandwidth (QEMU 7.2: 0.999-1.003, QEMU 10: 1.011-1.018). The 100 ms polls agree:
  // 3357080 bytes per window at 32 MiB/s (1.0005x). The README's "32.1-32.8 MiB/s" is bytes /
  // total-time of completed runs, which includes the unthrottled final copy.
  rateLimitFactor: 1.002,
  // 1.27e9 bytes/s (1.18 GiB/s): Theil-Sen line of QMP downtime on downtime-bytes over the 29
  // completed pre-copy rows (verify runs excluded): 1 / slope. QEMU lifts the rate limit for the
  // final copy; on loopback this is the machine's copy rate, so it is lmsim's network bandwidth
  finalCopyRate: 1.27e9,
  // 2.03e9 bytes/s: the same line's slope over the 5 completed QEMU 10 pre-copy rows alone (its
  // large final copies move at 1.65-1.71 GB/s of QMP downtime, QEMU 7.2's at 1.1-1.5)
  finalCopyRateQemu10: 2.03e9,
  // 2088960 bytes (1.99 MiB): the same line's intercept (1.64 ms: device state, final sync) x
  // the final-copy rate
  deviceState: 2088960,
  // 1.9 ms: median of host_downtime_ms - QMP downtime over the 35 completed rows that end in a
  // stop-and-copy (pre-copy, XBZRLE, auto-converge; verify runs have no host downtime)
  resumeLatency: 0.0019,
  // 5.4 ms: median of the same gap over the 22 completed hybrid and post-copy rows (QEMU 10 pure
  // post-copy excluded: it reports downtime = total time), 7.3 ms, less resumeLatency: before the
  // guest runs, the destination registers RAM with userfaultfd, discards the pages dirtied since
  // they were sent and loads the device-state package
  postcopySetup: 0.0054,
  // 0: median excess of the 236 intervals between MIGRATION_PASS events of pre-copy rows over a
  // whole number of 100 ms windows; the sync of a 512 MiB guest is below the 1 ms resolution
  syncTime: 0,
  // 106 pages: median over the completed idle pre-copy rows of ram.normal - the median pure
  // post-copy ram.normal (QEMU 7.2 and 10 each against their own): the pages an idle guest's
  // kernel writes again during one pass, i.e. the pages it keeps using
  kernelPages: 106,
  // 50 reads/s and 1 ms: the pair of the grid (reads 50, 100, 200 /s x service 1, 2, 3 ms) with
  // the smallest larger median error of post-copy requests and blocked time over the 24 hybrid and
  // post-copy rows together (fit.ts), with the layout below and the post-copy setup above
  kernelReadRate: 50,
  // 87 writes/s: an idle guest's rewritten pages grow with the pass as a kernel writing its
  // kernelPages uniformly would, K (1 - e^(-w T / K)); median over the idle pre-copy rows that
  // rewrote fewer than K pages (the 128 MiB/s ones and QEMU 10's 32 MiB/s) of w = -K ln(1 - D / K) / T
  kernelWriteRate: 87,
  faultService: 0.001,
  // 1: the lab's idle polls show the guest's data at the bottom of RAM and, above 148 MiB of zero
  // pages, at the very top: the kernel's struct page array (allocated top-down at boot)
  structPagesAtTop: 1,
  // 864 pages (3.4 MiB): the top region (the data above the last run of zero pages) less the
  // per-page structures (2048 pages of 512 MiB). The idle 128 MiB/s runs send 69 of its pages live
  // after the zero pages and 2936 in the final copy, of which 93 are pages the kernel rewrote
  // (ram.normal less pure post-copy's): 2912 pages. The 32 MiB/s polls give at least 2816
  // (818 + 2104 after the zero pages, less 106 rewritten)
  topExtraPages: 864,
  // 50 ms: QEMU's MAX_WAIT (migration/ram.c), from the source, not fitted
  iterationMaxWait: 0.05,
  // 0 (free): the lab's rate-limit windows stay bound by their byte budget through the 148 MiB of
  // zero pages: the idle 128 MiB/s runs end their live phase at the same byte (335,603,8xx) in
  // every repeat, which a scan outlasting its window would not; the polls bound the check only
  // from below (31291 zero pages between a poll and the stop 55 ms later: >= 2.3e9 bytes/s)
  zeroScanRate: 0,
  // 2.8e8 bytes/s: median over the 4 completed idle pre-copy rows of QEMU 7.2 whose final copy is
  // the guest's data the pass had not reached (downtime bytes >= 1 MB) of downtime bytes / (host
  // downtime - resume latency - device state / final-copy rate)
  firstReceiveRate: 2.8e8,
  // 7.7e8 bytes/s: the same rule over the 2 QEMU 10 rows, with QEMU 10's final-copy rate
  firstReceiveRateQemu10: 7.7e8,
  // 3 MiB: the loopback connection's receive window under Linux 6.1's defaults (the lab's
  // kernel): half of net.ipv4.tcp_rmem's 6 MiB maximum (tcp_adv_win_scale 1); not fitted
  receiveBuffer: 3 * 2 ** 20,
};

/**
 * What one would write without the measurements: lmsim's own option defaults (device state
 * 256 KiB, resume latency 3 ms, no sync cost, max-bandwidth taken at its word), the guest's
 * footprint = the workload's allocation (what the lab asked the guest to touch), and a 10 Gbit/s
 * network (a common data-center NIC: the loopback has no rate of its own).
 */
export const uncalibratedConstants: CalibrationConstants = {
  baseFootprintPages: 0,
  pageStructShare: 0,
  rateLimitFactor: 1,
  finalCopyRate: 10e9 / 8,
  finalCopyRateQemu10: 0,
  deviceState: 256 * 1024,
  resumeLatency: 0.003,
  postcopySetup: 0,
  syncTime: 0,
  kernelPages: 0,
  kernelReadRate: 0,
  kernelWriteRate: 0,
  faultService: 0,
  structPagesAtTop: 0,
  topExtraPages: 0,
  iterationMaxWait: 0,
  zeroScanRate: 0,
  firstReceiveRate: 0,
  firstReceiveRateQemu10: 0,
  receiveBuffer: 0,
};
