// /api/callbacks: the callback service ("Rückruf-Service"). A customer asks to be called back;
// the callback runs as a workflow (on its own or under an incident) with a window from the
// contract tier's callback SLA. Agents and above; a mailgate token may only create (via mail), each
// route declaring its roles in its spec (routes.ts).
import { Forbidden, NotFound } from '../../domain/errors.js';
import { standaloneCallbackWorkflowId as standaloneWorkflowId } from '../../domain/workflow-ids.js';
import { existingCallback, findCallbackRow, listCallbacks, requestCallback } from '../../services/callbacks.js';
import { followUpTimeline } from '../../services/follow-ups.js';
import { actorOf } from '../auth.js';
import { createRouter } from '../context.js';
import { timelineEventView } from '../incidents/views.js';
import { runCallbackAction } from './actions.js';
import { mailgateReceipt, refuseMailgateFields } from './mailgate.js';
import { callbackActionRoute, getCallbackRoute, listCallbacksRoute, requestCallbackRoute } from './routes.js';
import { callbackViewOfRecord, callbackViewOfRow } from './views.js';

export const callbacksRouter = createRouter();

callbacksRouter.openapi(requestCallbackRoute, async (c) => {
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
});

callbacksRouter.openapi(listCallbacksRoute, async (c) => {
  const query = c.req.valid('query');
  const assigneeId = query.assignee === 'me' ? c.var.principal.userId : query.assignee;
  const rows = await listCallbacks(c.var.services.db, { view: query.view, assigneeId, group: query.group, limit: query.limit, offset: query.offset });
  return c.json({ items: rows.map(callbackViewOfRow) }, 200);
});

callbacksRouter.openapi(getCallbackRoute, async (c) => {
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
});

callbacksRouter.openapi(callbackActionRoute, async (c) => {
  const { id, action } = c.req.valid('param');
  const result = await runCallbackAction(c.var.services, standaloneWorkflowId(id), action, c.req.valid('json'), actorOf(c.var.principal));
  return c.json({ ...callbackViewOfRecord(result), ...(result.openedIncident ? { openedIncident: result.openedIncident } : {}) }, 200);
});
