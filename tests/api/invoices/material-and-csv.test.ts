// Material from service orders on invoices, and the CSV export for people (formula-safe) and for the ERP (exact bytes).
import { parse } from 'csv-parse/sync';
import { eq, isNotNull, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers, invoiceLines, materialEntries } from '../../../src/db/schema/index.js';
import { amountCents } from '../../../src/domain/billing.js';
import { call, countOf, customerWithContract, entry, expectEachBilledOnce, invoiceWorlds, material } from '../../support/invoices.js';

const world = invoiceWorlds();

describe('material from service orders', () => {
  it('bills each material entry once as a material line, in exact cents, in the JSON and the CSV, and freezes it on finalising', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-750');
    const work = await entry(w.db, party, w.agent, { workDate: '2026-11-03', minutes: 45, activityType: 'onsite' });
    const fuser = await material(w.db, party, { workDate: '2026-11-03', articleNumber: 'FU-4711', description: 'Fuser unit, "Kyocera"', quantity: 1, unitPriceCents: 18_990 });
    const screws = await material(w.db, party, { workDate: '2026-11-04', articleNumber: 'SC-1', quantity: 3, unitPriceCents: 15 });
    const later = await material(w.db, party, { workDate: '2026-12-02', articleNumber: 'TN-1', quantity: 2, unitPriceCents: 4999 });
    // A material-only customer gets an invoice of its own.
    const other = await customerWithContract(w.db, 'K-751');
    const disk = await material(w.db, other, { workDate: '2026-11-20', articleNumber: 'SSD-1', quantity: 2, unitPriceCents: 12_345 });

    const [a, b] = await Promise.all([call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' }), call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' })]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    const run = a.status === 201 ? a : b;
    expect(run.body.invoices.map((i: { customerNumber: string; lineCount: number; netCents: number }) => [i.customerNumber, i.lineCount, i.netCents])).toEqual([
      ['K-750', 3, amountCents(45, 11500) + 18_990 + 45],
      ['K-751', 1, 24_690],
    ]);
    const byMaterial = await w.db.select({ id: invoiceLines.materialEntryId, n: sql<number>`count(*)::int` }).from(invoiceLines).where(isNotNull(invoiceLines.materialEntryId)).groupBy(invoiceLines.materialEntryId);
    expect(new Map(byMaterial.map((r) => [r.id, r.n]))).toEqual(new Map([[fuser.id, 1], [screws.id, 1], [disk.id, 1]]));
    await expectEachBilledOnce(w.db, [work.id]);

    const id = run.body.invoices[0].id;
    const invoice = await call(w, 'GET', `/api/invoices/${id}`, w.agent);
    expect(invoice.status).toBe(200);
    expect(invoice.body.lines).toEqual([
      expect.objectContaining({ kind: 'time', timeEntryId: work.id, materialEntryId: null, minutes: 45, rateCents: 11500, activityType: 'onsite', articleNumber: null, quantity: null, unitPriceCents: null, amountCents: amountCents(45, 11500) }),
      expect.objectContaining({ kind: 'material', timeEntryId: null, materialEntryId: fuser.id, minutes: 0, rateCents: null, activityType: null, articleNumber: 'FU-4711', quantity: 1, unitPriceCents: 18_990, amountCents: 18_990, description: 'Fuser unit, "Kyocera"', contractNumber: 'V-K-750', projectNumber: 'P-V-K-750', incidentNumber: fuser.incidentNumber, workDate: '2026-11-03' }),
      expect.objectContaining({ kind: 'material', materialEntryId: screws.id, quantity: 3, unitPriceCents: 15, amountCents: 45, workDate: '2026-11-04' }),
    ]);
    expect(invoice.body.totals).toEqual({ lineCount: 3, minutes: 45, netCents: amountCents(45, 11500) + 19_035 });

    const csv = await call(w, 'GET', `/api/invoices/${id}/csv`, w.agent);
    const rows: Record<string, string>[] = parse(csv.text, { columns: true });
    expect(rows.map((r) => [r.line_kind, r.activity_type, r.minutes, r.rate_cents, r.article_number, r.quantity, r.unit_price_cents, r.net_amount_cents])).toEqual([
      ['time', 'onsite', '45', '11500', '', '', '', String(amountCents(45, 11500))],
      ['material', '', '0', '', 'FU-4711', '1', '18990', '18990'],
      ['material', '', '0', '', 'SC-1', '3', '15', '45'],
    ]);
    expect(rows[1]!.description).toBe('Fuser unit, "Kyocera"');
    expect(rows.reduce((t, r) => t + Number(r.net_amount_cents), 0)).toBe(invoice.body.netCents);

    // Finalised: the material is frozen and no run of this or a later period bills it again.
    expect((await call(w, 'POST', `/api/invoices/${id}/finalise`, w.manager)).status).toBe(200);
    const frozen = await w.db.select({ id: materialEntries.id, invoicedAt: materialEntries.invoicedAt }).from(materialEntries);
    expect(new Map(frozen.map((m) => [m.id, m.invoicedAt !== null]))).toEqual(new Map([[fuser.id, true], [screws.id, true], [later.id, false], [disk.id, false]]));
    const december = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-12' });
    expect(december.body.invoices.map((i: { customerNumber: string; lineCount: number; netCents: number }) => [i.customerNumber, i.lineCount, i.netCents])).toEqual([['K-750', 1, 9998]]);
    const exported: Record<string, string>[] = parse((await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30', w.agent)).text, { columns: true });
    expect(exported.map((r) => [r.debtor_number, r.line_kind, r.article_number])).toEqual([
      ['K-750', 'time', ''],
      ['K-750', 'material', 'FU-4711'],
      ['K-750', 'material', 'SC-1'],
    ]);
  });

  it('gives the material of a discarded draft back to the next run', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-760');
    const part = await material(w.db, party, { workDate: '2026-11-10', articleNumber: 'PSU-800', quantity: 1, unitPriceCents: 18_900 });
    const first = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    const id = first.body.invoices[0].id;
    expect((await call(w, 'DELETE', `/api/invoices/${id}`, w.manager)).status).toBe(204);
    expect(await countOf(w.db, invoiceLines)).toBe(0);
    const again = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    expect(again.body.invoices).toEqual([expect.objectContaining({ status: 'draft', lineCount: 1, netCents: 18_900 })]);
    const [line] = await w.db.select().from(invoiceLines);
    expect(line).toMatchObject({ materialEntryId: part.id, kind: 'material', amountCents: 18_900 });
  });
});

describe('CSV for people and for the ERP', () => {
  const attack = "=cmd|' /C calc'!A0";

  it('neutralises text cells that would run as formulas by default, and keeps the exact bytes with ?dialect=erp', async () => {
    const w = await world();
    const party = await customerWithContract(w.db, 'K-760');
    await w.db.update(customers).set({ name: '@SUM(1+1) GmbH' }).where(eq(customers.id, party.customer.id));
    await entry(w.db, party, w.agent, { workDate: '2026-11-02', minutes: 60, description: '-12.50 refund; +1 call' });
    await material(w.db, party, { workDate: '2026-11-03', articleNumber: 'FU-1', description: attack, quantity: 1, unitPriceCents: 100 });
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    const id = run.body.invoices[0].id;

    const opened = await call(w, 'GET', `/api/invoices/${id}/csv`, w.agent);
    expect(opened.status).toBe(200);
    const rows: Record<string, string>[] = parse(opened.text, { columns: true });
    expect(rows.map((r) => [r.customer_name, r.description, r.net_amount_cents])).toEqual([
      ["'@SUM(1+1) GmbH", "'-12.50 refund; +1 call", '9500'],
      ["'@SUM(1+1) GmbH", `'${attack}`, '100'],
    ]);
    // A description with ";" is quoted, so a German Excel that splits on ";" finds no bare "+1 call" cell.
    expect(opened.text).toContain(`"'-12.50 refund; +1 call"`);

    const erp = await call(w, 'GET', `/api/invoices/${id}/csv?dialect=erp`, w.agent);
    expect(erp.status).toBe(200);
    const erpRows: Record<string, string>[] = parse(erp.text, { columns: true });
    expect(erpRows.map((r) => [r.customer_name, r.description])).toEqual([
      ['@SUM(1+1) GmbH', '-12.50 refund; +1 call'],
      ['@SUM(1+1) GmbH', attack],
    ]);
    // As stored, byte for byte: unquoted, no leading quote, CRLF line ends.
    expect(erp.text).toContain(`,K-760,@SUM(1+1) GmbH,2026-11-01,`);
    expect(erp.text).toContain(`,${attack},0,,100,EUR,material,FU-1,1,100\r\n`);
    expect(erp.text).toContain(',-12.50 refund; +1 call,60,9500,9500,EUR,time,,,\r\n');

    const period = '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30&status=draft';
    expect((await call(w, 'GET', period, w.agent)).text).toBe(opened.text);
    expect((await call(w, 'GET', `${period}&dialect=erp`, w.agent)).text).toBe(erp.text);
    for (const path of [`/api/invoices/${id}/csv?dialect=xlsx`, `${period}&dialect=excel`]) {
      const bad = await call(w, 'GET', path, w.agent);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('dialect');
    }
  });
});
