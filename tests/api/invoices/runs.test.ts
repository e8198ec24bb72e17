// POST /api/invoices/runs on a real database: each entry is billed exactly once under concurrent,
// overlapping, retried and crashed runs, priced in exact cents and exported as the same integers.
import { parse } from 'csv-parse/sync';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { invoiceLines, invoiceRuns, invoices } from '../../../src/db/schema/index.js';
import { amountCents } from '../../../src/domain/billing.js';
import { invoiceDetail } from '../../../src/services/invoices/queries.js';
import { runInvoices } from '../../../src/services/invoices/runs.js';
import { call, countOf, customerWithContract, entry, expectEachBilledOnce, invoiceWorlds, lineCountsByEntry, novemberData } from '../../support/invoices.js';

const world = invoiceWorlds();

describe('POST /api/invoices/runs', () => {
  it('makes one set of invoices when two runs for the same period race', async () => {
    const w = await world();
    const { entries } = await novemberData(w);
    const [a, b] = await Promise.all([call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' }), call(w, 'POST', '/api/invoices/runs', w.manager, { from: '2026-11-01', to: '2026-11-30' })]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(await countOf(w.db, invoices)).toBe(3);
    expect(await countOf(w.db, invoiceLines)).toBe(6);
    await expectEachBilledOnce(w.db, entries.map((e) => e.id));
    expect((await w.db.select().from(invoiceRuns)).length).toBe(1);
    // Both answers show the same three invoices, each with its two lines and the exact sum.
    const view = (r: typeof a) => r.body.invoices.map((i: { id: string; customerNumber: string; lineCount: number; netCents: number }) => [i.id, i.customerNumber, i.lineCount, i.netCents]);
    const perCustomer = amountCents(30, 9500) + amountCents(45, 11500);
    expect(view(a)).toEqual(view(b));
    expect(view(a).map((v: unknown[]) => v.slice(1))).toEqual([['K-100', 2, perCustomer], ['K-200', 2, perCustomer], ['K-300', 2, perCustomer]]);
  });

  it('completes a run that died after the first customer, billing every entry exactly once', async () => {
    const w = await world();
    const { entries } = await novemberData(w);
    const crash = runInvoices(w.db, { from: '2026-11-01', to: '2026-11-30' }, {
      startedBy: `user:${w.manager.id}`,
      afterCustomer: () => {
        throw new Error('worker killed');
      },
    });
    await expect(crash).rejects.toThrow('worker killed');
    expect(await countOf(w.db, invoices)).toBe(1);
    const [dead] = await w.db.select().from(invoiceRuns);
    expect(dead!.finishedAt).toBeNull();

    const retry = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    expect(retry.status).toBe(200);
    expect(retry.body.run).toMatchObject({ id: dead!.id, invoiceCount: 3, finishedAt: expect.any(String) });
    expect(retry.body.invoices.map((i: { customerNumber: string; lineCount: number }) => [i.customerNumber, i.lineCount])).toEqual([['K-100', 2], ['K-200', 2], ['K-300', 2]]);
    await expectEachBilledOnce(w.db, entries.map((e) => e.id));
    // A further repeat changes nothing.
    expect((await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' })).status).toBe(200);
    expect(await countOf(w.db, invoiceLines)).toBe(6);
  });

  it('never bills an entry twice when periods overlap, one after the other or at once', async () => {
    for (const concurrent of [false, true]) {
      const w = await world();
      const party = await customerWithContract(w.db, 'K-500');
      const early = await entry(w.db, party, w.agent, { workDate: '2026-11-10', minutes: 60 });
      const middle = await entry(w.db, party, w.agent, { workDate: '2026-11-20', minutes: 60 });
      const december = await entry(w.db, party, w.agent, { workDate: '2026-12-05', minutes: 60 });
      const late = await entry(w.db, party, w.agent, { workDate: '2026-12-20', minutes: 60 });
      const november = () => call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
      const overlap = () => call(w, 'POST', '/api/invoices/runs', w.manager, { from: '2026-11-15', to: '2026-12-15' });
      const statuses = concurrent ? (await Promise.all([november(), overlap()])).map((r) => r.status) : [(await november()).status, (await overlap()).status];
      expect(statuses).toEqual([201, 201]);
      await expectEachBilledOnce(w.db, [early.id, middle.id, december.id]);
      expect((await lineCountsByEntry(w.db)).has(late.id)).toBe(false);
      const sums = await w.db.select({ net: invoices.netCents, lines: sql<number>`(select coalesce(sum(amount_cents), 0)::int from invoice_lines l where l.invoice_id = "invoices"."id")` }).from(invoices);
      for (const s of sums) expect(s.net).toBe(s.lines);
      expect(sums.reduce((t, s) => t + s.net, 0)).toBe(3 * 9500);
      if (!concurrent) {
        const [dec] = await w.db.select().from(invoices).where(eq(invoices.periodFrom, '2026-11-15'));
        const decLines = await w.db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, dec!.id));
        expect(decLines.map((l) => l.timeEntryId)).toEqual([december.id]);
      }
    }
  });

  it('survives four overlapping and repeated runs at once for several customers', async () => {
    const w = await world();
    const { parties, entries } = await novemberData(w);
    for (const party of parties) entries.push(await entry(w.db, party, w.agent, { workDate: '2026-12-10', minutes: 20 }));
    const bodies = [{ period: '2026-11' }, { from: '2026-11-15', to: '2026-12-15' }, { period: '2026-11' }, { from: '2026-11-15', to: '2026-12-15' }];
    const answers = await Promise.all(bodies.map((b) => call(w, 'POST', '/api/invoices/runs', w.manager, b)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 201, 201]);
    await expectEachBilledOnce(w.db, entries.map((e) => e.id));
    const sums = await w.db.select({ net: invoices.netCents, lines: sql<number>`(select coalesce(sum(amount_cents), 0)::int from invoice_lines l where l.invoice_id = "invoices"."id")` }).from(invoices);
    for (const s of sums) expect(s.net).toBe(s.lines);
    expect(sums.reduce((t, s) => t + s.net, 0)).toBe(3 * (amountCents(30, 9500) + amountCents(45, 11500) + amountCents(20, 9500)));
  });

  it('prices every line in exact cents and exports the same integers as CSV', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-700');
    await entry(w.db, party, w.agent, { workDate: '2026-11-02', minutes: 7, activityType: 'remote', description: 'Printer "Kyocera", reset' });
    await entry(w.db, party, w.agent, { workDate: '2026-11-03', minutes: 45, activityType: 'onsite' });
    await entry(w.db, party, w.agent, { workDate: '2026-11-04', minutes: 100, activityType: 'travel' });
    await entry(w.db, party, w.agent, { workDate: '2026-11-05', minutes: 50, decision: 'quota', quotaMinutes: 20 });
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    expect(run.status).toBe(201);
    const id = run.body.invoices[0].id;

    const invoice = await call(w, 'GET', `/api/invoices/${id}`, w.agent);
    expect(invoice.status).toBe(200);
    // 7 × 9500 / 60 = 1108.33 → 1108; 45 × 11500 / 60 = 8625; 100 × 6500 / 60 = 10833.33 → 10833; 30 × 9500 / 60 = 4750.
    expect(invoice.body.lines.map((l: Record<string, unknown>) => [l.kind, l.minutes, l.rateCents, l.amountCents])).toEqual([
      ['time', 7, 9500, 1108],
      ['time', 45, 11500, 8625],
      ['time', 100, 6500, 10833],
      ['quota_overage', 30, 9500, 4750],
    ]);
    expect(invoice.body.totals).toEqual({ lineCount: 4, minutes: 182, netCents: 25316 });
    // The totals come from the invoice service, so every reader of an invoice gets the same sums.
    expect((await invoiceDetail(w.db, id)).totals).toEqual({ lineCount: 4, minutes: 182, netCents: 25316 });
    expect(invoice.body).toMatchObject({ netCents: 25316, status: 'draft', invoiceNumber: null, customerNumber: 'K-700', periodFrom: '2026-11-01', periodTo: '2026-11-30' });
    expect(invoice.body.lines[0]).toMatchObject({ contractNumber: 'V-K-700', projectNumber: 'P-V-K-700', workDate: '2026-11-02', activityType: 'remote', description: 'Printer "Kyocera", reset' });

    const csv = await call(w, 'GET', `/api/invoices/${id}/csv`, w.agent);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="draft_K-700_2026-11-01_2026-11-30.csv"');
    expect(csv.text).toContain('"Printer ""Kyocera"", reset"');
    expect(csv.text.split('\r\n')[0]).toBe(
      'invoice_number,invoice_status,debtor_number,customer_name,period_from,period_to,contract_number,project_number,incident_number,work_date,activity_type,description,minutes,rate_cents,net_amount_cents,currency,line_kind,article_number,quantity,unit_price_cents',
    );
    const rows: Record<string, string>[] = parse(csv.text, { columns: true });
    expect(rows.map((r) => [r.minutes, r.rate_cents, r.net_amount_cents])).toEqual([
      ['7', '9500', '1108'],
      ['45', '11500', '8625'],
      ['100', '6500', '10833'],
      ['30', '9500', '4750'],
    ]);
    expect(rows.reduce((t, r) => t + Number(r.net_amount_cents), 0)).toBe(25316);
    expect(rows[0]).toMatchObject({ invoice_number: '', invoice_status: 'draft', debtor_number: 'K-700', customer_name: 'Customer K-700', contract_number: 'V-K-700', currency: 'EUR' });
    expect(csv.text).not.toMatch(/\d\.\d/);

    // The period export carries finals only by default; after finalising it has the same rows with the number.
    const before = await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30', w.agent);
    expect(before.status).toBe(200);
    expect(parse(before.text, { columns: true })).toEqual([]);
    const drafts = await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30&status=draft', w.agent);
    expect(parse(drafts.text, { columns: true })).toEqual(rows);
    const final = await call(w, 'POST', `/api/invoices/${id}/finalise`, w.manager);
    const exported = await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30', w.agent);
    expect(exported.headers.get('content-disposition')).toBe('attachment; filename="invoices_2026-11-01_2026-11-30_final.csv"');
    const finalRows: Record<string, string>[] = parse(exported.text, { columns: true });
    expect(finalRows).toEqual(rows.map((r) => ({ ...r, invoice_number: final.body.invoiceNumber, invoice_status: 'final' })));
    const december = await call(w, 'GET', '/api/invoices/export.csv?from=2026-12-01&to=2026-12-31', w.agent);
    expect(parse(december.text, { columns: true })).toEqual([]);
  });

  it('leaves out non-billable, deleted and later entries, and bills an entry logged after finalisation in the next run', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-800');
    const billable = await entry(w.db, party, w.agent, { workDate: '2026-11-10', minutes: 60 });
    const covered = await entry(w.db, party, w.agent, { workDate: '2026-11-11', minutes: 60, decision: 'covered' });
    const fromQuota = await entry(w.db, party, w.agent, { workDate: '2026-11-11', minutes: 60, decision: 'quota', quotaMinutes: 60 });
    const deleted = await entry(w.db, party, w.agent, { workDate: '2026-11-12', minutes: 60, deleted: true });
    const december = await entry(w.db, party, w.agent, { workDate: '2026-12-01', minutes: 60 });
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    await expectEachBilledOnce(w.db, [billable.id]);
    for (const e of [covered, fromQuota, deleted, december]) expect((await lineCountsByEntry(w.db)).has(e.id)).toBe(false);

    const id = run.body.invoices[0].id;
    expect((await call(w, 'POST', `/api/invoices/${id}/finalise`, w.manager)).status).toBe(200);
    const late = await entry(w.db, party, w.agent, { workDate: '2026-11-28', minutes: 15 });
    const again = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    expect(again.status).toBe(200);
    expect(again.body.invoices).toEqual([expect.objectContaining({ id, status: 'final', lineCount: 1, netCents: 9500 })]);
    expect((await lineCountsByEntry(w.db)).has(late.id)).toBe(false);

    const next = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-12' });
    expect(next.status).toBe(201);
    expect(next.body.invoices).toEqual([expect.objectContaining({ status: 'draft', lineCount: 2, netCents: amountCents(15, 9500) + 9500 })]);
    await expectEachBilledOnce(w.db, [billable.id, late.id, december.id]);
  });
});
