/**
 * @module calibrate/qemu-runs
 * Rows of a QEMU measurement CSV (the format of shared/validation/qemu/runs.csv, written by
 * lab/run-migration.py) as typed records: inputs in lmsim's units (bytes, bytes/s, seconds) and
 * the measured figures. Bad input names the line, the column and what was expected.
 */
import { CsvError, CsvRow, csvRows, parseCsv } from './csv.js';

const MiB = 2 ** 20;
/** dirty.c's default maxlag_ms: the lab never changed it (run-migration.py passes no maxlag). */
const DIRTY_MAXLAG_MS = 100;

export const qemuAlgos = ['precopy', 'hybrid', 'postcopy', 'xbzrle', 'autoconverge'] as const;
export type QemuAlgo = (typeof qemuAlgos)[number];

/** One measured migration. */
export interface QemuRun {
  /** Line of the CSV the row starts on. */
  line: number;
  runId: string;
  grid: string;
  qemuVersion: string;
  pageSize: number;
  /** Guest RAM, bytes (`ram_mib`). */
  ram: number;
  /** Memory the workload allocated and touched, bytes (`alloc_mib`). */
  alloc: number;
  /**
   * The guest's data pages, bytes (`resident_mib`, written by `lmsim qemu --migrate`, which
   * measures them); null: alloc + the lab guest's footprint (baseFootprintPages).
   */
  resident: number | null;
  /** Working set rewritten, bytes (`ws_mib`); 0 = idle. */
  workingSet: number;
  /** Page writes per second (`rate_pps`). */
  rate: number;
  pattern: 'seq' | 'rand';
  fill: 'byte' | 'random';
  algo: QemuAlgo;
  /** max-bandwidth, bytes/s. */
  maxBandwidth: number;
  /** max-postcopy-bandwidth, bytes/s; null = QEMU's default (unlimited). */
  maxPostcopyBandwidth: number | null;
  /** downtime-limit, s. */
  downtimeLimit: number;
  /** Switch to post-copy after this many passes (hybrid), else null. */
  postcopyAfterPass: number | null;
  /** xbzrle-cache-size in effect, bytes (xbzrle rows), else null. */
  xbzrleCacheSize: number | null;
  cpuThrottleInitial: number | null;
  cpuThrottleIncrement: number | null;
  throttleTriggerThreshold: number | null;
  maxCpuThrottle: number | null;
  /**
   * Backlog the workload catches up after a stall, s: dirty.c keeps absolute deadlines and drops
   * a backlog over `maxlag_ms` (default 100 ms; a column `maxlag_ms` if the CSV has one).
   */
  maxLag: number;
  /** The operator's cancel after this many seconds (`migrate_timeout_s`). */
  timeout: number;
  measured: QemuMeasured;
}

export interface QemuMeasured {
  outcome: string;
  /** Pre-copy completed (outcome completed); false for a cancel at the timeout. */
  converged: boolean;
  /** QMP total-time, s; for a timeout, the time at the cancel. */
  totalTime: number;
  /** QMP downtime (source stop to source completion), s; null if not reported. */
  qmpDowntime: number | null;
  /** Source STOP to destination RESUME (QMP events), s; null if not measured (verify runs keep the destination paused). */
  hostDowntime: number | null;
  /** RAM bytes on the wire (ram.transferred; at the cancel for a timeout). */
  ramTransferred: number;
  normalPages: number;
  duplicatePages: number;
  /** dirty-sync-count (includes the setup sync and the final one). */
  syncs: number;
  precopyBytes: number | null;
  downtimeBytes: number | null;
  postcopyBytes: number | null;
  /** Page requests the source received in post-copy (`src_ram_postcopy_requests`); null if not reported. */
  postcopyRequests: number | null;
  /**
   * Time the destination's vCPUs were all blocked on post-copy faults, s (`dst_postcopy_blocktime`,
   * ms in the CSV: QEMU's postcopy-blocktime, from each userfault to the copy of its page); null
   * if not measured (the capability is on only for post-copy runs).
   */
  postcopyBlocktime: number | null;
  /** migrate -> source STOP, s. */
  precopyPhase: number | null;
  /** migrate -> postcopy-active, s. */
  postcopyActive: number | null;
  /** Seconds since migrate of each MIGRATION_PASS event (a bitmap sync). */
  passTimes: number[];
  /** A --verify-memory run: the destination stayed paused, its downtime means nothing. */
  verify: boolean;
}

/** Columns every row needs. */
export const requiredColumns = [
  'run_id',
  'ram_mib',
  'alloc_mib',
  'ws_mib',
  'rate_pps',
  'pattern',
  'fill',
  'algo',
  'max_bandwidth_mibps',
  'downtime_limit_ms',
  'migrate_timeout_s',
  'outcome',
  'src_total_time',
  'src_ram_transferred',
] as const;

/** Parses CSV text into runs; throws CsvError naming the line and column of the first problem. */
export function parseQemuRuns(text: string): QemuRun[] {
  const table = parseCsv(text);
  for (const c of requiredColumns) {
    if (!table.header.includes(c)) throw new CsvError(`missing column "${c}" in the header`, 1, 1);
  }
  return csvRows(table).map(toRun);
}

function toRun(r: CsvRow): QemuRun {
  const fail = (name: string, what: string): never => {
    throw new CsvError(what, r.line, r.column(name), name);
  };
  const num = (name: string, opts: { min?: number; integer?: boolean } = {}): number => {
    const raw = r.get(name).trim();
    if (raw === '') return fail(name, 'expected a number, got an empty field');
    const v = Number(raw);
    if (!Number.isFinite(v)) return fail(name, `expected a number, got ${JSON.stringify(raw)}`);
    if (opts.min !== undefined && v < opts.min) return fail(name, `expected a number >= ${opts.min}, got ${raw}`);
    if (opts.integer && !Number.isInteger(v)) return fail(name, `expected a whole number, got ${raw}`);
    return v;
  };
  const opt = (name: string, min?: number): number | null => (r.get(name).trim() === '' ? null : num(name, { min }));
  const oneOf = <T extends string>(name: string, values: readonly T[]): T => {
    const raw = r.get(name).trim();
    if (!(values as readonly string[]).includes(raw)) fail(name, `expected one of ${values.map((v) => `"${v}"`).join(', ')}, got ${JSON.stringify(raw)}`);
    return raw as T;
  };
  const json = (name: string): Record<string, unknown> => {
    const raw = r.get(name).trim();
    if (raw === '') return {};
    try {
      const v = JSON.parse(raw);
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* reported below */
    }
    return fail(name, 'expected a JSON object');
  };

  const runId = r.get('run_id').trim();
  if (runId === '') fail('run_id', 'expected a run id, got an empty field');
  const pageSize = opt('src_ram_page_size', 1) ?? 4096;
  const algo = oneOf('algo', qemuAlgos);
  const params = json('effective_params_json');
  const paramNum = (key: string): number | null => (typeof params[key] === 'number' ? (params[key] as number) : null);
  const maxBandwidthBytes = opt('max_bandwidth_bytes', 1);
  const maxBandwidth = maxBandwidthBytes ?? num('max_bandwidth_mibps', { min: 0 }) * MiB;
  if (maxBandwidth <= 0) fail('max_bandwidth_mibps', 'expected a positive bandwidth');
  const pcb = opt('max_postcopy_bandwidth_bytes', 0);
  const outcome = r.get('outcome').trim();
  if (outcome === '') fail('outcome', 'expected an outcome (completed, timeout, ...), got an empty field');
  const convergedCol = r.get('converged').trim();
  const totalTimeMs = num('src_total_time', { min: 0 });
  const hostDowntime = opt('host_downtime_ms', 0);
  const qmpDowntime = opt('src_downtime', 0);
  const xbzrleMiB = opt('xbzrle_cache_mib', 0);
  const passTimes = r
    .get('pass_times_s')
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const t = Number(p.split(':')[1]);
      if (!Number.isFinite(t)) fail('pass_times_s', `expected "pass:seconds;..." entries, got ${JSON.stringify(p)}`);
      return t;
    });

  return {
    line: r.line,
    runId,
    grid: r.get('grid').trim(),
    qemuVersion: r.get('qemu_version').trim(),
    pageSize,
    ram: num('ram_mib', { min: 1 }) * MiB,
    alloc: num('alloc_mib', { min: 0 }) * MiB,
    resident: opt('resident_mib', 0) === null ? null : opt('resident_mib', 0)! * MiB,
    workingSet: num('ws_mib', { min: 0 }) * MiB,
    rate: num('rate_pps', { min: 0 }),
    pattern: oneOf('pattern', ['seq', 'rand'] as const),
    fill: oneOf('fill', ['byte', 'random'] as const),
    algo,
    maxBandwidth,
    maxPostcopyBandwidth: pcb === null || pcb === 0 ? null : pcb,
    downtimeLimit: num('downtime_limit_ms', { min: 0 }) / 1000,
    postcopyAfterPass: opt('postcopy_after_pass', 0),
    xbzrleCacheSize: algo === 'xbzrle' ? (paramNum('xbzrle-cache-size') ?? (xbzrleMiB !== null ? xbzrleMiB * MiB : null)) : null,
    cpuThrottleInitial: opt('cpu_throttle_initial', 0) ?? (algo === 'autoconverge' ? paramNum('cpu-throttle-initial') : null),
    cpuThrottleIncrement: opt('cpu_throttle_increment', 0) ?? (algo === 'autoconverge' ? paramNum('cpu-throttle-increment') : null),
    throttleTriggerThreshold: opt('throttle_trigger_threshold', 0) ?? (algo === 'autoconverge' ? paramNum('throttle-trigger-threshold') : null),
    maxCpuThrottle: algo === 'autoconverge' ? paramNum('max-cpu-throttle') : null,
    maxLag: (opt('maxlag_ms', 0) ?? DIRTY_MAXLAG_MS) / 1000,
    timeout: num('migrate_timeout_s', { min: 0 }),
    measured: {
      outcome,
      converged: convergedCol !== '' ? convergedCol === '1' : outcome === 'completed',
      totalTime: totalTimeMs / 1000,
      qmpDowntime: qmpDowntime === null ? null : qmpDowntime / 1000,
      hostDowntime: hostDowntime === null ? null : hostDowntime / 1000,
      ramTransferred: num('src_ram_transferred', { min: 0 }),
      normalPages: opt('src_ram_normal', 0) ?? 0,
      duplicatePages: opt('src_ram_duplicate', 0) ?? 0,
      syncs: opt('src_ram_dirty_sync_count', 0) ?? 0,
      precopyBytes: opt('src_ram_precopy_bytes', 0),
      downtimeBytes: opt('src_ram_downtime_bytes', 0),
      postcopyBytes: opt('src_ram_postcopy_bytes', 0),
      postcopyRequests: opt('src_ram_postcopy_requests', 0),
      postcopyBlocktime: msOrNull(opt('dst_postcopy_blocktime', 0)),
      precopyPhase: opt('wall_precopy_phase_s', 0),
      postcopyActive: opt('postcopy_active_s', 0),
      passTimes,
      verify: r.get('grid').trim() === 'verify' || r.get('verify_diff_pages').trim() !== '',
    },
  };
}

function msOrNull(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

/** Configuration family of a run, for reports. */
export function family(run: QemuRun): string {
  const v = run.qemuVersion.startsWith('7.') ? '' : ` (QEMU ${run.qemuVersion.split('.').slice(0, 1).join('')})`;
  if (run.algo === 'precopy') {
    if (run.workingSet === 0 || run.rate === 0) return `idle${v}`;
    return `${run.measured.converged ? 'pre-copy' : 'non-converging'}${v}`;
  }
  if (run.algo === 'postcopy') return `post-copy${v}`;
  if (run.algo === 'hybrid') return `hybrid${v}`;
  if (run.algo === 'xbzrle') return `xbzrle${v}`;
  return `auto-converge${v}`;
}
