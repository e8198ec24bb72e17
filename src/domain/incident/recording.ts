// A step whose timeline entry Postgres refused for its data (text that slipped past the edge, a
// value out of range). The step stays applied in the workflow; the timeline gets, under the same
// sequence number, an entry that says so in text it can store, and the incident (or follow-up)
// stays workable.
import type { IncidentState, Transition } from './state.js';
import type { Actor } from '../kernel.js';
import { writableCopy, writableText } from '../text.js';

interface TimelineEvent {
  type: string;
  actor: Actor;
  payload: Record<string, unknown>;
}

/** The entry that stands in for a refused one: its type and Postgres' reason, in writable text. */
export function standInEvent<E extends TimelineEvent>(event: E, reason: string): E {
  return { ...event, actor: writableCopy(event.actor), type: 'recording_failed', payload: { eventType: event.type, reason: writableText(reason).slice(0, 2000) } };
}

/** The incident's stand-in entry, and the state with its text made writable. */
export function recordingRefused(step: Transition, reason: string): Transition {
  return { state: writableCopy(step.state), event: standInEvent(step.event, reason) };
}

/** The live state with its text made writable, so the next step's projection write can succeed. */
export const writableState = (state: IncidentState): IncidentState => writableCopy(state);
