/**
 * @module qemu/vm
 * A real VM described by QEMU's own replies, mapped to lmsim's model: its memory, the data pages
 * (the rest are zero pages, sent as headers), the workload fitted to the dirty-rate curve, and its
 * current migration settings. Every assumption the mapping makes is listed in `assumptions`, so
 * the output can show it.
 */
import { DirtyFit, DirtyPoint, distinctPages, fitDirtyCurve, idleFit } from './dirty-curve.js';
import { DirtyRateSample, MigrateSample, QemuCapabilities, QemuParameters, ReplyError } from './replies.js';
import { QemuSettings, settingsFrom } from './settings.js';

/** Everything read from a VM (or from files of its replies). */
export interface QemuInputs {
  memory: number;
  parameters: QemuParameters;
  capabilities: QemuCapabilities;
  dirtyRates: DirtyRateSample[];
  /** query-migrate replies of an earlier migration (optional). */
  migrateSamples: MigrateSample[];
  /** lmsim's sample of guest pages read through HMP `xp` (optional): how many were all zero. */
  zeroPages: { sampled: number; zero: number } | null;
  pageSize: number;
  /** vCPUs (query-cpus-fast), if known. */
  vcpus?: number | null;
  /** QEMU's version (query-version), if known. */
  qemuVersion?: string | null;
}

export interface QemuVm {
  memory: number;
  pageSize: number;
  /** Data (non-zero) pages' bytes. */
  resident: number;
  residentSource: string;
  fit: DirtyFit;
  /** Per-vCPU dirty rates of the last dirty-ring measurement, MiB/s; empty if none. */
  vcpuRates: { id: number; dirtyRateMiBps: number }[];
  vcpus: number;
  /** QEMU's version, "major.minor.micro", or null if unknown. */
  qemuVersion: string | null;
  settings: QemuSettings;
  assumptions: string[];
}

/** Builds the model of a VM; `resident` (bytes) overrides every estimate of its data pages. */
export function describeVm(inputs: QemuInputs, opts: { resident?: number } = {}): QemuVm {
  const { memory, pageSize } = inputs;
  const assumptions: string[] = [];
  let resident: number;
  let residentSource: string;
  const completed = inputs.migrateSamples.filter((s) => s.status === 'completed' && s.ram.duplicate !== undefined && s.ram.total !== undefined);
  if (opts.resident !== undefined) {
    resident = Math.min(memory, opts.resident);
    residentSource = 'given (--resident)';
  } else if (inputs.zeroPages && inputs.zeroPages.sampled > 0) {
    const z = inputs.zeroPages;
    resident = Math.round(((z.sampled - z.zero) / z.sampled) * (memory / pageSize)) * pageSize;
    const se = Math.sqrt(((z.zero / z.sampled) * (1 - z.zero / z.sampled)) / z.sampled) * memory;
    residentSource = `sampled: ${z.sampled - z.zero} of ${z.sampled} guest pages read non-zero (standard error ${(se / 2 ** 20).toFixed(1)} MiB)`;
  } else if (completed.length > 0) {
    const s = completed[completed.length - 1];
    resident = Math.max(0, Math.min(memory, s.ram.total - s.ram.duplicate * (s.ram['page-size'] ?? pageSize)));
    residentSource = 'an earlier completed migration: ram.total - ram.duplicate x page size';
    assumptions.push('data pages from an earlier migration: the guest has not allocated much memory since');
  } else {
    resident = memory;
    residentSource = 'assumed: every page holds data (no zero-page sample, no earlier migration)';
    assumptions.push('every guest page is taken to hold data; zero pages (cheap to send) would make the migration shorter: give --resident, or gather with `lmsim qemu --qmp`, which samples them');
  }
  const maxPages = Math.max(1, Math.floor(resident / pageSize));

  if (inputs.dirtyRates.length === 0) throw new ReplyError('query-dirty-rate: no measured reply: run calc-dirty-rate (several calc-times, e.g. 1, 2, 4, 8 s) and give each reply');
  const byMode = new Map<string, DirtyRateSample[]>();
  for (const d of inputs.dirtyRates) byMode.set(d.mode, [...(byMode.get(d.mode) ?? []), d]);
  // exact counts (dirty-bitmap, dirty-ring) over samples when both exist
  const mode = byMode.has('dirty-bitmap') ? 'dirty-bitmap' : byMode.has('dirty-ring') ? 'dirty-ring' : 'page-sampling';
  const samples = byMode.get(mode)!;
  if (byMode.size > 1) assumptions.push(`dirty rates of mode ${mode} used; the other modes' replies were ignored`);
  let fit: DirtyFit;
  const points: DirtyPoint[] = samples.map((d) => ({ t: d.calcTime, pages: distinctPages(d.dirtyRateMiBps, d.calcTime, pageSize) }));
  if (samples.every((d) => d.dirtyRateMiBps === 0)) fit = idleFit(points.map((p) => ({ t: p.t, pages: 0 })));
  else fit = fitDirtyCurve(points, maxPages);
  assumptions.push(
    fit.model === 'idle'
      ? 'the guest writes nothing (idle)'
      : `the guest writes ${fit.model === 'sweep' ? 'sequentially (a sweep)' : 'uniformly at random'} over its working set at a steady rate, the same during the migration as when measured`,
  );
  if (mode === 'page-sampling') {
    assumptions.push(`dirty rates from page sampling (${samples[0].samplePages} pages per GiB hashed): a sampled estimate; QEMU rounds each rate down to a whole MiB/s, taken at the middle of its step`);
  } else {
    assumptions.push(`dirty rates from ${mode} (exact distinct-page counts), rounded down by QEMU to a whole MiB/s, taken at the middle of the step`);
  }
  assumptions.push('the working set sits inside the data pages; pages outside it are never rewritten');
  const last = samples[samples.length - 1];
  const vcpuRates = last.vcpus;
  const vcpus = inputs.vcpus ?? Math.max(1, vcpuRates.length);
  if (!inputs.qemuVersion) assumptions.push("QEMU's version unknown (no query-version reply): the destination's first-receive rate of QEMU before 10");
  if (!inputs.vcpus && vcpuRates.length === 0) assumptions.push('vCPU count unknown (no query-cpus-fast or dirty-ring reply): 1 vCPU for vcpu-dirty-limit');
  return {
    memory,
    pageSize,
    resident,
    residentSource,
    fit,
    vcpuRates,
    vcpus,
    qemuVersion: inputs.qemuVersion ?? null,
    settings: settingsFrom(inputs.parameters, inputs.capabilities),
    assumptions: [...fit.notes, ...assumptions],
  };
}
