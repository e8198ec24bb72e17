// The sales insight: a customer's commercial picture before a call (escalations, open incidents,
// SLA breaches, quota usage, credit hold). Titles and numbers only: no descriptions, no mail; the
// API leaves the titles out for the sales role (src/api/reports/insight-view.ts).
import { openStatuses } from '../../domain/incident/state.js';
import { and, desc, eq, gte, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { contracts, customers, incidentEvents, incidents } from '../../db/schema/index.js';
import { quotaPeriodOf } from '../../domain/entitlement.js';
import type { IncidentStatus, Priority, QuotaPeriod } from '../../domain/enums.js';
import { NotFound } from '../../domain/errors.js';
import { businessDate } from '../../domain/ticket-number.js';
import { quotaUsedMinutes } from '../entitlement.js';
import { insightSummary } from './insight-summary.js';


export interface SalesInsight {
  customerNumber: string;
  name: string;
  days: number;
  since: string;
  creditHold: boolean;
  escalations: { incidentNumber: string; title: string; level: number; levelName: string; at: string }[];
  /** Incidents that escalated to level 2 or higher in the window (not level changes). */
  escalatedIncidents: number;
  openIncidents: { number: string; title: string; priority: Priority; status: IncidentStatus; escalationLevel: number; receivedAt: string }[];
  slaBreaches: { number: string; title: string; status: IncidentStatus }[];
  quota: { contractNumber: string; period: QuotaPeriod; periodStart: string; periodEnd: string | null; totalMinutes: number; usedMinutes: number; remainingMinutes: number; percentUsed: number }[];
  summary: string;
}

export interface InsightOptions {
  days: number;
  now: Date;
  timezone: string;
}

export async function salesInsight(db: Db, customerNumber: string, { days, now, timezone }: InsightOptions): Promise<SalesInsight> {
  const [customer] = await db.select().from(customers).where(eq(customers.customerNumber, customerNumber));
  if (!customer) throw new NotFound(`No customer with number ${customerNumber}.`);
  const since = new Date(now.getTime() - days * 86_400_000);
  const today = businessDate(now, timezone);

  const escalationRows = await db
    .select({ incidentNumber: incidents.number, title: incidents.title, payload: incidentEvents.payload, at: incidentEvents.occurredAt })
    .from(incidentEvents)
    .innerJoin(incidents, eq(incidents.number, incidentEvents.incidentNumber))
    .where(
      and(
        eq(incidents.customerId, customer.id),
        eq(incidentEvents.type, 'escalation_changed'),
        sql`${incidentEvents.payload}->>'direction' = 'up'`,
        sql`(${incidentEvents.payload}->>'to')::int >= 2`,
        gte(incidentEvents.occurredAt, since),
        lte(incidentEvents.occurredAt, now),
      ),
    )
    .orderBy(desc(incidentEvents.occurredAt), desc(incidentEvents.id));
  const escalations = escalationRows.map((e) => {
    const payload = e.payload as { to: number; name?: string };
    return { incidentNumber: e.incidentNumber, title: e.title, level: Number(payload.to), levelName: payload.name ?? `level ${payload.to}`, at: e.at.toISOString() };
  });

  const openRows = await db
    .select({ number: incidents.number, title: incidents.title, priority: incidents.priority, status: incidents.status, escalationLevel: incidents.escalationLevel, receivedAt: incidents.receivedAt })
    .from(incidents)
    .where(and(eq(incidents.customerId, customer.id), inArray(incidents.status, [...openStatuses])))
    .orderBy(desc(incidents.receivedAt), desc(incidents.number));
  const openIncidents = openRows.map((i) => ({ ...i, receivedAt: i.receivedAt.toISOString() }));

  // Breached and open at some moment of the window: still open, or closed only within it.
  const slaBreaches = await db
    .select({ number: incidents.number, title: incidents.title, status: incidents.status })
    .from(incidents)
    .where(and(eq(incidents.customerId, customer.id), eq(incidents.slaBreached, true), lte(incidents.receivedAt, now), or(isNull(incidents.closedAt), gte(incidents.closedAt, since))))
    .orderBy(desc(incidents.receivedAt), desc(incidents.number));

  const quota = await quotaUsage(db, customer.id, today);
  const summary = insightSummary({
    days,
    today,
    escalations: escalations.map((e) => ({ incidentNumber: e.incidentNumber, day: businessDate(new Date(e.at), timezone) })),
    openIncidentCount: openIncidents.length,
    quotas: quota,
    creditHold: customer.creditHold,
  });
  return { customerNumber: customer.customerNumber, name: customer.name, days, since: since.toISOString(), creditHold: customer.creditHold, escalations, escalatedIncidents: new Set(escalations.map((e) => e.incidentNumber)).size, openIncidents, slaBreaches, quota, summary };
}

/** The current period of every quota contract in force today, with its usage. */
async function quotaUsage(db: Db, customerId: string, today: string): Promise<SalesInsight['quota']> {
  const rows = await db
    .select()
    .from(contracts)
    .where(
      and(
        eq(contracts.customerId, customerId),
        isNotNull(contracts.quotaMinutes),
        isNotNull(contracts.quotaPeriod),
        lte(contracts.validFrom, today),
        or(isNull(contracts.validTo), gte(contracts.validTo, today)),
      ),
    )
    .orderBy(contracts.contractNumber);
  const usage: SalesInsight['quota'] = [];
  for (const c of rows) {
    const period = quotaPeriodOf(c, today);
    if (!period || c.quotaMinutes === null || c.quotaPeriod === null) continue;
    const usedMinutes = await quotaUsedMinutes(db, c.id, period.start);
    const totalMinutes = c.quotaMinutes;
    usage.push({
      contractNumber: c.contractNumber,
      period: c.quotaPeriod,
      periodStart: period.start,
      periodEnd: period.end,
      totalMinutes,
      usedMinutes,
      remainingMinutes: Math.max(0, totalMinutes - usedMinutes),
      // Rounded down, so "80 %" means the 80 % notice has been sent.
      percentUsed: totalMinutes > 0 ? Math.floor((usedMinutes * 100) / totalMinutes) : 100,
    });
  }
  return usage;
}
