// Time entries: input validation, who may log for whom, sales kept out, Idempotency-Key retries.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { incidents, timeEntries } from '../../../src/db/schema/index.js';
import { timeEntriesApi } from '../../support/time-entries.js';
import { createUserWithToken } from '../../support/users.js';

const { api, setUp, log, quotaMails, quotaEventsOf } = timeEntriesApi();
const { call, users: { agent, otherAgent, manager, sales } } = api;

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
    expect(await api.database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident))).toHaveLength(0);
  });

  it('answers 404 for an unknown incident or entry and 409 for an incident without customer', async () => {
    expect((await call('POST', '/api/incidents/INC-2026-999999/time-entries', agent, { minutes: 5, activityType: 'remote', description: 'x' })).status).toBe(404);
    expect((await call('GET', '/api/incidents/INC-2026-999999/time-entries', agent)).status).toBe(404);
    expect((await call('GET', '/api/time-entries/00000000-0000-4000-8000-000000000000', agent)).status).toBe(404);
    expect((await call('PATCH', '/api/time-entries/not-a-uuid', agent, { minutes: 5 })).status).toBe(400);
    await api.database.db.insert(incidents).values({ number: 'INC-2026-900001', title: 't', description: 'd', channel: 'phone', priority: 'P4', status: 'new', receivedAt: new Date(), updatedAt: new Date(), version: 1 });
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
    const mailgate = await createUserWithToken(api.database.db, 'mailgate', 'Mail Gate');
    const admin = await createUserWithToken(api.database.db, 'admin', 'Ada Admin');
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
    expect(await api.database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident))).toHaveLength(3);
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
    expect(await api.database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident))).toHaveLength(1);
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
