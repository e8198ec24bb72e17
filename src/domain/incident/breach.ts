// Resolving a breached incident: staff name the cause, so the reports can say why.
import { IllegalTransition, ValidationError } from '../errors.js';
import type { Actor } from '../kernel.js';
import { maxBreachNoteLength } from '../breach-causes.js';
import { incidentSlaPicture } from './sla.js';
import { validateResolve, type IncidentState, type ResolveInput } from './state.js';

/** Whether the incident's SLA was breached by `at`: a target missed before, or one overdue now. */
export function wasBreached(state: IncidentState, at: Date): boolean {
  return state.slaBreached || Boolean(incidentSlaPicture(state, at)?.breached);
}

/**
 * The resolve's validator: a member of staff resolving a breached incident gives the cause (a
 * contact closing their own request in the portal cannot). Checked before the update enters
 * history only, so histories from before replay as they were.
 */
export function validateResolveRequest(state: IncidentState, input: ResolveInput & { actor: Actor }, at: Date): void {
  validateResolve(state, input);
  if (input.breachCause?.note !== undefined && input.breachCause.note !== null && input.breachCause.note.length > maxBreachNoteLength) {
    throw new ValidationError(`breachCause.note is longer than ${maxBreachNoteLength} characters.`, 'breachCause.note');
  }
  if (!input.actor.id.startsWith('user:') || input.breachCause) return;
  if (wasBreached(state, at)) {
    throw new IllegalTransition(`breachCause is required: the SLA of ${state.number} was breached, so resolving it needs the cause (breachCause.cause, and breachCause.note for "other").`, 'breachCause');
  }
}
