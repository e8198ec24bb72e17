// CSV that a person opens in Excel or LibreOffice must not run formulas ("CSV injection", OWASP):
// a cell that starts with =, +, -, @, tab or CR is read as a formula, so `=cmd|' /C calc'!A0` in
// a material description would run when the invoice is opened. Every CSV export writes through
// here. Only text cells are neutralised: a number column's -554 is a number, not a formula.
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number;

/** `spreadsheet`: for people (safe to open); `erp`: every cell exactly as stored, for machines that import by value. */
export const csvDialects = ['spreadsheet', 'erp'] as const;
export type CsvDialect = (typeof csvDialects)[number];

/** The characters OWASP lists as starting a formula in common spreadsheets. */
const formulaStart = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet shows but never evaluates: a leading `'` (OWASP's advice), which Excel hides. Numbers pass unchanged. */
export function neutraliseCell(cell: CsvCell): CsvCell {
  return typeof cell === 'string' && formulaStart.test(cell) ? `'${cell}` : cell;
}

export interface CsvOptions {
  columns: readonly string[];
  dialect: CsvDialect;
  /** CRLF (RFC 4180, what the ERP import expects) or LF. */
  lineEnds?: 'crlf' | 'lf';
}

/**
 * Rows (cells in column order) as CSV with a header row. The spreadsheet dialect neutralises every
 * text cell and also quotes cells holding ";" or a tab: a German Excel splits unquoted cells on ";",
 * and the part after it would start a cell of its own, unneutralised.
 */
export function writeCsv(rows: readonly (readonly CsvCell[])[], { columns, dialect, lineEnds = 'lf' }: CsvOptions): string {
  const spreadsheet = dialect === 'spreadsheet';
  return stringify(
    rows.map((row) => (spreadsheet ? row.map(neutraliseCell) : [...row])),
    { header: true, columns: [...columns], ...(lineEnds === 'crlf' ? { record_delimiter: 'windows' as const } : {}), ...(spreadsheet ? { quoted_match: /[;\t]/ } : {}) },
  );
}

/**
 * Rows as CSV, streamed: the header row first, then the rows in chunks as they come (a report of
 * any length, never held whole). The same dialects and neutralising as writeCsv.
 */
export async function* streamCsv(rows: AsyncIterable<readonly CsvCell[]> | Iterable<readonly CsvCell[]>, { columns, dialect, lineEnds = 'lf' }: CsvOptions, chunkRows = 500): AsyncGenerator<string> {
  const spreadsheet = dialect === 'spreadsheet';
  const options = { ...(lineEnds === 'crlf' ? { record_delimiter: 'windows' as const } : {}), ...(spreadsheet ? { quoted_match: /[;\t]/ } : {}) };
  yield stringify([[...columns]], options);
  let chunk: CsvCell[][] = [];
  for await (const row of rows) {
    chunk.push(spreadsheet ? row.map(neutraliseCell) : [...row]);
    if (chunk.length >= chunkRows) {
      yield stringify(chunk, options);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield stringify(chunk, options);
}
