// Time entries through the API on a real database: pricing from the entitlement, quota
// draw-down per period, quota notices exactly once, overrides, audit and invoice freezing.
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { contracts, customers, incidentIntakes, incidents, invoiceLines, invoices, outboxMessages, projects, quotaEvents, timeEntries, users } from '../../src/db/schema/index.js';
import type { HourlyRates } from '../../src/db/schema/contracts.js';
import type { AssetLookup, Entitlement } from '../../src/domain/entitlement.js';
import type { OutgoingMail } from '../../src/mail/outbound.js';
import { bookServiceOrderReport } from '../../src/services/service-order-billing.js';
import { databaseOnlyApp, apiCaller, type TestApp } from '../support/api.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';
import { testIntake } from '../support/intake.js';

let database: Database;
let app: TestApp;
let agent: TestUser;
let otherAgent: TestUser;
let manager: TestUser;
let sales: TestUser;
const sent: OutgoingMail[] = [];
const defaultRates = { remote: 9000, onsite: 12_000, travel: 6000 };

beforeAll(async () => {
  database = await createTestDatabase();
  app = databaseOnlyApp(database.db, {
    defaultRates,
    mail: { mailFrom: 'Helpdesk <helpdesk@systemhaus.example>', mailer: { send: (mail) => Promise.resolve(void sent.push(mail)), close: () => {} } },
  });
  agent = await createUserWithToken(database.db, 'agent', 'Anna Agent');
  otherAgent = await createUserWithToken(database.db, 'agent', 'Otto Agent');
  manager = await createUserWithToken(database.db, 'manager', 'Mia Manager');
  sales = await createUserWithToken(database.db, 'sales', 'Sam Sales');
});
afterAll(async () => database?.close());

const call = (...args: Parameters<ReturnType<typeof apiCaller>>) => apiCaller(app)(...args);

let seq = 0;
interface Setup {
  customerId: string;
  customerNumber: string;
  contractId: string | null;
  projectId: string | null;
  incident: string;
  managerEmail: string | null;
}

/** A customer (with an account manager unless told otherwise), optionally a contract with its project, and an incident projection row. */
async function setUp(options: {
  contract?: { quotaMinutes?: number | null; quotaPeriod?: 'month' | 'quarter' | 'year' | 'prepaid' | null; validFrom?: string; validTo?: string | null; hourlyRates?: HourlyRates; coversAllAssets?: boolean };
  accountManager?: boolean;
  onIncident?: boolean;
  /** The entitlement the incident's intake recorded (its asset terms price the time). */
  entitlement?: Entitlement;
} = {}): Promise<Setup> {
  seq += 1;
  const db = database.db;
  let managerId: string | null = null;
  let managerEmail: string | null = null;
  if (options.accountManager !== false) {
    const [am] = await db.insert(users).values({ name: `Account Manager ${seq}`, email: `am${seq}@systemhaus.example`, role: 'sales' }).returning();
    managerId = am!.id;
    managerEmail = am!.email;
  }
  const [customer] = await db.insert(customers).values({ customerNumber: `K-${10_000 + seq}`, name: `Kunde ${seq} GmbH`, accountManagerId: managerId }).returning();
  let contractId: string | null = null;
  let projectId: string | null = null;
  if (options.contract) {
    const c = options.contract;
    const [contract] = await db
      .insert(contracts)
      .values({
        contractNumber: `V-${2000 + seq}`,
        customerId: customer!.id,
        tier: 'gold',
        validFrom: c.validFrom ?? '2026-01-01',
        validTo: c.validTo ?? null,
        coversAllAssets: c.coversAllAssets ?? true,
        hourlyRates: c.hourlyRates ?? { remote: 9600, onsite: 13_200, travel: 7200 },
        quotaMinutes: c.quotaMinutes === undefined ? 600 : c.quotaMinutes,
        quotaPeriod: c.quotaPeriod === undefined ? 'month' : c.quotaPeriod,
      })
      .returning();
    contractId = contract!.id;
    const [project] = await db.insert(projects).values({ projectNumber: `P-V-${2000 + seq}`, contractId, customerId: customer!.id, kind: 'support', name: `Support ${seq}` }).returning();
    projectId = project!.id;
  }
  const incident = `INC-2026-${String(seq).padStart(6, '0')}`;
  const now = new Date('2026-10-01T08:00:00Z');
  await db.insert(incidents).values({
    number: incident,
    customerId: customer!.id,
    customerNumber: customer!.customerNumber,
    contractId: options.onIncident === false ? null : contractId,
    projectId: options.onIncident === false ? null : projectId,
    title: 'Printer jams',
    description: 'Paper jam on floor 2',
    channel: 'phone',
    priority: 'P3',
    status: 'in_progress',
    entitlementDecision: options.entitlement?.decision ?? null,
    entitlement: options.entitlement ?? null,
    receivedAt: now,
    updatedAt: now,
    version: 1,
  });
  return { customerId: customer!.id, customerNumber: customer!.customerNumber, contractId, projectId, incident, managerEmail };
}

const log = (s: Setup, body: Record<string, unknown>, user: TestUser = agent, headers: Record<string, string> = {}) =>
  call('POST', `/api/incidents/${s.incident}/time-entries`, user, { activityType: 'remote', description: 'Remote session', ...body }, headers);

const quotaMails = (contractId: string) =>
  database.db.select().from(outboxMessages).where(and(eq(outboxMessages.template, 'quota'), like(outboxMessages.idempotencyKey, `quota:${contractId}:%`)));
const quotaEventsOf = (contractId: string) => database.db.select().from(quotaEvents).where(eq(quotaEvents.contractId, contractId)).orderBy(quotaEvents.threshold);

describe('quota draw-down', () => {
  it('draws each entry from the quota of its own period, across a month boundary', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const october = await log(s, { minutes: 500, workDate: '2026-10-31' });
    expect(october.status).toBe(201);
    expect(october.body).toMatchObject({ decision: 'quota', quotaMinutes: 500, quotaPeriodStart: '2026-10-01', billableMinutes: 0, amountCents: 0, billable: false, contractId: s.contractId, projectId: s.projectId });
    const november = await log(s, { minutes: 500, workDate: '2026-11-01' });
    expect(november.body).toMatchObject({ decision: 'quota', quotaMinutes: 500, quotaPeriodStart: '2026-11-01', billableMinutes: 0, amountCents: 0 });
    // 100 min of November's quota are left: a 200 min entry straddles it.
    const straddling = await log(s, { minutes: 200, workDate: '2026-11-02' });
    expect(straddling.body).toMatchObject({ decision: 'quota', quotaMinutes: 100, quotaPeriodStart: '2026-11-01', billableMinutes: 100, rateCents: 9600, amountCents: 16_000, billable: true });
    expect(straddling.body.billingReason).toBe('100 min from the quota, 100 min over it are billable.');
    // October still has 100 min left.
    const lateOctober = await log(s, { minutes: 100, workDate: '2026-10-30' });
    expect(lateOctober.body).toMatchObject({ quotaMinutes: 100, quotaPeriodStart: '2026-10-01', billableMinutes: 0 });
  });

  it('after exhaustion an entry is billable at the contract rate of its activity', async () => {
    const s = await setUp({ contract: { quotaMinutes: 120, quotaPeriod: 'month' } });
    await log(s, { minutes: 120, workDate: '2026-11-03' });
    const remote = await log(s, { minutes: 90, workDate: '2026-11-04' });
    // 90 min at 9,600 c/h = 14,400 c.
    expect(remote.body).toMatchObject({ decision: 'quota', quotaMinutes: 0, quotaPeriodStart: null, billableMinutes: 90, rateCents: 9600, amountCents: 14_400, billable: true });
    expect(remote.body.billingReason).toBe('The quota is used up: billable.');
    // 45 min on site at 13,200 c/h = 9,900 c.
    const onsite = await log(s, { minutes: 45, workDate: '2026-11-04', activityType: 'onsite' });
    expect(onsite.body).toMatchObject({ billableMinutes: 45, rateCents: 13_200, amountCents: 9900 });
    const list = await call('GET', `/api/incidents/${s.incident}/time-entries`, agent);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(3);
    expect(list.body.totals).toEqual({ minutes: 255, quotaMinutes: 120, billableMinutes: 135, amountCents: 24_300 });
  });
});

describe('an incident just opened', () => {
  it('prices time from its recorded intake before the workflow has written its projection', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const number = `INC-2026-${String(500_000 + seq).padStart(6, '0')}`;
    const intake = testIntake({
      number,
      customer: { id: s.customerId, number: s.customerNumber, name: 'Kunde' },
      contract: { id: s.contractId!, number: 'V', tier: 'gold' },
      project: { id: s.projectId!, number: 'P' },
    });
    await database.db.insert(incidentIntakes).values({ number, request: intake, receivedAt: new Date(intake.receivedAt) });
    const res = await call('POST', `/api/incidents/${number}/time-entries`, agent, { minutes: 30, activityType: 'remote', description: 'First call', workDate: '2026-11-02' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ decision: 'quota', quotaMinutes: 30, contractId: s.contractId, projectId: s.projectId, billable: false });
    expect((await call('POST', '/api/incidents/INC-2026-999998/time-entries', agent, { minutes: 30, activityType: 'remote', description: 'x' })).status).toBe(404);
  });
});

describe('quota notices', () => {
  it('tells the account manager at 80 % and at 100 % exactly once each, under retries and concurrency', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const key = { 'Idempotency-Key': 'entry-1' };
    const first = await log(s, { minutes: 480, workDate: '2026-11-10' }, agent, key);
    expect(first.status).toBe(201);
    expect(await quotaMails(s.contractId!)).toHaveLength(1);

    const retry = await log(s, { minutes: 480, workDate: '2026-11-10' }, agent, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('Idempotency-Replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    const afterRetry = await database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident));
    expect(afterRetry).toHaveLength(1);

    // Two entries of 100 min at once compete for the last 120 min: one gets 100, the other the
    // remaining 20 plus 80 billable, and exactly one of them crosses 100 %.
    const both = await Promise.all([log(s, { minutes: 100, workDate: '2026-11-11' }), log(s, { minutes: 100, workDate: '2026-11-12' })]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    const split = both.map((r) => [r.body.quotaMinutes, r.body.billableMinutes]).sort((p, q) => p[0] - q[0]);
    expect(split).toEqual([
      [20, 80],
      [100, 0],
    ]);
    // More work after exhaustion changes nothing about the notices.
    await log(s, { minutes: 30, workDate: '2026-11-13' });

    const mails = await quotaMails(s.contractId!);
    expect(mails).toHaveLength(2);
    expect(mails.every((m) => m.recipient === s.managerEmail && m.kind === 'email')).toBe(true);
    const events = await quotaEventsOf(s.contractId!);
    expect(events.map((e) => [e.threshold, e.periodStart, e.notified])).toEqual([
      [80, '2026-11-01', s.managerEmail],
      [100, '2026-11-01', s.managerEmail],
    ]);
    expect(events.map((e) => e.usedMinutes)).toEqual([480, 600]);
    const eighty = mails.find((m) => m.idempotencyKey.endsWith(`:80:${s.managerEmail}`))!;
    expect(eighty.idempotencyKey).toBe(`quota:${s.contractId}:2026-11-01:80:${s.managerEmail}`);
    expect(eighty.body).toContain('480 of 600 minutes');
    expect(eighty.body).toContain('20 % left');
    expect(eighty.body).toContain(s.customerNumber);
    const hundred = mails.find((m) => m.idempotencyKey.includes(':100:'))!;
    expect(hundred.body).toContain('600 of 600 minutes');
    expect(hundred.body).toContain('further work in this period is billable at the contract rates');
    // Delivered after commit through the configured mailer, once each.
    expect(mails.every((m) => m.status === 'sent')).toBe(true);
    expect(sent.filter((m) => m.to === s.managerEmail)).toHaveLength(2);
  });

  it('tells the service managers when the customer has no account manager', async () => {
    const s = await setUp({ contract: { quotaMinutes: 100, quotaPeriod: 'quarter' }, accountManager: false });
    await log(s, { minutes: 100, workDate: '2026-11-10' });
    const managers = (await database.db.select({ email: users.email }).from(users).where(eq(users.role, 'manager'))).map((u) => u.email).sort();
    expect(managers.length).toBeGreaterThan(0);
    const events = await quotaEventsOf(s.contractId!);
    expect(events.map((e) => [e.threshold, e.periodStart, e.notified])).toEqual([
      [80, '2026-10-01', managers.join(', ')],
      [100, '2026-10-01', managers.join(', ')],
    ]);
    const mails = await quotaMails(s.contractId!);
    expect(mails.map((m) => m.recipient).sort()).toEqual([...managers, ...managers].sort());
  });
});

describe('entitlement branches', () => {
  it('a covered contract without quota bills nothing', async () => {
    const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null } });
    const res = await log(s, { minutes: 240, workDate: '2026-11-05', activityType: 'onsite' });
    expect(res.body).toMatchObject({ decision: 'covered', quotaMinutes: 0, billableMinutes: 0, amountCents: 0, rateCents: null, billable: false });
    expect(res.body.billingReason).toContain(`contract V-`);
  });

  it('without a contract the work is billable at the default rates', async () => {
    const s = await setUp();
    const res = await log(s, { minutes: 50, workDate: '2026-11-05', activityType: 'travel' });
    // 50 min at 6,000 c/h = 5,000 c.
    expect(res.body).toMatchObject({ decision: 'billable', contractId: null, projectId: null, billableMinutes: 50, rateCents: 6000, amountCents: 5000 });
  });

  it('under an expired contract the work is billable at that contract\'s rate', async () => {
    const s = await setUp({ contract: { validFrom: '2025-01-01', validTo: '2026-06-30' } });
    const res = await log(s, { minutes: 45, workDate: '2026-11-10', activityType: 'onsite' });
    expect(res.body).toMatchObject({ decision: 'billable', contractId: s.contractId, quotaMinutes: 0, billableMinutes: 45, rateCents: 13_200, amountCents: 9900 });
    expect(res.body.billingReason).toContain('expired on 30 Jun 2026');
  });

  it('an incident without contract is priced by the contract that covers the customer on the work date', async () => {
    const s = await setUp({ contract: { quotaMinutes: 300, quotaPeriod: 'month' }, onIncident: false });
    const res = await log(s, { minutes: 60, workDate: '2026-11-10' });
    expect(res.body).toMatchObject({ decision: 'quota', contractId: s.contractId, projectId: s.projectId, quotaMinutes: 60 });
  });

  /** What intake recorded for an incident whose serial number was not the customer's. */
  const takenInWith = (asset: AssetLookup): Entitlement => ({
    decision: 'billable',
    reason: 'The serial number is not a registered asset of the customer.',
    day: '2026-10-01',
    customerNumber: null,
    asset,
    contract: null,
    quota: null,
    rates: defaultRates,
    rateSource: { kind: 'default' },
  });

  it.each([[{ kind: 'unknown', number: 'NOPE-1' }], [{ kind: 'other-customer', number: 'X' }]] as const)(
    'time on an incident taken in with asset %j stays billable although a customer-wide contract exists',
    async (asset) => {
      const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null }, onIncident: false, entitlement: takenInWith(asset) });
      const res = await log(s, { minutes: 60, workDate: '2026-11-05' });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ decision: 'billable', quotaMinutes: 0, billableMinutes: 60, billable: true });
      expect(res.body.amountCents).toBe(res.body.rateCents);
      // An edit of the minutes prices it again on the same intake terms.
      const edited = await call('PATCH', `/api/time-entries/${res.body.id}`, agent, { minutes: 30 });
      expect(edited.body).toMatchObject({ decision: 'billable', billableMinutes: 30, amountCents: res.body.rateCents / 2 });
    },
  );

  it('after the incident\'s contract ended, a renewal prices the work (contract, quota and project); before it, the old contract', async () => {
    const s = await setUp({ contract: { validFrom: '2025-11-01', validTo: '2026-10-31', quotaMinutes: null, quotaPeriod: null } });
    const [renewal] = await database.db
      .insert(contracts)
      .values({ contractNumber: `V-${2000 + seq}-R`, customerId: s.customerId, tier: 'gold', validFrom: '2026-11-01', coversAllAssets: true, hourlyRates: { remote: 9900, onsite: 13_500, travel: 7500 }, quotaMinutes: 600, quotaPeriod: 'month' })
      .returning();
    const [renewalProject] = await database.db.insert(projects).values({ projectNumber: `P-V-${2000 + seq}-R`, contractId: renewal!.id, customerId: s.customerId, kind: 'support', name: 'Support renewal' }).returning();

    const november = await log(s, { minutes: 60, workDate: '2026-11-05' });
    expect(november.status).toBe(201);
    expect(november.body).toMatchObject({ decision: 'quota', contractId: renewal!.id, projectId: renewalProject!.id, quotaMinutes: 60, quotaPeriodStart: '2026-11-01', billableMinutes: 0 });
    const october = await log(s, { minutes: 60, workDate: '2026-10-20' });
    expect(october.body).toMatchObject({ decision: 'covered', contractId: s.contractId, projectId: s.projectId, quotaMinutes: 0, billableMinutes: 0 });
    // Moving October's work into November moves it to the renewal too.
    const moved = await call('PATCH', `/api/time-entries/${october.body.id}`, agent, { workDate: '2026-11-06' });
    expect(moved.body).toMatchObject({ decision: 'quota', contractId: renewal!.id, projectId: renewalProject!.id, quotaMinutes: 60, quotaPeriodStart: '2026-11-01' });
  });
});

describe('manager override', () => {
  it('bills or frees an entry with a reason, agents may not, and clearing prices it again', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const entry = (await log(s, { minutes: 120, workDate: '2026-11-10' })).body;
    expect(entry.quotaMinutes).toBe(120);

    const byAgent = await call('PUT', `/api/time-entries/${entry.id}/billing`, agent, { billable: true, reason: 'outside scope' });
    expect(byAgent.status).toBe(403);
    const noReason = await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: true });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors[0].field).toBe('reason');

    const billed = await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: true, reason: 'Server move, outside the contract' });
    expect(billed.status).toBe(200);
    expect(billed.body).toMatchObject({ billableOverride: true, overrideReason: 'Server move, outside the contract', overrideBy: `user:${manager.id}`, quotaMinutes: 0, billableMinutes: 120, rateCents: 9600, amountCents: 19_200 });
    expect(billed.body.billingReason).toBe('Billable by manager decision: Server move, outside the contract');

    const cleared = await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toMatchObject({ billableOverride: null, overrideReason: null, quotaMinutes: 120, billableMinutes: 0, amountCents: 0 });

    const audit = await call('GET', `/api/time-entries/${entry.id}/audit`, agent);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['created', 'billing_overridden', 'billing_overridden']);
    expect(audit.body.items[1]).toMatchObject({ actor: `user:${manager.id}`, actorName: 'Mia Manager', reason: 'Server move, outside the contract' });
    expect(audit.body.items[1].before).toMatchObject({ billableOverride: null, amountCents: 0 });
    expect(audit.body.items[1].after).toMatchObject({ billableOverride: true, amountCents: 19_200 });
  });
});

describe('edits, deletes and audit', () => {
  it('an edit re-prices and leaves an audit event with before and after', async () => {
    const s = await setUp({ contract: { quotaMinutes: 100, quotaPeriod: 'month' } });
    const entry = (await log(s, { minutes: 60, workDate: '2026-11-10' })).body;
    const edited = await call('PATCH', `/api/time-entries/${entry.id}`, agent, { minutes: 150, description: 'Remote session, longer than planned' });
    expect(edited.status).toBe(200);
    // Its own 60 min do not count against it: 100 from the quota, 50 billable at 9,600 c/h = 8,000 c.
    expect(edited.body).toMatchObject({ minutes: 150, quotaMinutes: 100, billableMinutes: 50, amountCents: 8000, description: 'Remote session, longer than planned' });
    const audit = await call('GET', `/api/time-entries/${entry.id}/audit`, agent);
    expect(audit.body.items).toHaveLength(2);
    expect(audit.body.items[1]).toMatchObject({ type: 'updated', actor: `user:${agent.id}`, actorName: 'Anna Agent' });
    expect(audit.body.items[1].before).toMatchObject({ minutes: 60, quotaMinutes: 60, amountCents: 0 });
    expect(audit.body.items[1].after).toMatchObject({ minutes: 150, quotaMinutes: 100, amountCents: 8000 });
    // The edit crossed 80 % and 100 % of the quota.
    expect((await quotaEventsOf(s.contractId!)).map((e) => e.threshold)).toEqual([80, 100]);
  });

  const billingOf = (e: Record<string, unknown>) => ({
    decision: e.decision,
    quotaMinutes: e.quotaMinutes,
    quotaPeriodStart: e.quotaPeriodStart,
    billableMinutes: e.billableMinutes,
    rateCents: e.rateCents,
    amountCents: e.amountCents,
    billingReason: e.billingReason,
    contractId: e.contractId,
    projectId: e.projectId,
  });

  it('re-prices an edit only when minutes, activity type, work date or the override change', async () => {
    const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null } });
    const entry = (await log(s, { minutes: 60, workDate: '2026-11-10' })).body;
    expect(entry).toMatchObject({ decision: 'covered', billableMinutes: 0, amountCents: 0 });
    // Since then the customer went on credit hold: that must not reach back into old work by a typo fix.
    await database.db.update(customers).set({ creditHold: true }).where(eq(customers.id, s.customerId));

    const described = await call('PATCH', `/api/time-entries/${entry.id}`, agent, { description: 'Reset the print spooler' });
    expect(described.status).toBe(200);
    expect(described.body.description).toBe('Reset the print spooler');
    expect(billingOf(described.body)).toEqual(billingOf(entry));
    // The same values again are no change either.
    const same = await call('PATCH', `/api/time-entries/${entry.id}`, agent, { minutes: 60, activityType: 'remote', workDate: '2026-11-10' });
    expect(billingOf(same.body)).toEqual(billingOf(entry));
    const audit = await call('GET', `/api/time-entries/${entry.id}/audit`, agent);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['created', 'updated', 'updated']);
    expect(audit.body.items[1].before).toMatchObject({ description: 'Remote session', decision: 'covered' });
    expect(audit.body.items[1].after).toMatchObject({ description: 'Reset the print spooler', decision: 'covered' });

    const longer = await call('PATCH', `/api/time-entries/${entry.id}`, agent, { minutes: 90 });
    expect(longer.status).toBe(200);
    // 90 min at the contract's 9,600 c/h = 14,400 c.
    expect(longer.body).toMatchObject({ minutes: 90, decision: 'blocked', billableMinutes: 90, rateCents: 9600, amountCents: 14_400, description: 'Reset the print spooler' });
  });

  it('a description edit keeps the entry on its draft invoice and the line says the same', async () => {
    const s = await setUp();
    const a = (await log(s, { minutes: 60, workDate: '2026-10-10' })).body;
    const [draft] = await database.db.insert(invoices).values({ customerId: s.customerId, periodFrom: '2026-10-01', periodTo: '2026-10-31', netCents: 9000 }).returning();
    await database.db.insert(invoiceLines).values({ invoiceId: draft!.id, timeEntryId: a.id, kind: 'time', incidentNumber: s.incident, workDate: a.workDate, activityType: a.activityType, description: a.description, minutes: a.minutes, rateCents: a.rateCents, amountCents: a.amountCents });

    const edited = await call('PATCH', `/api/time-entries/${a.id}`, agent, { description: 'Replaced the toner, tested' });
    expect(edited.status).toBe(200);
    const lines = await database.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, draft!.id));
    expect(lines.map((l) => [l.timeEntryId, l.description, l.minutes, l.amountCents])).toEqual([[a.id, 'Replaced the toner, tested', 60, 9000]]);
    const [after] = await database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(after!.netCents).toBe(9000);
  });

  it('agents change only their own entries; managers anyone\'s', async () => {
    const s = await setUp();
    const entry = (await log(s, { minutes: 30, workDate: '2026-11-10' })).body;
    expect((await call('PATCH', `/api/time-entries/${entry.id}`, otherAgent, { minutes: 20 })).status).toBe(403);
    expect((await call('DELETE', `/api/time-entries/${entry.id}`, otherAgent)).status).toBe(403);
    expect((await call('PATCH', `/api/time-entries/${entry.id}`, manager, { minutes: 20 })).body.minutes).toBe(20);
  });

  it('deleting gives the quota back and is audited', async () => {
    const s = await setUp({ contract: { quotaMinutes: 120, quotaPeriod: 'month' } });
    const entry = (await log(s, { minutes: 120, workDate: '2026-11-10' })).body;
    expect((await log(s, { minutes: 30, workDate: '2026-11-11' })).body.billableMinutes).toBe(30);
    const deleted = await call('DELETE', `/api/time-entries/${entry.id}`, agent);
    expect(deleted.status).toBe(204);
    const again = await log(s, { minutes: 90, workDate: '2026-11-12' });
    expect(again.body).toMatchObject({ quotaMinutes: 90, billableMinutes: 0 });
    const list = await call('GET', `/api/incidents/${s.incident}/time-entries`, agent);
    expect(list.body.items.map((e: { id: string }) => e.id)).not.toContain(entry.id);
    const audit = await call('GET', `/api/time-entries/${entry.id}/audit`, agent);
    expect(audit.body.items.map((e: { type: string }) => e.type)).toEqual(['created', 'deleted']);
    expect(audit.body.items[1].before.deletedAt).toBeNull();
    expect(audit.body.items[1].after.deletedAt).toEqual(expect.any(String));
    expect((await call('GET', `/api/time-entries/${entry.id}`, agent)).body.deletedAt).toEqual(expect.any(String));
    expect((await call('PATCH', `/api/time-entries/${entry.id}`, agent, { minutes: 5 })).status).toBe(409);
    // Usage fell below 100 % and rose again: the notices of this period are not repeated.
    expect(await quotaMails(s.contractId!)).toHaveLength(2);
  });

  it('an invoiced entry is frozen', async () => {
    const s = await setUp();
    const entry = (await log(s, { minutes: 60, workDate: '2026-10-10' })).body;
    const [invoice] = await database.db
      .insert(invoices)
      .values({ invoiceNumber: `RE-2026-${String(seq).padStart(5, '0')}`, customerId: s.customerId, periodFrom: '2026-10-01', periodTo: '2026-10-31', status: 'final', netCents: 9000, finalisedAt: new Date() })
      .returning();
    await database.db.insert(invoiceLines).values({ invoiceId: invoice!.id, timeEntryId: entry.id, kind: 'time', incidentNumber: s.incident, workDate: '2026-10-10', activityType: 'remote', description: 'x', minutes: 60, rateCents: 9000, amountCents: 9000 });
    await database.db.update(timeEntries).set({ invoicedAt: new Date() }).where(eq(timeEntries.id, entry.id));
    for (const res of [
      await call('PATCH', `/api/time-entries/${entry.id}`, agent, { minutes: 30 }),
      await call('DELETE', `/api/time-entries/${entry.id}`, agent),
      await call('PUT', `/api/time-entries/${entry.id}/billing`, manager, { billable: false, reason: 'goodwill' }),
    ]) {
      expect(res.status).toBe(409);
      expect(res.body.detail).toContain(`invoiced on ${invoice!.invoiceNumber}`);
    }
    expect((await call('GET', `/api/time-entries/${entry.id}`, agent)).body).toMatchObject({ minutes: 60, amountCents: 9000 });
  });

  it('editing an entry on a draft invoice takes it off the draft and fixes the draft\'s net amount', async () => {
    const s = await setUp();
    const a = (await log(s, { minutes: 60, workDate: '2026-10-10' })).body;
    const b = (await log(s, { minutes: 30, workDate: '2026-10-11' })).body;
    expect([a.amountCents, b.amountCents]).toEqual([9000, 4500]);
    const [draft] = await database.db.insert(invoices).values({ customerId: s.customerId, periodFrom: '2026-10-01', periodTo: '2026-10-31', netCents: 13_500 }).returning();
    const line = (e: typeof a) => ({ invoiceId: draft!.id, timeEntryId: e.id, kind: 'time' as const, incidentNumber: s.incident, workDate: e.workDate, activityType: e.activityType, description: e.description, minutes: e.minutes, rateCents: e.rateCents, amountCents: e.amountCents });
    await database.db.insert(invoiceLines).values([line(a), line(b)]);

    const edited = await call('PATCH', `/api/time-entries/${a.id}`, agent, { minutes: 90 });
    expect(edited.body.amountCents).toBe(13_500);
    const lines = await database.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, draft!.id));
    expect(lines.map((l) => l.timeEntryId)).toEqual([b.id]);
    const [after] = await database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(after!.netCents).toBe(4500);

    expect((await call('DELETE', `/api/time-entries/${b.id}`, agent)).status).toBe(204);
    const [empty] = await database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(empty!.netCents).toBe(0);
  });
});

describe('input and access', () => {
  it.each([
    [{ minutes: 0 }, 'minutes'],
    [{ minutes: 1441 }, 'minutes'],
    [{ minutes: 1.5 }, 'minutes'],
    [{ minutes: 30, activityType: 'phone' }, 'activityType'],
    [{ minutes: 30, description: '' }, 'description'],
    [{ minutes: 30, workDate: '2026-02-30' }, 'workDate'],
    [{ minutes: 30, workDate: '2099-01-01' }, 'workDate'],
  ])('refuses %j with 400 naming the field', async (body, field) => {
    const s = await setUp();
    const res = await log(s, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('Content-Type')).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident))).toHaveLength(0);
  });

  it('answers 404 for an unknown incident or entry and 409 for an incident without customer', async () => {
    expect((await call('POST', '/api/incidents/INC-2026-999999/time-entries', agent, { minutes: 5, activityType: 'remote', description: 'x' })).status).toBe(404);
    expect((await call('GET', '/api/incidents/INC-2026-999999/time-entries', agent)).status).toBe(404);
    expect((await call('GET', '/api/time-entries/00000000-0000-4000-8000-000000000000', agent)).status).toBe(404);
    expect((await call('PATCH', '/api/time-entries/not-a-uuid', agent, { minutes: 5 })).status).toBe(400);
    await database.db.insert(incidents).values({ number: 'INC-2026-900001', title: 't', description: 'd', channel: 'phone', priority: 'P4', status: 'new', receivedAt: new Date(), updatedAt: new Date(), version: 1 });
    const res = await call('POST', '/api/incidents/INC-2026-900001/time-entries', agent, { minutes: 5, activityType: 'remote', description: 'x' });
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('has no customer');
  });

  it('defaults the work date to today and the agent to the caller; only managers log for others', async () => {
    const s = await setUp();
    const mine = await log(s, { minutes: 10 });
    expect(mine.body.agentId).toBe(agent.id);
    expect(mine.body.workDate).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date()));
    expect((await log(s, { minutes: 10, agentId: otherAgent.id })).status).toBe(403);
    const forOther = await log(s, { minutes: 10, agentId: otherAgent.id }, manager);
    expect(forOther.status).toBe(201);
    expect(forOther.body).toMatchObject({ agentId: otherAgent.id, createdBy: `user:${manager.id}` });
    expect((await log(s, { minutes: 10, agentId: '00000000-0000-4000-8000-000000000000' }, manager)).status).toBe(400);
  });

  it('only staff (agent, manager, admin) can be the agent of an entry', async () => {
    const s = await setUp();
    const mailgate = await createUserWithToken(database.db, 'mailgate', 'Mail Gate');
    const admin = await createUserWithToken(database.db, 'admin', 'Ada Admin');
    for (const outsider of [sales, mailgate]) {
      const res = await log(s, { minutes: 10, workDate: '2026-11-02', agentId: outsider.id }, manager);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['agentId']);
      expect(res.body.detail).toContain(outsider.id);
    }
    for (const staff of [admin, manager, otherAgent]) {
      const res = await log(s, { minutes: 10, workDate: '2026-11-02', agentId: staff.id }, manager);
      expect(res.status).toBe(201);
      expect(res.body.agentId).toBe(staff.id);
    }
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident))).toHaveLength(3);
  });

  it('keeps sales out, and lets managers list entries by customer and billability', async () => {
    const s = await setUp({ contract: { quotaMinutes: 60, quotaPeriod: 'month' } });
    await log(s, { minutes: 60, workDate: '2026-11-02' });
    await log(s, { minutes: 30, workDate: '2026-11-03' });
    expect((await log(s, { minutes: 10 }, sales)).status).toBe(403);
    expect((await call('GET', `/api/incidents/${s.incident}/time-entries`, sales)).status).toBe(403);
    expect((await call('GET', `/api/time-entries?customerNumber=${s.customerNumber}`, agent)).status).toBe(403);
    const billable = await call('GET', `/api/time-entries?customerNumber=${s.customerNumber}&billable=true&from=2026-11-01&to=2026-11-30`, manager);
    expect(billable.status).toBe(200);
    expect(billable.body.items.map((e: { minutes: number }) => e.minutes)).toEqual([30]);
    expect(billable.body.totals).toEqual({ minutes: 30, quotaMinutes: 0, billableMinutes: 30, amountCents: 4800 });
    const all = await call('GET', `/api/time-entries?customerNumber=${s.customerNumber}`, manager);
    expect(all.body.totals.minutes).toBe(90);
    // Pages: the totals stay those of every matching entry.
    const page = await call('GET', `/api/time-entries?customerNumber=${s.customerNumber}&limit=1&offset=1`, manager);
    expect(page.body).toMatchObject({ total: 2, limit: 1, offset: 1, totals: { minutes: 90 } });
    expect(page.body.items.map((e: { minutes: number }) => e.minutes)).toEqual([30]);
    expect((await call('GET', `/api/time-entries?limit=0`, manager)).status).toBe(400);
  });

  it('gives two parallel retries with the same Idempotency-Key one entry', async () => {
    const s = await setUp({ contract: { quotaMinutes: 600, quotaPeriod: 'month' } });
    const headers = { 'Idempotency-Key': 'parallel-retry' };
    const [x, y] = await Promise.all([log(s, { minutes: 500, workDate: '2026-11-02' }, agent, headers), log(s, { minutes: 500, workDate: '2026-11-02' }, agent, headers)]);
    expect([x.status, y.status].sort()).toEqual([200, 201]);
    expect(x.body.id).toBe(y.body.id);
    expect(await database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident))).toHaveLength(1);
    expect(await quotaEventsOf(s.contractId!)).toHaveLength(1);
    expect(await quotaMails(s.contractId!)).toHaveLength(1);
  });

  it('refuses an Idempotency-Key reused for another incident', async () => {
    const a = await setUp();
    const b = await setUp();
    const headers = { 'Idempotency-Key': 'same-key' };
    expect((await log(a, { minutes: 10, workDate: '2026-11-02' }, agent, headers)).status).toBe(201);
    const other = await log(b, { minutes: 10, workDate: '2026-11-02' }, agent, headers);
    expect(other.status).toBe(409);
    // Another user's identical key is their own.
    expect((await log(b, { minutes: 10, workDate: '2026-11-02' }, otherAgent, headers)).status).toBe(201);
  });
});

describe('work booked from a service order', () => {
  it('shows the order on the booked time, lists the material with exact totals, and keeps sales out', async () => {
    const s = await setUp({ contract: { quotaMinutes: null, quotaPeriod: null } });
    const direct = await log(s, { minutes: 15, workDate: '2026-11-02' });
    expect(direct.body.followUp).toBeNull();
    const followUpWorkflowId = `incident-${s.incident}/service-order-1`;
    const booking = {
      followUpWorkflowId,
      incidentNumber: s.incident,
      technicianId: otherAgent.id,
      completedAt: '2026-11-05T10:00:00Z',
      timeEntries: [{ minutes: 60, activityType: 'onsite' as const, description: 'Swap PSU', workDate: '2026-11-05' }],
      materials: [
        { articleNumber: 'PSU-800', description: 'PSU 800 W', quantity: 1, unitPriceCents: 18_900 },
        { articleNumber: 'CBL-2', description: 'Power cable', quantity: 3, unitPriceCents: 333 },
      ],
    };
    const deps = { db: database.db, timezone: 'Europe/Berlin', defaultRates, mailFrom: 'helpdesk@systemhaus.example' };
    const booked = await bookServiceOrderReport(deps, booking);

    const time = await call('GET', `/api/incidents/${s.incident}/time-entries`, agent);
    expect(time.status).toBe(200);
    expect(time.body.items.map((e: { id: string; followUp: unknown; agentId: string; createdBy: string }) => [e.id, e.followUp, e.agentId, e.createdBy])).toEqual([
      [direct.body.id, null, agent.id, `user:${agent.id}`],
      [booked.timeEntryIds[0], { workflowId: followUpWorkflowId, lineNo: 0 }, otherAgent.id, `follow-up:${followUpWorkflowId}`],
    ]);
    // The single entry shows it too.
    expect((await call('GET', `/api/time-entries/${booked.timeEntryIds[0]}`, agent)).body.followUp).toEqual({ workflowId: followUpWorkflowId, lineNo: 0 });

    const materials = await call('GET', `/api/incidents/${s.incident}/materials`, agent);
    expect(materials.status).toBe(200);
    expect(materials.body.items.map((m: Record<string, unknown>) => [m.id, m.articleNumber, m.quantity, m.unitPriceCents, m.amountCents, m.billable, m.invoicedAt, m.followUp])).toEqual([
      [booked.materialEntryIds[0], 'PSU-800', 1, 18_900, 18_900, true, null, { workflowId: followUpWorkflowId, lineNo: 0 }],
      [booked.materialEntryIds[1], 'CBL-2', 3, 333, 999, true, null, { workflowId: followUpWorkflowId, lineNo: 1 }],
    ]);
    expect(materials.body.items[0]).toMatchObject({ incidentNumber: s.incident, customerId: s.customerId, contractId: s.contractId, projectId: s.projectId, workDate: '2026-11-05' });
    expect(materials.body.totals).toEqual({ lineCount: 2, amountCents: 19_899, unbilledCents: 19_899 });

    expect((await call('GET', `/api/incidents/${s.incident}/materials`, sales)).status).toBe(403);
    const unknown = await call('GET', '/api/incidents/INC-2026-999999/materials', agent);
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('INC-2026-999999');
  });
});
