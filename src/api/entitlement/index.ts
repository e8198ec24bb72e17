// GET /api/entitlement: is this caller entitled to free, quota or paid support? (agents and sales)
import type { z } from '@hono/zod-openapi';
import { createRoute } from '@hono/zod-openapi';
import { businessDate, defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { checkEntitlement } from '../../services/entitlement.js';
import { requireRole } from '../auth.js';
import { problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { EntitlementAnswer, EntitlementQuery, entitlementView } from './schemas.js';

export const entitlementRouter = createRouter();
entitlementRouter.use('*', requireRole('sales'));

entitlementRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags: ['Entitlement'],
    security: [{ bearerAuth: [] }],
    summary: 'Check a caller\'s entitlement',
    description:
      'Identifies the caller by customer number, serial number or ident number (any combination) and answers the customer, the covering contract, its SLA policy with targets, and the decision: `covered`, `quota` (with the minutes left in the period), `billable` (time and material, with the rates) or `blocked` (credit hold), with the reason in words. Incident intake runs the same check. An unknown serial number or one registered to another customer is `billable`, not an error.',
    request: { query: EntitlementQuery },
    responses: { 200: { description: 'The decision.', content: { 'application/json': { schema: EntitlementAnswer } } }, ...problemResponses(400, 401, 403) },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const { db, timezone, defaultRates } = c.var.services;
    const day = query.date ?? businessDate(new Date(), timezone ?? defaultBusinessTimezone);
    const check = await checkEntitlement(db, query, day, { defaultRates });
    const answer: z.infer<typeof EntitlementAnswer> = {
      customer: check.customer ? { number: check.customer.customerNumber, name: check.customer.name, creditHold: check.customer.creditHold } : null,
      asset: check.asset ? { serialNumber: check.asset.serialNumber, identNumber: check.asset.identNumber, product: check.asset.product } : null,
      entitlement: entitlementView(check.entitlement),
      slaPolicy: check.sla ? { name: check.sla.name, version: check.sla.version, targets: check.sla.targets } : null,
      project: check.project ? { number: check.project.number } : null,
    };
    return c.json(answer, 200);
  },
);
