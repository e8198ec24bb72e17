// /api/callbacks: the callback service ("Rückruf-Service"). A customer asks to be called back;
// the callback runs as a workflow (on its own or under an incident) with a window from the
// contract tier's callback SLA. Agents and above; a mailgate token may only create (via mail), each
// route declaring its roles in its spec.
import { createRoute, z } from '@hono/zod-openapi';
import type { CallbackRecord } from '../../domain/callback.js';
import { Forbidden, NotFound } from '../../domain/errors.js';
import { standaloneCallbackWorkflowId as standaloneWorkflowId } from '../../domain/workflow-ids.js';
import { callbackHref, existingCallback, findCallbackRow, listCallbacks, requestCallback } from '../../services/callbacks.js';
import { followUpTimeline, type FollowUpRow } from '../../services/follow-ups.js';
import { actorOf, requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { timelineEventView } from '../incidents/views.js';
import { runCallbackAction } from './actions.js';
import { MailgateCallbackReceipt, mailgateReceipt, refuseMailgateFields } from './mailgate.js';
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

type CallbackView = z.infer<typeof Callback>;
const idOf = (workflowId: string) => (workflowId.startsWith('callback-') ? workflowId.slice('callback-'.length) : null);

export function callbackViewOfRecord(record: CallbackRecord): CallbackView {
  const { workflowId, title, state, ended, customerNumber, incidentNumber, assigneeId, dueAt, details, updatedAt } = record;
  return { id: idOf(workflowId), workflowId, href: callbackHref(workflowId), title, state, ended, customerNumber, incidentNumber, assigneeId, dueAt, details, updatedAt };
}

function callbackViewOfRow(row: FollowUpRow): CallbackView {
  return {
    id: idOf(row.workflowId),
    workflowId: row.workflowId,
    href: callbackHref(row.workflowId),
    title: row.title,
    state: row.state,
    ended: row.ended,
    customerNumber: row.customerNumber,
    incidentNumber: row.incidentNumber,
    assigneeId: row.assigneeId,
    dueAt: row.dueAt?.toISOString() ?? null,
    details: row.details,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Agents and above on every route; requesting a callback also for a mailgate token (by mail only). */
const agents = [requireRole('agent')];
const agentsAndMailgate = [requireRole('agent', { also: ['mailgate'] })];

export const callbacksRouter = createRouter();

callbacksRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    middleware: agentsAndMailgate,
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
  }),
  async (c) => {
    const body = c.req.valid('json');
    const { principal } = c.var;
    const mailgate = principal.role === 'mailgate';
    if (mailgate) {
      if (body.requestedBy !== 'mail') throw new Forbidden('A mailgate token may only request callbacks that came by mail (requestedBy "mail").');
      refuseMailgateFields(body);
    }
    const { record, sla, href, replayed } = await requestCallback(c.var.services, body, actorOf(principal), { idempotencyKey: c.req.valid('header')['idempotency-key'] });
    c.header('Location', href);
    if (replayed) c.header('Idempotency-Replayed', 'true');
    return c.json(mailgate ? mailgateReceipt(record) : { ...callbackViewOfRecord(record), sla }, 201);
  },
);

callbacksRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    middleware: agents,
    tags,
    security,
    summary: 'List callbacks',
    description: 'From the callback projection (standalone and under incidents), the earliest due first. `view=due`: open, and the window has opened without a call yet or a retry is due; `overdue`: the window closed without a call; `open`: not ended; `all`.',
    request: { query: ListCallbacksQuery },
    responses: { 200: { description: 'The callbacks; each links to itself (`href`).', content: json(z.object({ items: z.array(Callback) })) }, ...problemResponses(400, 401, 403) },
  }),
  async (c) => {
    const query = c.req.valid('query');
    const assigneeId = query.assignee === 'me' ? c.var.principal.userId : query.assignee;
    const rows = await listCallbacks(c.var.services.db, { view: query.view, assigneeId, group: query.group, limit: query.limit, offset: query.offset });
    return c.json({ items: rows.map(callbackViewOfRow) }, 200);
  },
);

callbacksRouter.openapi(
  createRoute({
    method: 'get',
    path: '/{id}',
    middleware: agents,
    tags,
    security,
    summary: 'One callback with its timeline',
    request: { params: CallbackIdParam },
    responses: { 200: { description: 'The callback and its events, oldest first.', content: json(CallbackWithTimeline) }, ...problemResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const workflowId = standaloneWorkflowId(c.req.valid('param').id);
    const { db } = c.var.services;
    const row = await findCallbackRow(db, workflowId);
    if (!row) {
      // Just requested: the workflow has not written its projection yet.
      const record = await existingCallback(c.var.services, workflowId);
      if (!record) throw new NotFound(`There is no callback ${workflowId}.`);
      return c.json({ ...callbackViewOfRecord(record), events: [] }, 200);
    }
    const events = (await followUpTimeline(db, row)).map(timelineEventView);
    return c.json({ ...callbackViewOfRow(row), events }, 200);
  },
);

callbacksRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{id}/{action}',
    middleware: agents,
    tags,
    security,
    summary: 'Tell a callback what happened',
    description:
      'assign {assigneeId?, group?}; log-call {outcome: reached | not_reached | voicemail, note?, needsIncident?} (not reached schedules a retry until the attempts run out); cancel {reason}; attach {incidentNumber}; open-incident {title?, description?, priority?} opens an incident (channel phone) for the callback\'s customer and attaches the callback; a retry answers with the same incident. Attached either way, the incident\'s timeline gets one internal note naming the callback (contact, phone, topic, `/api/callbacks/<id>`). The workflow checks each step (400 or 409 when it does not fit).',
    request: { params: CallbackActionParam, body: { required: true, content: json(CallbackActionBody) } },
    responses: { 200: { description: 'The callback after the step (with `openedIncident` for open-incident).', content: json(CallbackAfterAction) }, ...problemResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
    const { id, action } = c.req.valid('param');
    const result = await runCallbackAction(c.var.services, standaloneWorkflowId(id), action, c.req.valid('json'), actorOf(c.var.principal));
    return c.json({ ...callbackViewOfRecord(result), ...(result.openedIncident ? { openedIncident: result.openedIncident } : {}) }, 200);
  },
);
