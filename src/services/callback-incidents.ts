// Opening an incident for a callback: for the callback's customer and contact, with its calls in
// the description, attached to the callback once, however often it is asked.
import { isOpenCallback, type CallbackRecord } from '../domain/callback.js';
import type { Priority } from '../domain/enums.js';
import { IllegalTransition, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/kernel.js';
import { attachCallbackToIncidentUpdate } from '../workflows/callback/messages.js';
import { noteAttachedCallback } from './callbacks.js';
import { sendFollowUpCommand } from './follow-ups.js';
import { incidentOpenedByKey, openIncidentFromRequest, type IntakeDeps } from './incident-intake.js';

export interface OpenIncidentForCallback {
  title?: string | undefined;
  description?: string | undefined;
  priority?: Priority | undefined;
  customerNumber?: string | undefined;
  contactEmail?: string | undefined;
}

export interface OpenedIncident {
  number: string;
  href: string;
  /** An earlier open-incident of this callback opened it already. */
  replayed: boolean;
  /** The callback is attached to it (false when the callback had ended already). */
  attached: boolean;
}

/**
 * Opens an incident (channel phone) for the callback's customer and attaches the callback to it.
 * The intake's Idempotency-Key is derived from the callback, so a retry (or a second click)
 * answers with the same incident instead of opening another one.
 */
export async function openIncidentForCallback(deps: IntakeDeps, record: CallbackRecord, input: OpenIncidentForCallback, actor: Actor): Promise<CallbackRecord & { openedIncident: OpenedIncident }> {
  if (record.state === 'cancelled') throw new IllegalTransition(`Callback ${record.workflowId} is cancelled; no incident is opened for it.`);
  const keyScope = `callback:${record.workflowId}`;
  const idempotencyKey = 'open-incident';
  const d = record.details;
  if (d.incidentNumber !== null) {
    if ((await incidentOpenedByKey(deps.db, keyScope, idempotencyKey)) !== d.incidentNumber) throw new IllegalTransition(`Callback ${record.workflowId} belongs to incident ${d.incidentNumber} already.`);
    await noteAttachedCallback(deps, record, d.incidentNumber, actor);
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
    deps,
    { title: input.title ?? d.topic, description, customerNumber, contactEmail, priority: input.priority, channel: 'phone' },
    { actor, idempotencyKey, keyScope },
  );
  const opened = { number: incident.number, href: `/api/incidents/${incident.number}`, replayed };
  // An ended callback (done, perhaps with "needs an incident") takes no more commands: the incident stands alone.
  if (!isOpenCallback(record)) return { ...record, openedIncident: { ...opened, attached: false } };
  const attached = await sendFollowUpCommand(deps.temporal, record, attachCallbackToIncidentUpdate, { incidentNumber: incident.number, actor }, { updateId: `attach:${incident.number}` });
  await noteAttachedCallback(deps, attached, incident.number, actor);
  return { ...attached, openedIncident: { ...opened, attached: true } };
}
