// /api/invoices: invoice runs, draft and final invoices, JSON and CSV export (for people, or exact for the ERP).
// Agents and above read; managers run, finalise and discard.
import { csvFileName, invoicesCsv } from '../../services/invoices/export.js';
import { discardDraft, finaliseInvoice } from '../../services/invoices/finalise.js';
import { checkPeriod } from '../../domain/calendar-dates.js';
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { resolvePeriod } from '../../services/invoices/period.js';
import { invoiceDetail, invoicesForExport, invoiceWithLines, listInvoices } from '../../services/invoices/queries.js';
import { runInvoices } from '../../services/invoices/runs.js';
import { createRouter } from '../context.js';
import { csvRoute, discardRoute, exportRoute, finaliseRoute, getRoute, listRoute, runRoute } from './routes.js';
import { lineView, summaryView } from './views.js';

function csvResponse(body: string, fileName: string): Response {
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${fileName}"` } });
}

export const invoicesRouter = createRouter();

invoicesRouter.openapi(runRoute, async (c) => {
  const period = resolvePeriod(c.req.valid('json'));
  const result = await runInvoices(c.var.services.db, period, { startedBy: `user:${c.var.principal.userId}` });
  const { run } = result;
  return c.json(
    {
      run: { id: run.id, periodFrom: run.periodFrom, periodTo: run.periodTo, startedBy: run.startedBy, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null, invoiceCount: run.invoiceCount },
      invoices: result.invoices.map(summaryView),
    },
    result.created ? 201 : 200,
  );
});

invoicesRouter.openapi(listRoute, async (c) => {
  const query = c.req.valid('query');
  if (query.from && query.to) checkPeriod({ from: query.from, to: query.to }, 1);
  const { rows, total } = await listInvoices(c.var.services.db, query);
  return c.json({ items: rows.map(summaryView), total, limit: query.limit, offset: query.offset }, 200);
});

// Before /{id}: "export.csv" is not an invoice id.
invoicesRouter.openapi(exportRoute, async (c) => {
  const { from, to, status, dialect } = c.req.valid('query');
  const period = { from, to };
  checkPeriod(period, 1);
  const found = await invoicesForExport(c.var.services.db, period, status);
  return csvResponse(invoicesCsv(found, dialect), csvFileName('invoices', period.from, period.to, status));
});

invoicesRouter.openapi(getRoute, async (c) => {
  const { invoice, lines, totals } = await invoiceDetail(c.var.services.db, c.req.valid('param').id);
  return c.json({ ...summaryView(invoice), lines: lines.map(lineView), totals }, 200);
});

invoicesRouter.openapi(csvRoute, async (c) => {
  const found = await invoiceWithLines(c.var.services.db, c.req.valid('param').id);
  const { invoice } = found;
  const name = invoice.invoiceNumber ? csvFileName(invoice.invoiceNumber) : csvFileName('draft', invoice.customerNumber, invoice.periodFrom, invoice.periodTo);
  return csvResponse(invoicesCsv([found], c.req.valid('query').dialect), name);
});

invoicesRouter.openapi(finaliseRoute, async (c) => {
  const { services, principal } = c.var;
  const invoice = await finaliseInvoice(services.db, c.req.valid('param').id, { finalisedBy: `user:${principal.userId}`, timezone: services.timezone ?? defaultBusinessTimezone });
  return c.json(summaryView(invoice), 200);
});

invoicesRouter.openapi(discardRoute, async (c) => {
  await discardDraft(c.var.services.db, c.req.valid('param').id);
  return c.body(null, 204);
});
