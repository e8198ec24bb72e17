// Quota notices: the account manager (or the service managers) hears of 80 % and 100 % exactly once.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { timeEntries, users } from '../../../src/db/schema/index.js';
import { timeEntriesApi } from '../../support/time-entries.js';

const { api, sent, setUp, log, quotaMails, quotaEventsOf } = timeEntriesApi();
const { users: { agent } } = api;

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
    const afterRetry = await api.database.db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, s.incident));
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
    const managers = (await api.database.db.select({ email: users.email }).from(users).where(eq(users.role, 'manager'))).map((u) => u.email).sort();
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
