// OpenAPI route specs for /api/sla-policies (agents read, admins write); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { IdParam } from '../sla/schemas.js';
import { SlaPolicy, SlaPolicyBody } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['SLA policies'];

export const listPoliciesRoute = createRoute({ method: 'get', path: '/', middleware: [requireRole('agent')], tags, security, summary: 'List SLA policies', responses: { 200: { description: 'All policies.', content: json(z.object({ items: z.array(SlaPolicy) })) }, ...problemResponses(401, 403) } });

export const getPolicyRoute = createRoute({ method: 'get', path: '/{id}', middleware: [requireRole('agent')], tags, security, summary: 'Get an SLA policy', request: { params: IdParam }, responses: { 200: { description: 'The policy.', content: json(SlaPolicy) }, ...problemResponses(400, 401, 403, 404) } });

export const createPolicyRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create an SLA policy (admin)',
  description: 'Targets in business minutes for first response, next response and resolution per priority P1-P4, on a calendar, with an escalation ladder (defaults: warning at 75 %, management at 50 % overdue). A policy with a tier is that tier\'s default; one tier has at most one default. `callbackMinutes` overrides the tier\'s callback SLA (null: tier default); `pauseOnPendingChange` (default true) pauses the clocks while an incident waits for follow-up work.',
  request: { body: { required: true, content: json(SlaPolicyBody) } },
  responses: { 201: { description: 'Created.', content: json(SlaPolicy) }, ...problemResponses(400, 401, 403, 409) },
});

export const replacePolicyRoute = createRoute({
  method: 'put',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Replace an SLA policy (admin)',
  description: 'Bumps the policy version. Incidents already open keep the targets they were opened with.',
  request: { params: IdParam, body: { required: true, content: json(SlaPolicyBody) } },
  responses: { 200: { description: 'Replaced.', content: json(SlaPolicy) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deletePolicyRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete an SLA policy (admin)',
  description: 'Refused with 409 while a contract uses it.',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
