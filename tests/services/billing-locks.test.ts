// Lock order under concurrency: master data writes and time logging on one customer must wait
// for each other, never deadlock (Postgres would abort one with 40P01, an API 500).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { contracts, customers, incidents, projects } from '../../src/db/schema/index.js';
import { lockCustomerQuotas } from '../../src/services/billing-locks.js';
import { upsertContract } from '../../src/services/master-data/contracts.js';
import { logTime } from '../../src/services/time-entries/index.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let database: Database;
let agent: TestUser;
beforeAll(async () => {
  database = await createTestDatabase();
  agent = await createUserWithToken(database.db, 'agent', 'Anna Agent');
});
afterAll(async () => database?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let seq = 0;

/** A customer with customer-wide contracts (ids chosen, to pin the order of their locks) and an incident. */
async function customerWith(specs: { id: string; validFrom: string; validTo: string | null; quota: number | null }[], incidentContract: number | null) {
  seq += 1;
  const db = database.db;
  const [customer] = await db.insert(customers).values({ customerNumber: `K-LOCK-${seq}`, name: `Lock ${seq}` }).returning();
  const made = [];
  for (const [i, c] of specs.entries()) {
    const number = `V-LOCK-${seq}-${i}`;
    await db.insert(contracts).values({ id: c.id, contractNumber: number, customerId: customer!.id, tier: 'gold', validFrom: c.validFrom, validTo: c.validTo, coversAllAssets: true, quotaMinutes: c.quota, quotaPeriod: c.quota ? 'month' : null });
    await db.insert(projects).values({ projectNumber: `P-${number}`, contractId: c.id, customerId: customer!.id, kind: 'support', name: number });
    made.push({ id: c.id, number });
  }
  const number = `INC-2026-${String(900 + seq).padStart(6, '0')}`;
  const at = new Date('2026-10-01T08:00:00Z');
  await db.insert(incidents).values({ number, customerId: customer!.id, customerNumber: customer!.customerNumber, contractId: incidentContract === null ? null : made[incidentContract]!.id, title: 't', description: 'd', channel: 'phone', priority: 'P3', status: 'in_progress', receivedAt: at, updatedAt: at, version: 1 });
  return { customerId: customer!.id, contracts: made, incident: number };
}

const log = (incident: string, description: string) =>
  logTime({ db: database.db, timezone: 'Europe/Berlin', mailFrom: 'helpdesk@systemhaus.example' }, { userId: agent.id, name: agent.name, role: 'agent' }, incident, {
    minutes: 30,
    activityType: 'remote',
    description,
    workDate: '2026-10-01',
  });

describe('billing locks', () => {
  it('lets an import that changes two contracts (in any order) and time logging wait for each other, not deadlock', async () => {
    const lo = '00000000-0000-4000-8000-000000000001';
    const hi = 'ffffffff-ffff-4fff-8fff-fffffffffff1';
    const s = await customerWith([{ id: lo, validFrom: '2026-01-01', validTo: null, quota: 600 }, { id: hi, validFrom: '2025-01-01', validTo: '2025-12-31', quota: 600 }], 0);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Like the CSV import: one transaction, a savepoint per row, the higher contract id first.
    const imported = database.db.transaction(async (tx) => {
      await tx.transaction((row) => upsertContract(row, { contractNumber: s.contracts[1]!.number, monthlyFeeCents: 100 }));
      await gate;
      await tx.transaction((row) => upsertContract(row, { contractNumber: s.contracts[0]!.number, monthlyFeeCents: 100 }));
    });
    await sleep(200);
    const logged = log(s.incident, 'while importing');
    await sleep(300);
    release();
    await expect(imported).resolves.toBeUndefined();
    const { entry } = await logged;
    expect(entry).toMatchObject({ decision: 'quota', quotaMinutes: 30, contractId: lo });
  });

  it('prices both of two concurrent entries correctly when a quota contract appears meanwhile', async () => {
    const ended = 'ffffffff-ffff-4fff-8fff-fffffffffff2';
    const s = await customerWith([{ id: ended, validFrom: '2026-01-01', validTo: '2026-05-31', quota: 600 }], null);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holder = database.db.transaction(async (tx) => {
      await lockCustomerQuotas(tx, s.customerId);
      await gate;
    });
    await sleep(100);
    const first = log(s.incident, 'first');
    await sleep(200);
    const renewal = '00000000-0000-4000-8000-000000000002';
    await database.db.insert(contracts).values({ id: renewal, contractNumber: `V-LOCK-NEW-${seq}`, customerId: s.customerId, tier: 'gold', validFrom: '2026-06-01', validTo: null, coversAllAssets: true, quotaMinutes: 600, quotaPeriod: 'month' });
    const second = log(s.incident, 'second');
    await sleep(200);
    release();
    await holder;
    const entries = (await Promise.all([first, second])).map((r) => r.entry);
    expect(entries.map((e) => [e.decision, e.contractId, e.quotaMinutes])).toEqual([
      ['quota', renewal, 30],
      ['quota', renewal, 30],
    ]);
  });
});
