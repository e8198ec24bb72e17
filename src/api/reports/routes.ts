// OpenAPI route specs of the reports: profitability (managers) and the sales insight (sales and above); handlers live in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { problemResponses } from '../common-schemas.js';
import { InsightParams, InsightQuery, Profitability, ProfitabilityQuery, SalesInsight } from './schemas.js';

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
