// Writes an incident's timeline event, its projection row and its SLA facts in one transaction.
// Idempotent: the event is keyed by (incident number, seq), the projection never goes back in
// version, and the facts are the difference between the row before and the step (keyed by the
// step), so a retry or an out-of-order delivery never writes twice or goes back.
import { and, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { incidentBreachCauses, incidentEvents, incidents, slaFacts } from '../db/schema/index.js';
import type { IncidentEvent, IncidentState } from '../domain/incident/state.js';
import { projectionRow } from '../db/projection.js';
import { cycleKey, slaFactsOf, type FactsBefore } from '../domain/sla-facts.js';
import { insertFacts } from '../db/sla-facts.js';
import { breachCauseOf } from '../domain/breach-causes.js';

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
        // The row as it was (locked, so two steps of one incident take turns): the facts are what changed.
        const [before] = await tx
          .select({
            version: incidents.version,
            priority: incidents.priority,
            slaClocks: incidents.slaClocks,
            firstResponse: incidents.firstResponseDueAt,
            nextResponse: incidents.nextResponseDueAt,
            resolution: incidents.resolutionDueAt,
            policyId: sql<string | null>`${incidents.slaPolicy}->>'id'`,
            policyVersion: sql<number | null>`(${incidents.slaPolicy}->>'version')::int`,
          })
          .from(incidents)
          .where(eq(incidents.number, incident.number))
          .for('update');
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
        // A step older than the row (delivered out of order) changed nothing the row does not show;
        // the same step again (a retry whose first attempt committed) finds its facts written.
        if (!before || before.version < event.seq) {
          const prior: FactsBefore | null = before
            ? {
                clocks: before.slaClocks ?? null,
                due: { firstResponse: iso(before.firstResponse), nextResponse: iso(before.nextResponse), resolution: iso(before.resolution) },
                priority: before.priority,
                policyId: before.policyId,
                policyVersion: before.policyVersion === null ? null : Number(before.policyVersion),
              }
            : null;
          await writeFacts(tx, incident.number, event.seq, prior, incident, event);
        } else if (event.type === 'escalation_changed') {
          // Level facts come from the step itself, whatever order it arrives in.
          await insertFacts(tx, incident.number, event.seq, slaFactsOf(null, incident, event).filter((f) => f.kind === 'level'));
        }
        const cause = event.type === 'resolved' ? breachCauseOf(event.payload) : undefined;
        if (cause) {
          await tx
            .insert(incidentBreachCauses)
            .values({ incidentNumber: incident.number, seq: event.seq, cause: cause.cause, note: cause.note ?? null, actor: event.actor.id, actorName: event.actor.name, recordedAt: new Date(event.at) })
            .onConflictDoNothing();
        }
      });
    },
  };
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The step's facts; the overdue ones once per cycle (the log is asked which cycles have theirs). */
async function writeFacts(tx: Tx, number: string, seq: number, before: FactsBefore | null, incident: IncidentState, event: IncidentEvent): Promise<void> {
  let facts = slaFactsOf(before, incident, event);
  if (facts.some((f) => f.kind === 'overdue')) {
    const recorded = await tx
      .select({ target: slaFacts.target, cycle: slaFacts.cycleStartedAt })
      .from(slaFacts)
      .where(and(eq(slaFacts.incidentNumber, number), eq(slaFacts.kind, 'overdue')));
    const keys = new Set(recorded.flatMap((r) => (r.cycle && r.target !== 'none' ? [cycleKey(r.target, r.cycle.toISOString())] : [])));
    if (keys.size > 0) facts = slaFactsOf(before, incident, event, keys);
  }
  await insertFacts(tx, number, seq, facts);
}
