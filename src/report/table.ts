/**
 * @module report/table
 * Plain text tables and CSV from the same rows: one column list, two renderers.
 */

export interface Column<R> {
  /** Header of the text table, with the unit its cells are printed in ("downtime ms"). */
  header: string;
  /** Human cell for the text table; a column without one is in the CSV only. */
  text?: (row: R) => string;
  /** Machine cell for CSV (plain numbers in seconds and bytes), default: the text cell. */
  csv?: (row: R) => string | number | null;
  /**
   * CSV header, naming the unit of the CSV cells ("downtime_s", "bytes_sent"); default: the text
   * header in snake case, right only when the text and CSV cells share a unit.
   */
  csvHeader?: string;
  align?: 'left' | 'right';
}

export function renderTable<R>(rows: readonly R[], all: readonly Column<R>[]): string {
  const columns = all.filter((c): c is Column<R> & { text: (row: R) => string } => c.text !== undefined);
  const cells = rows.map((r) => columns.map((c) => c.text(r)));
  // a loop, not Math.max(...cells): a spread of one argument per row overflows the stack past ~100k rows
  const widths = columns.map((c, i) => cells.reduce((w, row) => Math.max(w, row[i].length), c.header.length));
  const pad = (s: string, i: number) => ((columns[i].align ?? 'right') === 'left' ? s.padEnd(widths[i]) : s.padStart(widths[i]));
  const line = (row: string[]) => row.map(pad).join('  ').trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

export function renderCsv<R>(rows: readonly R[], columns: readonly Column<R>[]): string {
  const esc = (v: string | number | null) => {
    if (v === null) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const header = columns.map((c) => esc(c.csvHeader ?? csvName(c.header))).join(',');
  const body = rows.map((r) => columns.map((c) => esc(c.csv ? c.csv(r) : c.text!(r))).join(','));
  return [header, ...body].join('\n') + '\n';
}

/** "total time" -> "total_time" */
function csvName(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
}
