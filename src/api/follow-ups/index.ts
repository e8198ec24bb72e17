// /api/incidents/{number}/follow-ups: start follow-up work (service orders, changes) as child
// workflows of the incident, read it, tell it what happened, or detach it (agents and above).
import type { UpdateDefinition } from '@temporalio/common';
import { NotFound, ValidationError } from '../../domain/errors.js';
import { earlierLink, type ChildKind } from '../../domain/incident/follow-ups.js';
import { incidentWorkflowId } from '../../domain/workflow-ids.js';
import { openChildTicket } from '../../services/child-tickets.js';
import { requestCallback } from '../../services/callbacks.js';
import { queryIncidentState, sendIncidentCommand } from '../../services/incident-commands.js';
import { findFollowUp, followUpsOf, followUpTimeline, sendFollowUpCommand } from '../../services/follow-ups.js';
import { knownGroup, staffByEmail, staffById, staffByRef } from '../../services/directory/staff.js';
import { requireIncident } from '../../services/incident-queries.js';
import * as changeMessages from '../../workflows/change/messages.js';
import { createFollowUpUpdate, detachFollowUpUpdate, type FollowUpChildStart } from '../../workflows/incident/messages.js';
import * as orderMessages from '../../workflows/service-order/messages.js';
import { actorOf } from '../auth.js';
import { runCallbackAction } from '../callbacks/actions.js';
import { callbackViewOfRecord } from '../callbacks/views.js';
import { createRouter } from '../context.js';
import { closest } from '../messages.js';
import { incidentViewOfState, timelineEventView } from '../incidents/views.js';
import { createFollowUpRoute, detachFollowUpRoute, followUpActionRoute, getFollowUpRoute, listFollowUpsRoute } from './routes.js';
import { followUpActionFields, followUpActions } from './schemas.js';
import { followUpView } from './views.js';

export const followUpsRouter = createRouter();

/** A 400 for the first field the action does not take, with the closest one it does. */
function refuseUnknownFields(input: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(input).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  const suggestion = closest(unknown, known);
  const takes = known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes no fields';
  throw new ValidationError(`unknown field "${unknown}"${suggestion ? `; did you mean "${suggestion}"?` : ''} (${takes})`, unknown);
}

followUpsRouter.openapi(createFollowUpRoute, async (c) => {
  const { number } = c.req.valid('param');
  const body = c.req.valid('json');
  const actor = actorOf(c.var.principal);
  const services = c.var.services;
  await requireIncident(services.db, number);
  if (body.kind === 'callback') {
    const { kind: _kind, ...request } = body;
    const requested = await requestCallback(services, { ...request, incidentNumber: number }, actor, { idempotencyKey: c.req.valid('header')['idempotency-key'] });
    const state = await queryIncidentState(services.temporal, number);
    c.header('Location', requested.href);
    return c.json({ ...incidentViewOfState(state), followUp: { ref: requested.record.workflowId.split('/')[1] ?? null, workflowId: requested.record.workflowId, number: null } }, 201);
  }
  if (body.kind === 'child_ticket') {
    const assignee = await staffByRef(services.db, { id: body.assigneeId, email: body.assigneeEmail }, ['assigneeId', 'assigneeEmail']);
    if (body.group) await knownGroup(services.db, body.group);
    const idempotencyKey = c.req.valid('header')['idempotency-key'];
    const { assigneeEmail: _assigneeEmail, ...ticket } = body;
    const opened = await openChildTicket(services, number, { ...ticket, assignee }, { actor, idempotencyKey });
    if (opened.replayed) c.header('Idempotency-Replayed', 'true');
    const link = earlierLink(opened.parent, { kind: 'child_ticket', title: body.title, childNumber: opened.child.number });
    c.header('Location', `/api/incidents/${opened.child.number}`);
    return c.json({ ...incidentViewOfState(opened.parent), followUp: { ref: link?.ref ?? null, workflowId: incidentWorkflowId(opened.child.number), number: opened.child.number } }, opened.started ? 201 : 202);
  }
  let child: FollowUpChildStart;
  if (body.kind === 'service_order') {
    child = { location: body.location, description: body.description || body.title };
  } else {
    const byEmail = await staffByEmail(services.db, body.approverEmails, 'approverEmails');
    const byId = await Promise.all(body.approverIds.map((id, i) => staffById(services.db, id, `approverIds.${i}`)));
    const approvers = [...new Set([...byEmail, ...byId].map((a) => a.id))];
    const manager = await staffByRef(services.db, { id: body.changeManagerId, email: body.changeManagerEmail }, ['changeManagerId', 'changeManagerEmail']);
    if (!manager) throw new ValidationError('changeManagerEmail: give the change manager, by changeManagerEmail or changeManagerId.', 'changeManagerEmail');
    child = { description: body.description || body.title, changeType: body.changeType, approvers, changeManagerId: manager.id, approvalHours: body.approvalHours };
  }
  // With an Idempotency-Key a retry finds the link the first request made (the incident keeps the key with the link).
  const key = c.req.valid('header')['idempotency-key'];
  const requestKey = key ? `${actor.id}:${key}` : undefined;
  const followUp = { kind: body.kind, title: body.title, waitFor: body.waitFor, child, actor, requestKey };
  const state = await sendIncidentCommand(services.temporal, number, createFollowUpUpdate, followUp);
  const link = earlierLink(state, followUp) ?? state.followUps!.at(-1)!;
  return c.json({ ...incidentViewOfState(state), followUp: { ref: link.ref, workflowId: link.workflowId, number: null } }, 201);
});

followUpsRouter.openapi(listFollowUpsRoute, async (c) => {
  const { number } = c.req.valid('param');
  await requireIncident(c.var.services.db, number);
  return c.json({ items: (await followUpsOf(c.var.services.db, number)).map(followUpView) }, 200);
});

followUpsRouter.openapi(getFollowUpRoute, async (c) => {
  const { number, ref } = c.req.valid('param');
  const row = await findFollowUp(c.var.services.db, number, ref);
  const events = (await followUpTimeline(c.var.services.db, row)).map(timelineEventView);
  return c.json({ ...followUpView(row), events }, 200);
});

followUpsRouter.openapi(detachFollowUpRoute, async (c) => {
  const { number, ref } = c.req.valid('param');
  await requireIncident(c.var.services.db, number);
  const state = await sendIncidentCommand(c.var.services.temporal, number, detachFollowUpUpdate, { ref, reason: c.req.valid('json').reason, actor: actorOf(c.var.principal) });
  return c.json(incidentViewOfState(state), 200);
});

/** The update behind each action of each kind; a service order's schedule names the technician by id. */
const updates: Partial<Record<ChildKind, Record<string, UpdateDefinition<unknown, [never]>>>> = {
  service_order: {
    schedule: orderMessages.scheduleServiceOrderUpdate,
    start: orderMessages.startServiceOrderUpdate,
    complete: orderMessages.completeServiceOrderUpdate,
    cancel: orderMessages.cancelServiceOrderUpdate,
  } as never,
  hardware_change: changeUpdates(),
  software_change: changeUpdates(),
};
function changeUpdates() {
  return {
    assess: changeMessages.assessChangeUpdate,
    submit: changeMessages.submitChangeUpdate,
    decide: changeMessages.decideChangeUpdate,
    schedule: changeMessages.scheduleChangeUpdate,
    implement: changeMessages.implementChangeUpdate,
    review: changeMessages.reviewChangeUpdate,
    close: changeMessages.closeChangeUpdate,
    'roll-back': changeMessages.rollBackChangeUpdate,
  } as never;
}

followUpsRouter.openapi(followUpActionRoute, async (c) => {
  const { number, ref, action } = c.req.valid('param');
  const row = await findFollowUp(c.var.services.db, number, ref);
  const kind = row.kind;
  if (kind === 'callback') {
    const result = await runCallbackAction(c.var.services, row.workflowId, action, c.req.valid('json'), actorOf(c.var.principal));
    return c.json({ ...callbackViewOfRecord(result), ...(result.openedIncident ? { openedIncident: result.openedIncident } : {}) }, 200);
  }
  const update = updates[kind]?.[action];
  if (kind === 'child_ticket') throw new NotFound(`A child ticket is an incident of its own: work it at /api/incidents/${String(row.details.number)}.`);
  if (!update) throw new NotFound(`A ${kind.replace('_', ' ')} has no action ${action}; it has ${followUpActions[kind].join(', ')}.`);
  let input: Record<string, unknown> = c.req.valid('json');
  refuseUnknownFields(input, followUpActionFields[kind][action] ?? []);
  if (kind === 'service_order' && action === 'schedule') {
    const ref = { id: typeof input.technicianId === 'string' ? input.technicianId : undefined, email: typeof input.technicianEmail === 'string' ? input.technicianEmail : undefined };
    const technician = await staffByRef(c.var.services.db, ref, ['technicianId', 'technicianEmail']);
    if (!technician) throw new ValidationError('technicianId: give the technician, by technicianId or technicianEmail.', 'technicianId');
    const { id, name } = technician;
    input = { technician: { id, name }, appointment: { from: input.from, to: input.to } };
  }
  const record = await sendFollowUpCommand(c.var.services.temporal, row, update, { ...input, actor: actorOf(c.var.principal) } as never);
  return c.json(record as Record<string, unknown>, 200);
});
