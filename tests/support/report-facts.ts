// A small SLA fact log for the report pages' tests: a few incidents of the projection and their
// facts, written straight into the tables (the workflows' activities write them in production).
import type { Db } from '../../src/db/client.js';
import { incidentBreachCauses, incidents, slaFacts } from '../../src/db/schema/index.js';
import type { ContractTier, IncidentStatus } from '../../src/domain/enums.js';

type Fact = typeof slaFacts.$inferInsert;

export async function reportIncident(db: Db, number: string, options: { tier: ContractTier; status?: IncidentStatus; receivedAt: Date; customerNumber?: string; group?: string; title?: string }) {
  await db.insert(incidents).values({
    number,
    title: options.title ?? `Störung ${number}`,
    description: 'Für den Bericht.',
    channel: 'email',
    priority: 'P2',
    status: options.status ?? 'closed',
    contractTier: options.tier,
    customerNumber: options.customerNumber ?? 'K-20001',
    assignedGroup: options.group ?? 'Service Desk',
    receivedAt: options.receivedAt,
    updatedAt: options.receivedAt,
    version: 1,
  });
}

let seq = 0;

/** A target's end (met or breached) with its cycle started an hour before. */
export async function targetEnded(db: Db, number: string, target: 'firstResponse' | 'resolution', kind: 'met' | 'breached', at: string, used = 45) {
  const end = new Date(at);
  const fact: Fact = { incidentNumber: number, seq: ++seq, kind, target, cycleStartedAt: new Date(end.getTime() - 3_600_000), at: end, budgetMinutes: 60, usedMinutes: used, dueAt: new Date(end.getTime() + (kind === 'met' ? 15 : -15) * 60_000), priority: 'P2' };
  await db.insert(slaFacts).values(fact);
}

export async function levelReached(db: Db, number: string, level: number, at: string, recipients: string[] = ['manager']) {
  await db.insert(slaFacts).values({ incidentNumber: number, seq: ++seq, kind: 'level', target: 'resolution', at: new Date(at), level, recipients });
}

export async function breachCauseGiven(db: Db, number: string, cause: string) {
  await db.insert(incidentBreachCauses).values({ incidentNumber: number, seq: ++seq, cause, actor: 'system', actorName: 'Test' });
}
