// The one cell rule of every CSV export: a text cell never starts a formula in a spreadsheet
// (OWASP CSV injection), numbers stay numbers, and the ERP dialect keeps every byte.
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { neutraliseCell, writeCsv, type CsvCell } from '../../src/services/spreadsheet-csv.js';

const formulaStart = /^[=+\-@\t\r]/;

describe('neutraliseCell', () => {
  it.each(["=cmd|' /C calc'!A0", '+1+1', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])('puts a quote before %j', (cell) => {
    expect(neutraliseCell(cell)).toBe(`'${cell}`);
  });

  it('leaves other text and every number as it is', () => {
    for (const cell of ['Printer reset', '', "'quoted already", ' =1 (a space first)', 'a=b', 'x-y']) expect(neutraliseCell(cell)).toBe(cell);
    for (const n of [-12.5, -554, 0, 42]) expect(neutraliseCell(n)).toBe(n);
  });
});

describe('writeCsv', () => {
  const columns = ['text', 'amount'];
  // Text that likes to start with the dangerous characters, and numbers of either sign.
  const text = fc.oneof(fc.string(), fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', ';', '"'), fc.string()).map(([a, b]) => a + b));
  const rows = fc.array(fc.tuple(text, fc.oneof(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true }))), { maxLength: 20 });

  it('writes no text cell that starts a formula, keeps the numbers, and loses nothing of the text', () => {
    fc.assert(
      fc.property(rows, (data) => {
        const parsed: string[][] = parse(writeCsv(data, { columns, dialect: 'spreadsheet' }), { from_line: 2, relax_column_count: false });
        expect(parsed).toHaveLength(data.length);
        parsed.forEach(([textCell, amount], i) => {
          expect(textCell).not.toMatch(formulaStart);
          const original = data[i]![0];
          expect(textCell).toBe(formulaStart.test(original) ? `'${original}` : original);
          expect(amount).toBe(String(data[i]![1]));
        });
      }),
    );
  });

  it('keeps every cell exactly in the ERP dialect, with CRLF line ends', () => {
    fc.assert(
      fc.property(rows, (data) => {
        const csv = writeCsv(data, { columns, dialect: 'erp', lineEnds: 'crlf' });
        const parsed: string[][] = parse(csv, { from_line: 2 });
        expect(parsed).toEqual(data.map(([t, n]) => [t, String(n)]));
        expect(csv.startsWith('text,amount\r\n')).toBe(true);
      }),
    );
  });

  it('quotes text holding ";" or a tab, so a spreadsheet splitting on ";" finds no bare formula after it', () => {
    const row: CsvCell[] = ['Filter; =1+1', -3];
    expect(writeCsv([row], { columns, dialect: 'spreadsheet' })).toBe('text,amount\n"Filter; =1+1",-3\n');
    expect(writeCsv([row], { columns, dialect: 'erp' })).toBe('text,amount\nFilter; =1+1,-3\n');
  });
});
