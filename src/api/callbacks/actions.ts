// What an agent can tell a callback: assign, log a call, cancel, attach to an incident, or open an
// incident for it (a standalone callback attached either way leaves a note on the incident's
// timeline). Shared by /api/callbacks/{id}/{action} and the incident's follow-up route.
import { eq } from 'drizzle-orm';
import type { z } from '@hono/zod-openapi';
import type { UpdateDefinition } from '@temporalio/common';
import { incidentIntakes } from '../../db/schema/index.js';
import { isOpenCallback, type CallbackRecord } from '../../domain/callback.js';
import { IllegalTransition, ValidationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/incident.js';
import { currentCallback, noteAttachedCallback } from '../../services/callbacks.js';
import { sendFollowUpCommand, staffById } from '../../services/follow-ups.js';
import { openIncidentFromRequest } from '../../services/incident-intake.js';
import { assignCallbackUpdate, attachCallbackToIncidentUpdate, cancelCallbackUpdate, logCallbackCallUpdate } from '../../workflows/callback/messages.js';
import type { ApiServices } from '../context.js';
import { requireIncident } from '../incidents/index.js';
import { actionBodies, callbackActions, type CallbackAction, type OpenedIncident } from './schemas.js';

export type CallbackActionResult = CallbackRecord & { openedIncident?: z.infer<typeof OpenedIncident> };

/** The body as the action expects it; the first problem is a 400 naming its field. */
function parseBody<A extends CallbackAction>(action: A, body: unknown): z.infer<(typeof actionBodies)[A]> {
  const parsed = actionBodies[action].safeParse(body ?? {});
  if (parsed.success) return parsed.data as z.infer<(typeof actionBodies)[A]>;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  throw new ValidationError(`${field}: ${issue.message}`, field);
}

/** Runs `action` on the callback workflow `workflowId` as `actor`; answers the callback after it. */
export async function runCallbackAction(services: ApiServices, workflowId: string, action: string, body: unknown, actor: Actor): Promise<CallbackActionResult> {
  if (!(callbackActions as readonly string[]).includes(action)) throw new ValidationError(`A callback has no action ${action}; it has ${callbackActions.join(', ')}.`, 'action');
  // A clear 404 for a callback that never existed (an update would only say "not open").
  const current = await currentCallback(services, workflowId);
  const send = <I extends object>(update: UpdateDefinition<CallbackRecord, [I & { actor: Actor }]>, input: I, updateId?: string) =>
    sendFollowUpCommand(services.temporal, { workflowId }, update, { ...input, actor }, { updateId });
  switch (action as CallbackAction) {
    case 'assign': {
      const input = parseBody('assign', body);
      const assignee = input.assigneeId ? await staffById(services.db, input.assigneeId, 'assigneeId') : null;
      return send(assignCallbackUpdate, { assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null, group: input.group ?? null });
    }
    case 'log-call':
      return send(logCallbackCallUpdate, parseBody('log-call', body));
    case 'cancel':
      return send(cancelCallbackUpdate, parseBody('cancel', body));
    case 'attach': {
      const { incidentNumber } = parseBody('attach', body);
      await requireIncident(services.db, incidentNumber);
      // A retry of an attach whose note went missing (Temporal away after the attach): the note is
      // made sure of; the attach itself is still refused as done (409).
      if (current.details.incidentNumber === incidentNumber) await noteAttachedCallback(services, current, incidentNumber, actor);
      const attached = await send(attachCallbackToIncidentUpdate, { incidentNumber });
      await noteAttachedCallback(services, attached, incidentNumber, actor);
      return attached;
    }
    case 'open-incident':
      return openIncidentFor(services, current, parseBody('open-incident', body), actor);
  }
}

/**
 * Opens an incident (channel phone) for the callback's customer and attaches the callback to it.
 * The intake's Idempotency-Key is derived from the callback, so a retry (or a second click)
 * answers with the same incident instead of opening another one.
 */
async function openIncidentFor(services: ApiServices, record: CallbackRecord, input: z.infer<(typeof actionBodies)['open-incident']>, actor: Actor): Promise<CallbackActionResult> {
  if (record.state === 'cancelled') throw new IllegalTransition(`Callback ${record.workflowId} is cancelled; no incident is opened for it.`);
  const keyScope = `callback:${record.workflowId}`;
  const idempotencyKey = 'open-incident';
  const d = record.details;
  if (d.incidentNumber !== null) {
    const [earlier] = await services.db.select({ number: incidentIntakes.number }).from(incidentIntakes).where(eq(incidentIntakes.idempotencyKey, `${keyScope}:${idempotencyKey}`));
    if (earlier?.number !== d.incidentNumber) throw new IllegalTransition(`Callback ${record.workflowId} belongs to incident ${d.incidentNumber} already.`);
    await noteAttachedCallback(services, record, d.incidentNumber, actor);
    return { ...record, openedIncident: { number: d.incidentNumber, href: `/api/incidents/${d.incidentNumber}`, replayed: true, attached: true } };
  }
  const customerNumber = input.customerNumber ?? record.customerNumber ?? undefined;
  const contactEmail = input.contactEmail ?? d.contactEmail ?? undefined;
  if (!customerNumber && !contactEmail) throw new ValidationError(`customerNumber: callback ${record.workflowId} has no known customer; give customerNumber to open an incident for it.`, 'customerNumber');
  const notes = d.attempts.filter((a) => a.note).map((a) => `- ${a.at} ${a.outcome}: ${a.note}`);
  const description =
    input.description ||
    [`Opened from callback ${record.workflowId}: ${d.contactName} (${d.phone}) about "${d.topic}".`, ...(notes.length ? ['', 'Calls:', ...notes] : [])].join('\n');
  const { incident, replayed } = await openIncidentFromRequest(
    services,
    { title: input.title ?? d.topic, description, customerNumber, contactEmail, priority: input.priority, channel: 'phone' },
    { actor, idempotencyKey, keyScope },
  );
  const opened = { number: incident.number, href: `/api/incidents/${incident.number}`, replayed };
  // An ended callback (done, perhaps with "needs an incident") takes no more commands: the incident stands alone.
  if (!isOpenCallback(record)) return { ...record, openedIncident: { ...opened, attached: false } };
  const attached = await sendFollowUpCommand(services.temporal, record, attachCallbackToIncidentUpdate, { incidentNumber: incident.number, actor }, { updateId: `attach:${incident.number}` });
  await noteAttachedCallback(services, attached, incident.number, actor);
  return { ...attached, openedIncident: { ...opened, attached: true } };
}
