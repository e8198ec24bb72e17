// Reports: profitability per customer (managers), and the sales insight before calling a customer.
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { profitabilityReport } from '../../services/reports/profitability.js';
import { salesInsight } from '../../services/reports/sales-insight.js';
import { createRouter } from '../context.js';
import { insightView } from './insight-view.js';
import { profitabilityCsv } from './profitability-csv.js';
import { profitabilityRoute, salesInsightRoute } from './routes.js';

/** Mounted at /api/reports. */
export const reportsRouter = createRouter();

reportsRouter.openapi(profitabilityRoute, async (c) => {
  const { from, to, format } = c.req.valid('query');
  const report = await profitabilityReport(c.var.services.db, from, to, { costRates: c.var.services.costRates });
  if (format === 'csv') {
    return c.body(profitabilityCsv(report), 200, { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="profitability-${from}-${to}.csv"` });
  }
  return c.json(report, 200);
});

/** Mounted at /api/customers (before the customers router): /{customerNumber}/insight only. */
export const customerInsightRouter = createRouter();

customerInsightRouter.openapi(salesInsightRoute, async (c) => {
  const { db, timezone } = c.var.services;
  const insight = await salesInsight(db, c.req.valid('param').customerNumber, { days: c.req.valid('query').days, now: new Date(), timezone: timezone ?? defaultBusinessTimezone });
  return c.json(insightView(insight, c.var.principal.role), 200);
});
