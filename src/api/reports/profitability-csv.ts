// The profitability report as CSV for a spreadsheet: one row per project bucket, one per customer,
// one for the totals. Customer names are the customers' own words, so text cells are neutralised
// (src/services/spreadsheet-csv.ts); the figures stay numbers, negative margins included.
import { writeCsv, type CsvCell } from '../../services/spreadsheet-csv.js';
import type { ProfitFigures, ProfitabilityReport } from '../../services/reports/profitability.js';

const figureColumns = ['feeRevenueCents', 'billedRevenueCents', 'revenueCents', 'unbilledCents', 'effortMinutes', 'effortCents', 'marginCents', 'marginPercent'] as const;
const columns = ['row', 'customerNumber', 'customerName', 'projectNumber', 'kind', 'contractNumber', ...figureColumns];

const values = (f: ProfitFigures): CsvCell[] => figureColumns.map((k) => f[k] ?? '');

export function profitabilityCsv(report: ProfitabilityReport): string {
  const rows: CsvCell[][] = [];
  for (const customer of report.customers) {
    for (const p of customer.projects) rows.push(['project', customer.customerNumber, customer.name, p.projectNumber ?? '', p.kind ?? '', p.contractNumber ?? '', ...values(p)]);
    rows.push(['customer', customer.customerNumber, customer.name, '', '', '', ...values(customer)]);
  }
  rows.push(['total', '', '', '', '', '', ...values(report.totals)]);
  return writeCsv(rows, { columns, dialect: 'spreadsheet' });
}
