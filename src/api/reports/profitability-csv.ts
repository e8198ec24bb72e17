// The profitability report as CSV for a spreadsheet: one row per project bucket, one per customer, one for the totals.
import { stringify } from 'csv-stringify/sync';
import type { ProfitFigures, ProfitabilityReport } from '../../services/reports/profitability.js';

const figureColumns = ['feeRevenueCents', 'billedRevenueCents', 'revenueCents', 'unbilledCents', 'effortMinutes', 'effortCents', 'marginCents', 'marginPercent'] as const;
const columns = ['row', 'customerNumber', 'customerName', 'projectNumber', 'kind', 'contractNumber', ...figureColumns];

const values = (f: ProfitFigures) => figureColumns.map((k) => (f[k] === null ? '' : String(f[k])));

export function profitabilityCsv(report: ProfitabilityReport): string {
  const rows: string[][] = [];
  for (const customer of report.customers) {
    for (const p of customer.projects) rows.push(['project', customer.customerNumber, customer.name, p.projectNumber ?? '', p.kind ?? '', p.contractNumber ?? '', ...values(p)]);
    rows.push(['customer', customer.customerNumber, customer.name, '', '', '', ...values(customer)]);
  }
  rows.push(['total', '', '', '', '', '', ...values(report.totals)]);
  return stringify(rows, { header: true, columns });
}
