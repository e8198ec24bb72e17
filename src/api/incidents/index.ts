// /api/incidents: reads come from Postgres; every change goes to the workflow as an update.
import { NotFound } from '../../domain/errors.js';
import { openIncident, type IncidentState } from '../../domain/incident/state.js';
import { queryIncidentState, sendIncidentCommand } from '../../services/incident-commands.js';
import { assetLookupOf } from '../../services/entitlement.js';
import { contractCover, openIncidentFromRequest } from '../../services/incident-intake.js';
import { escalationHistory, findIncident, findIntake, incidentTimeline, requireIncident } from '../../services/incident-queries.js';
import { knownGroup, staffByRef } from '../../services/directory/staff.js';
import { listIncidents } from '../../services/incident-list.js';
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import type { UpdateDefinition } from '@temporalio/common';
import type { Context } from 'hono';
import {
  addNoteUpdate,
  assignUpdate,
  changeContractUpdate,
  changePriorityUpdate,
  closeUpdate,
  customerMessageUpdate,
  reopenUpdate,
  replyUpdate,
  resolveUpdate,
  resumeUpdate,
  setPendingUpdate,
  type Command,
} from '../../workflows/incident/messages.js';
import { actorOf } from '../auth.js';
import { checkBreachCause, correctBreachCause } from '../../services/reports/breach-causes.js';
import { incidentKnowledge } from '../../services/kb/index.js';
import { createRouter, type AppEnv } from '../context.js';
import {
  addNoteRoute,
  assignRoute,
  closeRoute,
  contractRoute,
  createIncidentRoute,
  customerMessageRoute,
  getIncidentRoute,
  getTimelineRoute,
  listIncidentsRoute,
  pendingRoute,
  priorityRoute,
  reopenRoute,
  replyRoute,
  resolveRoute,
  breachCauseRoute,
  resumeRoute,
} from './routes.js';
import { escalationViews, incidentView, incidentViewOfState, instantOrDayStart, timelineEventView } from './views.js';

export const incidentsRouter = createRouter();

incidentsRouter.openapi(createIncidentRoute, async (c) => {
  const idempotencyKey = c.req.valid('header')['idempotency-key'];
  const { incident, started, replayed } = await openIncidentFromRequest(c.var.services, c.req.valid('json'), { actor: actorOf(c.var.principal), idempotencyKey });
  c.header('Location', `/api/incidents/${incident.number}`);
  if (replayed) c.header('Idempotency-Replayed', 'true');
  return c.json(incidentViewOfState(incident), started ? 201 : 202);
});

incidentsRouter.openapi(listIncidentsRoute, async (c) => {
  const query = c.req.valid('query');
  const { db, timezone } = c.var.services;
  const zone = timezone ?? defaultBusinessTimezone;
  const page = await listIncidents(db, {
    statuses: query.status,
    priorities: query.priority,
    customerNumber: query.customerNumber,
    assigneeId: query.assignee === 'me' ? c.var.principal.userId : query.assignee,
    group: query.group,
    minEscalationLevel: query.escalationLevel,
    breached: query.breached,
    receivedFrom: query.receivedFrom === undefined ? undefined : instantOrDayStart(query.receivedFrom, zone),
    receivedTo: query.receivedTo === undefined ? undefined : instantOrDayStart(query.receivedTo, zone),
    q: query.q,
    sort: query.sort,
    cursor: query.cursor,
    withTotal: query.total ?? query.cursor === undefined,
    limit: query.limit,
    offset: query.offset,
  });
  return c.json({ items: page.rows.map((row) => incidentView(row)), total: page.total, limit: query.limit, offset: query.offset ?? 0, nextCursor: page.nextCursor }, 200);
});

incidentsRouter.openapi(getIncidentRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { db, temporal } = c.var.services;
  const row = await findIncident(db, number);
  if (row) {
    const view = incidentView(row);
    const [escalations, knowledge] = await Promise.all([view.sla ? escalationHistory(db, number) : [], incidentKnowledge(db, row)]);
    if (view.sla) view.sla.escalations = escalationViews(escalations, view.sla.zone);
    return c.json({ ...view, ...knowledge }, 200);
  }
  const recorded = await findIntake(db, number);
  if (!recorded) throw new NotFound(`Incident ${number} does not exist.`);
  // Just opened: the workflow has not written its projection yet, or not even started.
  const state = recorded.started ? await queryIncidentState(temporal, number) : openIncident(recorded.intake).state;
  return c.json(incidentViewOfState(state), 200);
});

incidentsRouter.openapi(getTimelineRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { db } = c.var.services;
  if (!(await findIncident(db, number)) && !(await findIntake(db, number))) throw new NotFound(`Incident ${number} does not exist.`);
  const events = await incidentTimeline(db, number);
  return c.json(
    {
      number,
      events: events.map(timelineEventView),
    },
    200,
  );
});

incidentsRouter.openapi(assignRoute, async (c) => {
  const { number } = c.req.valid('param');
  const body = c.req.valid('json');
  const { db } = c.var.services;
  const assignee = await staffByRef(db, { id: body.assigneeId, email: body.assigneeEmail }, ['assigneeId', 'assigneeEmail']);
  const group = body.group ? await knownGroup(db, body.group) : null;
  return c.json(await command(c, number, assignUpdate, { assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null, group }), 200);
});

/** Sends one command to the incident's workflow and answers with the incident after it. */
async function command<I>(c: Context<AppEnv>, number: string, update: UpdateDefinition<IncidentState, [Command<I>]>, input: I) {
  const { db, temporal } = c.var.services;
  await requireIncident(db, number);
  // With an Idempotency-Key, a command sent again (after a 503 past the deadline) is the same update: taken once.
  const key = c.req.header('idempotency-key');
  const updateId = key ? `api:${c.var.principal.userId}:${key}` : undefined;
  const state = await sendIncidentCommand(temporal, number, update, { ...input, actor: actorOf(c.var.principal) }, updateId ? { updateId } : {});
  return incidentViewOfState(state);
}

incidentsRouter.openapi(addNoteRoute, async (c) => c.json(await command(c, c.req.valid('param').number, addNoteUpdate, c.req.valid('json')), 200));
incidentsRouter.openapi(replyRoute, async (c) => c.json(await command(c, c.req.valid('param').number, replyUpdate, c.req.valid('json')), 200));
incidentsRouter.openapi(resolveRoute, async (c) => {
  const body = c.req.valid('json');
  if (body.breachCause) checkBreachCause(body.breachCause, c.var.services.breachCauses);
  return c.json(await command(c, c.req.valid('param').number, resolveUpdate, body), 200);
});
incidentsRouter.openapi(breachCauseRoute, async (c) =>
  c.json(await correctBreachCause(c.var.services.db, c.req.valid('param').number, c.req.valid('json'), actorOf(c.var.principal), c.var.services.breachCauses), 200),
);
incidentsRouter.openapi(closeRoute, async (c) => c.json(await command(c, c.req.valid('param').number, closeUpdate, {}), 200));
incidentsRouter.openapi(customerMessageRoute, async (c) => c.json(await command(c, c.req.valid('param').number, customerMessageUpdate, c.req.valid('json')), 200));
incidentsRouter.openapi(pendingRoute, async (c) => c.json(await command(c, c.req.valid('param').number, setPendingUpdate, c.req.valid('json')), 200));
incidentsRouter.openapi(resumeRoute, async (c) => c.json(await command(c, c.req.valid('param').number, resumeUpdate, {}), 200));
incidentsRouter.openapi(priorityRoute, async (c) => c.json(await command(c, c.req.valid('param').number, changePriorityUpdate, c.req.valid('json')), 200));
incidentsRouter.openapi(reopenRoute, async (c) => c.json(await command(c, c.req.valid('param').number, reopenUpdate, c.req.valid('json')), 200));

incidentsRouter.openapi(contractRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { contractNumber, reason } = c.req.valid('json');
  const { db, temporal } = c.var.services;
  await requireIncident(db, number);
  // The contract must be the incident's customer's; the projection may lag, the workflow knows.
  const row = await findIncident(db, number);
  const incident = row
    ? { customerId: row.customerId, asset: assetLookupOf(row) }
    : await queryIncidentState(temporal, number).then((s) => ({ customerId: s.customer?.id ?? null, asset: assetLookupOf({ entitlement: s.entitlement ?? null, assetId: s.asset?.id ?? null, serialNumber: s.asset?.serialNumber ?? null }) }));
  const cover = await contractCover(c.var.services, incident, contractNumber);
  return c.json(await command(c, number, changeContractUpdate, { ...cover, reason }), 200);
});
