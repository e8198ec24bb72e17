// /api/incidents/{number}/follow-ups: start follow-up work (service orders, changes) as child
// workflows of the incident, read it, tell it what happened, or detach it (agents and above).
import { createRoute, z } from '@hono/zod-openapi';
import type { UpdateDefinition } from '@temporalio/common';
import { NotFound } from '../../domain/errors.js';
import { earlierLink, type ChildKind } from '../../domain/incident/follow-ups.js';
import { incidentWorkflowId } from '../../domain/workflow-ids.js';
import { openChildTicket } from '../../services/child-tickets.js';
import { requestCallback } from '../../services/callbacks.js';
import { queryIncidentState, sendIncidentCommand } from '../../services/incident-commands.js';
import { runCallbackAction } from '../callbacks/actions.js';
import { callbackViewOfRecord } from '../callbacks/index.js';
import { findFollowUp, followUpsOf, followUpTimeline, sendFollowUpCommand, staffByEmail, staffById, type FollowUpItem } from '../../services/follow-ups.js';
import * as changeMessages from '../../workflows/change/messages.js';
import { createFollowUpUpdate, detachFollowUpUpdate, type FollowUpChildStart } from '../../workflows/incident/messages.js';
import * as orderMessages from '../../workflows/service-order/messages.js';
import { actorOf, requireRole } from '../auth.js';
import { idempotencyHeader, json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { Incident, ReasonBody } from '../incidents/schemas.js';
import { requireIncident } from '../incidents/index.js';
import { incidentViewOfState, timelineEventView } from '../incidents/views.js';
import { ActionBody, CreateFollowUpBody, FollowUp, FollowUpActionParam, FollowUpRefParam, FollowUpWithTimeline, followUpActions } from './schemas.js';
import { IncidentNumberParam } from '../incidents/schemas.js';

const tags = ['Follow-ups'];
const security = [{ bearerAuth: [] }];

const CreatedFollowUp = Incident.extend({
  followUp: z.object({ ref: z.string().nullable(), workflowId: z.string(), number: z.string().nullable().openapi({ description: "A child ticket's own incident number." }) }),
});

const view = (row: FollowUpItem): z.infer<typeof FollowUp> => ({
  ref: row.ref,
  workflowId: row.workflowId,
  kind: row.kind,
  title: row.title,
  state: row.state,
  ended: row.ended,
  assigneeId: row.assigneeId,
  dueAt: row.dueAt?.toISOString() ?? null,
  details: row.details,
  updatedAt: row.updatedAt.toISOString(),
});


export const followUpsRouter = createRouter();
followUpsRouter.use('/:number/follow-ups', requireRole('agent'));
followUpsRouter.use('/:number/follow-ups/*', requireRole('agent'));

followUpsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{number}/follow-ups',
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
  }),
  async (c) => {
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
      const assignee = body.assigneeId ? await staffById(services.db, body.assigneeId, 'assigneeId') : undefined;
      const idempotencyKey = c.req.valid('header')['idempotency-key'];
      const opened = await openChildTicket(services, number, { ...body, assignee }, { actor, idempotencyKey });
      if (opened.replayed) c.header('Idempotency-Replayed', 'true');
      const link = earlierLink(opened.parent, { kind: 'child_ticket', title: body.title, childNumber: opened.child.number });
      c.header('Location', `/api/incidents/${opened.child.number}`);
      return c.json({ ...incidentViewOfState(opened.parent), followUp: { ref: link?.ref ?? null, workflowId: incidentWorkflowId(opened.child.number), number: opened.child.number } }, opened.started ? 201 : 202);
    }
    let child: FollowUpChildStart;
    if (body.kind === 'service_order') {
      child = { location: body.location, description: body.description || body.title };
    } else {
      const approvers = await staffByEmail(services.db, body.approverEmails, 'approverEmails');
      const [manager] = await staffByEmail(services.db, [body.changeManagerEmail], 'changeManagerEmail');
      child = { description: body.description || body.title, changeType: body.changeType, approvers: approvers.map((a) => a.id), changeManagerId: manager!.id, approvalHours: body.approvalHours };
    }
    // With an Idempotency-Key a retry finds the link the first request made (the incident keeps the key with the link).
    const key = c.req.valid('header')['idempotency-key'];
    const requestKey = key ? `${actor.id}:${key}` : undefined;
    const followUp = { kind: body.kind, title: body.title, waitFor: body.waitFor, child, actor, requestKey };
    const state = await sendIncidentCommand(services.temporal, number, createFollowUpUpdate, followUp);
    const link = earlierLink(state, followUp) ?? state.followUps!.at(-1)!;
    return c.json({ ...incidentViewOfState(state), followUp: { ref: link.ref, workflowId: link.workflowId, number: null } }, 201);
  },
);

followUpsRouter.openapi(
  createRoute({ method: 'get', path: '/{number}/follow-ups', tags, security, summary: 'List the follow-up work of an incident', request: { params: IncidentNumberParam }, responses: { 200: { description: 'Its follow-ups, oldest first.', content: json(z.object({ items: z.array(FollowUp) })) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => {
    const { number } = c.req.valid('param');
    await requireIncident(c.var.services.db, number);
    return c.json({ items: (await followUpsOf(c.var.services.db, number)).map(view) }, 200);
  },
);

followUpsRouter.openapi(
  createRoute({ method: 'get', path: '/{number}/follow-ups/{ref}', tags, security, summary: 'One follow-up with its timeline', request: { params: FollowUpRefParam }, responses: { 200: { description: 'The follow-up.', content: json(FollowUpWithTimeline) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => {
    const { number, ref } = c.req.valid('param');
    const row = await findFollowUp(c.var.services.db, number, ref);
    const events = (await followUpTimeline(c.var.services.db, row)).map(timelineEventView);
    return c.json({ ...view(row), events }, 200);
  },
);

followUpsRouter.openapi(
  createRoute({ method: 'post', path: '/{number}/follow-ups/{ref}/detach', tags, security, summary: 'Detach a follow-up', description: 'The follow-up runs on, but no longer holds the incident waiting or from closing.', request: { params: FollowUpRefParam, body: { required: true, content: json(ReasonBody) } }, responses: { 200: { description: 'The incident after the change.', content: json(Incident) }, ...problemResponses(400, 401, 403, 404, 409, 503) } }),
  async (c) => {
    const { number, ref } = c.req.valid('param');
    await requireIncident(c.var.services.db, number);
    const state = await sendIncidentCommand(c.var.services.temporal, number, detachFollowUpUpdate, { ref, reason: c.req.valid('json').reason, actor: actorOf(c.var.principal) });
    return c.json(incidentViewOfState(state), 200);
  },
);

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

followUpsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/{number}/follow-ups/{ref}/{action}',
    tags,
    security,
    summary: 'Tell a follow-up what happened',
    description: `Actions by kind: ${Object.entries(followUpActions).map(([kind, actions]) => `${kind}: ${actions.join(', ')}`).join('; ')}. The follow-up's workflow checks the step (400 or 409 when it does not fit) and records it on its timeline with you as the actor; a change's decision counts only from a named approver, or from the change manager deciding for all approvers with a reason (comment); anyone else gets 403. A child ticket has no actions here: it is an incident, worked at /api/incidents/{its number}.`,
    request: { params: FollowUpActionParam, body: { required: true, content: json(ActionBody) } },
    responses: { 200: { description: 'The follow-up after the step.', content: json(z.record(z.string(), z.unknown())) }, ...problemResponses(400, 401, 403, 404, 409, 503) },
  }),
  async (c) => {
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
    if (kind === 'service_order' && action === 'schedule') {
      const technicianId = typeof input.technicianId === 'string' ? input.technicianId : '';
      const { id, name } = await staffById(c.var.services.db, technicianId, 'technicianId');
      input = { technician: { id, name }, appointment: { from: input.from, to: input.to } };
    }
    const record = await sendFollowUpCommand(c.var.services.temporal, row, update, { ...input, actor: actorOf(c.var.principal) } as never);
    return c.json(record as Record<string, unknown>, 200);
  },
);
