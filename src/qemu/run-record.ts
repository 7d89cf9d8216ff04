/**
 * @module qemu/run-record
 * A real migration lmsim performed (`lmsim qemu --migrate`) as one row of the QEMU lab's CSV
 * format (../shared/validation/qemu/README.md, read by `lmsim calibrate qemu`), so every real
 * migration becomes a validation point. The workload columns hold the fitted model (ws_mib,
 * rate_pps, pattern rand = uniform, seq = sweep; fill random: whole-page writes); `resident_mib`
 * (a column the lab does not write) holds the guest's data pages, which calibrate uses instead of
 * alloc + the lab guest's footprint. Pure: no I/O.
 */
import type { QemuSettings } from './settings.js';
import type { QemuVm } from './vm.js';

const MiB = 2 ** 20;

/** The lab's columns, in its order, then lmsim's own. */
export const runColumns = (
  'run_id,grid,point_id,repeat,started_utc,accel,qemu_version,kernel,machine,cpu_model,smp,ram_mib,alloc_mib,ws_mib,rate_pps,rate_mibps,pattern,fill,batch,seed,algo,capabilities,' +
  'postcopy_after_pass,max_bandwidth_mibps,max_bandwidth_bytes,max_postcopy_bandwidth_bytes,downtime_limit_ms,xbzrle_cache_mib,cpu_throttle_initial,cpu_throttle_increment,' +
  'throttle_trigger_threshold,migrate_timeout_s,settle_s,poll_ms,migration_uri,outcome,converged,error,src_status,src_total_time,src_downtime,src_setup_time,src_expected_downtime,' +
  'src_ram_total,src_ram_transferred,src_ram_remaining,src_ram_duplicate,src_ram_skipped,src_ram_normal,src_ram_normal_bytes,src_ram_dirty_sync_count,src_ram_dirty_pages_rate,' +
  'src_ram_mbps,src_ram_postcopy_requests,src_ram_page_size,src_ram_multifd_bytes,src_ram_pages_per_second,src_ram_precopy_bytes,src_ram_downtime_bytes,src_ram_postcopy_bytes,' +
  'src_ram_dirty_sync_missed_zero_copy,src_xbzrle_cache_cache_size,src_xbzrle_cache_bytes,src_xbzrle_cache_pages,src_xbzrle_cache_cache_miss,src_xbzrle_cache_cache_miss_rate,' +
  'src_xbzrle_cache_encoding_rate,src_xbzrle_cache_overflow,src_cpu_throttle_percentage,dst_status,dst_postcopy_blocktime,dst_postcopy_vcpu_blocktime,last_active_dirty_pages_rate,' +
  'max_dirty_pages_rate,last_active_expected_downtime_ms,max_expected_downtime_ms,max_cpu_throttle_pct,postcopy_entered,postcopy_start_issued_s,postcopy_start_issued_at_pass,' +
  'postcopy_active_s,pass_times_s,n_passes,remaining_after_sync_bytes,wall_migrate_s,wall_precopy_phase_s,host_downtime_ms,dst_resume_after_stop_ms,guest_rate_pre_pps,' +
  'guest_rate_during_pps,guest_rate_dst_pps,guest_lag_resets_end,dst_guest_alive,dst_qemu_exited,src_guest_errors,dst_guest_errors,verify_diff_pages,src_qemu_cpu_s,dst_qemu_cpu_s,' +
  'restore_s,run_wall_s,qemu_binary,image,effective_params_json,effective_caps_json,extra_json,resident_mib'
).split(',');

/** What the migration measured. */
export interface MeasuredMigration {
  runId: string;
  startedUtc: string;
  accel: string;
  qemuVersion: string;
  uri: string;
  /** completed, timeout (cancelled at the budget's max time), failed. */
  outcome: string;
  error: string;
  /** The last query-migrate reply of the source. */
  final: Record<string, unknown>;
  /** migrate -> each MIGRATION_PASS event, s (QEMU's event timestamps). */
  passTimes: { pass: number; t: number }[];
  /** Source STOP -> destination RESUME, ms (null without the destination's events). */
  hostDowntimeMs: number | null;
  /** migrate -> source STOP, s. */
  precopyPhase: number | null;
  postcopyActive: number | null;
  /** The polls: max and last active dirty-pages-rate, expected-downtime. */
  polls: Record<string, unknown>[];
  effectiveParams: Record<string, unknown>;
  effectiveCaps: Record<string, boolean>;
  timeout: number;
  pollMs: number;
}

function algoOf(s: QemuSettings): string {
  const c = s.capabilities;
  if (c['postcopy-ram'] && s.postcopyAfterPasses !== null) return s.postcopyAfterPasses === 0 ? 'postcopy' : 'hybrid';
  if (c.xbzrle) return 'xbzrle';
  if (c['auto-converge']) return 'autoconverge';
  return 'precopy';
}

/** Settings `lmsim calibrate qemu` cannot replay from a row (the CSV has no column for them), or null. */
export function unrecordable(s: QemuSettings): string | null {
  const c = s.capabilities;
  if (c.multifd) return 'multifd';
  if (c['dirty-limit']) return 'dirty-limit';
  if ([c.xbzrle, c['auto-converge'], c['postcopy-ram'] && s.postcopyAfterPasses !== null].filter(Boolean).length > 1) return 'more than one of xbzrle, auto-converge, post-copy';
  return null;
}

/** The CSV row (column -> text) of one measured migration of `vm` under `s`. */
export function runRow(vm: QemuVm, s: QemuSettings, m: MeasuredMigration): Record<string, string> {
  const row: Record<string, string> = {};
  for (const c of runColumns) row[c] = '';
  const p = s.parameters;
  const f = vm.fit;
  const idle = f.model === 'idle';
  const ram = (m.final.ram ?? {}) as Record<string, unknown>;
  const xb = (m.final['xbzrle-cache'] ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? String(v) : '');
  const activeRates = m.polls.filter((q) => q.status === 'active').map((q) => (q.ram as Record<string, unknown> | undefined)?.['dirty-pages-rate']).filter((x): x is number => typeof x === 'number');
  const expected = m.polls.filter((q) => q.status === 'active').map((q) => q['expected-downtime']).filter((x): x is number => typeof x === 'number');
  Object.assign(row, {
    run_id: m.runId,
    grid: 'lmsim-qemu',
    point_id: m.runId,
    repeat: '1',
    started_utc: m.startedUtc,
    accel: m.accel,
    qemu_version: m.qemuVersion,
    smp: String(vm.vcpus),
    ram_mib: String(vm.memory / MiB),
    alloc_mib: String(vm.resident / MiB),
    resident_mib: String(vm.resident / MiB),
    ws_mib: idle ? '0' : String((f.workingSet * vm.pageSize) / MiB),
    rate_pps: idle ? '0' : String(f.writeRate),
    rate_mibps: idle ? '0' : String((f.writeRate * vm.pageSize) / MiB),
    pattern: f.model === 'sweep' ? 'seq' : 'rand',
    fill: 'random',
    algo: algoOf(s),
    capabilities: Object.entries(m.effectiveCaps).filter(([, on]) => on).map(([k]) => k).join('+'),
    postcopy_after_pass: s.capabilities['postcopy-ram'] && s.postcopyAfterPasses ? String(s.postcopyAfterPasses) : '',
    max_bandwidth_mibps: String(p['max-bandwidth'] / MiB),
    max_bandwidth_bytes: String(p['max-bandwidth']),
    max_postcopy_bandwidth_bytes: num(p['max-postcopy-bandwidth']),
    downtime_limit_ms: String(p['downtime-limit']),
    xbzrle_cache_mib: p['xbzrle-cache-size'] !== undefined ? String(p['xbzrle-cache-size'] / MiB) : '',
    cpu_throttle_initial: s.capabilities['auto-converge'] ? num(p['cpu-throttle-initial']) : '',
    cpu_throttle_increment: s.capabilities['auto-converge'] ? num(p['cpu-throttle-increment']) : '',
    throttle_trigger_threshold: s.capabilities['auto-converge'] ? num(p['throttle-trigger-threshold']) : '',
    migrate_timeout_s: String(m.timeout),
    poll_ms: String(m.pollMs),
    migration_uri: m.uri,
    outcome: m.outcome,
    converged: m.outcome === 'completed' ? '1' : '0',
    error: m.error,
    src_status: String(m.final.status ?? ''),
    src_total_time: num(m.final['total-time']),
    src_downtime: num(m.final.downtime),
    src_setup_time: num(m.final['setup-time']),
    src_expected_downtime: num(m.final['expected-downtime']),
    src_cpu_throttle_percentage: num(m.final['cpu-throttle-percentage']),
    last_active_dirty_pages_rate: activeRates.length ? String(activeRates[activeRates.length - 1]) : '',
    max_dirty_pages_rate: activeRates.length ? String(Math.max(...activeRates)) : '',
    last_active_expected_downtime_ms: expected.length ? String(expected[expected.length - 1]) : '',
    max_expected_downtime_ms: expected.length ? String(Math.max(...expected)) : '',
    pass_times_s: m.passTimes.map((x) => `${x.pass}:${x.t.toFixed(3)}`).join(';'),
    n_passes: String(m.passTimes.length),
    wall_precopy_phase_s: m.precopyPhase === null ? '' : m.precopyPhase.toFixed(4),
    postcopy_active_s: m.postcopyActive === null ? '' : m.postcopyActive.toFixed(4),
    postcopy_entered: m.postcopyActive === null ? '0' : '1',
    host_downtime_ms: m.hostDowntimeMs === null ? '' : m.hostDowntimeMs.toFixed(2),
    qemu_binary: 'system',
    effective_params_json: JSON.stringify(m.effectiveParams),
    effective_caps_json: JSON.stringify(m.effectiveCaps),
  });
  for (const [k, v] of Object.entries(ram)) {
    const col = `src_ram_${k.replace(/-/g, '_')}`;
    if (col in row) row[col] = num(v);
  }
  for (const [k, v] of Object.entries(xb)) {
    const col = `src_xbzrle_cache_${k.replace(/-/g, '_')}`;
    if (col in row) row[col] = num(v);
  }
  return row;
}

/** One CSV line (RFC 4180 quoting) of the row's values in column order. */
export function csvLine(values: readonly string[]): string {
  return values.map((v) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}
