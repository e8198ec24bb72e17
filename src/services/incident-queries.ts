// Reads of the incident projection in Postgres: single incidents and timelines (the list: incident-list.ts).
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { incidentEvents, incidentIntakes, incidents } from '../db/schema/index.js';
import { NotFound, Unavailable } from '../domain/errors.js';
import type { IncidentIntake } from '../domain/incident/state.js';

/** A projection row as views read it (without the search vector). */
export type IncidentRow = Omit<typeof incidents.$inferSelect, 'search'>;
/** An entry of an incident's timeline as stored. */
export type IncidentEventRow = typeof incidentEvents.$inferSelect;

export async function findIncident(db: Db, number: string): Promise<IncidentRow | undefined> {
  const [row] = await db.select().from(incidents).where(eq(incidents.number, number));
  return row;
}

/** The intake behind a number: the incident exists from here on, even if its projection lags. */
export async function findIntake(db: Db, number: string): Promise<{ intake: IncidentIntake; started: boolean } | undefined> {
  const [row] = await db.select().from(incidentIntakes).where(eq(incidentIntakes.number, number));
  return row && { intake: row.request as IncidentIntake, started: row.workflowStartedAt !== null };
}

export async function incidentTimeline(db: Db, number: string) {
  return db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, number)).orderBy(asc(incidentEvents.seq));
}

/** The escalation level changes of an incident, oldest first. */
export async function escalationHistory(db: Db, number: string) {
  const rows = await db
    .select()
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentNumber, number), eq(incidentEvents.type, 'escalation_changed')))
    .orderBy(asc(incidentEvents.seq));
  return rows.map((e) => {
    const p = e.payload as { from: number; to: number; name: string; target: string | null; reachedAt?: string | null };
    return { at: e.occurredAt.toISOString(), reachedAt: p.reachedAt ?? null, from: p.from, to: p.to, name: p.name, target: p.target };
  });
}

/** The incident exists and its workflow runs (the projection may lag behind the intake): commands need both, and a clear 404 or 503 beats an update against none. */
export async function requireIncident(db: Db, number: string): Promise<void> {
  if (await findIncident(db, number)) return;
  const recorded = await findIntake(db, number);
  if (!recorded) throw new NotFound(`Incident ${number} does not exist.`);
  if (!recorded.started) throw new Unavailable(`Incident ${number} is recorded but its workflow has not started yet; try again shortly.`);
}
