// Breach causes: checked against the configured list at the resolve, corrected later by an agent.
// A correction is a new row (who and when); the latest row per incident is the cause.
import { desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { incidentBreachCauses, incidents } from '../../db/schema/index.js';
import { defaultBreachCauses, type BreachCause } from '../../domain/breach-causes.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/kernel.js';
import { periodEnd, periodStart, type ReportPeriod } from './period.js';
import { finalEnds, percent } from './sla-report.js';

/** Refuses a cause outside the configured list, and "other" without a note. */
export function checkBreachCause(input: BreachCause, causes: readonly string[] = defaultBreachCauses, field = 'breachCause'): void {
  if (!causes.includes(input.cause)) {
    throw new ValidationError(`${field}.cause must be one of ${causes.join(', ')}; got "${input.cause}".`, `${field}.cause`);
  }
  if (input.cause === 'other' && !input.note?.trim()) {
    throw new ValidationError(`${field}.note is required for the cause "other": say what it was.`, `${field}.note`);
  }
}

export interface RecordedBreachCause {
  incidentNumber: string;
  cause: string;
  note: string | null;
  recordedBy: string;
  recordedAt: string;
  /** Given at the resolve, or corrected later. */
  source: 'resolve' | 'correction';
}

export async function currentBreachCause(db: Db, number: string): Promise<RecordedBreachCause | null> {
  const [row] = await db.select().from(incidentBreachCauses).where(eq(incidentBreachCauses.incidentNumber, number)).orderBy(desc(incidentBreachCauses.recordedAt), desc(incidentBreachCauses.id)).limit(1);
  return row ? recorded(row) : null;
}

/** An agent's correction of the cause of a breached incident (open or closed alike). */
export async function correctBreachCause(db: Db, number: string, input: BreachCause, actor: Actor, causes: readonly string[] = defaultBreachCauses): Promise<RecordedBreachCause> {
  checkBreachCause(input, causes, 'body');
  const [incident] = await db.select({ slaBreached: incidents.slaBreached }).from(incidents).where(eq(incidents.number, number));
  if (!incident) throw new NotFound(`Incident ${number} was not found.`);
  if (!incident.slaBreached) throw new IllegalTransition(`Incident ${number} has not breached its SLA, so it has no breach cause to correct.`);
  const [row] = await db
    .insert(incidentBreachCauses)
    .values({ incidentNumber: number, seq: null, cause: input.cause, note: input.note?.trim() || null, actor: actor.id, actorName: actor.name })
    .returning();
  return recorded(row!);
}

function recorded(row: typeof incidentBreachCauses.$inferSelect): RecordedBreachCause {
  return {
    incidentNumber: row.incidentNumber,
    cause: row.cause,
    note: row.note,
    recordedBy: row.actorName,
    recordedAt: row.recordedAt.toISOString(),
    source: row.seq === null ? 'correction' : 'resolve',
  };
}

export interface BreachCauseReport extends ReportPeriod {
  /** Incidents with a target whose final end in the period was a breach. */
  breachedIncidents: number;
  causes: { cause: string; incidents: number; percent: number | null }[];
  /** Breached incidents without a cause yet (resolved by a contact, or still open). */
  withoutCause: number;
  /** The configured list, for the forms. */
  configured: string[];
}

export async function breachCauseReport(db: Db, period: ReportPeriod, configured: readonly string[] = defaultBreachCauses): Promise<BreachCauseReport> {
  const rows = await db.execute<{ cause: string | null; n: number }>(sql`
    select bc.cause, count(*)::int as n from (
      select distinct f.incident_number from (${finalEnds(periodStart(period), periodEnd(period))}) f where f.kind = 'breached'
    ) b
    left join lateral (select x.cause from incident_breach_causes x where x.incident_number = b.incident_number order by x.recorded_at desc, x.id desc limit 1) bc on true
    group by 1 order by 2 desc, 1`);
  const total = rows.reduce((sum, r) => sum + r.n, 0);
  const causes = rows.flatMap((r) => (r.cause ? [{ cause: r.cause, incidents: r.n, percent: percent(r.n, total) }] : []));
  return { ...period, breachedIncidents: total, causes, withoutCause: rows.find((r) => r.cause === null)?.n ?? 0, configured: [...configured] };
}
