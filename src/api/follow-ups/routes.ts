// OpenAPI route specs for /api/incidents/{number}/follow-ups (agents and above); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { idempotencyHeader, json, problemResponses } from '../common-schemas.js';
import { Incident, IncidentNumberParam, ReasonBody } from '../incidents/schemas.js';
import { ActionBody, CreateFollowUpBody, FollowUp, FollowUpActionParam, FollowUpRefParam, FollowUpWithTimeline, followUpActions } from './schemas.js';

const tags = ['Follow-ups'];
const security = [{ bearerAuth: [] }];

const CreatedFollowUp = Incident.extend({
  followUp: z.object({ ref: z.string().nullable(), workflowId: z.string(), number: z.string().nullable().openapi({ description: "A child ticket's own incident number." }) }),
});

export const createFollowUpRoute = createRoute({
  method: 'post',
  path: '/{number}/follow-ups',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Start follow-up work',
  description:
    'Starts a service order, a hardware or software change or a callback (on the callback SLA of the incident\'s policy, see `POST /api/callbacks`) as a child workflow of the incident (`incident-<number>/<kind>-<n>`), or a child ticket: a full incident with its own number, SLA and timeline (`incident-<its number>`), for splitting the work across teams. Each is linked on both timelines and in the incident view. With `waitFor` the incident waits for it (pending_change; the clocks pause when its SLA policy says so) until it ends (a child ticket: until it is resolved). An `Idempotency-Key` makes a retry start nothing new: the incident keeps the key with the link and answers with the same follow-up; the same key for another request answers 409.',
  request: { params: IncidentNumberParam, headers: idempotencyHeader('child ticket'), body: { required: true, content: json(CreateFollowUpBody) } },
  responses: {
    201: { description: 'The incident with the new link.', content: json(CreatedFollowUp) },
    202: { description: 'A child ticket recorded with its number while Temporal is away; it is started and linked as soon as it is back.', content: json(CreatedFollowUp) },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

export const listFollowUpsRoute = createRoute({ method: 'get', path: '/{number}/follow-ups', middleware: [requireRole('agent')], tags, security, summary: 'List the follow-up work of an incident', request: { params: IncidentNumberParam }, responses: { 200: { description: 'Its follow-ups, oldest first.', content: json(z.object({ items: z.array(FollowUp) })) }, ...problemResponses(400, 401, 403, 404) } });

export const getFollowUpRoute = createRoute({ method: 'get', path: '/{number}/follow-ups/{ref}', middleware: [requireRole('agent')], tags, security, summary: 'One follow-up with its timeline', request: { params: FollowUpRefParam }, responses: { 200: { description: 'The follow-up.', content: json(FollowUpWithTimeline) }, ...problemResponses(400, 401, 403, 404) } });

export const detachFollowUpRoute = createRoute({ method: 'post', path: '/{number}/follow-ups/{ref}/detach', middleware: [requireRole('agent')], tags, security, summary: 'Detach a follow-up', description: 'The follow-up runs on, but no longer holds the incident waiting or from closing.', request: { params: FollowUpRefParam, body: { required: true, content: json(ReasonBody) } }, responses: { 200: { description: 'The incident after the change.', content: json(Incident) }, ...problemResponses(400, 401, 403, 404, 409, 503) } });

export const followUpActionRoute = createRoute({
  method: 'post',
  path: '/{number}/follow-ups/{ref}/{action}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Tell a follow-up what happened',
  description: `Actions by kind: ${Object.entries(followUpActions).map(([kind, actions]) => `${kind}: ${actions.join(', ')}`).join('; ')}. The follow-up's workflow checks the step (400 or 409 when it does not fit) and records it on its timeline with you as the actor; a change's decision counts only from a named approver, or from the change manager deciding for all approvers with a reason (comment); anyone else gets 403. A child ticket has no actions here: it is an incident, worked at /api/incidents/{its number}.`,
  request: { params: FollowUpActionParam, body: { required: true, content: json(ActionBody) } },
  responses: { 200: { description: 'The follow-up after the step.', content: json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 401, 403, 404, 409, 503) },
});

