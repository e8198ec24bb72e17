// The invoice export: RFC 4180 CSV (CRLF, header row), one row per invoice line (time or material),
// money as integer cents. Columns only ever get appended, so an ERP import by position keeps working.
// People open it in a spreadsheet, so text cells are neutralised unless the ERP asks for its exact
// dialect (src/services/spreadsheet-csv.ts).
import { writeCsv, type CsvCell, type CsvDialect } from '../spreadsheet-csv.js';
import type { InvoiceWithLines } from './queries.js';

export const csvColumns = [
  'invoice_number',
  'invoice_status',
  'debtor_number',
  'customer_name',
  'period_from',
  'period_to',
  'contract_number',
  'project_number',
  'incident_number',
  'work_date',
  'activity_type',
  'description',
  'minutes',
  'rate_cents',
  'net_amount_cents',
  'currency',
  'line_kind',
  'article_number',
  'quantity',
  'unit_price_cents',
] as const;

type CsvRow = Record<(typeof csvColumns)[number], CsvCell>;

function rowsOf({ invoice, lines }: InvoiceWithLines): CsvRow[] {
  return lines.map((line) => ({
    invoice_number: invoice.invoiceNumber ?? '',
    invoice_status: invoice.status,
    debtor_number: invoice.customerNumber,
    customer_name: invoice.customerName,
    period_from: invoice.periodFrom,
    period_to: invoice.periodTo,
    contract_number: line.contractNumber ?? '',
    project_number: line.projectNumber ?? '',
    incident_number: line.incidentNumber,
    work_date: line.workDate,
    activity_type: line.activityType ?? '',
    description: line.description,
    minutes: line.minutes,
    rate_cents: line.rateCents ?? '',
    net_amount_cents: line.amountCents,
    currency: invoice.currency,
    line_kind: line.kind,
    article_number: line.articleNumber ?? '',
    quantity: line.quantity ?? '',
    unit_price_cents: line.unitPriceCents ?? '',
  }));
}

export function invoicesCsv(invoices: InvoiceWithLines[], dialect: CsvDialect): string {
  const rows = invoices.flatMap(rowsOf).map((row) => csvColumns.map((column) => row[column]));
  return writeCsv(rows, { columns: csvColumns, dialect, lineEnds: 'crlf' });
}

/** A file name without characters that need quoting in Content-Disposition. */
export function csvFileName(...parts: string[]): string {
  return `${parts.join('_').replace(/[^A-Za-z0-9._-]/g, '-')}.csv`;
}
