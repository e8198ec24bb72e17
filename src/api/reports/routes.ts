// OpenAPI route specs of the reports: profitability (managers) and the sales insight (sales and above); handlers live in index.ts.
import { createRoute, type z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import {
  BacklogQuery,
  BacklogReport,
  BreachCauseQuery,
  BreachCauseReport,
  EscalationReport,
  EscalationReportQuery,
  InsightParams,
  InsightQuery,
  Profitability,
  ProfitabilityQuery,
  ReportSubscription,
  ReportSubscriptionBody,
  ReportSubscriptionList,
  SalesInsight,
  SlaDrillDown,
  SlaDrillDownQuery,
  SlaReport,
  SlaReportQuery,
  VolumeQuery,
  VolumeReport,
} from './schemas.js';

const security = [{ bearerAuth: [] }];

export const profitabilityRoute = createRoute({
  method: 'get',
  path: '/profitability',
  middleware: [requireRole('manager')],
  tags: ['Reports'],
  security,
  summary: 'Profitability per customer (manager)',
  description:
    'For every customer with a contract in force or time logged in [from, to]: revenue (monthly fees prorated by day, plus invoice lines on final invoices for work in the period) against effort (minutes × internal cost rate of the agent, else of the role), margin and margin %, broken down by support project, with totals. Billable work not yet on a final invoice is shown as `unbilledCents` and is not revenue. All money in integer cents.',
  request: { query: ProfitabilityQuery },
  responses: {
    200: {
      description: 'The report.',
      content: { 'application/json': { schema: Profitability }, 'text/csv': { schema: { type: 'string' } } },
    },
    ...problemResponses(400, 401, 403),
  },
});

/** Mounted at /api/customers (before the customers router): /{customerNumber}/insight only. */
export const salesInsightRoute = createRoute({
  method: 'get',
  path: '/{customerNumber}/insight',
  middleware: [requireRole('sales')],
  tags: ['Reports'],
  security,
  summary: 'Sales insight on a customer (sales)',
  description:
    'What to know before calling a customer: escalations to level 2 or higher in the last `days` days (default 14), open incidents, SLA breaches open during the window, quota usage of the current period, the credit hold flag, and a one-line summary in plain language. Sales sees incident numbers, levels, statuses and dates only: no titles (a mail incident\'s title is the customer\'s subject line), descriptions, mail or timeline texts. Agents, managers and admins also get each incident\'s `title`.',
  request: { params: InsightParams, query: InsightQuery },
  responses: { 200: { description: 'The insight.', content: { 'application/json': { schema: SalesInsight } } }, ...problemResponses(400, 401, 403, 404) },
});

const reportRoute = <Q extends z.ZodObject, S extends z.ZodType>(path: string, summary: string, description: string, query: Q, schema: S, csv = true) =>
  createRoute({
    method: 'get',
    path,
    middleware: [requireRole('manager')],
    tags: ['Reports'],
    security,
    summary,
    description,
    request: { query },
    responses: {
      200: { description: 'The report.', content: { 'application/json': { schema }, ...(csv ? { 'text/csv': { schema: { type: 'string' as const } } } : {}) } },
      ...problemResponses(400, 401, 403),
    },
  });

export const slaReportRoute = reportRoute(
  '/sla',
  'SLA compliance (manager)',
  'Per group and per target (first response, next response, resolution): the targets whose final end falls in [from, to] (days in BUSINESS_TIMEZONE), met, breached, compliance % (met / ended), median and 90th percentile of the business minutes used, and the open targets already past due now. SQL over the SLA fact log the workflows write; a target reopened or re-judged after a priority change counts where its final end falls, so the figures agree with each incident\'s own view.',
  SlaReportQuery,
  SlaReport,
);
export const slaDrillDownRoute = reportRoute('/sla/incidents', 'The targets behind an SLA figure (manager)', 'The drill-down of the SLA report: the ended targets of one group (key as the report gives it), target and outcome, oldest end first, paged.', SlaDrillDownQuery, SlaDrillDown, false);
export const escalationReportRoute = reportRoute(
  '/escalations',
  'Escalations (manager)',
  'The incidents that reached level `minLevel` or higher in [from, to], each level with the exact instant it was reached (also a level passed while the worker was busy), the time spent at it, the addresses notified and the breach cause; and per customer and group the number of incidents (not level changes) that reached level 2 and level 3. The list is paged (limit, offset); the CSV has every incident, one row per level.',
  EscalationReportQuery,
  EscalationReport,
);
export const backlogReportRoute = reportRoute(
  '/backlog',
  'Backlog (manager)',
  'The incidents open at `at` (default now) by age in business days (each incident\'s own SLA calendar) and in calendar days, by status, priority, group and tier, and the open count at the start of each of the last 12 weeks. With `dimension` and `key`, the incidents behind that bar (CSV: those incidents).',
  BacklogQuery,
  BacklogReport,
);
export const volumeReportRoute = reportRoute('/volume', 'Volume (manager)', 'Incidents opened (by channel), resolved and reopened per day, week (ISO, Monday) or month in [from, to].', VolumeQuery, VolumeReport);
export const breachCauseReportRoute = reportRoute(
  '/breach-causes',
  'Breach causes (manager)',
  'The incidents with a target whose final end in [from, to] was a breach, by their breach cause (the latest given or corrected), and how many have none yet.',
  BreachCauseQuery,
  BreachCauseReport,
);

const subscriptionsPath = '/subscriptions';

export const listReportSubscriptionsRoute = createRoute({
  method: 'get',
  path: subscriptionsPath,
  middleware: [requireRole('manager')],
  tags: ['Reports'],
  security,
  summary: 'Subscriptions to the weekly report mail (manager)',
  description: 'A manager sees their own subscription (an empty list when there is none); an admin sees everyone\'s. The mail goes out on Mondays at 07:00 (BUSINESS_TIMEZONE) for the week just ended.',
  responses: { 200: { description: 'The subscriptions.', content: json(ReportSubscriptionList) }, ...problemResponses(401, 403) },
});

export const subscribeToReportRoute = createRoute({
  method: 'put',
  path: subscriptionsPath,
  middleware: [requireRole('manager')],
  tags: ['Reports'],
  security,
  summary: 'Subscribe yourself to the weekly report mail (manager)',
  description: 'Subscribes the calling user in the given language (default de); a repeat changes the language, after an unsubscribe it subscribes again. The mail carries the headline figures per tier, the charts as images and the week\'s SLA report as CSV.',
  request: { body: { required: true, content: json(ReportSubscriptionBody) } },
  responses: { 200: { description: 'The subscription.', content: json(ReportSubscription) }, ...problemResponses(400, 401, 403) },
});

export const unsubscribeFromReportRoute = createRoute({
  method: 'delete',
  path: subscriptionsPath,
  middleware: [requireRole('manager')],
  tags: ['Reports'],
  security,
  summary: 'Unsubscribe yourself from the weekly report mail (manager)',
  responses: { 204: { description: 'Unsubscribed.' }, ...problemResponses(401, 403, 404) },
});
