// Writes an incident's timeline event and its projection row in one transaction.
// Idempotent: the event is keyed by (incident number, seq), and the projection never goes back
// in version, so a retry or an out-of-order delivery never writes twice or goes back.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { incidentEvents, incidents } from '../db/schema/index.js';
import type { IncidentEvent, IncidentState } from '../domain/incident/state.js';
import { projectionRow } from '../db/projection.js';

export interface RecordIncidentEventInput {
  incident: IncidentState;
  event: IncidentEvent;
}

export function createIncidentProjectionActivities(deps: { db: Db }) {
  return {
    recordIncidentEvent: async ({ incident, event }: RecordIncidentEventInput): Promise<void> => {
      const row = projectionRow(incident);
      const { number: _number, ...changes } = row;
      await deps.db.transaction(async (tx) => {
        await tx
          .insert(incidents)
          .values(row)
          .onConflictDoUpdate({
            target: incidents.number,
            set: changes,
            // The same version again may be a newer attempt of the same step (below).
            setWhere: sql`${incidents.version} <= ${row.version}`,
          });
        const written = { type: event.type, actor: event.actor.id, actorName: event.actor.name, payload: event.payload, occurredAt: new Date(event.at) };
        // The last write of a (number, seq) wins: a retry writes the same step again, and were this
        // ever run as a local activity (before its workflow task commits), the attempt that commits
        // is the one that writes last.
        await tx
          .insert(incidentEvents)
          .values({ incidentNumber: incident.number, seq: event.seq, ...written })
          .onConflictDoUpdate({ target: [incidentEvents.incidentNumber, incidentEvents.seq], set: written });
      });
    },
  };
}
