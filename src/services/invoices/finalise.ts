// Finalising and discarding draft invoices. Finalising numbers the invoice and freezes every
// time and material entry on it (invoicedAt), so no later edit or run can bill it again.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { invoiceLines, invoices, materialEntries, timeEntries } from '../../db/schema/index.js';
import { allocateInvoiceNumber } from '../../db/yearly-numbers.js';
import { IllegalTransition, NotFound } from '../../domain/errors.js';
import { businessDate } from '../../domain/ticket-number.js';
import { lockCustomerBilling } from '../billing-locks.js';
import { findInvoice, type InvoiceSummary } from './queries.js';

export interface FinaliseOptions {
  /** "user:<id>" of the manager who finalises. */
  finalisedBy: string;
  /** The house time zone: the finalisation day's year picks the number range. */
  timezone: string;
  now?: Date;
}

/** Finalises a draft; finalising a final invoice again changes nothing. */
export async function finaliseInvoice(db: Db, id: string, options: FinaliseOptions): Promise<InvoiceSummary> {
  const now = options.now ?? new Date();
  await db.transaction(async (tx) => {
    const invoice = await lockInvoiceBilling(tx, id);
    if (invoice.status === 'final') return;

    const [totals] = await tx
      .select({ lines: sql<number>`count(*)::int`, net: sql<number>`coalesce(sum(${invoiceLines.amountCents}), 0)::bigint`.mapWith(Number) })
      .from(invoiceLines)
      .where(eq(invoiceLines.invoiceId, id));
    if (!totals || totals.lines === 0) throw new IllegalTransition('This draft has no lines; discard it instead of finalising it.');

    const invoiceNumber = await allocateInvoiceNumber(tx, Number(businessDate(now, options.timezone).slice(0, 4)));
    await tx
      .update(invoices)
      .set({ invoiceNumber, status: 'final', netCents: totals.net, finalisedAt: now, finalisedBy: options.finalisedBy, updatedAt: now })
      .where(eq(invoices.id, id));
    const onInvoice = tx.select({ id: invoiceLines.timeEntryId }).from(invoiceLines).where(eq(invoiceLines.invoiceId, id));
    await tx.update(timeEntries).set({ invoicedAt: now }).where(inArray(timeEntries.id, onInvoice));
    const materialOnInvoice = tx.select({ id: invoiceLines.materialEntryId }).from(invoiceLines).where(eq(invoiceLines.invoiceId, id));
    await tx.update(materialEntries).set({ invoicedAt: now }).where(inArray(materialEntries.id, materialOnInvoice));
  });
  return findInvoice(db, id);
}

/** Throws a draft away: its lines go (cascade) and its time and material entries are billable again in a later run. */
export async function discardDraft(db: Db, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const invoice = await lockInvoiceBilling(tx, id);
    if (invoice.status === 'final') throw new IllegalTransition(`Invoice ${invoice.invoiceNumber ?? id} is final and cannot be discarded.`);
    await tx.delete(invoices).where(eq(invoices.id, id));
  });
}

/**
 * The customer's billing lock, then the invoice row (the lock order of billing-locks.ts); the
 * entries come after. The customer is read without a lock: an invoice never changes customer.
 */
async function lockInvoiceBilling(tx: Tx, id: string) {
  const [known] = await tx.select({ customerId: invoices.customerId }).from(invoices).where(eq(invoices.id, id));
  if (!known) throw new NotFound(`No invoice with id ${id}.`);
  await lockCustomerBilling(tx, known.customerId);
  const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, id)).for('update');
  // Discarded while this waited for the lock.
  if (!invoice) throw new NotFound(`No invoice with id ${id}.`);
  return invoice;
}
