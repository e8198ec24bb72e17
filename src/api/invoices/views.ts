// Invoices and their lines as the API shows them.
import type { z } from '@hono/zod-openapi';
import type { InvoiceLineRow, InvoiceSummary as SummaryRow } from '../../services/invoices/queries.js';
import type { InvoiceLine, InvoiceSummary } from './schemas.js';

export function summaryView(row: SummaryRow): z.infer<typeof InvoiceSummary> {
  return { ...row, createdAt: row.createdAt.toISOString(), finalisedAt: row.finalisedAt?.toISOString() ?? null };
}

export function lineView(row: InvoiceLineRow): z.infer<typeof InvoiceLine> {
  const { invoiceId: _invoiceId, ...line } = row;
  return line;
}
