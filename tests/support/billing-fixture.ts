// A small seeded book of contracts, time, invoices and incidents whose profitability and sales
// insight the tests compute by hand. Direct inserts: the figures must not depend on the write paths.
import type { Db } from '../../src/db/client.js';
import { contracts, customers, incidentEvents, incidents, invoiceLines, invoices, projects, timeEntries, users } from '../../src/db/schema/index.js';
import type { ActivityType, EntitlementDecision, IncidentStatus, Priority } from '../../src/domain/enums.js';

/** The instant the insight is asked at: Thursday 26 Nov 2026, 11:00 in Berlin. */
export const insightNow = new Date('2026-11-26T10:00:00Z');
/** Appears only in an incident description and a timeline body, never in what sales may see. */
export const secretMarker = 'SECRET-DESCRIPTION-7f3a9c';
/** The internal cost rates by role the app is configured with (agents without an own rate). */
export const fixtureCostRates = { agent: 4230 };

export interface BillingFixture {
  alpha: { id: string; number: string };
  beta: { id: string; number: string };
}

export async function seedBillingFixture(db: Db): Promise<BillingFixture> {
  const [alpha, beta, gamma] = await db
    .insert(customers)
    .values([
      { customerNumber: 'K-1001', name: 'Alpha GmbH' },
      { customerNumber: 'K-1002', name: 'Beta AG', creditHold: true },
      { customerNumber: 'K-1003', name: 'Gamma KG' },
    ])
    .returning();
  const [costly, byRole, boss] = await db
    .insert(users)
    .values([
      { name: 'Anna Own-Rate', email: 'anna@fixture.example', role: 'agent', costRateCents: 4750 },
      { name: 'Ben Role-Rate', email: 'ben@fixture.example', role: 'agent' },
      { name: 'Mia Manager', email: 'mia@fixture.example', role: 'manager' },
    ])
    .returning();

  const [alphaSupport, alphaMaint, betaSilver] = await db
    .insert(contracts)
    .values([
      { contractNumber: 'V-1001-A', customerId: alpha!.id, tier: 'gold', validFrom: '2026-10-16', monthlyFeeCents: 150000, hourlyRates: { remote: 9000 }, quotaMinutes: 600, quotaPeriod: 'month' },
      { contractNumber: 'V-1001-B', customerId: alpha!.id, tier: 'silver', validFrom: '2026-01-01', validTo: '2026-10-10', monthlyFeeCents: 45000 },
      { contractNumber: 'V-1002-A', customerId: beta!.id, tier: 'silver', validFrom: '2026-11-15', validTo: '2027-11-14', monthlyFeeCents: 20000 },
      { contractNumber: 'V-1003-A', customerId: gamma!.id, tier: 'gold', validFrom: '2025-01-01', validTo: '2026-09-30', monthlyFeeCents: 50000 },
    ])
    .returning();
  // V-1002-A deliberately has no project: its fee shows under the contract number alone.
  const [supportProject, maintProject] = await db
    .insert(projects)
    .values([
      { projectNumber: 'P-V-1001-A', contractId: alphaSupport!.id, customerId: alpha!.id, kind: 'support', name: 'Alpha support' },
      { projectNumber: 'P-V-1001-B', contractId: alphaMaint!.id, customerId: alpha!.id, kind: 'maintenance', name: 'Alpha maintenance' },
    ])
    .returning();

  type Entry = {
    customerId: string;
    contractId?: string;
    projectId?: string;
    agentId: string;
    workDate: string;
    minutes: number;
    decision: EntitlementDecision;
    quotaMinutes?: number;
    quotaPeriodStart?: string;
    billableMinutes?: number;
    rateCents?: number;
    amountCents?: number;
    deletedAt?: Date;
    invoicedAt?: Date;
  };
  const entry = (incidentNumber: string, e: Entry) => ({
    incidentNumber,
    activityType: 'remote' as ActivityType,
    description: `work on ${incidentNumber}`,
    billingReason: 'fixture',
    createdBy: 'fixture',
    ...e,
  });
  const a = { customerId: alpha!.id, contractId: alphaSupport!.id, projectId: supportProject!.id };
  const b = { customerId: alpha!.id, contractId: alphaMaint!.id, projectId: maintProject!.id };
  const finalised = new Date('2026-12-01T08:00:00Z');
  const [, , e3, e4, , , e7, e9, e10] = await db
    .insert(timeEntries)
    .values([
      entry('INC-2026-000101', { ...a, agentId: costly!.id, workDate: '2026-10-20', minutes: 90, decision: 'quota', quotaMinutes: 90, quotaPeriodStart: '2026-10-01' }),
      entry('INC-2026-000101', { ...a, agentId: byRole!.id, workDate: '2026-11-05', minutes: 513, decision: 'quota', quotaMinutes: 513, quotaPeriodStart: '2026-11-01' }),
      entry('INC-2026-000101', { ...a, agentId: costly!.id, workDate: '2026-11-10', minutes: 50, decision: 'quota', billableMinutes: 50, rateCents: 9000, amountCents: 7500, invoicedAt: finalised }),
      entry('INC-2026-000102', { ...b, agentId: byRole!.id, workDate: '2026-10-05', minutes: 25, decision: 'billable', billableMinutes: 25, rateCents: 9500, amountCents: 3958 }),
      entry('INC-2026-000105', { customerId: alpha!.id, agentId: costly!.id, workDate: '2026-11-20', minutes: 7, decision: 'billable', billableMinutes: 7, rateCents: 9500, amountCents: 1108 }),
      // Deleted: no effort, no quota use.
      entry('INC-2026-000101', { ...a, agentId: costly!.id, workDate: '2026-11-02', minutes: 600, decision: 'quota', quotaMinutes: 600, quotaPeriodStart: '2026-11-01', deletedAt: new Date('2026-11-03T08:00:00Z') }),
      // Before the period: billed on a September invoice, outside the report.
      entry('INC-2026-000102', { ...b, agentId: costly!.id, workDate: '2026-09-30', minutes: 120, decision: 'billable', billableMinutes: 120, rateCents: 9500, amountCents: 19000, invoicedAt: finalised }),
      entry('INC-2026-000201', { customerId: beta!.id, contractId: betaSilver!.id, agentId: boss!.id, workDate: '2026-11-16', minutes: 30, decision: 'blocked', billableMinutes: 30, rateCents: 12000, amountCents: 6000, invoicedAt: finalised }),
      entry('INC-2026-000201', { customerId: beta!.id, contractId: betaSilver!.id, agentId: costly!.id, workDate: '2026-11-18', minutes: 20, decision: 'blocked', billableMinutes: 20, rateCents: 12000, amountCents: 4000, invoicedAt: finalised }),
    ])
    .returning();

  const [alphaNov, alphaSep, alphaOct, betaNov] = await db
    .insert(invoices)
    .values([
      { invoiceNumber: 'RE-2026-000001', customerId: alpha!.id, periodFrom: '2026-11-01', periodTo: '2026-11-30', status: 'final', netCents: 7500, finalisedAt: finalised, finalisedBy: 'fixture' },
      { invoiceNumber: 'RE-2026-000002', customerId: alpha!.id, periodFrom: '2026-09-01', periodTo: '2026-09-30', status: 'final', netCents: 19000, finalisedAt: finalised, finalisedBy: 'fixture' },
      { customerId: alpha!.id, periodFrom: '2026-10-01', periodTo: '2026-10-31', status: 'draft', netCents: 3958 },
      { invoiceNumber: 'RE-2026-000003', customerId: beta!.id, periodFrom: '2026-11-01', periodTo: '2026-11-30', status: 'final', netCents: 10000, finalisedAt: finalised, finalisedBy: 'fixture' },
    ])
    .returning();
  const lineOf = (invoiceId: string, e: typeof timeEntries.$inferSelect) => ({
    invoiceId,
    timeEntryId: e.id,
    kind: 'time' as const,
    incidentNumber: e.incidentNumber,
    workDate: e.workDate,
    activityType: e.activityType,
    description: e.description,
    minutes: e.billableMinutes,
    rateCents: e.rateCents!,
    amountCents: e.amountCents,
  });
  await db.insert(invoiceLines).values([lineOf(alphaNov!.id, e3!), lineOf(alphaSep!.id, e7!), lineOf(alphaOct!.id, e4!), lineOf(betaNov!.id, e9!), lineOf(betaNov!.id, e10!)]);

  await seedIncidents(db, alpha!, beta!);
  return { alpha: { id: alpha!.id, number: alpha!.customerNumber }, beta: { id: beta!.id, number: beta!.customerNumber } };
}

type Customer = typeof customers.$inferSelect;

async function seedIncidents(db: Db, alpha: Customer, beta: Customer): Promise<void> {
  const incident = (
    number: string,
    customer: Customer,
    title: string,
    status: IncidentStatus,
    priority: Priority,
    receivedAt: string,
    more: { escalationLevel?: number; slaBreached?: boolean; closedAt?: string; description?: string } = {},
  ) => ({
    number,
    customerId: customer.id,
    customerNumber: customer.customerNumber,
    title,
    description: more.description ?? `Description of ${title}`,
    channel: 'phone' as const,
    priority,
    status,
    escalationLevel: more.escalationLevel ?? 0,
    slaBreached: more.slaBreached ?? false,
    receivedAt: new Date(receivedAt),
    updatedAt: new Date(receivedAt),
    closedAt: more.closedAt ? new Date(more.closedAt) : null,
    version: 1,
  });
  await db.insert(incidents).values([
    incident('INC-2026-000101', alpha, 'Server down', 'in_progress', 'P1', '2026-11-20T08:00:00Z', { escalationLevel: 3, slaBreached: true, description: secretMarker }),
    incident('INC-2026-000102', alpha, 'Mail relay slow', 'pending_customer', 'P3', '2026-10-20T08:00:00Z', { escalationLevel: 2 }),
    incident('INC-2026-000103', alpha, 'VPN drops', 'closed', 'P2', '2026-11-10T08:00:00Z', { slaBreached: true, closedAt: '2026-11-15T12:00:00Z' }),
    incident('INC-2026-000104', alpha, 'Old printer', 'closed', 'P4', '2026-10-01T08:00:00Z', { slaBreached: true, closedAt: '2026-11-05T12:00:00Z' }),
    incident('INC-2026-000105', alpha, 'New laptop', 'new', 'P4', '2026-11-25T15:00:00Z'),
    incident('INC-2026-000106', alpha, 'Backup failed', 'resolved', 'P2', '2026-11-18T08:00:00Z', { slaBreached: true }),
    incident('INC-2026-000201', beta, 'Firewall blocks', 'assigned', 'P2', '2026-11-24T08:00:00Z', { escalationLevel: 2 }),
  ]);
  let seq = 0;
  const escalation = (number: string, at: string, from: number, to: number, direction: 'up' | 'down') => ({
    incidentNumber: number,
    seq: ++seq,
    type: 'escalation_changed',
    actor: 'system',
    actorName: 'SLA',
    payload: { from, to, name: ['on track', 'warning', 'breach', 'management'][to]!, direction },
    occurredAt: new Date(at),
  });
  await db.insert(incidentEvents).values([
    { incidentNumber: 'INC-2026-000101', seq: ++seq, type: 'received', actor: 'system', actorName: 'Intake', payload: { description: secretMarker }, occurredAt: new Date('2026-11-20T08:00:00Z') },
    escalation('INC-2026-000101', '2026-11-20T09:00:00Z', 0, 1, 'up'), // level 1: not an escalation for sales
    escalation('INC-2026-000101', '2026-11-20T10:00:00Z', 1, 2, 'up'),
    escalation('INC-2026-000101', '2026-11-24T23:30:00Z', 2, 3, 'up'), // 25 Nov 00:30 in Berlin
    escalation('INC-2026-000102', '2026-11-01T10:00:00Z', 0, 2, 'up'), // 25 days before insightNow
    escalation('INC-2026-000102', '2026-11-03T10:00:00Z', 2, 3, 'up'), // 23 days before
    escalation('INC-2026-000102', '2026-11-22T10:00:00Z', 3, 2, 'down'), // down, though to level 2
    escalation('INC-2026-000103', '2026-11-13T09:00:00Z', 0, 2, 'up'),
    escalation('INC-2026-000201', '2026-11-25T09:00:00Z', 0, 2, 'up'),
  ]);
}
