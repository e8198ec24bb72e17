// OpenAPI route specs for /api/invoices; handlers live in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { csvContent, CsvDialectQuery, ExportQuery, IdParam, Invoice, InvoiceList, InvoiceRun, InvoiceSummary, ListQuery, RunBody } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Invoices'];

const csvFormat =
  'RFC 4180 CSV in UTF-8 with CRLF line ends and a header row, one row per invoice line. Columns: invoice_number (empty for drafts), invoice_status, debtor_number, customer_name, period_from, period_to, contract_number, project_number, incident_number, work_date, activity_type (remote, onsite, travel; empty for material), description, minutes (0 for material), rate_cents (net per hour; empty for material), net_amount_cents, currency, line_kind (time, quota_overage, material), article_number, quantity, unit_price_cents (the last three for material only). Dates are YYYY-MM-DD; money is integer cents, net of VAT. `dialect=spreadsheet` (default) neutralises text cells that a spreadsheet would run as formulas; an ERP import that needs the exact bytes asks for `dialect=erp`.';

export const runRoute = createRoute({
  method: 'post',
  path: '/runs',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Run invoicing for a period (manager)',
  description:
    'Drafts one invoice per customer with billable time or material for the period (`from`..`to`, or `period` as YYYY-MM). Every billable, undeleted, not yet invoiced time entry dated up to `to` that is on no invoice yet becomes a line, including entries from before `from` that missed their own run; so does every material entry a service order booked (kind `material`, quantity × unit price). Repeating the run, running it twice at once or retrying it after a crash completes the same invoices; no entry is ever on two invoices. Final invoices are not touched.',
  request: { body: { required: true, content: json(RunBody) } },
  responses: {
    201: { description: 'The run was started now.', content: json(InvoiceRun) },
    200: { description: 'The run for this period existed already; it was completed again.', content: json(InvoiceRun) },
    ...problemResponses(400, 401, 403),
  },
});

export const listRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List invoices',
  description: 'Latest period first, filtered by status, customer and period overlap, paginated with limit and offset.',
  request: { query: ListQuery },
  responses: { 200: { description: 'A page of invoices.', content: json(InvoiceList) }, ...problemResponses(400, 401, 403) },
});

export const exportRoute = createRoute({
  method: 'get',
  path: '/export.csv',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Export the invoice lines of a period as CSV for the ERP',
  description: `All lines of the invoices (default: final ones) whose period starts within from..to, so consecutive exports never repeat an invoice. ${csvFormat}`,
  request: { query: ExportQuery },
  responses: { 200: { description: 'The CSV file.', content: csvContent }, ...problemResponses(400, 401, 403) },
});

export const getRoute = createRoute({
  method: 'get',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Get an invoice with its lines and totals',
  request: { params: IdParam },
  responses: { 200: { description: 'The invoice.', content: json(Invoice) }, ...problemResponses(400, 401, 403, 404) },
});

export const csvRoute = createRoute({
  method: 'get',
  path: '/{id}/csv',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Get an invoice as CSV',
  description: csvFormat,
  request: { params: IdParam, query: CsvDialectQuery },
  responses: { 200: { description: 'The CSV file.', content: csvContent }, ...problemResponses(400, 401, 403, 404) },
});

export const finaliseRoute = createRoute({
  method: 'post',
  path: '/{id}/finalise',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Finalise a draft invoice (manager)',
  description:
    'Gives the next number RE-<year>-<6 digits> (year of today in the house time zone) and marks every time and material entry on the invoice as invoiced, so it can no longer be edited or billed again. Finalising a final invoice again changes nothing; an empty draft is refused with 409.',
  request: { params: IdParam },
  responses: { 200: { description: 'The final invoice.', content: json(InvoiceSummary) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const discardRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Discard a draft invoice (manager)',
  description: 'Its time and material entries become billable again in a later run. A final invoice cannot be discarded (409).',
  request: { params: IdParam },
  responses: { 204: { description: 'Discarded.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
