// Material entries through the API on a real database: a manager corrects, waives, bills again
// and deletes booked material with a reason; drafts give the entry up, final invoices freeze it,
// invoice runs bill what is left in exact cents, and a re-booked work report changes nothing.
import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { materialEntriesRouter } from '../../src/api/material-entries/index.js';
import { invoiceLines, invoices, materialEntries, materialEntryEvents } from '../../src/db/schema/index.js';
import type { ServiceOrderReportBooking } from '../../src/domain/service-order.js';
import { discardDraft, finaliseInvoice } from '../../src/services/invoices/finalise.js';
import { invoiceDetail } from '../../src/services/invoices/queries.js';
import { runInvoices } from '../../src/services/invoices/runs.js';
import { bookServiceOrderReport } from '../../src/services/service-order-billing.js';
import { incidentUnderContract } from '../support/incident-under-contract.js';
import { apiOnTestDatabase } from '../support/api-database.js';

const api = apiOnTestDatabase({ agent: ['agent', 'Tim Technician'], manager: ['manager', 'Mia Manager'], admin: ['admin', 'Ada Admin'], sales: ['sales', 'Sam Sales'], mailgate: ['mailgate', 'MTA'] });
const { call, users: { agent, manager, admin, sales, mailgate } } = api;
beforeAll(() => {
  // Until src/api/app.ts mounts the router, mount it here (behind the app's auth and error path).
  if (!api.app.routes.some((r) => r.path.startsWith('/api/material-entries'))) api.app.route('/api/material-entries', materialEntriesRouter);
});

const deps = () => ({ db: api.database.db, timezone: 'Europe/Berlin', mailFrom: 'helpdesk@systemhaus.example' });
const november = { from: '2026-11-01', to: '2026-11-30' };

let seq = 0;
/** A customer whose contract covers the time (no quota), an incident under it, and a booked work report with two material lines. */
async function bookedMaterial() {
  seq += 1;
  const { number, customer } = await incidentUnderContract(api.database.db, { key: `ME-${seq}`, incidentNumber: `INC-2026-${String(800 + seq).padStart(6, '0')}`, rates: { remote: 9600, onsite: 13_200, travel: 7200 } });
  const report: ServiceOrderReportBooking = {
    followUpWorkflowId: `incident-${number}/service-order-1`,
    incidentNumber: number,
    technicianId: agent.id,
    completedAt: '2026-11-06T15:00:00.000Z',
    timeEntries: [],
    materials: [
      { articleNumber: 'FU-4711', description: 'Fuser unit', quantity: 1, unitPriceCents: 18_990 },
      { articleNumber: 'SC-1', description: 'Screw', quantity: 3, unitPriceCents: 15 },
    ],
  };
  const booked = await bookServiceOrderReport(deps(), report);
  const [fuser, screws] = booked.materialEntryIds as [string, string];
  return { customerNumber: customer.customerNumber, number, report, booked, fuser, screws };
}

/** Runs November and returns this customer's invoice of it (undefined when there is nothing to bill). */
async function runFor(customerNumber: string) {
  const run = await runInvoices(api.database.db, november, { startedBy: 'test' });
  const invoice = run.invoices.find((i) => i.customerNumber === customerNumber);
  return invoice && { ...invoice, ...(await invoiceDetail(api.database.db, invoice.id)) };
}

const linesOf = (invoice: Awaited<ReturnType<typeof runFor>>) =>
  (invoice?.lines ?? []).map((l) => [l.materialEntryId, l.articleNumber, l.description, l.quantity, l.unitPriceCents, l.amountCents]).sort((a, b) => String(a[1]).localeCompare(String(b[1])));

const auditOf = async (id: string) => (await call('GET', `/api/material-entries/${id}/audit`, agent)).body.items as { type: string; actor: string; actorName: string; reason: string; before: Record<string, unknown>; after: Record<string, unknown> }[];

describe('waiving and billing material again', () => {
  it('takes a waived entry off its draft; neither a rerun nor a discarded draft bills it; billing it again does', async () => {
    const s = await bookedMaterial();
    const draft = await runFor(s.customerNumber);
    expect(draft).toMatchObject({ status: 'draft', netCents: 19_035 });

    const waived = await call('PUT', `/api/material-entries/${s.fuser}/billing`, manager, { billable: false, reason: 'Parts are included in the Gold contract.' });
    expect(waived.status).toBe(200);
    expect(waived.body).toMatchObject({ id: s.fuser, billable: false, amountCents: 18_990, billableCents: 0, overrideReason: 'Parts are included in the Gold contract.', overrideBy: `user:${manager.id}` });
    // Off the draft, whose total follows its remaining line.
    const [onDraft] = await api.database.db.select().from(invoices).where(eq(invoices.id, draft!.id));
    expect(onDraft!.netCents).toBe(45);
    expect(await api.database.db.select().from(invoiceLines).where(eq(invoiceLines.materialEntryId, s.fuser))).toEqual([]);

    expect(linesOf(await runFor(s.customerNumber))).toEqual([[s.screws, 'SC-1', 'Screw', 3, 15, 45]]);
    // Discarding the draft used to bill it again: it does not now.
    await discardDraft(api.database.db, draft!.id);
    const redrafted = await runFor(s.customerNumber);
    expect(redrafted).toMatchObject({ netCents: 45 });
    expect(linesOf(redrafted)).toEqual([[s.screws, 'SC-1', 'Screw', 3, 15, 45]]);
    // The incident's totals: its value counts, nothing of it is still to bill.
    expect((await call('GET', `/api/incidents/${s.number}/materials`, agent)).body.totals).toEqual({ lineCount: 2, amountCents: 19_035, unbilledCents: 45 });

    const again = await call('PUT', `/api/material-entries/${s.fuser}/billing`, admin, { billable: true, reason: 'Customer bought the part outside the contract.' });
    expect(again.body).toMatchObject({ billable: true, billableCents: 18_990, overrideBy: `user:${admin.id}` });
    const billed = await runFor(s.customerNumber);
    expect(billed).toMatchObject({ id: redrafted!.id, netCents: 19_035 });
    expect(linesOf(billed)).toEqual([
      [s.fuser, 'FU-4711', 'Fuser unit', 1, 18_990, 18_990],
      [s.screws, 'SC-1', 'Screw', 3, 15, 45],
    ]);

    expect(await auditOf(s.fuser)).toEqual([
      expect.objectContaining({ type: 'billing_overridden', actor: `user:${manager.id}`, actorName: 'Mia Manager', reason: 'Parts are included in the Gold contract.', before: expect.objectContaining({ billable: true, overrideReason: null }), after: expect.objectContaining({ billable: false, amountCents: 18_990 }) }),
      expect.objectContaining({ type: 'billing_overridden', actor: `user:${admin.id}`, reason: 'Customer bought the part outside the contract.', before: expect.objectContaining({ billable: false }), after: expect.objectContaining({ billable: true }) }),
    ]);
  });

  it('writes nothing when the same decision is sent again (a retried request)', async () => {
    const s = await bookedMaterial();
    const body = { billable: false, reason: 'Goodwill' };
    const first = await call('PUT', `/api/material-entries/${s.screws}/billing`, manager, body);
    const second = await call('PUT', `/api/material-entries/${s.screws}/billing`, manager, body);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await auditOf(s.screws)).toHaveLength(1);
  });
});

describe('correcting material', () => {
  it('takes a repriced entry off its draft; the next run bills the corrected amount in exact cents', async () => {
    const s = await bookedMaterial();
    const draft = await runFor(s.customerNumber);
    expect(draft).toMatchObject({ netCents: 19_035 });

    const corrected = await call('PATCH', `/api/material-entries/${s.fuser}`, manager, { quantity: 3, unitPriceCents: 1_999, reason: 'Three refurbished units at the agreed price.' });
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ quantity: 3, unitPriceCents: 1_999, amountCents: 5_997, billableCents: 5_997, articleNumber: 'FU-4711', billable: true, invoicedAt: null });
    expect((await api.database.db.select().from(invoices).where(eq(invoices.id, draft!.id)))[0]!.netCents).toBe(45);

    const billed = await runFor(s.customerNumber);
    expect(billed).toMatchObject({ id: draft!.id, netCents: 5_997 + 45 });
    expect(linesOf(billed)).toEqual([
      [s.fuser, 'FU-4711', 'Fuser unit', 3, 1_999, 5_997],
      [s.screws, 'SC-1', 'Screw', 3, 15, 45],
    ]);

    // A correction of wording keeps the entry on the draft; its line follows.
    const reworded = await call('PATCH', `/api/material-entries/${s.fuser}`, manager, { description: 'Fuser unit, refurbished', articleNumber: 'FU-4711-R', reason: 'Article mix-up' });
    expect(reworded.body).toMatchObject({ description: 'Fuser unit, refurbished', articleNumber: 'FU-4711-R', amountCents: 5_997 });
    const after = await invoiceDetail(api.database.db, draft!.id);
    expect(after.totals.netCents).toBe(6_042);
    expect(after.lines.find((l) => l.materialEntryId === s.fuser)).toMatchObject({ description: 'Fuser unit, refurbished', articleNumber: 'FU-4711-R', amountCents: 5_997 });

    // A price alone is corrected against the stored quantity.
    const price = await call('PATCH', `/api/material-entries/${s.screws}`, manager, { unitPriceCents: 7, reason: 'Bulk price' });
    expect(price.body).toMatchObject({ quantity: 3, unitPriceCents: 7, amountCents: 21 });

    const audit = await auditOf(s.fuser);
    expect(audit.map((e) => [e.type, e.reason])).toEqual([
      ['corrected', 'Three refurbished units at the agreed price.'],
      ['corrected', 'Article mix-up'],
    ]);
    expect(audit[0]!.before).toMatchObject({ quantity: 1, unitPriceCents: 18_990, amountCents: 18_990 });
    expect(audit[0]!.after).toMatchObject({ quantity: 3, unitPriceCents: 1_999, amountCents: 5_997 });
  });

  it('refuses bad input with 400 and changes nothing', async () => {
    const s = await bookedMaterial();
    const refusals: [Record<string, unknown>, string][] = [
      [{ quantity: -1, reason: 'x' }, 'quantity'],
      [{ quantity: 0, reason: 'x' }, 'quantity'],
      [{ quantity: 1.5, reason: 'x' }, 'quantity'],
      [{ unitPriceCents: -100, reason: 'x' }, 'unitPriceCents'],
      [{ quantity: 100_000, unitPriceCents: 1_000_000, reason: 'x' }, 'unitPriceCents'],
      [{ unitPriceCents: 2_147_483_648, reason: 'x' }, 'unitPriceCents'],
      // Only the quantity is given; with the stored 189.90 EUR it overflows the entry.
      [{ quantity: 200_000, reason: 'x' }, 'unitPriceCents'],
      [{ quantity: 2 }, 'reason'],
      [{ quantity: 2, reason: '   ' }, 'reason'],
      [{ reason: 'nothing to change' }, ''],
      [{ description: '', reason: 'x' }, 'description'],
    ];
    for (const [body, field] of refusals) {
      const res = await call('PATCH', `/api/material-entries/${s.fuser}`, manager, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.type).toContain('application/problem+json');
      if (field) expect(JSON.stringify(res.body), JSON.stringify(body)).toContain(field);
    }
    for (const body of [{ billable: false }, { billable: false, reason: '' }, { billable: 'no', reason: 'x' }, { billable: null, reason: 'x' }]) {
      expect((await call('PUT', `/api/material-entries/${s.fuser}/billing`, manager, body)).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('DELETE', `/api/material-entries/${s.fuser}`, manager, {})).status).toBe(400);
    expect((await call('DELETE', `/api/material-entries/${s.fuser}`, manager)).status).toBe(415); // no body, no Content-Type
    expect((await call('GET', '/api/material-entries/not-a-uuid', agent)).status).toBe(400);
    const unknown = await call('PATCH', '/api/material-entries/00000000-0000-4000-8000-000000000000', manager, { quantity: 2, reason: 'x' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain('00000000-0000-4000-8000-000000000000');

    const [entry] = await api.database.db.select().from(materialEntries).where(eq(materialEntries.id, s.fuser));
    expect(entry).toMatchObject({ quantity: 1, unitPriceCents: 18_990, amountCents: 18_990, description: 'Fuser unit', billable: true, deletedAt: null });
    expect(await auditOf(s.fuser)).toEqual([]);
  });
});

describe('deleting material', () => {
  it('never bills a deleted entry, keeps it readable with its audit trail, and refuses to change it again', async () => {
    const s = await bookedMaterial();
    const draft = await runFor(s.customerNumber);
    const deleted = await call('DELETE', `/api/material-entries/${s.screws}`, manager, { reason: 'Screws were not used after all.' });
    expect(deleted.status).toBe(204);
    expect((await api.database.db.select().from(invoices).where(eq(invoices.id, draft!.id)))[0]!.netCents).toBe(18_990);

    const read = await call('GET', `/api/material-entries/${s.screws}`, agent);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: s.screws, amountCents: 45, billableCents: 0, deletedAt: expect.any(String) });
    const listed = await call('GET', `/api/incidents/${s.number}/materials`, agent);
    expect(listed.body.items.map((m: { id: string }) => m.id)).toEqual([s.fuser]);

    await discardDraft(api.database.db, draft!.id);
    expect(linesOf(await runFor(s.customerNumber))).toEqual([[s.fuser, 'FU-4711', 'Fuser unit', 1, 18_990, 18_990]]);

    for (const [method, path, body] of [
      ['DELETE', '', { reason: 'again' }],
      ['PATCH', '', { quantity: 5, reason: 'x' }],
      ['PUT', '/billing', { billable: true, reason: 'x' }],
    ] as const) {
      const res = await call(method, `/api/material-entries/${s.screws}${path}`, manager, body);
      expect(res.status, method).toBe(409);
      expect(res.body.detail).toMatch(/was deleted/);
    }
    expect(await auditOf(s.screws)).toEqual([
      expect.objectContaining({ type: 'deleted', actor: `user:${manager.id}`, reason: 'Screws were not used after all.', before: expect.objectContaining({ deletedAt: null }), after: expect.objectContaining({ deletedAt: expect.any(String) }) }),
    ]);
  });
});

describe('invoiced material', () => {
  it('is frozen once its invoice is final: every change is 409 and the invoice stays as it was', async () => {
    const s = await bookedMaterial();
    const draft = await runFor(s.customerNumber);
    const final = await finaliseInvoice(api.database.db, draft!.id, { finalisedBy: 'test', timezone: 'Europe/Berlin' });
    for (const [method, path, body] of [
      ['PATCH', '', { unitPriceCents: 1, reason: 'too late' }],
      ['PUT', '/billing', { billable: false, reason: 'too late' }],
      ['DELETE', '', { reason: 'too late' }],
    ] as const) {
      const res = await call(method, `/api/material-entries/${s.fuser}${path}`, manager, body);
      expect(res.status, method).toBe(409);
      expect(res.body.detail).toContain(final.invoiceNumber!);
    }
    const after = await invoiceDetail(api.database.db, draft!.id);
    expect(after.invoice).toMatchObject({ status: 'final', netCents: 19_035 });
    expect(after.lines).toHaveLength(2);
    expect((await call('GET', `/api/material-entries/${s.fuser}`, agent)).body).toMatchObject({ amountCents: 18_990, billable: true, invoicedAt: expect.any(String) });
    expect(await auditOf(s.fuser)).toEqual([]);
  });
});

describe('re-booking the work report', () => {
  it('returns the original ids and neither re-prices a corrected entry nor brings back a deleted or waived one', async () => {
    const s = await bookedMaterial();
    await call('PATCH', `/api/material-entries/${s.fuser}`, manager, { unitPriceCents: 14_900, reason: 'Agreed price' });
    await call('DELETE', `/api/material-entries/${s.screws}`, manager, { reason: 'Not used' });
    const before = await api.database.db.select().from(materialEntries).where(eq(materialEntries.followUpWorkflowId, s.report.followUpWorkflowId)).orderBy(materialEntries.lineNo);

    const again = await bookServiceOrderReport(deps(), s.report);
    expect(again).toMatchObject({ replayed: true, materialEntryIds: [s.fuser, s.screws], timeEntryIds: [] });
    const after = await api.database.db.select().from(materialEntries).where(eq(materialEntries.followUpWorkflowId, s.report.followUpWorkflowId)).orderBy(materialEntries.lineNo);
    expect(after).toEqual(before);
    expect(after.map((m) => [m.unitPriceCents, m.amountCents, m.deletedAt !== null])).toEqual([
      [14_900, 14_900, false],
      [15, 45, true],
    ]);
    const events = await api.database.db.select({ n: sql<number>`count(*)::int` }).from(materialEntryEvents).where(sql`material_entry_id in (${sql`${s.fuser}::uuid`}, ${sql`${s.screws}::uuid`})`);
    expect(events[0]!.n).toBe(2);
    expect(linesOf(await runFor(s.customerNumber))).toEqual([[s.fuser, 'FU-4711', 'Fuser unit', 1, 14_900, 14_900]]);
  });
});

describe('who may do what', () => {
  it('keeps sales and the mailgate out entirely, and agents to reading', async () => {
    const s = await bookedMaterial();
    const writes = [
      ['PATCH', `/api/material-entries/${s.fuser}`, { quantity: 2, reason: 'x' }],
      ['PUT', `/api/material-entries/${s.fuser}/billing`, { billable: false, reason: 'x' }],
      ['DELETE', `/api/material-entries/${s.fuser}`, { reason: 'x' }],
    ] as const;
    const reads = [`/api/material-entries/${s.fuser}`, `/api/material-entries/${s.fuser}/audit`];
    for (const user of [sales, mailgate]) {
      for (const path of reads) expect((await call('GET', path, user)).status, `${user.role} GET ${path}`).toBe(403);
      for (const [method, path, body] of writes) expect((await call(method, path, user, body)).status, `${user.role} ${method}`).toBe(403);
    }
    for (const path of reads) expect((await call('GET', path, agent)).status, `agent GET ${path}`).toBe(200);
    for (const [method, path, body] of writes) {
      const res = await call(method, path, agent, body);
      expect(res.status, `agent ${method}`).toBe(403);
      expect(res.body.detail).toMatch(/manager/);
    }
    for (const path of reads) expect((await api.app.request(path)).status).toBe(401);
    const [entry] = await api.database.db.select().from(materialEntries).where(eq(materialEntries.id, s.fuser));
    expect(entry).toMatchObject({ quantity: 1, billable: true, deletedAt: null });
  });
});
