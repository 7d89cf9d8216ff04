import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderTable } from './table.js';

test('a table of 300,000 rows renders (widths by a loop: a spread of one argument per row overflowed the stack)', () => {
  const rows = Array.from({ length: 300_000 }, (_, i) => i);
  const text = renderTable(rows, [{ header: 'n', text: (i: number) => String(i) }]);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 300_002);
  assert.equal(lines[0], '     n');
  assert.equal(lines.at(-1), '299999');
});
