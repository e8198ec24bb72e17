// OpenAPI route spec for GET /api/entitlement (sales and above); the handler lives in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { problemResponses } from '../common-schemas.js';
import { EntitlementAnswer, EntitlementQuery } from './schemas.js';

export const entitlementRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('sales')],
  tags: ['Entitlement'],
  security: [{ bearerAuth: [] }],
  summary: 'Check a caller\'s entitlement',
  description:
    'Identifies the caller by customer number, serial number or ident number (any combination) and answers the customer, the covering contract, its SLA policy with targets, and the decision: `covered`, `quota` (with the minutes left in the period), `billable` (time and material, with the rates) or `blocked` (credit hold), with the reason in words. Incident intake runs the same check. An unknown serial number or one registered to another customer is `billable`, not an error.',
  request: { query: EntitlementQuery },
  responses: { 200: { description: 'The decision.', content: { 'application/json': { schema: EntitlementAnswer } } }, ...problemResponses(400, 401, 403) },
});
