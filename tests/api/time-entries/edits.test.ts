// Editing and deleting time entries: re-pricing, the audit trail, quota given back, draft and final invoices.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers, invoiceLines, invoices, timeEntries } from '../../../src/db/schema/index.js';
import { timeEntriesApi } from '../../support/time-entries.js';

const { api, setUp, log, quotaMails, quotaEventsOf, lastSeq } = timeEntriesApi();
const { call, users: { agent, otherAgent, manager } } = api;

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
    await api.database.db.update(customers).set({ creditHold: true }).where(eq(customers.id, s.customerId));

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
    const [draft] = await api.database.db.insert(invoices).values({ customerId: s.customerId, periodFrom: '2026-10-01', periodTo: '2026-10-31', netCents: 9000 }).returning();
    await api.database.db.insert(invoiceLines).values({ invoiceId: draft!.id, timeEntryId: a.id, kind: 'time', incidentNumber: s.incident, workDate: a.workDate, activityType: a.activityType, description: a.description, minutes: a.minutes, rateCents: a.rateCents, amountCents: a.amountCents });

    const edited = await call('PATCH', `/api/time-entries/${a.id}`, agent, { description: 'Replaced the toner, tested' });
    expect(edited.status).toBe(200);
    const lines = await api.database.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, draft!.id));
    expect(lines.map((l) => [l.timeEntryId, l.description, l.minutes, l.amountCents])).toEqual([[a.id, 'Replaced the toner, tested', 60, 9000]]);
    const [after] = await api.database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
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
    const [invoice] = await api.database.db
      .insert(invoices)
      .values({ invoiceNumber: `RE-2026-${String(lastSeq()).padStart(5, '0')}`, customerId: s.customerId, periodFrom: '2026-10-01', periodTo: '2026-10-31', status: 'final', netCents: 9000, finalisedAt: new Date() })
      .returning();
    await api.database.db.insert(invoiceLines).values({ invoiceId: invoice!.id, timeEntryId: entry.id, kind: 'time', incidentNumber: s.incident, workDate: '2026-10-10', activityType: 'remote', description: 'x', minutes: 60, rateCents: 9000, amountCents: 9000 });
    await api.database.db.update(timeEntries).set({ invoicedAt: new Date() }).where(eq(timeEntries.id, entry.id));
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
    const [draft] = await api.database.db.insert(invoices).values({ customerId: s.customerId, periodFrom: '2026-10-01', periodTo: '2026-10-31', netCents: 13_500 }).returning();
    const line = (e: typeof a) => ({ invoiceId: draft!.id, timeEntryId: e.id, kind: 'time' as const, incidentNumber: s.incident, workDate: e.workDate, activityType: e.activityType, description: e.description, minutes: e.minutes, rateCents: e.rateCents, amountCents: e.amountCents });
    await api.database.db.insert(invoiceLines).values([line(a), line(b)]);

    const edited = await call('PATCH', `/api/time-entries/${a.id}`, agent, { minutes: 90 });
    expect(edited.body.amountCents).toBe(13_500);
    const lines = await api.database.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, draft!.id));
    expect(lines.map((l) => l.timeEntryId)).toEqual([b.id]);
    const [after] = await api.database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(after!.netCents).toBe(4500);

    expect((await call('DELETE', `/api/time-entries/${b.id}`, agent)).status).toBe(204);
    const [empty] = await api.database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(empty!.netCents).toBe(0);
  });
});
