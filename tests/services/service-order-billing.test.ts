// Booking a service order's work report on a real database: time priced like logged time
// (quota draw and split, billable after exhaustion, notices once), material in exact cents,
// each report booked once whatever the retries, and billed once by the invoice runs.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database, Db } from '../../src/db/client.js';
import { invoiceLines, invoices, materialEntries, outboxMessages, quotaEvents, timeEntries, timeEntryEvents, users } from '../../src/db/schema/index.js';
import { amountCents } from '../../src/domain/billing.js';
import { NotFound, ValidationError } from '../../src/domain/errors.js';
import type { ServiceOrderReportBooking } from '../../src/domain/service-order.js';
import type { OutgoingMail } from '../../src/mail/outbound.js';
import { discardDraft, finaliseInvoice } from '../../src/services/invoices/finalise.js';
import { invoiceDetail } from '../../src/services/invoices/queries.js';
import { runInvoices } from '../../src/services/invoices/runs.js';
import { bookServiceOrderReport } from '../../src/services/service-order-billing.js';
import { logTime, type TimeEntryDeps } from '../../src/services/time-entries/index.js';
import { incidentUnderContract as underContract } from '../support/incident-under-contract.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let database: Database;
let db: Db;
let deps: TimeEntryDeps;
let technician: TestUser;
const sent: OutgoingMail[] = [];
const rates = { remote: 9600, onsite: 13_200, travel: 7200 };

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  deps = { db, timezone: 'Europe/Berlin', mailFrom: 'Helpdesk <helpdesk@systemhaus.example>', mailer: { send: (mail) => Promise.resolve(void sent.push(mail)), close: () => {} } };
  technician = await createUserWithToken(db, 'agent', 'Tim Technician');
});
afterAll(async () => database?.close());

let seq = 0;
/** A customer with an account manager, a Gold contract (quota per month unless null) and its project, and an incident under it. */
async function incidentUnderContract(quotaMinutes: number | null) {
  seq += 1;
  const [am] = await db.insert(users).values({ name: `AM ${seq}`, email: `am-billing-${seq}@systemhaus.example`, role: 'sales' }).returning();
  return underContract(db, { key: `SO-${seq}`, incidentNumber: `INC-2026-${String(700 + seq).padStart(6, '0')}`, rates, quotaMinutes, accountManagerId: am!.id });
}

function reportFor(incidentNumber: string, more: Partial<ServiceOrderReportBooking> = {}): ServiceOrderReportBooking {
  return {
    followUpWorkflowId: `incident-${incidentNumber}/service-order-1`,
    incidentNumber,
    technicianId: technician.id,
    // 16:00 in Berlin on 6 November: the material was used that day.
    completedAt: '2026-11-06T15:00:00.000Z',
    timeEntries: [
      { minutes: 45, activityType: 'onsite', description: 'Replace fuser', workDate: '2026-11-05' },
      { minutes: 30, activityType: 'remote', description: 'Test prints', workDate: '2026-11-05' },
    ],
    materials: [
      { articleNumber: 'FU-4711', description: 'Fuser unit', quantity: 1, unitPriceCents: 18_990 },
      { articleNumber: 'SC-1', description: 'Screw', quantity: 3, unitPriceCents: 15 },
    ],
    ...more,
  };
}

const count = async (table: typeof timeEntries | typeof materialEntries | typeof quotaEvents | typeof outboxMessages | typeof timeEntryEvents, where: ReturnType<typeof sql>) =>
  (await db.select({ n: sql<number>`count(*)::int` }).from(table).where(where))[0]!.n;

describe('booking a service order report', () => {
  it('prices the time like logged time (quota draw, split, overage), books material in exact cents, and notifies once', async () => {
    const s = await incidentUnderContract(120);
    // 60 of the 120 quota minutes of November are gone already.
    await logTime(deps, { userId: technician.id, name: technician.name, role: 'agent' }, s.number, { minutes: 60, activityType: 'remote', description: 'Remote analysis', workDate: '2026-11-02' });
    sent.length = 0;

    const booked = await bookServiceOrderReport(deps, reportFor(s.number));
    expect(booked.replayed).toBe(false);
    expect(booked.timeEntryIds).toHaveLength(2);
    expect(booked.materialEntryIds).toHaveLength(2);

    const time = await db.select().from(timeEntries).where(eq(timeEntries.followUpWorkflowId, `incident-${s.number}/service-order-1`)).orderBy(timeEntries.followUpLineNo);
    expect(time.map((e) => e.id)).toEqual(booked.timeEntryIds);
    // 45 onsite minutes fit the 60 left; of the 30 remote ones 15 do, 15 are billable at the contract's remote rate.
    expect(time.map((e) => [e.followUpLineNo, e.decision, e.quotaMinutes, e.quotaPeriodStart, e.billableMinutes, e.rateCents, e.amountCents])).toEqual([
      [0, 'quota', 45, '2026-11-01', 0, null, 0],
      [1, 'quota', 15, '2026-11-01', 15, 9600, amountCents(15, 9600)],
    ]);
    for (const e of time) {
      expect(e).toMatchObject({ incidentNumber: s.number, customerId: s.customer.id, contractId: s.contract.id, projectId: s.project.id, agentId: technician.id, createdBy: `follow-up:incident-${s.number}/service-order-1`, workDate: '2026-11-05' });
    }
    // The audit trail shows the technician creating them.
    expect(await count(timeEntryEvents, sql`time_entry_id in (${sql.join(booked.timeEntryIds.map((id) => sql`${id}::uuid`), sql`, `)}) and type = 'created' and actor = ${`user:${technician.id}`}`)).toBe(2);

    const material = await db.select().from(materialEntries).where(eq(materialEntries.incidentNumber, s.number)).orderBy(materialEntries.lineNo);
    expect(material.map((m) => m.id)).toEqual(booked.materialEntryIds);
    expect(material.map((m) => [m.lineNo, m.articleNumber, m.quantity, m.unitPriceCents, m.amountCents, m.billable, m.invoicedAt])).toEqual([
      [0, 'FU-4711', 1, 18_990, 18_990, true, null],
      [1, 'SC-1', 3, 15, 45, true, null],
    ]);
    expect(material[0]).toMatchObject({ customerId: s.customer.id, contractId: s.contract.id, projectId: s.project.id, workDate: '2026-11-06' });

    expect(booked.totals).toEqual({ minutes: 75, quotaMinutes: 60, billableMinutes: 15, timeAmountCents: 2400, materialAmountCents: 19_035, amountCents: 21_435 });
    // 60 → 105 → 120 of 120: both thresholds crossed by this report, each told once to the account manager.
    const events = await db.select().from(quotaEvents).where(eq(quotaEvents.contractId, s.contract.id)).orderBy(quotaEvents.threshold);
    expect(events.map((e) => [e.threshold, e.usedMinutes, e.timeEntryId])).toEqual([
      [80, 105, booked.timeEntryIds[0]],
      [100, 120, booked.timeEntryIds[1]],
    ]);
    expect(sent.map((m) => m.subject)).toEqual([expect.stringMatching(/^Quota 80 % reached/), expect.stringMatching(/^Quota 100 % reached/)]);
  });

  it('books a report once, retried one after the other or at the same time, and answers with the same ids', async () => {
    const s = await incidentUnderContract(60);
    const report = reportFor(s.number);
    const first = await bookServiceOrderReport(deps, report);
    const again = await bookServiceOrderReport(deps, report);
    expect(again).toEqual({ ...first, replayed: true });
    const byOrder = sql`follow_up_workflow_id = ${report.followUpWorkflowId}`;
    expect(await count(timeEntries, byOrder)).toBe(2);
    expect(await count(materialEntries, byOrder)).toBe(2);
    expect(await count(quotaEvents, sql`contract_id = ${s.contract.id}`)).toBe(2);
    expect(await count(outboxMessages, sql`payload->>'contractId' = ${s.contract.id}`)).toBe(2);

    // Two attempts racing (an activity retried while the first attempt still runs): one set of entries.
    const t = await incidentUnderContract(60);
    const racing = reportFor(t.number);
    const [a, b] = await Promise.all([bookServiceOrderReport(deps, racing), bookServiceOrderReport(deps, racing)]);
    expect(a.timeEntryIds).toEqual(b.timeEntryIds);
    expect(a.materialEntryIds).toEqual(b.materialEntryIds);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(await count(timeEntries, sql`follow_up_workflow_id = ${racing.followUpWorkflowId}`)).toBe(2);
    expect(await count(materialEntries, sql`follow_up_workflow_id = ${racing.followUpWorkflowId}`)).toBe(2);
    // The quota was drawn once: 45 + 15 of its 60 minutes.
    const drawn = await db.select({ q: sql<number>`sum(quota_minutes)::int` }).from(timeEntries).where(eq(timeEntries.contractId, t.contract.id));
    expect(drawn[0]!.q).toBe(60);
  });

  it('refuses a report it cannot book, writing nothing', async () => {
    const s = await incidentUnderContract(null);
    const [salesUser] = await db.insert(users).values({ name: 'Sam Sales', email: 'sam-billing@systemhaus.example', role: 'sales' }).returning();
    const refusals: [Partial<ServiceOrderReportBooking>, typeof NotFound | typeof ValidationError, RegExp][] = [
      [{ incidentNumber: 'INC-2026-999999' }, NotFound, /INC-2026-999999 does not exist/],
      [{ technicianId: 't1' }, ValidationError, /not a user id/],
      [{ technicianId: '00000000-0000-4000-8000-000000000000' }, ValidationError, /no user/],
      [{ technicianId: salesUser!.id }, ValidationError, /sales role/],
      [{ timeEntries: [{ minutes: 30, activityType: 'onsite', description: 'Later', workDate: '2099-01-01' }] }, ValidationError, /in the future/],
      [{ materials: [{ articleNumber: 'RACK', description: 'Data centre', quantity: 100_000, unitPriceCents: 1_000_000 }] }, ValidationError, /split it into several lines/],
    ];
    for (const [i, [change, type, message]] of refusals.entries()) {
      const report = reportFor(s.number, { ...change, followUpWorkflowId: `incident-${s.number}/service-order-${i + 2}` });
      const refused = await bookServiceOrderReport(deps, report).catch((err: unknown) => err);
      expect(refused, JSON.stringify(change)).toBeInstanceOf(type);
      expect((refused as Error).message).toMatch(message);
    }
    expect(await count(timeEntries, sql`incident_number = ${s.number}`)).toBe(0);
    expect(await count(materialEntries, sql`incident_number = ${s.number}`)).toBe(0);
  });
});

describe('invoicing booked material', () => {
  it('bills each material entry once in exact cents; discarding releases, finalising freezes them', async () => {
    // No quota: the contract covers the time; only the material is billable.
    const covered = await incidentUnderContract(null);
    const booked = await bookServiceOrderReport(deps, reportFor(covered.number));
    const time = await db.select().from(timeEntries).where(eq(timeEntries.incidentNumber, covered.number));
    expect(time.map((e) => [e.decision, e.billableMinutes])).toEqual([
      ['covered', 0],
      ['covered', 0],
    ]);
    const period = { from: '2026-11-01', to: '2026-11-30' };
    const ofCustomer = async () => (await runInvoices(db, period, { startedBy: 'test' })).invoices.filter((i) => i.customerNumber === covered.customer.customerNumber);

    const [draft] = await ofCustomer();
    expect(draft).toMatchObject({ status: 'draft', lineCount: 2, netCents: 19_035 });
    const detail = await invoiceDetail(db, draft!.id);
    // Lines of one day and incident come in id order; sorted here by article to compare.
    const byArticle = [...detail.lines].sort((a, b) => (a.articleNumber! < b.articleNumber! ? -1 : 1));
    expect(byArticle.map((l) => [l.kind, l.materialEntryId, l.timeEntryId, l.articleNumber, l.quantity, l.unitPriceCents, l.minutes, l.rateCents, l.activityType, l.amountCents])).toEqual([
      ['material', booked.materialEntryIds[0], null, 'FU-4711', 1, 18_990, 0, null, null, 18_990],
      ['material', booked.materialEntryIds[1], null, 'SC-1', 3, 15, 0, null, null, 45],
    ]);
    expect(byArticle[0]).toMatchObject({ incidentNumber: covered.number, contractNumber: covered.contract.contractNumber, projectNumber: covered.project.projectNumber, workDate: '2026-11-06', description: 'Fuser unit' });
    expect(detail.totals).toEqual({ lineCount: 2, minutes: 0, netCents: 19_035 });

    // A repeated run adds nothing; a discarded draft gives its material back to the next run.
    expect((await ofCustomer())[0]).toMatchObject({ id: draft!.id, lineCount: 2, netCents: 19_035 });
    await discardDraft(db, draft!.id);
    expect(await db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, draft!.id))).toEqual([]);
    const [redrafted] = await ofCustomer();
    expect(redrafted).toMatchObject({ status: 'draft', lineCount: 2, netCents: 19_035 });
    expect(redrafted!.id).not.toBe(draft!.id);

    const final = await finaliseInvoice(db, redrafted!.id, { finalisedBy: 'test', timezone: 'Europe/Berlin' });
    expect(final).toMatchObject({ status: 'final', netCents: 19_035 });
    const frozen = await db.select().from(materialEntries).where(eq(materialEntries.incidentNumber, covered.number));
    expect(frozen.every((m) => m.invoicedAt !== null)).toBe(true);
    // Finalised: no later run bills them again, neither in this period nor in the next.
    expect((await ofCustomer())[0]).toMatchObject({ id: redrafted!.id, status: 'final', lineCount: 2 });
    const december = await runInvoices(db, { from: '2026-12-01', to: '2026-12-31' }, { startedBy: 'test' });
    expect(december.invoices.filter((i) => i.customerNumber === covered.customer.customerNumber)).toEqual([]);
    const lines = await db.select({ n: sql<number>`count(*)::int` }).from(invoiceLines).where(sql`material_entry_id in (${sql.join(booked.materialEntryIds.map((id) => sql`${id}::uuid`), sql`, `)})`);
    expect(lines[0]!.n).toBe(2);
  });

  it('puts overage time and material of one report on one invoice with the exact sum', async () => {
    const s = await incidentUnderContract(30);
    await bookServiceOrderReport(deps, reportFor(s.number));
    const run = await runInvoices(db, { from: '2026-11-01', to: '2026-11-30' }, { startedBy: 'test' });
    const mine = run.invoices.find((i) => i.customerNumber === s.customer.customerNumber)!;
    const { lines, totals } = await invoiceDetail(db, mine.id);
    // 30 quota minutes go to the onsite line; its other 15 and all 30 remote ones are overage.
    const overage = amountCents(15, 13_200) + amountCents(30, 9600);
    expect(lines.map((l) => [l.kind, l.minutes, l.amountCents]).sort()).toEqual(
      [
        ['material', 0, 18_990],
        ['material', 0, 45],
        ['quota_overage', 15, amountCents(15, 13_200)],
        ['quota_overage', 30, amountCents(30, 9600)],
      ].sort(),
    );
    expect(totals).toEqual({ lineCount: 4, minutes: 45, netCents: overage + 19_035 });
    expect(mine.netCents).toBe(overage + 19_035);
    expect((await db.select().from(invoices).where(eq(invoices.id, mine.id)))[0]!.netCents).toBe(overage + 19_035);
  });
});
