// CSV import of master data from an ERP: upsert by natural key, all rows or none, the same rules as
// the API. Every bad row is reported with its line number, not only the first.
import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { slaPolicies } from '../../db/schema/index.js';
import { DomainError, ValidationError } from '../../domain/errors.js';
import { upsertAsset } from './assets.js';
import { upsertContact } from './contacts.js';
import { upsertContract } from './contracts.js';
import { upsertCustomer } from './customers.js';
import { assetRow, columnOfField, contactRow, contractRow, customerRow, importColumns, requiredColumns, type Cells, type ImportKind } from './import-rows.js';
import type { UpsertOutcome } from './shared.js';

export { importColumns, importKinds, type ImportKind } from './import-rows.js';

/** More rows than an ERP export of a systems house plausibly has; keeps one transaction bounded. */
export const maxImportRows = 20_000;

export interface ImportResult {
  kind: ImportKind;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

export interface RowError {
  /** "line <n>: <column>" */
  field: string;
  message: string;
}

/** The import was refused as a whole; `rowErrors` lists every bad row. Nothing was written. */
export class ImportRejected extends ValidationError {
  constructor(readonly rowErrors: RowError[]) {
    super(`The import was rejected and nothing was written: ${rowErrors.length} error(s). ${rowErrors.slice(0, 3).map((e) => `${e.field}: ${e.message}`).join('; ')}${rowErrors.length > 3 ? '; …' : ''}`, rowErrors[0]?.field);
    this.name = 'ImportRejected';
  }
}

/** Thrown inside the transaction to roll a dry run back after it has been checked. */
class DryRunDone extends Error {}

/** The header line decides: ";" when it has more semicolons than commas (German Excel exports), else ",". */
export function detectDelimiter(text: string): ',' | ';' {
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const count = (ch: string) => header.split(ch).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

interface ParsedRow {
  line: number;
  cells: Cells;
}

/** Rows as cells by column name, with the line each starts on; header problems are errors of line 1. */
export function parseCsv(kind: ImportKind, input: string): ParsedRow[] {
  // csv-parse counts a CRLF inside a quoted cell as two lines; with LF only, its line numbers are right.
  const text = input.replace(/\r\n/g, '\n');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { delimiter: detectDelimiter(text), bom: true, info: true, skip_empty_lines: true, relax_column_count: false }) as unknown as typeof records;
  } catch (err) {
    const csvError = err as { message?: string; lines?: number };
    throw new ImportRejected([{ field: `line ${csvError.lines ?? 1}`, message: `The file is not valid CSV: ${csvError.message ?? String(err)}` }]);
  }
  if (records.length === 0) throw new ImportRejected([{ field: 'line 1', message: `The file is empty; expected a header line with the columns ${importColumns[kind].join(', ')}.` }]);
  if (records.length - 1 > maxImportRows) throw new ImportRejected([{ field: 'file', message: `At most ${maxImportRows} rows per import; this file has ${records.length - 1}. Split it.` }]);
  const header = records[0]!.record.map((h) => h.trim());
  const known = importColumns[kind];
  const errors: RowError[] = [];
  header.forEach((column, i) => {
    if (!known.includes(column)) errors.push({ field: `line 1: ${column || `column ${i + 1}`}`, message: `Unknown column "${column}"; the columns for ${kind} are ${known.join(', ')}.` });
    else if (header.indexOf(column) !== i) errors.push({ field: `line 1: ${column}`, message: `Column "${column}" appears twice.` });
  });
  for (const column of requiredColumns[kind]) if (!header.includes(column)) errors.push({ field: `line 1: ${column}`, message: `The column ${column} is required.` });
  if (errors.length > 0) throw new ImportRejected(errors);
  return records.slice(1).map(({ record, info }) => ({
    // csv-parse counts the line a record ends on; a quoted cell may span lines.
    line: info.lines - record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0),
    cells: Object.fromEntries(header.map((column, i) => [column, record[i] ?? ''])),
  }));
}

async function importRow(tx: Tx, kind: ImportKind, cells: Cells): Promise<{ outcome?: UpsertOutcome; errors: ValidationError[] }> {
  switch (kind) {
    case 'customers': {
      const { row, errors } = customerRow(cells);
      return errors.length > 0 ? { errors } : { outcome: await upsertCustomer(tx, row), errors };
    }
    case 'contacts': {
      const { row, errors } = contactRow(cells);
      return errors.length > 0 ? { errors } : { outcome: await upsertContact(tx, row), errors };
    }
    case 'contracts': {
      const { row, errors } = contractRow(cells);
      if (errors.length > 0) return { errors };
      const { slaPolicy, ...contract } = row;
      if (slaPolicy === undefined) return { outcome: await upsertContract(tx, contract), errors };
      let slaPolicyId: string | null = null;
      if (slaPolicy !== null) {
        const [policy] = await tx.select({ id: slaPolicies.id }).from(slaPolicies).where(eq(slaPolicies.name, slaPolicy));
        if (!policy) return { errors: [new ValidationError(`slaPolicy: no SLA policy named "${slaPolicy}".`, 'slaPolicy')] };
        slaPolicyId = policy.id;
      }
      return { outcome: await upsertContract(tx, { ...contract, slaPolicyId }), errors };
    }
    case 'assets': {
      const { row, errors } = assetRow(cells);
      return errors.length > 0 ? { errors } : { outcome: await upsertAsset(tx, row), errors };
    }
  }
}

/**
 * Imports the rows in one transaction; each row runs in a savepoint so a bad row is reported and
 * the next rows are still checked. Any error rolls everything back, and so does a dry run.
 */
export async function importCsv(db: Db, kind: ImportKind, text: string, options: { dryRun: boolean }): Promise<ImportResult> {
  const rows = parseCsv(kind, text);
  const result: ImportResult = { kind, rows: rows.length, created: 0, updated: 0, unchanged: 0, dryRun: options.dryRun };
  const keyColumn = importColumns[kind][0]!;
  try {
    await db.transaction(async (tx) => {
      // One import at a time: an import holds the locks of every customer it touched until it
      // ends, so two imports touching customers in different orders could deadlock.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('master-data-import'))`);
      const errors: RowError[] = [];
      for (const { line, cells } of rows) {
        try {
          const { outcome, errors: rowErrors } = await tx.transaction((savepoint) => importRow(savepoint, kind, cells));
          for (const e of rowErrors) errors.push({ field: `line ${line}: ${columnOfField[e.field ?? ''] ?? e.field ?? keyColumn}`, message: e.message });
          if (outcome) result[outcome] += 1;
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          const field = err instanceof ValidationError && err.field ? (columnOfField[err.field] ?? err.field) : keyColumn;
          errors.push({ field: `line ${line}: ${field}`, message: err.message });
        }
      }
      if (errors.length > 0) throw new ImportRejected(errors);
      if (options.dryRun) throw new DryRunDone();
    });
  } catch (err) {
    if (!(err instanceof DryRunDone)) throw err;
  }
  return result;
}
