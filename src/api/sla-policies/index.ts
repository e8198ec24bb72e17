// /api/sla-policies: targets per priority, calendar and escalation ladder (agents read, admins write).
import { createRoute, z } from '@hono/zod-openapi';
import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy, type SlaPolicyRow } from '../../services/sla-config.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { callbackMinutesRange, defaultCallbackMinutes } from '../../domain/callback-sla.js';
import { IdParam, SlaPolicy as SlaPolicyBase, SlaPolicyBody as SlaPolicyBodyBase } from '../sla/schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['SLA policies'];

const d = defaultCallbackMinutes;
const policyOptions = {
  pauseOnPendingChange: z.boolean().default(true).openapi({ description: 'Waiting for follow-up work (status pending_change) pauses resolution and next response, like pending_customer.' }),
  callbackMinutes: z
    .number()
    .int()
    .min(callbackMinutesRange.min)
    .max(callbackMinutesRange.max)
    .nullable()
    .default(null)
    .openapi({ description: `Callback SLA: business minutes from a callback request to the latest end of its call window. null is the tier default (platinum ${d.platinum}, gold ${d.gold}, silver ${d.silver}; ${d.none} without contract).`, example: 90 }),
};
const SlaPolicyBody = z.strictObject({ ...SlaPolicyBodyBase.shape, ...policyOptions }).openapi('SlaPolicyWrite');
const SlaPolicy = SlaPolicyBase.extend({ pauseOnPendingChange: z.boolean(), callbackMinutes: z.number().int().nullable() }).openapi('SlaPolicyWithOptions');

export function policyView(row: SlaPolicyRow): z.infer<typeof SlaPolicy> {
  return {
    id: row.id,
    name: row.name,
    tier: row.tier,
    calendarId: row.calendarId,
    targets: row.targets,
    escalation: row.escalation,
    pauseOnPendingChange: row.pauseOnPendingChange,
    callbackMinutes: row.callbackMinutes,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
  };
}

export const slaPoliciesRouter = createRouter();
slaPoliciesRouter.use('*', requireRole('agent'));
for (const method of ['POST', 'PUT', 'DELETE'] as const) slaPoliciesRouter.on(method, '*', requireRole('admin'));

slaPoliciesRouter.openapi(
  createRoute({ method: 'get', path: '/', tags, security, summary: 'List SLA policies', responses: { 200: { description: 'All policies.', content: json(z.object({ items: z.array(SlaPolicy) })) }, ...problemResponses(401, 403) } }),
  async (c) => c.json({ items: (await listPolicies(c.var.services.db)).map(policyView) }, 200),
);

slaPoliciesRouter.openapi(
  createRoute({ method: 'get', path: '/{id}', tags, security, summary: 'Get an SLA policy', request: { params: IdParam }, responses: { 200: { description: 'The policy.', content: json(SlaPolicy) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => c.json(policyView(await getPolicy(c.var.services.db, c.req.valid('param').id)), 200),
);

slaPoliciesRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    security,
    summary: 'Create an SLA policy (admin)',
    description: 'Targets in business minutes for first response, next response and resolution per priority P1-P4, on a calendar, with an escalation ladder (defaults: warning at 75 %, management at 50 % overdue). A policy with a tier is that tier\'s default; one tier has at most one default. `callbackMinutes` overrides the tier\'s callback SLA (null: tier default); `pauseOnPendingChange` (default true) pauses the clocks while an incident waits for follow-up work.',
    request: { body: { required: true, content: json(SlaPolicyBody) } },
    responses: { 201: { description: 'Created.', content: json(SlaPolicy) }, ...problemResponses(400, 401, 403, 409) },
  }),
  async (c) => c.json(policyView(await createPolicy(c.var.services.db, c.req.valid('json'))), 201),
);

slaPoliciesRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{id}',
    tags,
    security,
    summary: 'Replace an SLA policy (admin)',
    description: 'Bumps the policy version. Incidents already open keep the targets they were opened with.',
    request: { params: IdParam, body: { required: true, content: json(SlaPolicyBody) } },
    responses: { 200: { description: 'Replaced.', content: json(SlaPolicy) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(policyView(await updatePolicy(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200),
);

slaPoliciesRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags,
    security,
    summary: 'Delete an SLA policy (admin)',
    description: 'Refused with 409 while a contract uses it.',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    await deletePolicy(c.var.services.db, c.req.valid('param').id);
    return c.body(null, 204);
  },
);
