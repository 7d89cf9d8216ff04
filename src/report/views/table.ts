/**
 * @module report/views/table
 * The text tables' columns as an HTML table (the same cells as `lmsim run` prints).
 */
import type { Column } from '../table.js';
import { Doc, El, h } from './dom.js';

export function htmlTable<R>(doc: Doc, rows: readonly R[], all: readonly Column<R>[], cls = 'figures'): El {
  // the text table's columns (a column without a text cell is in the CSV only)
  const columns = all.filter((c): c is Column<R> & { text: (row: R) => string } => c.text !== undefined);
  const align = (c: Column<R>) => ((c.align ?? 'right') === 'left' ? 'left' : 'right');
  return h(
    doc,
    'table',
    { class: cls },
    h(doc, 'thead', {}, h(doc, 'tr', {}, ...columns.map((c) => h(doc, 'th', { class: align(c) }, c.header)))),
    h(doc, 'tbody', {}, ...rows.map((r) => h(doc, 'tr', {}, ...columns.map((c) => h(doc, 'td', { class: align(c) }, c.text(r)))))),
  );
}

/** A two-column table of named figures. */
export function keyValueTable(doc: Doc, pairs: readonly [string, string][]): El {
  return h(
    doc,
    'table',
    { class: 'figures kv' },
    h(doc, 'tbody', {}, ...pairs.map(([k, v]) => h(doc, 'tr', {}, h(doc, 'th', { class: 'left' }, k), h(doc, 'td', { class: 'right' }, v)))),
  );
}
