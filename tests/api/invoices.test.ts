// Invoice runs, finalising and the ERP export through the API, on a real database: each entry
// is billed exactly once under concurrent, overlapping, retried and crashed runs.
import { parse } from 'csv-parse/sync';
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import type { createApp } from '../../src/api/app.js';
import type { Database, Db } from '../../src/db/client.js';
import { contracts, customers, invoiceLines, invoiceNumberCounters, invoiceRuns, invoices, materialEntries, projects, timeEntries } from '../../src/db/schema/index.js';
import { amountCents } from '../../src/domain/billing.js';
import type { ActivityType, EntitlementDecision } from '../../src/domain/enums.js';
import { businessDate } from '../../src/domain/ticket-number.js';
import { invoiceDetail } from '../../src/services/invoices/queries.js';
import { runInvoices } from '../../src/services/invoices/runs.js';
import { databaseOnlyApp, apiCaller } from '../support/api.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

interface World {
  database: Database;
  db: Db;
  app: ReturnType<typeof createApp>;
  agent: TestUser;
  manager: TestUser;
  sales: TestUser;
}

const opened: Database[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close()));
});

/** A fresh database per test: a run bills every customer, so tests must not share data. */
async function world(): Promise<World> {
  const database = await createTestDatabase();
  opened.push(database);
  const app = databaseOnlyApp(database.db);
  const [agent, manager, sales] = await Promise.all([createUserWithToken(database.db, 'agent'), createUserWithToken(database.db, 'manager'), createUserWithToken(database.db, 'sales')]);
  return { database, db: database.db, app, agent, manager, sales };
}

const call = (w: World, ...args: Parameters<ReturnType<typeof apiCaller>>) => apiCaller(w.app)(...args);

const rates = { remote: 9500, onsite: 11500, travel: 6500 };

async function customerWithContract(db: Db, customerNumber: string) {
  const [customer] = await db.insert(customers).values({ customerNumber, name: `Customer ${customerNumber}` }).returning();
  const [contract] = await db
    .insert(contracts)
    .values({ contractNumber: `V-${customerNumber}`, customerId: customer!.id, tier: 'gold', validFrom: '2026-01-01', hourlyRates: rates, coversAllAssets: true })
    .returning();
  const [project] = await db.insert(projects).values({ projectNumber: `P-V-${customerNumber}`, contractId: contract!.id, customerId: customer!.id, kind: 'support', name: 'Support' }).returning();
  return { customer: customer!, contract: contract!, project: project! };
}
type Party = Awaited<ReturnType<typeof customerWithContract>>;

interface EntrySpec {
  workDate: string;
  minutes: number;
  activityType?: ActivityType;
  decision?: EntitlementDecision;
  /** Minutes drawn from the quota (decision quota); the rest is billable. */
  quotaMinutes?: number;
  /** Billable minutes; defaults by decision (covered: 0, quota: minutes - quotaMinutes, else all). */
  billableMinutes?: number;
  description?: string;
  deleted?: boolean;
}

let incidentSeq = 0;
async function entry(db: Db, party: Party, agent: TestUser, spec: EntrySpec) {
  const activityType = spec.activityType ?? 'remote';
  const decision = spec.decision ?? 'billable';
  const quotaMinutes = spec.quotaMinutes ?? 0;
  const billableMinutes = spec.billableMinutes ?? (decision === 'covered' ? 0 : spec.minutes - quotaMinutes);
  const rate = rates[activityType];
  incidentSeq += 1;
  const [row] = await db
    .insert(timeEntries)
    .values({
      incidentNumber: `INC-2026-${String(incidentSeq).padStart(6, '0')}`,
      customerId: party.customer.id,
      contractId: party.contract.id,
      projectId: party.project.id,
      agentId: agent.id,
      workDate: spec.workDate,
      minutes: spec.minutes,
      activityType,
      description: spec.description ?? `Work on ${spec.workDate}`,
      decision,
      quotaMinutes,
      billableMinutes,
      rateCents: billableMinutes > 0 ? rate : null,
      amountCents: billableMinutes > 0 ? amountCents(billableMinutes, rate) : 0,
      billingReason: 'test',
      createdBy: `user:${agent.id}`,
      deletedAt: spec.deleted ? new Date() : null,
    })
    .returning();
  return row!;
}

/** Material a service order booked: always billable at quantity × unit price. */
async function material(db: Db, party: Party, spec: { workDate: string; articleNumber: string; description?: string; quantity: number; unitPriceCents: number; lineNo?: number }) {
  incidentSeq += 1;
  const incidentNumber = `INC-2026-${String(incidentSeq).padStart(6, '0')}`;
  const [row] = await db
    .insert(materialEntries)
    .values({
      incidentNumber,
      customerId: party.customer.id,
      contractId: party.contract.id,
      projectId: party.project.id,
      workDate: spec.workDate,
      followUpWorkflowId: `incident-${incidentNumber}/service-order-1`,
      lineNo: spec.lineNo ?? 0,
      articleNumber: spec.articleNumber,
      description: spec.description ?? `Part ${spec.articleNumber}`,
      quantity: spec.quantity,
      unitPriceCents: spec.unitPriceCents,
      amountCents: spec.quantity * spec.unitPriceCents,
      createdBy: `follow-up:incident-${incidentNumber}/service-order-1`,
    })
    .returning();
  return row!;
}

/** Three customers with two billable entries each in November 2026. */
async function novemberData(w: World) {
  const parties = await Promise.all(['K-100', 'K-200', 'K-300'].map((n) => customerWithContract(w.db, n)));
  const entries = [];
  for (const party of parties) {
    entries.push(await entry(w.db, party, w.agent, { workDate: '2026-11-03', minutes: 30 }));
    entries.push(await entry(w.db, party, w.agent, { workDate: '2026-11-20', minutes: 45, activityType: 'onsite' }));
  }
  return { parties, entries };
}

/** How often each time entry is on an invoice line (an entry on none is missing). */
async function lineCountsByEntry(db: Db): Promise<Map<string, number>> {
  const rows = await db.select({ id: invoiceLines.timeEntryId, n: sql<number>`count(*)::int` }).from(invoiceLines).where(isNotNull(invoiceLines.timeEntryId)).groupBy(invoiceLines.timeEntryId);
  return new Map(rows.map((r) => [r.id!, r.n]));
}

async function expectEachBilledOnce(db: Db, entryIds: string[]) {
  const counts = await lineCountsByEntry(db);
  for (const id of entryIds) expect(counts.get(id), `entry ${id}`).toBe(1);
  expect([...counts.keys()].sort()).toEqual([...entryIds].sort());
}

const countOf = async (db: Db, table: typeof invoices | typeof invoiceLines) => (await db.select({ n: sql<number>`count(*)::int` }).from(table))[0]!.n;

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

describe('reading, roles and validation', () => {
  it('lets agents read, managers act, and sales nothing under /api/invoices', async () => {
    const w = await world();
    await novemberData(w);
    expect((await call(w, 'POST', '/api/invoices/runs', w.agent, { period: '2026-11' })).status).toBe(403);
    expect(await countOf(w.db, invoices)).toBe(0);
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    const id = run.body.invoices[0].id;
    for (const [method, path] of [
      ['GET', '/api/invoices'],
      ['GET', `/api/invoices/${id}`],
      ['GET', `/api/invoices/${id}/csv`],
      ['GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30'],
      ['POST', '/api/invoices/runs'],
      ['POST', `/api/invoices/${id}/finalise`],
      ['DELETE', `/api/invoices/${id}`],
    ] as const) {
      expect((await call(w, method, path, w.sales, method === 'POST' ? { period: '2026-11' } : undefined)).status, `${method} ${path}`).toBe(403);
    }

    const list = await call(w, 'GET', '/api/invoices?limit=2', w.agent);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(list.body.items.map((i: { customerNumber: string }) => i.customerNumber)).toEqual(['K-100', 'K-200']);
    expect((await call(w, 'GET', '/api/invoices?limit=2&offset=2', w.agent)).body.items.map((i: { customerNumber: string }) => i.customerNumber)).toEqual(['K-300']);
    expect((await call(w, 'GET', '/api/invoices?customerNumber=K-200', w.agent)).body.total).toBe(1);
    expect((await call(w, 'GET', '/api/invoices?status=final', w.agent)).body.total).toBe(0);
    expect((await call(w, 'GET', '/api/invoices?from=2026-12-01', w.agent)).body.total).toBe(0);
    expect((await call(w, 'GET', '/api/invoices?from=2026-11-30&to=2026-12-31', w.agent)).body.total).toBe(3);
    expect((await call(w, 'GET', '/api/invoices?to=2026-10-31', w.agent)).body.total).toBe(0);
  });

  it('answers 400 for bad periods and 404 for unknown invoices', async () => {
    const w = await world();
    const bad = [
      [{ from: '2026-11-30', to: '2026-11-01' }, 'to', /starts \(2026-11-30\) after it ends/],
      [{ from: '2026-01-01', to: '2027-01-01' }, 'to', /at most one year/],
      [{ period: '2026-13' }, 'period', /YYYY-MM/],
      [{ period: 'November' }, 'period', /YYYY-MM/],
      [{ period: '2026-11', from: '2026-11-01' }, 'period', /either/],
      [{ from: '2026-11-01' }, 'to', /both from and to/],
      [{}, 'from', /period/],
    ] as const;
    for (const [body, field, message] of bad) {
      const res = await call(w, 'POST', '/api/invoices/runs', w.manager, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors[0].field).toBe(field);
      expect(res.body.detail).toMatch(message);
    }
    expect((await call(w, 'POST', '/api/invoices/runs', w.manager, { from: '2026-02-30', to: '2026-03-01' })).status).toBe(400);
    expect((await call(w, 'POST', '/api/invoices/runs', w.manager, { from: '2026-01-01', to: '2026-12-31' })).status).toBe(201);
    expect(await countOf(w.db, invoices)).toBe(0);
    expect((await w.db.select().from(invoiceRuns).where(and(eq(invoiceRuns.periodFrom, '2026-01-01'), eq(invoiceRuns.periodTo, '2026-12-31')))).length).toBe(1);

    expect((await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-30&to=2026-11-01', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices/export.csv?to=2026-11-01', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30&status=paid', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices?from=2026-12-01&to=2026-11-01', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices/not-a-uuid', w.agent)).status).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [['GET', `/api/invoices/${unknown}`], ['GET', `/api/invoices/${unknown}/csv`], ['POST', `/api/invoices/${unknown}/finalise`], ['DELETE', `/api/invoices/${unknown}`]] as const) {
      const res = await call(w, method, path, w.manager);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.detail).toContain(unknown);
    }
  });
});
