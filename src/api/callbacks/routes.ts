// OpenAPI route specs for /api/callbacks; handlers live in index.ts. Agents and above on every
// route; requesting a callback also for a mailgate token (by mail only).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { MailgateCallbackReceipt } from './mailgate.js';
import {
  Callback,
  CallbackActionBody,
  CallbackActionParam,
  CallbackAfterAction,
  CallbackIdParam,
  CallbackWithTimeline,
  CreateCallbackBody,
  CreateCallbackHeaders,
  CreatedCallback,
  ListCallbacksQuery,
} from './schemas.js';

const tags = ['Callbacks'];
const security = [{ bearerAuth: [] }];

export const requestCallbackRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('agent', { also: ['mailgate'] })],
  tags,
  security,
  summary: 'Request a callback',
  description: [
    'Identifies the caller by `customerNumber`, `contactEmail`, `serialNumber` or `incidentNumber`; an unknown caller with only a phone number is fine (no-contract SLA).',
    'The terms: the incident\'s contract and policy; else, with `serialNumber`, that asset\'s entitlement; else the customer\'s best contract in force today (platinum > gold > silver, also one that covers only listed assets) with its SLA policy. `sla.contract` and `sla.basis` record which contract was used and why.',
    'The callback SLA is business minutes per contract tier (platinum 60, gold 120, silver 240, none 480) unless the SLA policy sets its own `callbackMinutes`; it counts on the policy\'s calendar (without a policy: the silver default policy\'s calendar, else office hours Mon-Fri 08-17).',
    'Without `window` the window runs from now (the next business instant) to the latest end. A preferred window must end by the latest end, or set `laterByAgreement` when the customer asked for later (recorded as met by agreement); otherwise 400.',
    'With `incidentNumber` it runs as the incident\'s follow-up `incident-<n>/callback-<k>` on the incident\'s SLA policy; else as workflow `callback-<uuid>`. `Idempotency-Key`: a retry gets the same callback (`Idempotency-Replayed: true`).',
    'A mailgate token may only send `requestedBy: mail` (else 403) and may not name `incidentNumber`, `serialNumber` or `assigneeId` (400 naming the field, whatever its value); it gets back only a `MailgateCallbackReceipt` (id, href, state, window, dueAt), nothing of the customer, contract, tier or SLA policy.',
  ].join(' '),
  request: { headers: CreateCallbackHeaders, body: { required: true, content: json(CreateCallbackBody) } },
  responses: {
    201: {
      description: 'The callback with its window, due instant (`dueAt`, the window end) and the SLA it was checked against; for a mailgate token only the receipt.',
      content: json(z.union([CreatedCallback, MailgateCallbackReceipt])),
    },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});

export const listCallbacksRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List callbacks',
  description: 'From the callback projection (standalone and under incidents), the earliest due first. `view=due`: open, and the window has opened without a call yet or a retry is due; `overdue`: the window closed without a call; `open`: not ended; `all`.',
  request: { query: ListCallbacksQuery },
  responses: { 200: { description: 'The callbacks; each links to itself (`href`).', content: json(z.object({ items: z.array(Callback) })) }, ...problemResponses(400, 401, 403) },
});

export const getCallbackRoute = createRoute({
  method: 'get',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'One callback with its timeline',
  request: { params: CallbackIdParam },
  responses: { 200: { description: 'The callback and its events, oldest first.', content: json(CallbackWithTimeline) }, ...problemResponses(400, 401, 403, 404) },
});

export const callbackActionRoute = createRoute({
  method: 'post',
  path: '/{id}/{action}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Tell a callback what happened',
  description:
    'assign {assigneeId?, group?}; log-call {outcome: reached | not_reached | voicemail, note?, needsIncident?} (not reached schedules a retry until the attempts run out); cancel {reason}; attach {incidentNumber}; open-incident {title?, description?, priority?} opens an incident (channel phone) for the callback\'s customer and attaches the callback; a retry answers with the same incident. Attached either way, the incident\'s timeline gets one internal note naming the callback (contact, phone, topic, `/api/callbacks/<id>`). The workflow checks each step (400 or 409 when it does not fit).',
  request: { params: CallbackActionParam, body: { required: true, content: json(CallbackActionBody) } },
  responses: { 200: { description: 'The callback after the step (with `openedIncident` for open-incident).', content: json(CallbackAfterAction) }, ...problemResponses(400, 401, 403, 404, 409, 503) },
});
