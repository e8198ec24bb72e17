// OpenAPI route specs for /api/incidents (agents and above); handlers live in index.ts.
import type { z } from '@hono/zod-openapi';
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { idempotencyHeader, json, problemResponses } from '../common-schemas.js';
import {
  AssignBody,
  ContractBody,
  CreateIncidentBody,
  CustomerMessageBody,
  Incident,
  IncidentList,
  IncidentNumberParam,
  ListQuery,
  NoteBody,
  PriorityBody,
  ReasonBody,
  ReplyBody,
  BreachCause,
  BreachCauseInput,
  ResolveBody,
  Timeline,
} from './schemas.js';

const security = [{ bearerAuth: [] }];
const IdempotencyHeader = idempotencyHeader('incident');
const tags = ['Incidents'];

export const createIncidentRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Open an incident',
  description: 'Identifies the caller by customer number, serial number or contact e-mail, allocates the next incident number and starts the incident workflow.',
  request: { body: { required: true, content: json(CreateIncidentBody) }, headers: IdempotencyHeader },
  responses: {
    201: { description: 'The incident was opened (or, for a repeated Idempotency-Key, the incident that key opened; then `Idempotency-Replayed: true`).', content: json(Incident) },
    202: { description: 'The incident was recorded; its workflow starts as soon as Temporal is reachable.', content: json(Incident) },
    ...problemResponses(400, 401, 403),
  },
});

export const listIncidentsRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List incidents',
  description: 'Filters combine with AND; a filter given several values matches any of them. Sorted by `sort` (newest first by default), every order total (ties by number). Paginate with `cursor` (keyset: pass the previous `nextCursor`; stable and fast at any depth) or, for compatibility, `offset`; a cursor that was altered or belongs to another sort is a 400 naming `cursor`.',
  request: { query: ListQuery },
  responses: { 200: { description: 'A page of incidents.', content: json(IncidentList) }, ...problemResponses(400, 401, 403) },
});

export const getIncidentRoute = createRoute({
  method: 'get',
  path: '/{number}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Get an incident',
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The incident.', content: json(Incident) }, ...problemResponses(400, 401, 403, 404, 503) },
});

export const getTimelineRoute = createRoute({
  method: 'get',
  path: '/{number}/timeline',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "An incident's timeline",
  description: 'Every step of the incident in order: who did what, when.',
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The timeline.', content: json(Timeline) }, ...problemResponses(400, 401, 403, 404) },
});

/** A command's Idempotency-Key: sent again after a 503, the step is taken once and its first result answered. */
const stepKey = idempotencyHeader('step');

function commandRoute<B extends z.ZodType>(path: string, summary: string, description: string, body: B) {
  return createRoute({
    method: 'post',
    path: `/{number}/${path}`,
    middleware: [requireRole('agent')],
    tags,
    security,
    summary,
    description,
    request: { params: IncidentNumberParam, headers: stepKey, body: { required: true, content: json(body) } },
    responses: {
      200: { description: 'The incident after the change.', content: json(Incident) },
      ...problemResponses(400, 401, 403, 404, 409, 413, 422, 503),
    },
  });
}

export const assignRoute = commandRoute('assign', 'Assign an incident', 'Sets the assignee (a user id), the group, or both. A new incident becomes assigned.', AssignBody);
export const addNoteRoute = commandRoute('notes', 'Add an internal note', 'Internal notes are never shown to the customer.', NoteBody);
export const replyRoute = commandRoute(
  'reply',
  'Reply to the customer',
  'A public answer, mailed to the incident\'s contact. The first one meets the first-response target; each one meets a pending next-response target. A new or assigned incident becomes in progress. CC: of the people on the customer\'s last mail only the customer\'s own (its contacts, or an address at one of its mail domains) are copied, plus every address in `cc`; the others are not copied and are listed as `droppedCc` on the `mail_sent` event of the timeline.',
  ReplyBody,
);
export const resolveRoute = commandRoute('resolve', 'Resolve an incident', 'Records the resolution text; only open incidents can be resolved.', ResolveBody);
export const customerMessageRoute = commandRoute('customer-messages', 'Record a customer message', 'From mail or portal. Restarts the next-response clock once we have answered, ends waiting on the customer, and reopens a resolved incident. An automatic reply is only logged.', CustomerMessageBody);
export const pendingRoute = commandRoute('pending', 'Wait on the customer', 'Status pending_customer: the resolution and next-response clocks pause (first response does not).', ReasonBody);
export const priorityRoute = commandRoute('priority', 'Change the priority', 'New targets against the original start; business time already elapsed is kept.', PriorityBody);
export const contractRoute = commandRoute('contract', 'Change the contract', 'Another contract of the same customer, and with it its SLA policy and calendar, against the original start.', ContractBody);
export const reopenRoute = commandRoute('reopen', 'Reopen a resolved incident', 'The resolution clock runs on; the time it was resolved does not count.', ReasonBody);
export const resumeRoute = createRoute({
  method: 'post',
  path: '/{number}/resume',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Stop waiting on the customer',
  description: 'Back to the status before pending; the paused clocks run again.',
  request: { params: IncidentNumberParam, headers: stepKey },
  responses: { 200: { description: 'The incident after the change.', content: json(Incident) }, ...problemResponses(400, 401, 403, 404, 409, 503) },
});

export const closeRoute = createRoute({
  method: 'post',
  path: '/{number}/close',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Close an incident',
  description: 'Only a resolved incident can be closed; closing ends its workflow.',
  request: { params: IncidentNumberParam, headers: stepKey },
  responses: {
    200: { description: 'The closed incident.', content: json(Incident) },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

export const breachCauseRoute = createRoute({
  method: 'put',
  path: '/{number}/breach-cause',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Correct the breach cause',
  description: 'Sets why the SLA of a breached incident was breached, open or closed alike; the reports use the latest cause. Each correction is kept with who made it and when.',
  request: { params: IncidentNumberParam, body: { required: true, content: json(BreachCauseInput) } },
  responses: {
    200: { description: 'The cause now recorded.', content: json(BreachCause) },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});
