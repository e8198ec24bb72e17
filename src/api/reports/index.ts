// Reports: SLA compliance, escalations, backlog, volume, breach causes and profitability (managers),
// and the sales insight before calling a customer.
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { ValidationError } from '../../domain/errors.js';
import { profitabilityReport } from '../../services/reports/profitability.js';
import { salesInsight } from '../../services/reports/sales-insight.js';
import { createRouter } from '../context.js';
import { insightView } from './insight-view.js';
import { profitabilityCsv } from './profitability-csv.js';
import {
  backlogReportRoute,
  breachCauseReportRoute,
  escalationReportRoute,
  listReportSubscriptionsRoute,
  profitabilityRoute,
  salesInsightRoute,
  slaDrillDownRoute,
  slaReportRoute,
  subscribeToReportRoute,
  unsubscribeFromReportRoute,
  volumeReportRoute,
} from './routes.js';
import { listReportSubscriptions, subscribeToWeeklyReport, unsubscribeFromWeeklyReport } from '../../services/reports/subscriptions.js';
import { csvDownload } from '../../web/csv-download.js';
import { backlogReport } from '../../services/reports/backlog.js';
import { breachCauseReport } from '../../services/reports/breach-causes.js';
import { escalationCsvColumns, escalationCsvRows, escalationReport } from '../../services/reports/escalation-report.js';
import { checkReportPeriod, type ReportPeriod } from '../../services/reports/period.js';
import { slaCsvColumns, slaCsvRows, slaReport, slaTargetEnds } from '../../services/reports/sla-report.js';
import { volumeCsvColumns, volumeCsvRows, volumeReport } from '../../services/reports/volume.js';
import type { Context } from 'hono';
import type { AppEnv } from '../context.js';

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

/** The query's period in the house's zone, checked (at most two years). */
function periodOf(c: Context<AppEnv>, q: { from: string; to: string }): ReportPeriod {
  checkReportPeriod(q);
  return { from: q.from, to: q.to, timezone: c.var.services.timezone ?? defaultBusinessTimezone };
}

reportsRouter.openapi(slaReportRoute, async (c) => {
  const q = c.req.valid('query');
  const report = await slaReport(c.var.services.db, periodOf(c, q), q.groupBy);
  if (q.format === 'csv') return csvDownload(c.get('logger'), `sla-${q.groupBy}-${q.from}-${q.to}.csv`, slaCsvColumns, slaCsvRows(report));
  return c.json(report, 200);
});

reportsRouter.openapi(slaDrillDownRoute, async (c) => {
  const q = c.req.valid('query');
  return c.json(await slaTargetEnds(c.var.services.db, periodOf(c, q), { groupBy: q.groupBy, key: q.key, target: q.target, outcome: q.outcome }, { limit: q.limit, offset: q.offset }), 200);
});

reportsRouter.openapi(escalationReportRoute, async (c) => {
  const q = c.req.valid('query');
  const filter = { ...periodOf(c, q), customerNumber: q.customerNumber || undefined, minLevel: q.minLevel };
  if (q.format === 'csv') return csvDownload(c.get('logger'), `escalations-${q.from}-${q.to}.csv`, escalationCsvColumns, escalationCsvRows(c.var.services.db, filter));
  return c.json(await escalationReport(c.var.services.db, filter, { limit: q.limit, offset: q.offset }), 200);
});

const backlogCsvColumns = ['number', 'title', 'receivedAt', 'status', 'priority', 'group', 'tier', 'businessDays', 'calendarDays'] as const;

reportsRouter.openapi(backlogReportRoute, async (c) => {
  const q = c.req.valid('query');
  const timezone = c.var.services.timezone ?? defaultBusinessTimezone;
  const at = q.at ? new Date(q.at) : new Date();
  if ((q.dimension === undefined) !== (q.key === undefined)) {
    throw new ValidationError('dimension and key go together: name the bar by both, or neither.', q.dimension === undefined ? 'dimension' : 'key');
  }
  const list = q.dimension && q.key !== undefined ? { dimension: q.dimension, key: q.key } : undefined;
  if (q.format === 'csv') {
    const report = await backlogReport(c.var.services.db, at, timezone, { list, trend: false, everything: list === undefined });
    const rows = (report.incidents ?? []).map((i) => [i.number, i.title, i.receivedAt, i.status, i.priority, i.group ?? '', i.tier ?? '', i.businessDays, i.calendarDays]);
    return csvDownload(c.get('logger'), `backlog-${at.toISOString().slice(0, 10)}.csv`, backlogCsvColumns, rows);
  }
  return c.json(await backlogReport(c.var.services.db, at, timezone, { list }), 200);
});

reportsRouter.openapi(volumeReportRoute, async (c) => {
  const q = c.req.valid('query');
  const report = await volumeReport(c.var.services.db, periodOf(c, q), q.interval);
  if (q.format === 'csv') return csvDownload(c.get('logger'), `volume-${q.interval}-${q.from}-${q.to}.csv`, volumeCsvColumns, volumeCsvRows(report));
  return c.json(report, 200);
});

reportsRouter.openapi(breachCauseReportRoute, async (c) => {
  const q = c.req.valid('query');
  const report = await breachCauseReport(c.var.services.db, periodOf(c, q), c.var.services.breachCauses);
  if (q.format === 'csv') {
    const rows = [...report.causes.map((r) => [r.cause, r.incidents, r.percent ?? '']), ['none', report.withoutCause, '']];
    return csvDownload(c.get('logger'), `breach-causes-${q.from}-${q.to}.csv`, ['cause', 'incidents', 'percent'], rows);
  }
  return c.json(report, 200);
});

reportsRouter.openapi(listReportSubscriptionsRoute, async (c) => {
  const { principal } = c.var;
  return c.json({ items: await listReportSubscriptions(c.var.services.db, principal.role === 'admin' ? {} : { userId: principal.userId }) }, 200);
});

reportsRouter.openapi(subscribeToReportRoute, async (c) => {
  return c.json(await subscribeToWeeklyReport(c.var.services.db, c.var.principal.userId, c.req.valid('json').language), 200);
});

reportsRouter.openapi(unsubscribeFromReportRoute, async (c) => {
  await unsubscribeFromWeeklyReport(c.var.services.db, c.var.principal.userId);
  return c.body(null, 204);
});
