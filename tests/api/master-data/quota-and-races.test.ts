// Master data under concurrency: quota terms once time entries drew from them (under the customer's
// quota lock), and writes that race for the same number, serial, mail domain or address.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contracts, timeEntries } from '../../../src/db/schema/index.js';
import { lockCustomerQuotas } from '../../../src/services/billing-locks.js';
import { masterDataApi } from '../../support/master-data.js';

const { api } = masterDataApi();
const { call, users: { agent, admin } } = api;

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

const contractRowOf = async (contractNumber: string) => (await api.database.db.select().from(contracts).where(eq(contracts.contractNumber, contractNumber)))[0]!;

/** Waits until some query of this database waits for a lock (row or advisory), so a concurrent step is known to be blocked. */
async function untilSomeoneWaitsForALock() {
  for (let i = 0; i < 100; i += 1) {
    const rows = await api.database.sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no query ever waited for the lock');
}

/** Runs `body` in a transaction that stays open until the returned release is called. */
async function heldTransaction(body: (tx: Parameters<Parameters<typeof api.database.db.transaction>[0]>[0]) => Promise<unknown>) {
  let release!: () => void;
  let ready!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const started = new Promise<void>((resolve) => (ready = resolve));
  const done = api.database.db.transaction(async (tx) => {
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
    await api.database.db.insert(timeEntries).values(drawnEntry(await contractRowOf('V-Q-1'), 300, '2026-11-01'));

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
    await api.database.db.insert(timeEntries).values([drawnEntry(row, 120, '2027-01-01', { deletedAt: new Date() }), drawnEntry(row, 0, '2027-01-01', { decision: 'billable' })]);
    const quarterly = await call('PATCH', '/api/contracts/V-Q-3', admin, { quotaPeriod: 'quarter' });
    expect(quarterly.status).toBe(200);
    expect(quarterly.body.quotaPeriod).toBe('quarter');
  });

  it('refuses to move where a drawn prepaid block starts, but lets its end move', async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20011', name: 'Prepaid Kunde GmbH' });
    expect((await call('POST', '/api/contracts', admin, quotaContract({ contractNumber: 'V-Q-2', customerNumber: 'K-20011', validTo: null, quotaMinutes: 1200, quotaPeriod: 'prepaid' }))).status).toBe(201);
    await api.database.db.insert(timeEntries).values(drawnEntry(await contractRowOf('V-Q-2'), 60, '2026-01-01'));

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
      const owners = await api.database.sql`select customer_number from customers where ${domain} = any(mail_domains)`;
      expect(owners).toHaveLength(1);
    }
  });

  it('lets only one of two concurrent contacts have an address that differs only in case', async () => {
    for (let round = 0; round < 5; round += 1) {
      const results = await Promise.all(
        [`case-${round}@race.example`, `CASE-${round}@Race.example`].map((email) => call('POST', '/api/contacts', admin, { customerNumber: 'K-20020', name: 'Case race', email })),
      );
      expect(statuses(results), `round ${round}`).toEqual([201, 409]);
      const rows = await api.database.sql`select email from contacts where lower(email) = ${`case-${round}@race.example`}`;
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
