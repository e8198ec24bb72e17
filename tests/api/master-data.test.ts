// Master data through the API on a real database: customers, contacts, contracts, assets, their rules and roles.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { assets, contractAssets, contracts, customers, incidents, projects, slaPolicies, timeEntries, users } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { databaseOnlyApp, apiCaller, type TestApp } from '../support/api.js';
import { lockCustomerQuotas } from '../../src/services/billing-locks.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let database: Database;
let app: TestApp;
let agent: TestUser;
let manager: TestUser;
let admin: TestUser;
let sales: TestUser;

beforeAll(async () => {
  database = await createTestDatabase();
  app = databaseOnlyApp(database.db);
  await seedDemoData(database.db);
  agent = await createUserWithToken(database.db, 'agent');
  manager = await createUserWithToken(database.db, 'manager');
  admin = await createUserWithToken(database.db, 'admin');
  sales = await createUserWithToken(database.db, 'sales');
});
afterAll(async () => database?.close());

const call = (...args: Parameters<ReturnType<typeof apiCaller>>) => apiCaller(app)(...args);

let incidentSeq = 900;
/** An incident projection row naming the given parties, as intake would write it. */
async function incidentNaming(parties: { customerNumber: string; contactId?: string; assetId?: string; contractId?: string }) {
  const [customer] = await database.db.select().from(customers).where(eq(customers.customerNumber, parties.customerNumber));
  const number = `INC-2026-${String(++incidentSeq).padStart(6, '0')}`;
  const now = new Date('2026-11-02T08:00:00Z');
  await database.db.insert(incidents).values({
    number,
    customerId: customer!.id,
    customerNumber: parties.customerNumber,
    contactId: parties.contactId ?? null,
    assetId: parties.assetId ?? null,
    contractId: parties.contractId ?? null,
    title: 'Printer jams',
    description: 'Paper jam',
    channel: 'phone',
    priority: 'P3',
    status: 'in_progress',
    receivedAt: now,
    updatedAt: now,
    version: 1,
  });
  return { number, customerId: customer!.id };
}

const contract = (overrides: Record<string, unknown>) => ({ customerNumber: 'K-20001', tier: 'gold', validFrom: '2026-01-01', validTo: '2026-12-31', ...overrides });

describe('customers', () => {
  it('lists with search and paging, and shows the account manager by name and e-mail', async () => {
    const page = await call('GET', '/api/customers?limit=2&offset=1', agent);
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items.map((c: { customerNumber: string }) => c.customerNumber)).toEqual(['K-10002', 'K-10003']);

    const search = await call('GET', '/api/customers?q=b%C3%A4ckerei', agent);
    expect(search.body.items).toHaveLength(1);
    expect(search.body.items[0]).toMatchObject({ customerNumber: 'K-10003', accountManager: { name: 'Max Manager', email: 'max.manager@helpdesk.example' } });

    const one = await call('GET', '/api/customers/K-10004', agent);
    expect(one.body).toMatchObject({ customerNumber: 'K-10004', creditHold: true, language: 'en', mailDomains: ['weber-partner.example'] });
    expect((await call('GET', '/api/customers/K-99999', agent)).status).toBe(404);
  });

  it('creates, changes and deletes a customer', async () => {
    const created = await call('POST', '/api/customers', admin, {
      customerNumber: 'K-20001',
      name: 'Neue Kunde AG',
      mailDomains: ['Neue-Kunde.EXAMPLE'],
      accountManagerEmail: 'MAX.MANAGER@helpdesk.example',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerNumber: 'K-20001', mailDomains: ['neue-kunde.example'], language: 'de', creditHold: false, accountManager: { name: 'Max Manager' } });

    const held = await call('PATCH', '/api/customers/K-20001', admin, { creditHold: true });
    expect(held.body).toMatchObject({ creditHold: true, name: 'Neue Kunde AG', accountManager: { name: 'Max Manager' } });
    const replaced = await call('PUT', '/api/customers/K-20001', admin, { name: 'Neue Kunde AG & Co. KG', mailDomains: ['neue-kunde.example'] });
    expect(replaced.body).toMatchObject({ name: 'Neue Kunde AG & Co. KG', creditHold: false, accountManager: null });

    await call('POST', '/api/customers', admin, { customerNumber: 'K-20999', name: 'Short-lived' });
    expect((await call('DELETE', '/api/customers/K-20999', admin)).status).toBe(204);
    expect((await call('GET', '/api/customers/K-20999', agent)).status).toBe(404);
  });

  it('refuses duplicates, unknown or unfit account managers, and a mail domain of another customer', async () => {
    const duplicate = await call('POST', '/api/customers', admin, { customerNumber: 'K-10001', name: 'Again' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toBe('Customer K-10001 already exists.');

    const unknown = await call('POST', '/api/customers', admin, { customerNumber: 'K-20002', name: 'X', accountManagerEmail: 'nobody@helpdesk.example' });
    expect(unknown.status).toBe(400);
    expect(unknown.type).toContain('application/problem+json');
    expect(unknown.body.errors).toEqual([{ field: 'accountManagerEmail', message: 'accountManagerEmail: no user with e-mail nobody@helpdesk.example.' }]);

    const salesManager = await call('POST', '/api/customers', admin, { customerNumber: 'K-20002', name: 'X', accountManagerEmail: 'sven.sales@helpdesk.example' });
    expect(salesManager.status).toBe(400);
    expect(salesManager.body.detail).toContain('has role sales; an account manager must be an agent, manager or admin');

    const domain = await call('POST', '/api/customers', admin, { customerNumber: 'K-20002', name: 'X', mailDomains: ['weber-partner.example'] });
    expect(domain.status).toBe(409);
    expect(domain.body.detail).toContain('Mail domain weber-partner.example already belongs to customer K-10004');
  });

  it('refuses to delete a customer that contracts, contacts or assets still refer to', async () => {
    const res = await call('DELETE', '/api/customers/K-10002', admin);
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Customer K-10002 is still referenced by 1 contracts, 1 contacts, 3 assets; it cannot be deleted.');
  });

  it('leaves GET /api/customers/{number}/insight to the sales insight router', async () => {
    const res = await call('GET', '/api/customers/K-10001/insight', sales);
    expect(res.status).not.toBe(403);
    expect((await call('GET', '/api/customers/K-10001', sales)).status).toBe(403);
  });
});

describe('contacts', () => {
  it('creates, filters by customer, changes and deletes a contact', async () => {
    const created = await call('POST', '/api/contacts', admin, { customerNumber: 'K-10003', name: 'Eva Schmidt', email: 'eva@baeckerei-schmidt.example', phone: '+49 231 555 0302' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ customerNumber: 'K-10003', name: 'Eva Schmidt', language: null });

    const list = await call('GET', '/api/contacts?customerNumber=K-10003', agent);
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((c: { email: string }) => c.email).sort()).toEqual(['eva@baeckerei-schmidt.example', 'info@baeckerei-schmidt.example']);

    const changed = await call('PATCH', `/api/contacts/${created.body.id}`, admin, { language: 'en' });
    expect(changed.body).toMatchObject({ language: 'en', name: 'Eva Schmidt' });
    expect((await call('DELETE', `/api/contacts/${created.body.id}`, admin)).status).toBe(204);
    expect((await call('GET', `/api/contacts/${created.body.id}`, agent)).status).toBe(404);
  });

  it('refuses an e-mail address that exists in another case, and an unknown customer', async () => {
    const duplicate = await call('POST', '/api/contacts', admin, { customerNumber: 'K-10001', name: 'Petra', email: 'Petra.Mueller@Mueller-Maschinenbau.example' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toContain('A contact with e-mail petra.mueller@mueller-maschinenbau.example already exists (customer K-10001)');

    const unknown = await call('POST', '/api/contacts', admin, { customerNumber: 'K-77777', name: 'X', email: 'x@example.com' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('customerNumber');
  });

  it('refuses to delete a contact an incident names', async () => {
    const list = await call('GET', '/api/contacts?q=jens', agent);
    const jens = list.body.items[0];
    await incidentNaming({ customerNumber: 'K-10001', contactId: jens.id });
    const res = await call('DELETE', `/api/contacts/${jens.id}`, admin);
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Contact jens.kraft@mueller-maschinenbau.example is named on 1 incident(s); it cannot be deleted.');
  });
});

describe('contracts', () => {
  beforeAll(async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20001', name: 'Neue Kunde AG' });
    await call('POST', '/api/assets', admin, { serialNumber: 'SRV-NEU-1', product: 'Server', customerNumber: 'K-20001' });
    await call('POST', '/api/assets', admin, { serialNumber: 'SRV-NEU-2', product: 'Server', customerNumber: 'K-20001' });
  });

  it('creates a contract with its support project in the same write', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-1001', coveredSerialNumbers: ['SRV-NEU-1'], monthlyFeeCents: 29_900, hourlyRates: { remote: 9_000 } }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      contractNumber: 'V-2026-1001',
      customerNumber: 'K-20001',
      coveredSerialNumbers: ['SRV-NEU-1'],
      monthlyFeeCents: 29_900,
      hourlyRates: { remote: 9_000 },
      quotaMinutes: null,
      project: { number: 'P-V-2026-1001', kind: 'support', name: 'Support V-2026-1001' },
    });
    const [row] = await database.db.select().from(projects).where(eq(projects.projectNumber, 'P-V-2026-1001'));
    expect(row).toMatchObject({ kind: 'support', name: 'Support V-2026-1001' });

    const maintenance = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-1002', validFrom: '2027-01-01', validTo: null, projectKind: 'maintenance', quotaMinutes: 1200, quotaPeriod: 'prepaid' }));
    expect(maintenance.status).toBe(201);
    expect(maintenance.body).toMatchObject({ validTo: null, quotaMinutes: 1200, quotaPeriod: 'prepaid', project: { number: 'P-V-2026-1002', kind: 'maintenance', name: 'Maintenance V-2026-1002' } });
  });

  it('shows the demo contracts with fees, rates, quota and project', async () => {
    const silver = await call('GET', '/api/contracts/V-2026-0003', agent);
    expect(silver.body).toMatchObject({ customerNumber: 'K-10003', tier: 'silver', quotaMinutes: 600, quotaPeriod: 'month', monthlyFeeCents: 19_000, project: { number: 'P-V-2026-0003' } });
    const platinum = await call('GET', '/api/contracts/V-2026-0002', agent);
    expect(platinum.body.coveredSerialNumbers).toEqual(['FW-FG100F-0042', 'SW-C9300-1187']);
    const list = await call('GET', '/api/contracts?customerNumber=K-10004', agent);
    expect(list.body.items.map((c: { contractNumber: string }) => c.contractNumber)).toEqual(['V-2024-0107']);
  });

  it('refuses a validity that ends before it starts, naming validTo', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-1', validFrom: '2026-06-01', validTo: '2026-05-31' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'validTo', message: 'validTo: the validity ends (2026-05-31) before it starts (2026-06-01).' }]);
  });

  it('refuses to list an asset another contract covers on an overlapping day, naming both contracts and the asset', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-1003', validFrom: '2026-12-01', validTo: '2027-11-30', coveredSerialNumbers: ['SRV-NEU-1'] }));
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Asset SRV-NEU-1 is already covered by contract V-2026-1001 (2026-01-01 to 2026-12-31); contract V-2026-1003 (2026-12-01 to 2027-11-30) overlaps it.');
    expect((await call('GET', '/api/contracts/V-2026-1003', agent)).status).toBe(404);

    const renewal = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2027-1003', validFrom: '2027-01-01', validTo: '2027-12-31', coveredSerialNumbers: ['SRV-NEU-1'] }));
    expect(renewal.status).toBe(201);

    const stretched = await call('PATCH', '/api/contracts/V-2026-1001', admin, { validTo: '2027-03-31' });
    expect(stretched.status).toBe(409);
    expect(stretched.body.detail).toContain('Asset SRV-NEU-1 is already covered by contract V-2027-1003');
  });

  it('refuses two whole-customer contracts of one customer with overlapping validity', async () => {
    const res = await call('POST', '/api/contracts', admin, { contractNumber: 'V-2027-0003', customerNumber: 'K-10003', tier: 'gold', validFrom: '2027-02-01', coversAllAssets: true });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Contract V-2026-0003 (2026-03-01 to 2027-02-28) already covers all assets of this customer; contract V-2027-0003 (from 2027-02-01, open-ended) overlaps it.');
    const after = await call('POST', '/api/contracts', admin, { contractNumber: 'V-2027-0003', customerNumber: 'K-10003', tier: 'gold', validFrom: '2027-03-01', coversAllAssets: true });
    expect(after.status).toBe(201);
  });

  it('lets a contract list only assets of its own customer', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-2', coveredSerialNumbers: ['NAS-DS923-5501'] }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({
      field: 'coveredSerialNumbers',
      message: 'coveredSerialNumbers: asset NAS-DS923-5501 belongs to customer K-10002; a contract may only list assets of its own customer.',
    });
    const missing = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-2', coveredSerialNumbers: ['NOPE-1'] }));
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toBe('coveredSerialNumbers: no asset with serial number NOPE-1.');
  });

  it('names the field of unknown references, bad money and half a quota', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ customerNumber: 'K-77777' }, 'customerNumber'],
      [{ slaPolicyId: '00000000-0000-4000-8000-000000000000' }, 'slaPolicyId'],
      [{ monthlyFeeCents: -1 }, 'monthlyFeeCents'],
      [{ monthlyFeeCents: 10.5 }, 'monthlyFeeCents'],
      [{ hourlyRates: { remote: -100 } }, 'hourlyRates.remote'],
      [{ quotaMinutes: 600 }, 'quotaPeriod'],
      [{ quotaMinutes: 0, quotaPeriod: 'month' }, 'quotaMinutes'],
      [{ validFrom: '2026-02-30' }, 'validFrom'],
    ];
    for (const [overrides, field] of cases) {
      const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-3', ...overrides }));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(overrides)).toContain(field);
    }
    const duplicate = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-0001' }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toBe('Contract V-2026-0001 already exists.');
  });

  it('accepts an own SLA policy that exists', async () => {
    const [gold] = await database.db.select().from(slaPolicies).where(eq(slaPolicies.name, 'Gold'));
    const res = await call('PATCH', '/api/contracts/V-2026-1002', admin, { slaPolicyId: gold!.id });
    expect(res.status).toBe(200);
    expect(res.body.slaPolicyId).toBe(gold!.id);
  });

  it('keeps number and customer fixed, and renames the project with its kind', async () => {
    const moved = await call('PATCH', '/api/contracts/V-2026-1001', admin, { customerNumber: 'K-10001' });
    expect(moved.status).toBe(400);
    expect(moved.body.errors[0].field).toBe('customerNumber');

    const kind = await call('PATCH', '/api/contracts/V-2026-1001', admin, { projectKind: 'maintenance', coveredSerialNumbers: ['SRV-NEU-1', 'SRV-NEU-2'] });
    expect(kind.status).toBe(200);
    expect(kind.body).toMatchObject({ project: { number: 'P-V-2026-1001', kind: 'maintenance', name: 'Maintenance V-2026-1001' }, coveredSerialNumbers: ['SRV-NEU-1', 'SRV-NEU-2'] });

    const replaced = await call('PUT', '/api/contracts/V-2026-1001', admin, { tier: 'platinum', validFrom: '2026-01-01', validTo: '2026-12-31' });
    expect(replaced.body).toMatchObject({ tier: 'platinum', coveredSerialNumbers: [], monthlyFeeCents: 0, hourlyRates: {}, project: { kind: 'support' } });
  });

  it('deletes an unused contract with its project and cover list, and refuses one with time entries', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2030-0001', validFrom: '2030-01-01', validTo: '2030-12-31', coveredSerialNumbers: ['SRV-NEU-2'] }));
    const id = (await database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-2030-0001')))[0]!.id;
    expect(res.status).toBe(201);
    expect((await call('DELETE', '/api/contracts/V-2030-0001', admin)).status).toBe(204);
    expect(await database.db.select().from(projects).where(eq(projects.contractId, id))).toEqual([]);
    expect(await database.db.select().from(contractAssets).where(eq(contractAssets.contractId, id))).toEqual([]);

    const [gold] = await database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-2026-0001'));
    const { number, customerId } = await incidentNaming({ customerNumber: 'K-10001', contractId: gold!.id });
    const [anna] = await database.db.select().from(users).where(eq(users.email, 'anna.agent@helpdesk.example'));
    await database.db.insert(timeEntries).values({ incidentNumber: number, customerId, contractId: gold!.id, agentId: anna!.id, workDate: '2026-11-02', minutes: 30, activityType: 'remote', description: 'work', decision: 'covered', billingReason: 'covered', createdBy: 'test' });
    const refused = await call('DELETE', '/api/contracts/V-2026-0001', admin);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('Contract V-2026-0001 is still referenced by 1 incidents, 1 time entries; it cannot be deleted.');
  });
});

/** A time entry of the contract that drew `quotaMinutes` from the period starting `quotaPeriodStart`, as the time entry service writes it. */
function drawnEntry(contract: { id: string; customerId: string }, quotaMinutes: number, quotaPeriodStart: string, extra: Partial<typeof timeEntries.$inferInsert> = {}) {
  return {
    incidentNumber: 'INC-2026-000001',
    customerId: contract.customerId,
    contractId: contract.id,
    agentId: agent.id,
    workDate: quotaPeriodStart,
    minutes: quotaMinutes,
    activityType: 'remote' as const,
    description: 'work',
    decision: 'quota' as const,
    quotaMinutes,
    quotaPeriodStart,
    billingReason: 'drawn from the quota',
    createdBy: 'test',
    ...extra,
  };
}

const contractRowOf = async (contractNumber: string) => (await database.db.select().from(contracts).where(eq(contracts.contractNumber, contractNumber)))[0]!;

/** Waits until some query of this database waits for a lock (row or advisory), so a concurrent step is known to be blocked. */
async function untilSomeoneWaitsForALock() {
  for (let i = 0; i < 100; i += 1) {
    const rows = await database.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no query ever waited for the lock');
}

/** Runs `body` in a transaction that stays open until the returned release is called. */
async function heldTransaction(body: (tx: Parameters<Parameters<typeof database.db.transaction>[0]>[0]) => Promise<unknown>) {
  let release!: () => void;
  let ready!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (ready = resolve));
  const done = database.db.transaction(async (tx) => {
    await body(tx);
    ready();
    await released;
  });
  await Promise.race([started, done]);
  return { commit: async () => (release(), done) };
}

describe('quota terms once time entries drew from them', () => {
  beforeAll(async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20010', name: 'Quota Kunde GmbH' });
  });
  const quotaContract = (overrides: Record<string, unknown>) => ({ customerNumber: 'K-20010', tier: 'silver', validFrom: '2026-01-01', validTo: '2026-12-31', ...overrides });

  it('refuses a new period type while minutes are drawn, and lets the quota size change', async () => {
    expect((await call('POST', '/api/contracts', admin, quotaContract({ contractNumber: 'V-Q-1', quotaMinutes: 600, quotaPeriod: 'month' }))).status).toBe(201);
    await database.db.insert(timeEntries).values(drawnEntry(await contractRowOf('V-Q-1'), 300, '2026-11-01'));

    const yearly = await call('PATCH', '/api/contracts/V-Q-1', admin, { quotaPeriod: 'year' });
    expect(yearly.status).toBe(409);
    expect(yearly.type).toContain('application/problem+json');
    expect(yearly.body.detail).toBe(
      'Contract V-Q-1 has 300 minutes drawn from its quota by time entries; changing quotaPeriod from month to year would re-label the periods they were drawn from and let the quota be drawn again. Change quotaMinutes instead, or end this contract and start a new one with the new terms.',
    );
    expect(await contractRowOf('V-Q-1')).toMatchObject({ quotaPeriod: 'month', quotaMinutes: 600 });
    expect((await call('PUT', '/api/contracts/V-Q-1', admin, quotaContract({ quotaMinutes: null, quotaPeriod: null }))).status).toBe(409);

    const bigger = await call('PATCH', '/api/contracts/V-Q-1', admin, { quotaMinutes: 900 });
    expect(bigger.status).toBe(200);
    expect(bigger.body).toMatchObject({ quotaMinutes: 900, quotaPeriod: 'month' });
  });

  it('counts only live entries that drew minutes', async () => {
    await call('POST', '/api/contracts', admin, quotaContract({ contractNumber: 'V-Q-3', validFrom: '2027-01-01', validTo: null, quotaMinutes: 600, quotaPeriod: 'month' }));
    const row = await contractRowOf('V-Q-3');
    await database.db.insert(timeEntries).values([drawnEntry(row, 120, '2027-01-01', { deletedAt: new Date() }), drawnEntry(row, 0, '2027-01-01', { decision: 'billable' })]);
    const quarterly = await call('PATCH', '/api/contracts/V-Q-3', admin, { quotaPeriod: 'quarter' });
    expect(quarterly.status).toBe(200);
    expect(quarterly.body.quotaPeriod).toBe('quarter');
  });

  it('refuses to move where a drawn prepaid block starts, but lets its end move', async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20011', name: 'Prepaid Kunde GmbH' });
    expect((await call('POST', '/api/contracts', admin, quotaContract({ contractNumber: 'V-Q-2', customerNumber: 'K-20011', validTo: null, quotaMinutes: 1200, quotaPeriod: 'prepaid' }))).status).toBe(201);
    await database.db.insert(timeEntries).values(drawnEntry(await contractRowOf('V-Q-2'), 60, '2026-01-01'));

    const moved = await call('PATCH', '/api/contracts/V-Q-2', admin, { validFrom: '2026-02-01' });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toContain('Contract V-Q-2 has 60 minutes drawn from its quota by time entries; moving validFrom, where its prepaid block starts, from 2026-01-01 to 2026-02-01');
    expect((await call('PATCH', '/api/contracts/V-Q-2', admin, { validTo: '2026-12-31' })).status).toBe(200);
  });

  it('changes quota terms under the customer\'s quota lock, so a draw in progress is seen', async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20012', name: 'Lock Kunde GmbH' });
    await call('POST', '/api/contracts', admin, quotaContract({ contractNumber: 'V-Q-4', customerNumber: 'K-20012', quotaMinutes: 600, quotaPeriod: 'month' }));
    const row = await contractRowOf('V-Q-4');
    // A time entry being written: it holds the quota lock and has drawn, but has not committed yet.
    const draw = await heldTransaction(async (tx) => {
      await lockCustomerQuotas(tx, row.customerId);
      await tx.insert(timeEntries).values(drawnEntry(row, 45, '2026-11-01'));
    });
    const change = call('PATCH', '/api/contracts/V-Q-4', admin, { quotaPeriod: 'year' });
    await untilSomeoneWaitsForALock();
    await draw.commit();
    const res = await change;
    expect(res.status).toBe(409);
    expect(res.body.detail).toContain('has 45 minutes drawn');
  });
});

describe('writes that race', () => {
  beforeAll(async () => {
    for (const number of ['K-20020', 'K-20021']) await call('POST', '/api/customers', admin, { customerNumber: number, name: `Race ${number}` });
  });
  const statuses = (results: { status: number }[]) => results.map((r) => r.status).sort();

  it('gives one of two concurrent contracts with the same number for two customers a 409, never a 500', async () => {
    for (let round = 0; round < 5; round += 1) {
      const contractNumber = `V-RACE-${round}`;
      const results = await Promise.all(['K-20020', 'K-20021'].map((customerNumber) => call('POST', '/api/contracts', admin, { contractNumber, customerNumber, tier: 'silver', validFrom: '2026-01-01' })));
      expect(statuses(results), contractNumber).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.detail).toBe(`Contract ${contractNumber} already exists.`);
    }
  });

  it('gives one of two concurrent assets with the same serial number for two customers a 409 naming the owner', async () => {
    for (let round = 0; round < 5; round += 1) {
      const serialNumber = `SN-RACE-${round}`;
      const results = await Promise.all(['K-20020', 'K-20021'].map((customerNumber) => call('POST', '/api/assets', admin, { serialNumber, product: 'Laptop', customerNumber })));
      expect(statuses(results), serialNumber).toEqual([201, 409]);
      const owner = results.find((r) => r.status === 201)!.body.customerNumber;
      expect(results.find((r) => r.status === 409)!.body.detail).toBe(`Serial number ${serialNumber} is registered to customer ${owner}.`);
    }
  });

  it('lets only one of two concurrent customers claim a mail domain', async () => {
    for (let round = 0; round < 5; round += 1) {
      const domain = `race-${round}.example`;
      const results = await Promise.all(['A', 'B'].map((who) => call('POST', '/api/customers', admin, { customerNumber: `K-2003${round}-${who}`, name: `Race ${who}`, mailDomains: [domain] })));
      expect(statuses(results), domain).toEqual([201, 409]);
      expect(results.find((r) => r.status === 409)!.body.detail).toContain(`Mail domain ${domain} already belongs to customer`);
      const owners = await database.sql`select customer_number from customers where ${domain} = any(mail_domains)`;
      expect(owners).toHaveLength(1);
    }
  });

  it('lets only one of two concurrent contacts have an address that differs only in case', async () => {
    for (let round = 0; round < 5; round += 1) {
      const results = await Promise.all(
        [`case-${round}@race.example`, `CASE-${round}@Race.example`].map((email) => call('POST', '/api/contacts', admin, { customerNumber: 'K-20020', name: 'Case race', email })),
      );
      expect(statuses(results), `round ${round}`).toEqual([201, 409]);
      const rows = await database.sql`select email from contacts where lower(email) = ${`case-${round}@race.example`}`;
      expect(rows).toHaveLength(1);
    }
  });

  it('refuses with 409, not 500, to delete a contract a time entry starts to use while it is being deleted', async () => {
    await call('POST', '/api/contracts', admin, { contractNumber: 'V-RACE-DEL', customerNumber: 'K-20020', tier: 'silver', validFrom: '2030-01-01' });
    const row = await contractRowOf('V-RACE-DEL');
    const entry = await heldTransaction((tx) => tx.insert(timeEntries).values(drawnEntry(row, 0, '2030-01-02', { decision: 'covered', quotaPeriodStart: null })));
    const deletion = call('DELETE', '/api/contracts/V-RACE-DEL', admin);
    await untilSomeoneWaitsForALock();
    await entry.commit();
    const res = await deletion;
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Contract V-RACE-DEL was referenced by another write at the same time; it cannot be deleted.');
    expect(await contractRowOf('V-RACE-DEL')).toBeDefined();
  });
});

describe('assets', () => {
  it('registers an asset onto a contract and shows the contracts that list it', async () => {
    const res = await call('POST', '/api/assets', admin, { serialNumber: 'AP-U6-0001', identNumber: 'ID-200009', product: 'UniFi U6 access point', customerNumber: 'K-10002', contractNumber: 'V-2026-0002' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ serialNumber: 'AP-U6-0001', customerNumber: 'K-10002', contracts: [{ contractNumber: 'V-2026-0002', tier: 'platinum', validFrom: '2025-07-01', validTo: null }] });
    const list = await call('GET', '/api/assets?customerNumber=K-10002&q=fortigate', agent);
    expect(list.body).toMatchObject({ total: 1, items: [{ serialNumber: 'FW-FG100F-0042', contracts: [{ contractNumber: 'V-2026-0002' }] }] });
    const changed = await call('PATCH', '/api/assets/AP-U6-0001', admin, { product: 'UniFi U6 Pro access point' });
    expect(changed.body).toMatchObject({ product: 'UniFi U6 Pro access point', identNumber: 'ID-200009', contracts: [{ contractNumber: 'V-2026-0002' }] });
  });

  it('refuses a serial or ident number registered to another customer', async () => {
    const serial = await call('POST', '/api/assets', admin, { serialNumber: 'FW-FG100F-0042', product: 'Firewall', customerNumber: 'K-10001' });
    expect(serial.status).toBe(409);
    expect(serial.body.detail).toBe('Serial number FW-FG100F-0042 is registered to customer K-10002.');
    const moved = await call('PATCH', '/api/assets/FW-FG100F-0042', admin, { customerNumber: 'K-10001' });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toBe('Serial number FW-FG100F-0042 is registered to customer K-10002.');
    const ident = await call('POST', '/api/assets', admin, { serialNumber: 'NEW-1', identNumber: 'ID-200001', product: 'Thing', customerNumber: 'K-10001' });
    expect(ident.status).toBe(409);
    expect(ident.body.detail).toBe('Ident number ID-200001 is registered to customer K-10002.');
    const own = await call('POST', '/api/assets', admin, { serialNumber: 'SW-C9300-1187', product: 'Switch', customerNumber: 'K-10002' });
    expect(own.status).toBe(409);
    expect(own.body.detail).toBe('Asset SW-C9300-1187 already exists.');
  });

  it('refuses a contract of another customer and cover that would overlap', async () => {
    const other = await call('PATCH', '/api/assets/NAS-DS923-5501', admin, { contractNumber: 'V-2026-0001' });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].field).toBe('contractNumber');
    const unknown = await call('PATCH', '/api/assets/NAS-DS923-5501', admin, { contractNumber: 'V-0000' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toBe('contractNumber: no contract with number V-0000.');

    await call('POST', '/api/contracts', admin, { contractNumber: 'V-2026-0099', customerNumber: 'K-10002', tier: 'silver', validFrom: '2026-01-01', validTo: '2026-12-31' });
    const overlap = await call('PATCH', '/api/assets/FW-FG100F-0042', admin, { contractNumber: 'V-2026-0099' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.detail).toContain('Asset FW-FG100F-0042 is already covered by contract V-2026-0002 (from 2025-07-01, open-ended); contract V-2026-0099');
  });

  it('deletes an asset no incident names and refuses one that is named', async () => {
    await call('POST', '/api/assets', admin, { serialNumber: 'TMP-1', product: 'Temp', customerNumber: 'K-10001' });
    expect((await call('DELETE', '/api/assets/TMP-1', admin)).status).toBe(204);
    expect((await call('GET', '/api/assets/TMP-1', agent)).status).toBe(404);
    const [row] = await database.db.select().from(assets).where(eq(assets.serialNumber, 'NAS-DS923-5501'));
    await incidentNaming({ customerNumber: 'K-10002', assetId: row!.id });
    const refused = await call('DELETE', '/api/assets/NAS-DS923-5501', admin);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('Asset NAS-DS923-5501 is named on 1 incident(s); it cannot be deleted.');
  });
});

describe('roles', () => {
  const writes: [string, string, unknown][] = [
    ['POST', '/api/customers', { customerNumber: 'K-30000', name: 'X' }],
    ['PATCH', '/api/customers/K-10001', { creditHold: true }],
    ['DELETE', '/api/customers/K-10001', undefined],
    ['POST', '/api/contacts', { customerNumber: 'K-10001', name: 'X', email: 'x@mueller-maschinenbau.example' }],
    ['POST', '/api/contracts', contract({ contractNumber: 'V-X' })],
    ['PATCH', '/api/contracts/V-2026-0001', { monthlyFeeCents: 0 }],
    ['POST', '/api/assets', { serialNumber: 'X-1', product: 'X', customerNumber: 'K-10001' }],
    ['DELETE', '/api/assets/SRV-DL380-7731', undefined],
  ];

  it('lets agents read every resource', async () => {
    for (const path of ['/api/customers', '/api/contacts', '/api/contracts', '/api/assets', '/api/contracts/V-2026-0001', '/api/assets/SRV-DL380-7731']) {
      expect((await call('GET', path, agent)).status, path).toBe(200);
    }
  });

  it('refuses writes to agents, managers and sales with 403, and reads to sales', async () => {
    for (const user of [agent, manager, sales]) {
      for (const [method, path, body] of writes) {
        const res = await call(method, path, user, body);
        expect(res.status, `${user.role} ${method} ${path}`).toBe(403);
      }
      if (user === sales) {
        for (const path of ['/api/customers', '/api/contacts', '/api/contracts', '/api/assets']) expect((await call('GET', path, sales)).status, path).toBe(403);
      }
    }
    const [k1] = await database.db.select().from(customers).where(eq(customers.customerNumber, 'K-10001'));
    expect(k1!.creditHold).toBe(false);
  });
});

describe('OpenAPI', () => {
  it('documents the master data routes and the CSV import body', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/customers', '/api/customers/{customerNumber}', '/api/contacts/{id}', '/api/contracts/{contractNumber}', '/api/assets/{serialNumber}', '/api/import/{kind}']));
    expect(Object.keys(doc.paths['/api/import/{kind}']!.post!.requestBody!.content)).toEqual(['text/csv']);
  });
});
