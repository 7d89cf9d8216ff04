/**
 * @module report/consolidation
 * The tables `lmsim consolidate` prints: the summary (energy, migrations, CloudSim's SLA metrics),
 * the migrations' time and downtime distributions, and the migrations that did not complete. Each
 * one as text and as CSV from the same definitions; text cells in the units their labels say
 * (percent, ms, GiB), CSV cells plain fractions, seconds and bytes with the unit in the header.
 */
import type { ConsolidationResult, Distribution } from '../datacenter/types.js';
import { Column, renderCsv, renderTable } from './table.js';

/** The tables `consolidate --table` takes (besides `steps`, the per-step series). */
export const CONSOLIDATION_TABLES = ['summary', 'migrations', 'failures', 'steps'] as const;
export type ConsolidationTable = (typeof CONSOLIDATION_TABLES)[number];

interface Metric {
  label: string;
  text: string;
  /** CSV columns (name with its unit, value): one metric may be several numbers. */
  csv: [string, number | string | null][];
}

const PERCENT = 100;
const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

function summaryMetrics(r: ConsolidationResult): Metric[] {
  const pct = (x: number, d: number) => `${(x * PERCENT).toFixed(d)} %`;
  const sec = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} s` : '-');
  return [
    { label: 'energy', text: `${r.energyKWh.toFixed(2)} kWh`, csv: [['energy_kwh', r.energyKWh]] },
    {
      label: 'migrations',
      text: `${r.migrations}${r.migrations > 0 ? ` (${r.migration.failed} did not complete)` : ''}`,
      csv: [['migrations', r.migrations], ['migrations_not_completed', r.migration.failed]],
    },
    { label: 'SLATAH', text: pct(r.slatah, 3), csv: [['slatah_fraction', r.slatah]] },
    { label: 'PDM', text: pct(r.pdm, 3), csv: [['pdm_fraction', r.pdm]] },
    { label: 'SLAV', text: pct(r.slav, 5), csv: [['slav_fraction', r.slav]] },
    { label: 'ESV', text: `${(r.esv * 1000).toFixed(5)} x 1e-3`, csv: [['esv_kwh', r.esv]] },
    { label: 'overall SLA violation', text: pct(r.overallSlaViolation, 3), csv: [['overall_sla_violation_fraction', r.overallSlaViolation]] },
    { label: 'average SLA violation', text: pct(r.averageSlaViolation, 2), csv: [['average_sla_violation_fraction', r.averageSlaViolation]] },
    { label: 'host shutdowns', text: String(r.hostShutdowns), csv: [['host_shutdowns', r.hostShutdowns]] },
    {
      label: 'time before host shutdown',
      text: `${sec(r.meanTimeBeforeHostShutdown)} mean, ${sec(r.sdTimeBeforeHostShutdown)} sd`,
      csv: [['time_before_host_shutdown_mean_s', finiteOrNull(r.meanTimeBeforeHostShutdown)], ['time_before_host_shutdown_sd_s', finiteOrNull(r.sdTimeBeforeHostShutdown)]],
    },
    {
      label: 'time before VM migration',
      text: `${sec(r.meanTimeBeforeMigration)} mean, ${sec(r.sdTimeBeforeMigration)} sd`,
      csv: [['time_before_migration_mean_s', finiteOrNull(r.meanTimeBeforeMigration)], ['time_before_migration_sd_s', finiteOrNull(r.sdTimeBeforeMigration)]],
    },
    { label: 'retired VMs', text: String(r.retiredVms), csv: [['retired_vms', r.retiredVms]] },
  ];
}

/** The summary as "label  value" lines. */
export function summaryText(r: ConsolidationResult): string {
  const rows = summaryMetrics(r);
  const w = Math.max(...rows.map((m) => m.label.length));
  return rows.map((m) => `${m.label.padEnd(w)}  ${m.text}`).join('\n') + '\n';
}

/** The summary as one CSV row, with the run's identity first. */
export function summaryCsv(r: ConsolidationResult, migrationModel: string): string {
  const cells: [string, number | string | null][] = [
    ['policy', r.policy],
    ['parameter', r.parameter],
    ['migration_model', migrationModel],
    ['hosts', r.hosts],
    ['vms', r.vms],
    ['simulated_time_s', r.simulatedTime],
    ...summaryMetrics(r).flatMap((m) => m.csv),
    ['migration_bytes', r.migration.bytes],
  ];
  const columns: Column<null>[] = cells.map(([name, value]) => ({ header: name, csvHeader: name, csv: () => value }));
  return renderCsv([null], columns);
}

interface DistributionRow {
  label: string;
  csvName: string;
  d: Distribution;
  text: (v: number) => string;
}

function distributionRows(r: ConsolidationResult): DistributionRow[] {
  return [
    { label: 'total time s', csvName: 'total_time_s', d: r.migration.totalTime, text: (v) => v.toFixed(2) },
    { label: 'downtime ms', csvName: 'downtime_s', d: r.migration.downtime, text: (v) => (v * 1000).toFixed(1) },
  ];
}

const STATS = ['mean', 'p50', 'p90', 'max'] as const;

function distributionColumns(): Column<DistributionRow>[] {
  return [
    { header: 'migration', text: (x) => x.label, csv: (x) => x.csvName, csvHeader: 'quantity', align: 'left' },
    ...STATS.map((k): Column<DistributionRow> => ({ header: k, text: (x) => x.text(x.d[k]), csv: (x) => x.d[k] })),
  ];
}

/** Total time and downtime over the migrations, and the bytes they sent (text); empty without migrations. */
export function migrationStatsText(r: ConsolidationResult): string {
  if (r.migrations === 0) return '';
  // the layout of the golden output: no rule under the header
  const cols = distributionColumns();
  const lines = [cols.map((c) => c.header), ...distributionRows(r).map((x) => cols.map((c) => c.text!(x)))];
  const widths = cols.map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  let out = lines.map((l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')).join('\n') + '\n';
  out += `migration bytes  ${(r.migration.bytes / 2 ** 30).toFixed(2)} GiB\n`;
  return out;
}

export function migrationStatsCsv(r: ConsolidationResult): string {
  return renderCsv(r.migrations === 0 ? [] : distributionRows(r), distributionColumns());
}

interface FailureRow {
  status: string;
  count: number;
  example: string;
}

const failureColumns: Column<FailureRow>[] = [
  { header: 'status', text: (f) => f.status, align: 'left' },
  { header: 'count', text: (f) => String(f.count), csv: (f) => f.count },
  { header: 'example', text: (f) => f.example, align: 'left' },
];

const failureRows = (r: ConsolidationResult): FailureRow[] => Object.entries(r.migration.failures).map(([status, f]) => ({ status, ...f }));

/** Migrations that did not complete, by status, with one full reason each (text lines). */
export function failuresText(r: ConsolidationResult): string {
  return failureRows(r).map((f) => `not completed: ${f.status} x ${f.count} (e.g. ${f.example})\n`).join('');
}

export function failuresTable(r: ConsolidationResult): string {
  return renderTable(failureRows(r), failureColumns);
}

export function failuresCsv(r: ConsolidationResult): string {
  return renderCsv(failureRows(r), failureColumns);
}
