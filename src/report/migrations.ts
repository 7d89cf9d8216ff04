/**
 * @module report/migrations
 * The migration table: one row per migration (and per variant in a comparison), the same columns
 * for text and CSV. Text cells use fixed decimals so golden files stay stable; text headers say the
 * unit of the printed cells (ms, MiB), CSV headers the unit of the plain numbers (s, bytes). The
 * start and queue wait are in the text only when a migration waited for a slot, always in the CSV.
 */
import { MigrationResult } from '../migration/result.js';
import { Column, renderCsv, renderTable } from './table.js';

export interface MigrationRow {
  variant?: string;
  m: MigrationResult;
}

const MiB = 2 ** 20;
const num = (v: number | null, digits: number, scale = 1) => (v === null ? '-' : (v / scale).toFixed(digits));

function columns(withVariant: boolean, withVm: boolean, withPostcopy: boolean, withQueue: boolean): Column<MigrationRow>[] {
  const cols: Column<MigrationRow>[] = [];
  if (withVariant) cols.push({ header: 'variant', text: (r) => r.variant ?? '', align: 'left' });
  if (withVm) {
    cols.push({ header: 'vm', text: (r) => r.m.vm, align: 'left' });
    cols.push({ header: 'route', text: (r) => `${r.m.from}->${r.m.to}`, align: 'left' });
  }
  if (!withVariant) {
    cols.push({ header: 'algorithm', text: (r) => (r.m.preset ? `${r.m.algorithm}:${r.m.preset}` : r.m.algorithm), align: 'left' });
  }
  cols.push({ header: 'status', text: (r) => r.m.status, align: 'left' });
  // when a migration waited for a slot (maxConcurrent), its start and wait explain its times
  const start: Column<MigrationRow> = { header: 'start s', csv: (r) => r.m.startTime, csvHeader: 'start_s' };
  const queued: Column<MigrationRow> = { header: 'queued s', csv: (r) => r.m.queuedFor, csvHeader: 'queued_s' };
  if (withQueue) {
    start.text = (r) => num(r.m.startTime, 3);
    queued.text = (r) => num(r.m.queuedFor, 3);
  }
  cols.push(
    start,
    queued,
    { header: 'total s', text: (r) => num(r.m.totalTime, 3), csv: (r) => r.m.totalTime, csvHeader: 'total_s' },
    { header: 'downtime ms', text: (r) => num(r.m.downtime, 1, 1e-3), csv: (r) => r.m.downtime, csvHeader: 'downtime_s' },
    { header: 'sent MiB', text: (r) => num(r.m.bytesTransferred, 1, MiB), csv: (r) => r.m.bytesTransferred, csvHeader: 'bytes_sent' },
    // fluid memory counts pages in expectation: whole pages in the table
    { header: 'pages', text: (r) => String(Math.round(r.m.pagesTransferred)), csv: (r) => r.m.pagesTransferred, csvHeader: 'pages_sent' },
    { header: 'zero pages', text: (r) => String(Math.round(r.m.zeroPages)), csv: (r) => r.m.zeroPages, csvHeader: 'zero_pages_sent' },
    { header: 'rounds', text: (r) => String(liveRounds(r)), csv: liveRounds, csvHeader: 'live_rounds' },
  );
  if (withPostcopy) {
    cols.push(
      { header: 'faults', text: (r) => (r.m.postcopy ? String(Math.round(r.m.postcopy.faults)) : '-'), csv: (r) => r.m.postcopy?.faults ?? null, csvHeader: 'faults' },
      {
        header: 'degradation %',
        text: (r) => (r.m.postcopy ? (r.m.postcopy.degradation * 100).toFixed(1) : '-'),
        csv: (r) => r.m.postcopy?.degradation ?? null,
        csvHeader: 'degradation_fraction',
      },
    );
  }
  cols.push({ header: 'reason', text: (r) => r.m.reason, align: 'left' });
  return cols;
}

const liveRounds = (r: MigrationRow) => r.m.rounds.filter((x) => x.kind === 'live').length;

/** The columns the rows need (variant, VM and post-copy columns only where they differ or apply). */
export function migrationColumns(rows: readonly MigrationRow[]): Column<MigrationRow>[] {
  return pick(rows);
}

function pick(rows: readonly MigrationRow[]): Column<MigrationRow>[] {
  const withVariant = rows.some((r) => r.variant !== undefined);
  const vms = new Set(rows.map((r) => `${r.m.vm} ${r.m.from} ${r.m.to}`));
  return columns(withVariant, !withVariant || vms.size > 1, rows.some((r) => r.m.postcopy !== null), rows.some((r) => r.m.queuedFor > 0));
}

export function migrationTable(rows: readonly MigrationRow[]): string {
  return renderTable(rows, pick(rows));
}

export function migrationCsv(rows: readonly MigrationRow[]): string {
  return renderCsv(rows, pick(rows));
}
