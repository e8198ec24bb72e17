// Invoice runs on a real database, a fresh one per test: customers with a contract, time and
// material entries written directly, and the checks that every entry is billed exactly once.
import { isNotNull, sql } from 'drizzle-orm';
import { afterEach, expect } from 'vitest';
import type { createApp } from '../../src/api/app.js';
import type { Database, Db } from '../../src/db/client.js';
import type { invoices } from '../../src/db/schema/index.js';
import { contracts, customers, invoiceLines, materialEntries, projects, timeEntries } from '../../src/db/schema/index.js';
import { amountCents } from '../../src/domain/billing.js';
import type { ActivityType, EntitlementDecision } from '../../src/domain/enums.js';
import { apiCaller, databaseOnlyApp } from './api.js';
import { createTestDatabase } from './database.js';
import { createUserWithToken, type TestUser } from './users.js';

export interface World {
  database: Database;
  db: Db;
  app: ReturnType<typeof createApp>;
  agent: TestUser;
  manager: TestUser;
  sales: TestUser;
}

/**
 * Registers an afterEach that closes the worlds a test opened, and returns `world()`: a fresh
 * database per test (a run bills every customer, so tests must not share data) with the app, an
 * agent, a manager and a sales user.
 */
export function invoiceWorlds(): () => Promise<World> {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((d) => d.close()));
  });
  return async () => {
    const database = await createTestDatabase();
    opened.push(database);
    const app = databaseOnlyApp(database.db);
    const [agent, manager, sales] = await Promise.all([createUserWithToken(database.db, 'agent'), createUserWithToken(database.db, 'manager'), createUserWithToken(database.db, 'sales')]);
    return { database, db: database.db, app, agent, manager, sales };
  };
}

export const call = (w: World, ...args: Parameters<ReturnType<typeof apiCaller>>) => apiCaller(w.app)(...args);

export const rates = { remote: 9500, onsite: 11500, travel: 6500 };

export async function customerWithContract(db: Db, customerNumber: string) {
  const [customer] = await db.insert(customers).values({ customerNumber, name: `Customer ${customerNumber}` }).returning();
  const [contract] = await db
    .insert(contracts)
    .values({ contractNumber: `V-${customerNumber}`, customerId: customer!.id, tier: 'gold', validFrom: '2026-01-01', hourlyRates: rates, coversAllAssets: true })
    .returning();
  const [project] = await db.insert(projects).values({ projectNumber: `P-V-${customerNumber}`, contractId: contract!.id, customerId: customer!.id, kind: 'support', name: 'Support' }).returning();
  return { customer: customer!, contract: contract!, project: project! };
}
export type Party = Awaited<ReturnType<typeof customerWithContract>>;

export interface EntrySpec {
  workDate: string;
  minutes: number;
  activityType?: ActivityType;
  decision?: EntitlementDecision;
  /** Minutes drawn from the quota (decision quota); the rest is billable. */
  quotaMinutes?: number;
  /** Billable minutes; defaults by decision (covered: 0, quota: minutes - quotaMinutes, else all). */
  billableMinutes?: number;
  description?: string;
  deleted?: boolean;
}

let incidentSeq = 0;
export async function entry(db: Db, party: Party, agent: TestUser, spec: EntrySpec) {
  const activityType = spec.activityType ?? 'remote';
  const decision = spec.decision ?? 'billable';
  const quotaMinutes = spec.quotaMinutes ?? 0;
  const billableMinutes = spec.billableMinutes ?? (decision === 'covered' ? 0 : spec.minutes - quotaMinutes);
  const rate = rates[activityType];
  incidentSeq += 1;
  const [row] = await db
    .insert(timeEntries)
    .values({
      incidentNumber: `INC-2026-${String(incidentSeq).padStart(6, '0')}`,
      customerId: party.customer.id,
      contractId: party.contract.id,
      projectId: party.project.id,
      agentId: agent.id,
      workDate: spec.workDate,
      minutes: spec.minutes,
      activityType,
      description: spec.description ?? `Work on ${spec.workDate}`,
      decision,
      quotaMinutes,
      billableMinutes,
      rateCents: billableMinutes > 0 ? rate : null,
      amountCents: billableMinutes > 0 ? amountCents(billableMinutes, rate) : 0,
      billingReason: 'test',
      createdBy: `user:${agent.id}`,
      deletedAt: spec.deleted ? new Date() : null,
    })
    .returning();
  return row!;
}

/** Material a service order booked: always billable at quantity × unit price. */
export async function material(db: Db, party: Party, spec: { workDate: string; articleNumber: string; description?: string; quantity: number; unitPriceCents: number; lineNo?: number }) {
  incidentSeq += 1;
  const incidentNumber = `INC-2026-${String(incidentSeq).padStart(6, '0')}`;
  const [row] = await db
    .insert(materialEntries)
    .values({
      incidentNumber,
      customerId: party.customer.id,
      contractId: party.contract.id,
      projectId: party.project.id,
      workDate: spec.workDate,
      followUpWorkflowId: `incident-${incidentNumber}/service-order-1`,
      lineNo: spec.lineNo ?? 0,
      articleNumber: spec.articleNumber,
      description: spec.description ?? `Part ${spec.articleNumber}`,
      quantity: spec.quantity,
      unitPriceCents: spec.unitPriceCents,
      amountCents: spec.quantity * spec.unitPriceCents,
      createdBy: `follow-up:incident-${incidentNumber}/service-order-1`,
    })
    .returning();
  return row!;
}

/** Three customers with two billable entries each in November 2026. */
export async function novemberData(w: World) {
  const parties = await Promise.all(['K-100', 'K-200', 'K-300'].map((n) => customerWithContract(w.db, n)));
  const entries = [];
  for (const party of parties) {
    entries.push(await entry(w.db, party, w.agent, { workDate: '2026-11-03', minutes: 30 }));
    entries.push(await entry(w.db, party, w.agent, { workDate: '2026-11-20', minutes: 45, activityType: 'onsite' }));
  }
  return { parties, entries };
}

/** How often each time entry is on an invoice line (an entry on none is missing). */
export async function lineCountsByEntry(db: Db): Promise<Map<string, number>> {
  const rows = await db.select({ id: invoiceLines.timeEntryId, n: sql<number>`count(*)::int` }).from(invoiceLines).where(isNotNull(invoiceLines.timeEntryId)).groupBy(invoiceLines.timeEntryId);
  return new Map(rows.map((r) => [r.id!, r.n]));
}

export async function expectEachBilledOnce(db: Db, entryIds: string[]) {
  const counts = await lineCountsByEntry(db);
  for (const id of entryIds) expect(counts.get(id), `entry ${id}`).toBe(1);
  expect([...counts.keys()].sort()).toEqual([...entryIds].sort());
}

export const countOf = async (db: Db, table: typeof invoices | typeof invoiceLines) => (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;
