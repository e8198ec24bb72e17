// Invoice runs: draft one invoice per customer and period from the billable time and material
// entries. Every customer is drafted in its own transaction and an entry can sit on one invoice
// line only (invoice_lines.time_entry_id and material_entry_id are unique), so concurrent,
// overlapping and retried runs never bill an entry twice: a repeat simply completes what is missing.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { customers, invoiceLines, invoiceRuns, invoices, materialEntries, timeEntries } from '../../db/schema/index.js';
import { lockCustomerBilling } from '../billing-locks.js';
import type { BillingPeriod } from './period.js';
import { invoicesOfPeriod, type InvoiceSummary } from './queries.js';

export type InvoiceRunRow = typeof invoiceRuns.$inferSelect;

export interface RunOptions {
  /** "user:<id>" of whoever started the run. */
  startedBy: string;
  /** Called after each customer's invoice is committed; a test uses it to kill a run mid-way. */
  afterCustomer?: (customerNumber: string) => void | Promise<void>;
}

export interface RunResult {
  run: InvoiceRunRow;
  /** False when the run for this period existed already (a repeat or a retry). */
  created: boolean;
  invoices: InvoiceSummary[];
}

/**
 * Entries still to bill up to the end of the period: billable, not deleted, not invoiced
 * and on no invoice line yet. Entries dated before the period that missed their own run
 * are caught up here.
 */
function unbilled(to: string) {
  return and(
    sql`${timeEntries.billableMinutes} > 0`,
    sql`${timeEntries.deletedAt} is null`,
    sql`${timeEntries.invoicedAt} is null`,
    sql`${timeEntries.workDate} <= ${to}`,
    sql`not exists (select 1 from ${invoiceLines} where ${invoiceLines.timeEntryId} = ${timeEntries.id})`,
  );
}

/** Material entries still to bill up to the end of the period: billable (not waived), not deleted, not invoiced, on no line yet. */
function unbilledMaterial(to: string) {
  return and(
    sql`${materialEntries.billable}`,
    sql`${materialEntries.deletedAt} is null`,
    sql`${materialEntries.invoicedAt} is null`,
    sql`${materialEntries.workDate} <= ${to}`,
    sql`not exists (select 1 from ${invoiceLines} where ${invoiceLines.materialEntryId} = ${materialEntries.id})`,
  );
}

/** The customers with something to bill up to `to`, by customer number. */
async function customersToBill(db: Db, to: string): Promise<{ id: string; customerNumber: string }[]> {
  const [withTime, withMaterial] = await Promise.all([
    db.selectDistinct({ id: customers.id, customerNumber: customers.customerNumber }).from(timeEntries).innerJoin(customers, eq(customers.id, timeEntries.customerId)).where(unbilled(to)),
    db.selectDistinct({ id: customers.id, customerNumber: customers.customerNumber }).from(materialEntries).innerJoin(customers, eq(customers.id, materialEntries.customerId)).where(unbilledMaterial(to)),
  ]);
  const byId = new Map([...withTime, ...withMaterial].map((c) => [c.id, c]));
  return [...byId.values()].sort((a, b) => (a.customerNumber < b.customerNumber ? -1 : a.customerNumber > b.customerNumber ? 1 : 0));
}

export async function runInvoices(db: Db, period: BillingPeriod, options: RunOptions): Promise<RunResult> {
  const [inserted] = await db
    .insert(invoiceRuns)
    .values({ periodFrom: period.from, periodTo: period.to, startedBy: options.startedBy })
    .onConflictDoNothing({ target: [invoiceRuns.periodFrom, invoiceRuns.periodTo] })
    .returning();
  const run = inserted ?? (await db.select().from(invoiceRuns).where(and(eq(invoiceRuns.periodFrom, period.from), eq(invoiceRuns.periodTo, period.to))))[0]!;

  const toBill = await customersToBill(db, period.to);
  for (const customer of toBill) {
    await db.transaction(async (tx) => {
      await lockCustomerBilling(tx, customer.id);
      await draftInvoice(tx, customer.id, period);
    });
    await options.afterCustomer?.(customer.customerNumber);
  }

  const drafted = await invoicesOfPeriod(db, period);
  const [finished] = await db.update(invoiceRuns).set({ finishedAt: new Date(), invoiceCount: drafted.length }).where(eq(invoiceRuns.id, run.id)).returning();
  return { run: finished ?? run, created: inserted !== undefined, invoices: drafted };
}

/**
 * Adds the customer's unbilled time and material entries to its draft for the period, under the
 * customer's billing lock; then the invoice, then its time entries (the lock order of
 * billing-locks.ts). Material entries need no row lock: they are corrected, waived and deleted
 * only under the customer's billing lock, which this run holds, as do finalising and discarding.
 */
async function draftInvoice(tx: Tx, customerId: string, period: BillingPeriod): Promise<void> {
  const invoice = await lockInvoice(tx, customerId, period);
  // A final invoice is never changed; its late entries go into the next period's run.
  if (invoice.status === 'final') return;

  // Share locks keep an edit or deletion from changing an entry while it is copied to a line.
  const entries = await tx
    .select({ id: timeEntries.id })
    .from(timeEntries)
    .where(and(eq(timeEntries.customerId, customerId), unbilled(period.to)))
    .orderBy(asc(timeEntries.id))
    .for('share');
  const entryIds = entries.map((e) => e.id);
  // Lines go in in (work date, id) order in every run, so two overlapping runs that meet on the
  // unique time_entry_id wait for each other at the first shared entry instead of deadlocking.
  if (entryIds.length > 0) {
    await tx.execute(sql`
    insert into invoice_lines (invoice_id, time_entry_id, kind, incident_number, contract_number, project_number,
                               work_date, activity_type, description, minutes, rate_cents, amount_cents)
    select ${invoice.id}, te.id, case when te.decision = 'quota' then 'quota_overage' else 'time' end,
           te.incident_number, c.contract_number, p.project_number, te.work_date, te.activity_type,
           te.description, te.billable_minutes, coalesce(te.rate_cents, 0), te.amount_cents
      from time_entries te
      left join contracts c on c.id = te.contract_id
      left join projects p on p.id = te.project_id
     where ${inArray(sql`te.id`, entryIds)}
       and te.billable_minutes > 0 and te.deleted_at is null and te.invoiced_at is null
     order by te.work_date, te.id
    on conflict (time_entry_id) do nothing`);
  }
  await tx.execute(sql`
    insert into invoice_lines (invoice_id, material_entry_id, kind, incident_number, contract_number, project_number,
                               work_date, description, minutes, article_number, quantity, unit_price_cents, amount_cents)
    select ${invoice.id}, me.id, 'material', me.incident_number, c.contract_number, p.project_number, me.work_date,
           me.description, 0, me.article_number, me.quantity, me.unit_price_cents, me.amount_cents
      from material_entries me
      left join contracts c on c.id = me.contract_id
      left join projects p on p.id = me.project_id
     where me.customer_id = ${customerId} and me.billable and me.deleted_at is null and me.invoiced_at is null and me.work_date <= ${period.to}
       and not exists (select 1 from invoice_lines l where l.material_entry_id = me.id)
     order by me.work_date, me.id
    on conflict (material_entry_id) do nothing`);

  const [totals] = await tx
    .select({ lines: sql<number>`count(*)::int`, net: sql<number>`coalesce(sum(${invoiceLines.amountCents}), 0)::bigint`.mapWith(Number) })
    .from(invoiceLines)
    .where(eq(invoiceLines.invoiceId, invoice.id));
  // Another run (overlapping period) may have taken every entry, or edits emptied the draft: leave no empty draft.
  if (!totals || totals.lines === 0) {
    await tx.delete(invoices).where(eq(invoices.id, invoice.id));
    return;
  }
  await tx.update(invoices).set({ netCents: totals.net, updatedAt: new Date() }).where(eq(invoices.id, invoice.id));
}

/** The customer's invoice for the period, created if missing, locked for this transaction. */
async function lockInvoice(tx: Tx, customerId: string, period: BillingPeriod) {
  const same = and(eq(invoices.customerId, customerId), eq(invoices.periodFrom, period.from), eq(invoices.periodTo, period.to));
  // Under the customer's billing lock nobody else creates or discards this invoice meanwhile.
  await tx.insert(invoices).values({ customerId, periodFrom: period.from, periodTo: period.to }).onConflictDoNothing({ target: [invoices.customerId, invoices.periodFrom, invoices.periodTo] });
  const [invoice] = await tx.select().from(invoices).where(same).for('update');
  return invoice!;
}
