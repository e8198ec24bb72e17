// A step whose timeline entry Postgres refused for its data (text that slipped past the edge, a
// value out of range). The step stays applied in the workflow; the timeline gets, under the same
// sequence number, an entry that says so in text it can store, and the incident stays workable.
import type { IncidentState, Transition } from './incident.js';
import { writableCopy, writableText } from './text.js';

/** The entry that stands in for a refused one, and the state with its text made writable. */
export function recordingRefused(step: Transition, reason: string): Transition {
  return {
    state: writableCopy(step.state),
    event: {
      ...step.event,
      actor: writableCopy(step.event.actor),
      type: 'recording_failed',
      payload: { eventType: step.event.type, reason: writableText(reason).slice(0, 2000) },
    },
  };
}

/** The live state with its text made writable, so the next step's projection write can succeed. */
export const writableState = (state: IncidentState): IncidentState => writableCopy(state);
