/**
 * @module report/round-trip
 * The seed paper's Table 1 columns for runs where VMs go out and come back: memory buffer kept at
 * the origin, memory that would migrate back without reuse, what actually went back, the time
 * the way back took, and the migrations that were refused (with why).
 */
import { RunResult } from '../scenario/run.js';
import { memberNames } from '../scenario/schema.js';
import { Column, renderCsv, renderTable } from './table.js';

export interface RoundTrip {
  label?: string;
  /** VMs that came back to a host they had left. */
  vmsBack: number;
  /** VMs in the run. */
  vms: number;
  /** Hosts the VMs came back to. */
  origins: string[];
  /** Peak memory held by kept images on those hosts, bytes (the seed's "memory buffer"). */
  memoryBuffer: number;
  /** Time-average of that memory over the run, bytes. */
  averageBuffer: number;
  /** Memory of the VMs that came back: what travels without reuse, bytes. */
  backWithoutReuse: number;
  /** Bytes that actually went back (changed pages, headers, exchange). */
  sentBack: number;
  /** Pages not sent thanks to reuse, bytes. */
  reused: number;
  /** From the first return's start to the last one's end, s. */
  timeBack: number;
  rejected: number;
  /** The first rejection's reason, if any. */
  rejection: string;
}

/** The round-trip summary of a run, or null when no VM came back to a host it had left. */
export function roundTrip(result: RunResult, label?: string): RoundTrip | null {
  const left = new Map<string, Set<string>>(); // vm -> hosts it left
  const returns = [];
  for (const m of [...result.migrations].sort((a, b) => a.startTime - b.startTime)) {
    if (m.status === 'rejected') continue;
    if (left.get(m.vm)?.has(m.to)) returns.push(m);
    if (m.status === 'completed') {
      if (!left.has(m.vm)) left.set(m.vm, new Set());
      left.get(m.vm)!.add(m.from);
    }
  }
  if (returns.length === 0) return null;
  const origins = [...new Set(returns.map((m) => m.to))];
  const hosts = result.hosts.filter((h) => origins.includes(h.name));
  const pageSize = result.input.pageSize;
  const rejected = result.migrations.filter((m) => m.status === 'rejected');
  const memory = new Map(result.input.vms.flatMap((v) => memberNames(v).map((name) => [name, v.memory] as const)));
  return {
    label,
    vmsBack: returns.filter((m) => m.status === 'completed').length,
    vms: result.vms.length,
    origins,
    memoryBuffer: hosts.reduce((s, h) => s + h.memoryStats.peakKept, 0),
    averageBuffer: hosts.reduce((s, h) => s + h.memoryStats.averageKept, 0),
    backWithoutReuse: returns.reduce((s, m) => s + (memory.get(m.vm) ?? 0), 0),
    sentBack: returns.reduce((s, m) => s + m.bytesTransferred, 0),
    reused: returns.reduce((s, m) => s + (m.reuse?.reusedPages ?? 0) * pageSize, 0),
    // loops, not Math.max(...): one argument per return overflows the stack on large plans
    timeBack: returns.reduce((t, m) => Math.max(t, m.endTime ?? m.startTime), -Infinity) - returns.reduce((t, m) => Math.min(t, m.startTime), Infinity),
    rejected: rejected.length,
    rejection: rejected[0]?.reason ?? '',
  };
}

// binary units, as the migration table beside it and the engine's messages ("38.1 MiB free")
const MiB = 2 ** 20;
const columns = (withLabel: boolean): Column<RoundTrip>[] => [
  ...(withLabel ? [{ header: 'variant', text: (r: RoundTrip) => r.label ?? '', align: 'left' as const }] : []),
  { header: 'VMs back', text: (r) => `${r.vmsBack}/${r.vms}`, csv: (r) => r.vmsBack, csvHeader: 'vms_back' },
  { header: 'VMs', csv: (r) => r.vms, csvHeader: 'vms' },
  { header: 'memory buffer MiB', text: (r) => (r.memoryBuffer / MiB).toFixed(0), csv: (r) => r.memoryBuffer, csvHeader: 'memory_buffer_bytes' },
  { header: 'average buffer MiB', text: (r) => (r.averageBuffer / MiB).toFixed(0), csv: (r) => r.averageBuffer, csvHeader: 'average_buffer_bytes' },
  { header: 'back without reuse MiB', text: (r) => (r.backWithoutReuse / MiB).toFixed(0), csv: (r) => r.backWithoutReuse, csvHeader: 'back_without_reuse_bytes' },
  { header: 'sent back MiB', text: (r) => (r.sentBack / MiB).toFixed(1), csv: (r) => r.sentBack, csvHeader: 'bytes_sent_back' },
  { header: 'reused MiB', csv: (r) => r.reused, csvHeader: 'bytes_reused' },
  { header: 'time back s', text: (r) => r.timeBack.toFixed(3), csv: (r) => r.timeBack, csvHeader: 'time_back_s' },
  { header: 'rejected', text: (r) => String(r.rejected), csv: (r) => r.rejected },
  { header: 'why', text: (r) => r.rejection, align: 'left' },
];

export function roundTripTable(rows: readonly RoundTrip[]): string {
  return renderTable(rows, columns(rows.some((r) => r.label !== undefined)));
}

export function roundTripCsv(rows: readonly RoundTrip[]): string {
  return renderCsv(rows, columns(rows.some((r) => r.label !== undefined)));
}
