/**
 * @module calibrate/csv
 * A small RFC 4180 CSV reader: comma-separated fields, optional double quotes around a field,
 * `""` for a quote inside a quoted field, commas and line breaks inside quoted fields, LF, CRLF or
 * CR line ends, an optional UTF-8 byte-order mark. Every error names the line and the column
 * (1-based) where it was found. Pure: no I/O.
 */

/** Bad CSV input, with where it was found (1-based line and character column). */
export class CsvError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** The header name of the column, when known. */
    readonly field?: string,
  ) {
    super(`line ${line}, column ${column}${field ? ` (${field})` : ''}: ${reason}`);
  }
}

/** One record: its fields and the line its first character is on. */
export interface CsvRecord {
  line: number;
  fields: string[];
  /** 1-based character column where each field starts (for error messages). */
  columns: number[];
}

export interface CsvTable {
  header: string[];
  records: CsvRecord[];
}

/**
 * Splits CSV text into records. The first record is the header; every other record must have as
 * many fields as the header. Blank lines between records are skipped.
 */
export function parseCsv(text: string): CsvTable {
  const all = tokenize(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  if (all.length === 0) throw new CsvError('empty file: expected a header line', 1, 1);
  const head = all[0];
  const header = head.fields.map((h) => h.trim());
  const seen = new Map<string, number>();
  header.forEach((name, i) => {
    if (name === '') throw new CsvError('empty column name in the header', head.line, head.columns[i]);
    if (seen.has(name)) throw new CsvError(`duplicate column "${name}" (also column ${seen.get(name)! + 1})`, head.line, head.columns[i]);
    seen.set(name, i);
  });
  const records = all.slice(1);
  for (const r of records) {
    if (r.fields.length !== header.length) {
      const col = r.fields.length > header.length ? r.columns[header.length] : r.columns[r.fields.length - 1];
      throw new CsvError(`expected ${header.length} fields as in the header, found ${r.fields.length}`, r.line, col);
    }
  }
  return { header, records };
}

function tokenize(s: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let columns: number[] = [];
  let field = '';
  let line = 1;
  let col = 1;
  let recordLine = 1;
  let fieldCol = 1;
  let i = 0;
  const n = s.length;
  /** true while the current record has seen any character (a blank line has none) */
  let started = false;

  const endField = () => {
    fields.push(field);
    columns.push(fieldCol);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push({ line: recordLine, fields, columns });
    fields = [];
    columns = [];
    started = false;
  };
  const newline = (): boolean => {
    // consumes one line break at i if there is one
    const c = s.charCodeAt(i);
    if (c === 13 /* \r */) {
      i += s.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else if (c === 10 /* \n */) {
      i += 1;
    } else return false;
    line++;
    col = 1;
    return true;
  };

  while (i < n) {
    if (!started) {
      // start of a record: skip blank lines
      if (newline()) continue;
      started = true;
      recordLine = line;
      fieldCol = col;
    }
    const c = s[i];
    if (c === '"' && field === '' && fieldCol === col) {
      // a quoted field
      const openLine = line, openCol = col;
      i++;
      col++;
      for (;;) {
        if (i >= n) throw new CsvError('unterminated quoted field (the closing quote is missing)', openLine, openCol);
        const q = s[i];
        if (q === '"') {
          if (s[i + 1] === '"') {
            field += '"';
            i += 2;
            col += 2;
            continue;
          }
          i++;
          col++;
          break;
        }
        if (q === '\r' || q === '\n') {
          field += q === '\r' && s[i + 1] === '\n' ? '\r\n' : q;
          newline();
          continue;
        }
        field += q;
        i++;
        col++;
      }
      // after the closing quote: a comma, a line end or the end of the text
      if (i < n && s[i] !== ',' && s[i] !== '\r' && s[i] !== '\n') {
        throw new CsvError(`unexpected ${JSON.stringify(s[i])} after a closing quote (a quote inside a quoted field is written "")`, line, col);
      }
      continue;
    }
    if (c === ',') {
      endField();
      i++;
      col++;
      fieldCol = col;
      continue;
    }
    if (c === '\r' || c === '\n') {
      endRecord();
      newline();
      continue;
    }
    if (c === '"') throw new CsvError('a quote inside an unquoted field (quote the whole field and write the quote as "")', line, col);
    field += c;
    i++;
    col++;
  }
  if (started) endRecord();
  return records;
}

/** Records as objects keyed by the header, with their line for error messages. */
export interface CsvRow {
  line: number;
  get(name: string): string;
  /** 1-based character column of a field (0 if the column does not exist). */
  column(name: string): number;
}

export function csvRows(table: CsvTable): CsvRow[] {
  const index = new Map(table.header.map((h, i) => [h, i]));
  return table.records.map((r) => ({
    line: r.line,
    get: (name: string) => {
      const i = index.get(name);
      return i === undefined ? '' : r.fields[i];
    },
    column: (name: string) => {
      const i = index.get(name);
      return i === undefined ? 0 : r.columns[i];
    },
  }));
}
