// GET /api/entitlement: every decision branch, through the API, against real Postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { assets, businessCalendars, contractAssets, contracts, customers, projects, slaPolicies, timeEntries } from '../../src/db/schema/index.js';
import { defaultEscalationLadder } from '../../src/domain/sla.js';
import { databaseOnlyApp, type TestApp } from '../support/api.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let database: Database;
let app: TestApp;
let agent: TestUser;
let sales: TestUser;
let mailgate: TestUser;

const defaultRates = { remote: 9500, onsite: 11500, travel: 6500 };
const targets = (m: number) => ({ firstResponse: m, nextResponse: 2 * m, resolution: 8 * m });

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  app = databaseOnlyApp(db, { defaultRates, timezone: 'Europe/Berlin' });
  agent = await createUserWithToken(db, 'agent');
  sales = await createUserWithToken(db, 'sales');
  mailgate = await createUserWithToken(db, 'mailgate');

  const [calendar] = await db.insert(businessCalendars).values({ name: 'Office', timezone: 'Europe/Berlin', week: { mon: [['08:00', '17:00']] } }).returning();
  await db.insert(slaPolicies).values([
    { name: 'Gold', tier: 'gold', calendarId: calendar!.id, targets: { P1: targets(60), P2: targets(120), P3: targets(240), P4: targets(480) }, escalation: defaultEscalationLadder },
    { name: 'Platinum', tier: 'platinum', calendarId: calendar!.id, targets: { P1: targets(30), P2: targets(60), P3: targets(120), P4: targets(240) }, escalation: defaultEscalationLadder },
  ]);
  const [acme, bolt, hold] = await db
    .insert(customers)
    .values([
      { customerNumber: 'K-1', name: 'Acme GmbH' },
      { customerNumber: 'K-2', name: 'Bolt AG' },
      { customerNumber: 'K-3', name: 'Hold KG', creditHold: true },
    ])
    .returning();
  const [wide, named, expired, quota, holdContract] = await db
    .insert(contracts)
    .values([
      { contractNumber: 'V-WIDE', customerId: acme!.id, tier: 'gold', validFrom: '2026-01-01', validTo: '2026-12-31', coversAllAssets: true, hourlyRates: { remote: 9000 } },
      { contractNumber: 'V-NAMED', customerId: acme!.id, tier: 'platinum', validFrom: '2026-01-01', validTo: null },
      { contractNumber: 'V-OLD', customerId: bolt!.id, tier: 'gold', validFrom: '2024-01-01', validTo: '2025-12-31', coversAllAssets: true, hourlyRates: { onsite: 12000 } },
      { contractNumber: 'V-QUOTA', customerId: bolt!.id, tier: 'gold', validFrom: '2026-06-01', validTo: '2027-05-31', coversAllAssets: false, quotaMinutes: 600, quotaPeriod: 'month' },
      { contractNumber: 'V-HOLD', customerId: hold!.id, tier: 'gold', validFrom: '2026-01-01', validTo: null, coversAllAssets: true },
    ])
    .returning();
  await db.insert(projects).values(
    [wide, named, expired, quota, holdContract].map((c) => ({ projectNumber: `P-${c!.contractNumber}`, contractId: c!.id, customerId: c!.customerId, kind: 'support' as const, name: `Support ${c!.contractNumber}` })),
  );
  const [server, , boltNas] = await db
    .insert(assets)
    .values([
      { serialNumber: 'SRV-1', identNumber: 'ID-1', product: 'Server', customerId: acme!.id },
      { serialNumber: 'PRN-1', product: 'Printer', customerId: acme!.id },
      { serialNumber: 'NAS-2', identNumber: 'ID-2', product: 'NAS', customerId: bolt!.id },
      { serialNumber: 'FW-2', product: 'Firewall', customerId: bolt!.id },
    ])
    .returning();
  await db.insert(contractAssets).values([
    { contractId: named!.id, assetId: server!.id },
    { contractId: quota!.id, assetId: boltNas!.id },
  ]);
  // 450 of the 600 November minutes of V-QUOTA are used; an October entry and a deleted one do not count.
  const entry = { incidentNumber: 'INC-2026-000001', customerId: bolt!.id, contractId: quota!.id, agentId: agent.id, activityType: 'remote' as const, description: 'work', decision: 'quota' as const, billingReason: 'quota', createdBy: 'test' };
  await db.insert(timeEntries).values([
    { ...entry, workDate: '2026-11-03', minutes: 300, quotaMinutes: 300, quotaPeriodStart: '2026-11-01' },
    { ...entry, workDate: '2026-11-10', minutes: 150, quotaMinutes: 150, quotaPeriodStart: '2026-11-01' },
    { ...entry, workDate: '2026-10-30', minutes: 500, quotaMinutes: 500, quotaPeriodStart: '2026-10-01' },
    { ...entry, workDate: '2026-11-11', minutes: 100, quotaMinutes: 100, quotaPeriodStart: '2026-11-01', deletedAt: new Date() },
  ]);
});
afterAll(async () => database?.close());

async function check(query: string, user: TestUser = agent) {
  const res = await app.request(`/api/entitlement?${query}`, { headers: { Authorization: `Bearer ${user.token}` } });
  return { status: res.status, body: (await res.json()) as any };
}

describe('GET /api/entitlement', () => {
  it('covered: the contract that lists the asset, with its SLA policy and targets', async () => {
    const { status, body } = await check('serialNumber=SRV-1&date=2026-11-12');
    expect(status).toBe(200);
    expect(body.customer).toEqual({ number: 'K-1', name: 'Acme GmbH', creditHold: false });
    expect(body.asset).toEqual({ serialNumber: 'SRV-1', identNumber: 'ID-1', product: 'Server' });
    expect(body.entitlement).toMatchObject({ decision: 'covered', contract: { number: 'V-NAMED', tier: 'platinum' }, reason: 'Platinum contract V-NAMED (open-ended) covers SRV-1.' });
    expect(body.slaPolicy).toMatchObject({ name: 'Platinum', version: 1 });
    expect(body.slaPolicy.targets.P1).toEqual({ firstResponse: 30, nextResponse: 60, resolution: 240 });
    expect(body.project).toEqual({ number: 'P-V-NAMED' });
  });

  it('covered: the customer-wide contract, by customer number or by an unlisted asset', async () => {
    const byCustomer = await check('customerNumber=K-1&date=2026-11-12');
    expect(byCustomer.body.entitlement).toMatchObject({ decision: 'covered', contract: { number: 'V-WIDE' }, rates: { remote: 9000, onsite: 11500, travel: 6500 } });
    expect(byCustomer.body.slaPolicy.name).toBe('Gold');
    const byPrinter = await check('customerNumber=K-1&serialNumber=PRN-1&date=2026-11-12');
    expect(byPrinter.body.entitlement.contract.number).toBe('V-WIDE');
  });

  it('quota: remaining minutes of the current period, found by ident number', async () => {
    const { body } = await check('identNumber=ID-2&date=2026-11-12');
    expect(body.customer.number).toBe('K-2');
    expect(body.entitlement).toMatchObject({
      decision: 'quota',
      contract: { number: 'V-QUOTA' },
      quota: { period: 'month', periodStart: '2026-11-01', periodEnd: '2026-11-30', totalMinutes: 600, usedMinutes: 450, remainingMinutes: 150 },
    });
    expect(body.entitlement.reason).toBe('Contract V-QUOTA covers NAS-2; time is drawn from its quota: 2 h 30 min of 10 h left in Nov 2026.');
    // A new period starts with the whole quota.
    expect((await check('identNumber=ID-2&date=2026-12-01')).body.entitlement.quota).toMatchObject({ usedMinutes: 0, remainingMinutes: 600 });
    // In October the 500 minutes used leave 100.
    expect((await check('identNumber=ID-2&date=2026-10-31')).body.entitlement.quota.remainingMinutes).toBe(100);
  });

  it('billable: an expired contract, at its rates', async () => {
    const { body } = await check('customerNumber=K-2&date=2026-11-12');
    expect(body.entitlement).toMatchObject({ decision: 'billable', contract: null, rateSource: { kind: 'contract', contractNumber: 'V-QUOTA' } });
    const asset = await check('serialNumber=FW-2&date=2026-03-01');
    expect(asset.body.entitlement.decision).toBe('billable');
    expect(asset.body.entitlement.reason).toBe('Contract V-OLD expired on 31 Dec 2025. Work is billable at the rates of contract V-OLD.');
    expect(asset.body.entitlement.rates).toEqual({ remote: 9500, onsite: 12000, travel: 6500 });
    expect(asset.body.slaPolicy).toBeNull();
  });

  it('billable: an unknown serial number, with no customer or with the caller\'s customer', async () => {
    const alone = await check('serialNumber=NOPE-1');
    expect(alone.status).toBe(200);
    expect(alone.body).toMatchObject({ customer: null, asset: null, slaPolicy: null, entitlement: { decision: 'billable', rateSource: { kind: 'default' }, rates: defaultRates } });
    expect(alone.body.entitlement.reason).toBe('Serial or ident number NOPE-1 is not registered to any customer. Work is billable at the default rates.');
    const withCustomer = await check('customerNumber=K-1&serialNumber=NOPE-1&date=2026-11-12');
    expect(withCustomer.body.entitlement).toMatchObject({ decision: 'billable', customerNumber: 'K-1', contract: null });
    expect(withCustomer.body.entitlement.reason).toMatch(/^Serial or ident number NOPE-1 is not registered for K-1/);
  });

  it('billable: a serial number of another customer, without naming that customer', async () => {
    const { body } = await check('customerNumber=K-1&serialNumber=NAS-2&date=2026-11-12');
    expect(body.customer.number).toBe('K-1');
    expect(body.asset).toBeNull();
    expect(body.entitlement).toMatchObject({ decision: 'billable', contract: null });
    expect(body.entitlement.reason).toBe('Serial or ident number NAS-2 is registered to another customer, so K-1\'s contracts do not cover it. Work is billable at the rates of contract V-WIDE.');
    expect(JSON.stringify(body)).not.toContain('K-2');
  });

  it('blocked: a customer on credit hold, with the contract still named', async () => {
    const { body } = await check('customerNumber=K-3&date=2026-11-12');
    expect(body.entitlement).toMatchObject({ decision: 'blocked', contract: { number: 'V-HOLD' } });
    expect(body.entitlement.reason).toBe('Hold KG (K-3) is on credit hold: record the request, but agree payment with accounting before any work.');
  });

  it('answers for today in the house time zone when no date is given', async () => {
    const { body } = await check('customerNumber=K-1');
    expect(body.entitlement.day).toBe(new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(new Date()));
  });

  it.each([
    ['', 400, /give customerNumber, serialNumber or identNumber/],
    ['customerNumber=K-404', 400, /No customer with number K-404/],
    ['serialNumber=SRV-1&identNumber=ID-2', 400, /name two different assets/],
    ['customerNumber=K-1&date=2026-13-01', 400, /date/],
  ])('refuses %j with %i', async (query, status, detail) => {
    const res = await check(query);
    expect(res.status).toBe(status);
    expect(res.body.detail).toMatch(detail);
  });

  it('is open to sales and closed to the mail gateway', async () => {
    expect((await check('customerNumber=K-1', sales)).status).toBe(200);
    expect((await check('customerNumber=K-1', mailgate)).status).toBe(403);
    expect((await app.request('/api/entitlement?customerNumber=K-1')).status).toBe(401);
  });
});
