// Time entries on incidents, quota draw-down and billing overrides.
import { createRouter } from '../context.js';

/** Mounted at /api/incidents: /{number}/time-entries. */
export const incidentTimeEntriesRouter = createRouter();
/** Mounted at /api/time-entries: /{id} edits, overrides, deletes and the audit trail. */
export const timeEntriesRouter = createRouter();
