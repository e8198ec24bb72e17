// What an agent can tell a callback: assign, log a call, cancel, attach to an incident, or open an
// incident for it (a standalone callback attached either way leaves a note on the incident's
// timeline). Shared by /api/callbacks/{id}/{action} and the incident's follow-up route.
import type { z } from '@hono/zod-openapi';
import type { UpdateDefinition } from '@temporalio/common';
import type { CallbackRecord } from '../../domain/callback.js';
import { ValidationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/kernel.js';
import { openIncidentForCallback } from '../../services/callback-incidents.js';
import { currentCallback, noteAttachedCallback } from '../../services/callbacks.js';
import { sendFollowUpCommand } from '../../services/follow-ups.js';
import { knownGroup, staffByRef } from '../../services/directory/staff.js';
import { requireIncident } from '../../services/incident-queries.js';
import { assignCallbackUpdate, attachCallbackToIncidentUpdate, cancelCallbackUpdate, logCallbackCallUpdate } from '../../workflows/callback/messages.js';
import type { ApiServices } from '../context.js';
import { describeIssues } from '../messages.js';
import { actionBodies, callbackActions, type CallbackAction, type OpenedIncident } from './schemas.js';

export type CallbackActionResult = CallbackRecord & { openedIncident?: z.infer<typeof OpenedIncident> };

/** The body as the action expects it; the first problem is a 400 naming its field. */
function parseBody<A extends CallbackAction>(action: A, body: unknown): z.infer<(typeof actionBodies)[A]> {
  const parsed = actionBodies[action].safeParse(body ?? {});
  if (parsed.success) return parsed.data as z.infer<(typeof actionBodies)[A]>;
  const [first] = describeIssues(parsed.error, 'json', body ?? {});
  throw new ValidationError(first!.message, first!.field);
}

/** Runs `action` on the callback workflow `workflowId` as `actor`; answers the callback after it. */
export async function runCallbackAction(services: ApiServices, workflowId: string, action: string, body: unknown, actor: Actor): Promise<CallbackActionResult> {
  if (!(callbackActions as readonly string[]).includes(action)) throw new ValidationError(`A callback has no action ${action}; it has ${callbackActions.join(', ')}.`, 'action');
  parseBody(action as CallbackAction, body); // a bad body is a 400 before anything is looked up
  // A clear 404 for a callback that never existed (an update would only say "not open").
  const current = await currentCallback(services, workflowId);
  const send = <I extends object>(update: UpdateDefinition<CallbackRecord, [I & { actor: Actor }]>, input: I, updateId?: string) =>
    sendFollowUpCommand(services.temporal, { workflowId }, update, { ...input, actor }, { updateId });
  switch (action as CallbackAction) {
    case 'assign': {
      const input = parseBody('assign', body);
      const assignee = await staffByRef(services.db, { id: input.assigneeId, email: input.assigneeEmail }, ['assigneeId', 'assigneeEmail']);
      const group = input.group ? await knownGroup(services.db, input.group) : null;
      return send(assignCallbackUpdate, { assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null, group });
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
      return openIncidentForCallback(services, current, parseBody('open-incident', body), actor);
  }
}
