// Reading time entries: an incident's entries with totals, one entry, its audit trail, and the
// manager's list across incidents.
import { and, asc, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { customers, incidents, timeEntries, timeEntryEvents } from '../../db/schema/index.js';
import { NotFound, ValidationError } from '../../domain/errors.js';
import type { TimeEntryRow } from './audit.js';

export type TimeEntryEventRow = typeof timeEntryEvents.$inferSelect;

export interface EntryTotals {
  minutes: number;
  quotaMinutes: number;
  billableMinutes: number;
  amountCents: number;
}

export function totalsOf(entries: readonly TimeEntryRow[]): EntryTotals {
  return entries.reduce<EntryTotals>(
    (sum, e) => ({
      minutes: sum.minutes + e.minutes,
      quotaMinutes: sum.quotaMinutes + e.quotaMinutes,
      billableMinutes: sum.billableMinutes + e.billableMinutes,
      amountCents: sum.amountCents + e.amountCents,
    }),
    { minutes: 0, quotaMinutes: 0, billableMinutes: 0, amountCents: 0 },
  );
}

const order = [asc(timeEntries.workDate), asc(timeEntries.createdAt)];

/** The live (not deleted) entries of an incident. */
export async function incidentTimeEntries(db: Db, incidentNumber: string): Promise<{ entries: TimeEntryRow[]; totals: EntryTotals }> {
  const [incident] = await db.select({ number: incidents.number }).from(incidents).where(eq(incidents.number, incidentNumber));
  if (!incident) throw new NotFound(`Incident ${incidentNumber} does not exist.`);
  const entries = await db
    .select()
    .from(timeEntries)
    .where(and(eq(timeEntries.incidentNumber, incidentNumber), isNull(timeEntries.deletedAt)))
    .orderBy(...order);
  return { entries, totals: totalsOf(entries) };
}

/** One entry, deleted or not (a deleted one still has its audit trail). */
export async function getTimeEntry(db: Db, id: string): Promise<TimeEntryRow> {
  const [entry] = await db.select().from(timeEntries).where(eq(timeEntries.id, id));
  if (!entry) throw new NotFound(`No time entry with id ${id}.`);
  return entry;
}

export async function timeEntryAudit(db: Db, id: string): Promise<TimeEntryEventRow[]> {
  await getTimeEntry(db, id);
  return db.select().from(timeEntryEvents).where(eq(timeEntryEvents.timeEntryId, id)).orderBy(asc(timeEntryEvents.id));
}

export interface EntryFilter {
  customerNumber?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  billable?: boolean | undefined;
  limit: number;
  offset: number;
}

/** Live entries across incidents by customer, work-date range and billability: one page, and the totals of all. */
export async function listTimeEntries(db: Db, filter: EntryFilter): Promise<{ entries: TimeEntryRow[]; totals: EntryTotals; total: number }> {
  if (filter.from && filter.to && filter.to < filter.from) throw new ValidationError(`to (${filter.to}) is before from (${filter.from}).`, 'to');
  const conditions: (SQL | undefined)[] = [isNull(timeEntries.deletedAt)];
  if (filter.customerNumber) {
    const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.customerNumber, filter.customerNumber));
    if (!customer) throw new NotFound(`No customer with number ${filter.customerNumber}.`);
    conditions.push(eq(timeEntries.customerId, customer.id));
  }
  if (filter.from) conditions.push(gte(timeEntries.workDate, filter.from));
  if (filter.to) conditions.push(lte(timeEntries.workDate, filter.to));
  if (filter.billable !== undefined) conditions.push(filter.billable ? sql`${timeEntries.billableMinutes} > 0` : sql`${timeEntries.billableMinutes} = 0`);
  const where = and(...conditions);
  const [entries, [sums]] = await Promise.all([
    db.select().from(timeEntries).where(where).orderBy(...order).limit(filter.limit).offset(filter.offset),
    db
      .select({
        count: sql<number>`count(*)::int`,
        minutes: sql<number>`coalesce(sum(${timeEntries.minutes}), 0)::bigint`.mapWith(Number),
        quotaMinutes: sql<number>`coalesce(sum(${timeEntries.quotaMinutes}), 0)::bigint`.mapWith(Number),
        billableMinutes: sql<number>`coalesce(sum(${timeEntries.billableMinutes}), 0)::bigint`.mapWith(Number),
        amountCents: sql<number>`coalesce(sum(${timeEntries.amountCents}), 0)::bigint`.mapWith(Number),
      })
      .from(timeEntries)
      .where(where),
  ]);
  const { count, ...totals } = sums!;
  return { entries, totals, total: count };
}
