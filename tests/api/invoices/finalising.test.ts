// Finalising and discarding drafts: numbering in sequence, frozen entries, and edits, runs and
// finalising of one customer at once that wait their turn instead of deadlocking.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { contracts, invoiceLines, invoiceNumberCounters, invoices, timeEntries } from '../../../src/db/schema/index.js';
import { amountCents } from '../../../src/domain/billing.js';
import { businessDate } from '../../../src/domain/ticket-number.js';
import { call, countOf, customerWithContract, entry, expectEachBilledOnce, invoiceWorlds, novemberData } from '../../support/invoices.js';

const world = invoiceWorlds();

describe('finalising and discarding', () => {
  it('numbers finals in sequence, freezes their entries and treats a repeat as a no-op', async () => {
    const w = await world();
    const { entries } = await novemberData(w);
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    const [first, second] = run.body.invoices.map((i: { id: string }) => i.id);
    const year = businessDate(new Date(), 'Europe/Berlin').slice(0, 4);

    expect((await call(w, 'POST', `/api/invoices/${first}/finalise`, w.agent)).status).toBe(403);
    const a = await call(w, 'POST', `/api/invoices/${first}/finalise`, w.manager);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ id: first, status: 'final', invoiceNumber: `RE-${year}-000001`, finalisedBy: `user:${w.manager.id}`, finalisedAt: expect.any(String) });
    const b = await call(w, 'POST', `/api/invoices/${second}/finalise`, w.manager);
    expect(b.body.invoiceNumber).toBe(`RE-${year}-000002`);
    expect(b.body.invoiceNumber).toMatch(/^RE-\d{4}-\d{6}$/);

    const repeat = await call(w, 'POST', `/api/invoices/${first}/finalise`, w.manager);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(a.body);
    expect((await w.db.select().from(invoiceNumberCounters))[0]!.lastValue).toBe(2);

    const onFirst = await w.db.select({ id: invoiceLines.timeEntryId }).from(invoiceLines).where(eq(invoiceLines.invoiceId, first));
    const frozen = await w.db.select({ id: timeEntries.id, invoicedAt: timeEntries.invoicedAt }).from(timeEntries);
    const firstIds = new Set(onFirst.map((l) => l.id));
    const secondIds = new Set((await w.db.select({ id: invoiceLines.timeEntryId }).from(invoiceLines).where(eq(invoiceLines.invoiceId, second))).map((l) => l.id));
    for (const e of frozen) expect(e.invoicedAt !== null, e.id).toBe(firstIds.has(e.id) || secondIds.has(e.id));
    expect(frozen.filter((e) => e.invoicedAt).length).toBe(4);
    expect(entries.length).toBe(6);

    const csv = await call(w, 'GET', `/api/invoices/${first}/csv`, w.agent);
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="RE-${year}-000001.csv"`);
    expect((await call(w, 'DELETE', `/api/invoices/${first}`, w.manager)).status).toBe(409);
  });

  it('refuses to finalise an empty draft', async () => {
    const w = await world();
    const { customer } = await customerWithContract(w.db, 'K-900');
    const [empty] = await w.db.insert(invoices).values({ customerId: customer.id, periodFrom: '2026-11-01', periodTo: '2026-11-30' }).returning();
    const res = await call(w, 'POST', `/api/invoices/${empty!.id}/finalise`, w.manager);
    expect(res.status).toBe(409);
    expect(res.body.detail).toMatch(/no lines/);
    expect((await w.db.select().from(invoices).where(eq(invoices.id, empty!.id)))[0]!.status).toBe('draft');
  });

  it('frees the entries of a discarded draft for the next run', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-950');
    const work = await entry(w.db, party, w.agent, { workDate: '2026-11-10', minutes: 30 });
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    const id = run.body.invoices[0].id;
    expect((await call(w, 'DELETE', `/api/invoices/${id}`, w.agent)).status).toBe(403);
    expect((await call(w, 'DELETE', `/api/invoices/${id}`, w.manager)).status).toBe(204);
    expect((await call(w, 'GET', `/api/invoices/${id}`, w.agent)).status).toBe(404);
    expect(await countOf(w.db, invoiceLines)).toBe(0);

    const rerun = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    expect(rerun.body.invoices).toEqual([expect.objectContaining({ status: 'draft', lineCount: 1, netCents: amountCents(30, 9500) })]);
    expect(rerun.body.invoices[0].id).not.toBe(id);
    await expectEachBilledOnce(w.db, [work.id]);
  });
});

describe('edits, runs and finalising of one customer at once', () => {
  it('an edit and a finalise that meet a run on the same entry wait their turn instead of deadlocking', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-650');
    await w.db.update(contracts).set({ validTo: '2026-06-30' }).where(eq(contracts.id, party.contract.id));
    const first = await entry(w.db, party, w.agent, { workDate: '2026-11-03', minutes: 60 });
    const draft = (await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' })).body.invoices[0];
    const late = await entry(w.db, party, w.agent, { workDate: '2026-11-04', minutes: 30 });

    // A repeated run caught between copying the late entry to the draft and its commit, holding
    // the locks a run holds: the customer's billing lock, the draft, the entry (shared).
    let holding!: () => void;
    let commit!: () => void;
    const locked = new Promise<void>((resolve) => (holding = resolve));
    const released = new Promise<void>((resolve) => (commit = resolve));
    const midRun = w.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing:${party.customer.id}`}))`);
      await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.id, draft.id)).for('update');
      await tx.select({ id: timeEntries.id }).from(timeEntries).where(eq(timeEntries.id, late.id)).for('share');
      await tx.insert(invoiceLines).values({ invoiceId: draft.id, timeEntryId: late.id, kind: 'time', incidentNumber: late.incidentNumber, workDate: late.workDate, activityType: late.activityType, description: late.description, minutes: late.billableMinutes, rateCents: late.rateCents ?? 0, amountCents: late.amountCents });
      await tx.update(invoices).set({ netCents: first.amountCents + late.amountCents }).where(eq(invoices.id, draft.id));
      holding();
      await released;
    });
    await locked;
    const edit = call(w, 'PATCH', `/api/time-entries/${late.id}`, w.manager, { minutes: 45 });
    const finalise = call(w, 'POST', `/api/invoices/${draft.id}/finalise`, w.manager);
    // Let both reach their first lock and wait there.
    await new Promise((resolve) => setTimeout(resolve, 300));
    commit();
    await midRun;
    const [edited, finalised] = await Promise.all([edit, finalise]);
    expect(finalised.status, finalised.text).toBe(200);
    expect([200, 409], edited.text).toContain(edited.status);

    const lines = await w.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, draft.id));
    const [invoice] = await w.db.select().from(invoices).where(eq(invoices.id, draft.id));
    const [lateNow] = await w.db.select().from(timeEntries).where(eq(timeEntries.id, late.id));
    expect(invoice!.netCents).toBe(lines.reduce((t, l) => t + l.amountCents, 0));
    if (edited.status === 200) {
      // The edit came first: it took the entry off the draft, which was finalised without it.
      expect(lines.map((l) => l.timeEntryId)).toEqual([first.id]);
      expect(lateNow).toMatchObject({ minutes: 45, invoicedAt: null });
    } else {
      expect(lines.map((l) => l.timeEntryId).sort()).toEqual([first.id, late.id].sort());
      expect(lateNow!.minutes).toBe(30);
      expect(lateNow!.invoicedAt).not.toBeNull();
    }
  });

  it('never fails with a 500 and keeps every cent consistent over 20 rounds', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-600');
    // The contract has ended, so an edit re-prices the work as billable at the contract's rates.
    await w.db.update(contracts).set({ validTo: '2026-06-30' }).where(eq(contracts.id, party.contract.id));
    const statuses: string[] = [];
    for (let round = 1; round <= 20; round += 1) {
      const day = `2026-11-${String(round).padStart(2, '0')}`;
      const period = { from: day, to: day };
      const onDraft: Awaited<ReturnType<typeof entry>>[] = [];
      for (let i = 0; i < 4; i += 1) onDraft.push(await entry(w.db, party, w.agent, { workDate: day, minutes: 30 + i }));
      const run = await call(w, 'POST', '/api/invoices/runs', w.manager, period);
      expect(run.status).toBe(201);
      const draft = run.body.invoices[0];
      // Logged while the draft exists: the repeated run below races the edits and the finalise for them.
      const late: Awaited<ReturnType<typeof entry>>[] = [];
      for (let i = 0; i < 3; i += 1) late.push(await entry(w.db, party, w.agent, { workDate: day, minutes: 20 + i }));
      // Staggered by a few milliseconds, differently each round, to meet each other in many orders.
      const after = <T>(ms: number, act: () => Promise<T>) => new Promise((resolve) => setTimeout(resolve, ms)).then(act);
      const answers = await Promise.all([
        call(w, 'POST', '/api/invoices/runs', w.manager, period),
        ...late.map((e, i) => after((round + i) % 4, () => (i === 2 ? call(w, 'DELETE', `/api/time-entries/${e.id}`, w.manager) : call(w, 'PATCH', `/api/time-entries/${e.id}`, w.manager, { minutes: 15 + i })))),
        after((round * 3) % 11, () => call(w, 'POST', `/api/invoices/${draft.id}/finalise`, w.manager)),
        after(round % 3, () => call(w, 'PATCH', `/api/time-entries/${onDraft[0]!.id}`, w.manager, { minutes: 90 })),
        after(round % 5, () => call(w, 'PATCH', `/api/time-entries/${onDraft[1]!.id}`, w.manager, { description: `Round ${round}: cabling` })),
        after(round % 7, () => call(w, 'PUT', `/api/time-entries/${onDraft[2]!.id}/billing`, w.manager, { billable: false, reason: 'goodwill' })),
        call(w, 'DELETE', `/api/time-entries/${onDraft[3]!.id}`, w.manager),
      ]);
      statuses.push(...answers.map((a) => `${round}:${a.status}${a.status >= 500 ? ` ${a.text}` : ''}`));
    }
    expect(statuses.filter((s) => / 5\d\d/.test(s.replace(/^\d+:/, ' ')))).toEqual([]);

    // Bill what is left and finalise everything: then every live billable entry is on exactly one line.
    // (A round's finalise may have found its draft emptied by the edits: 409 or, once a run dropped it, 404.)
    expect((await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' })).status).toBe(201);
    for (const draft of await w.db.select().from(invoices).where(eq(invoices.status, 'draft'))) {
      expect((await call(w, 'POST', `/api/invoices/${draft.id}/finalise`, w.manager)).status).toBe(200);
    }

    const allInvoices = await w.db.select().from(invoices);
    const lines = await w.db.select().from(invoiceLines);
    const entries = await w.db.select().from(timeEntries);
    for (const invoice of allInvoices) {
      expect(invoice.status).toBe('final');
      expect(invoice.netCents, invoice.id).toBe(lines.filter((l) => l.invoiceId === invoice.id).reduce((t, l) => t + l.amountCents, 0));
    }
    const byEntry = new Map(entries.map((e) => [e.id, e]));
    const billed = new Map<string, number>();
    for (const line of lines) {
      if (!line.timeEntryId) throw new Error(`line ${line.id} bills no time entry`);
      billed.set(line.timeEntryId, (billed.get(line.timeEntryId) ?? 0) + 1);
      const e = byEntry.get(line.timeEntryId)!;
      // A line is a copy of the entry as it was frozen: an edit that changed the money took it off the draft.
      expect([e.deletedAt, e.billableMinutes, e.amountCents, e.description], line.id).toEqual([null, line.minutes, line.amountCents, line.description]);
      expect(e.invoicedAt, line.id).not.toBeNull();
    }
    for (const e of entries) {
      const expected = e.deletedAt === null && e.billableMinutes > 0 ? 1 : 0;
      expect(billed.get(e.id) ?? 0, e.id).toBe(expected);
      expect(e.invoicedAt !== null, e.id).toBe(expected === 1);
    }
  }, 120_000);
});
