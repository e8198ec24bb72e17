// What invoicing means for changing a time entry: an invoiced entry is frozen; an entry on a
// draft invoice leaves the draft when it changes (the next run picks it up again, re-priced).
import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { invoiceLines, invoices, timeEntries } from '../../db/schema/index.js';
import { IllegalTransition, NotFound } from '../../domain/errors.js';
import type { TimeEntryRow } from './audit.js';

/**
 * Takes the entry off its draft invoice, if it sits on one, and keeps the draft's net_cents
 * equal to the sum of its remaining lines. Returns the draft's id, or null.
 */
export async function releaseFromDraftInvoice(tx: Tx, timeEntryId: string): Promise<string | null> {
  const [line] = await tx
    .select({ id: invoiceLines.id, invoiceId: invoiceLines.invoiceId })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(eq(invoiceLines.timeEntryId, timeEntryId), eq(invoices.status, 'draft')));
  if (!line) return null;
  await tx.delete(invoiceLines).where(eq(invoiceLines.id, line.id));
  await tx
    .update(invoices)
    .set({
      netCents: sql`(select coalesce(sum(${invoiceLines.amountCents}), 0) from ${invoiceLines} where ${invoiceLines.invoiceId} = ${line.invoiceId})`,
      updatedAt: sql`now()`,
    })
    .where(eq(invoices.id, line.invoiceId));
  return line.invoiceId;
}

/**
 * Locks an entry for a change: its invoice first (the order finalising takes them in, so the
 * two never deadlock), then the entry. Refuses deleted and invoiced entries.
 */
export async function lockEntryForChange(tx: Tx, id: string): Promise<TimeEntryRow> {
  const [onInvoice] = await tx.select({ invoiceId: invoiceLines.invoiceId }).from(invoiceLines).where(eq(invoiceLines.timeEntryId, id));
  if (onInvoice) await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.id, onInvoice.invoiceId)).for('update');
  const [entry] = await tx.select().from(timeEntries).where(eq(timeEntries.id, id)).for('update');
  if (!entry) throw new NotFound(`No time entry with id ${id}.`);
  if (entry.deletedAt) throw new IllegalTransition(`Time entry ${id} was deleted on ${entry.deletedAt.toISOString()}; it can no longer be changed.`);
  if (entry.invoicedAt) {
    const [invoice] = await tx
      .select({ number: invoices.invoiceNumber })
      .from(invoiceLines)
      .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
      .where(eq(invoiceLines.timeEntryId, id));
    const on = invoice?.number ?? `an invoice finalised on ${entry.invoicedAt.toISOString().slice(0, 10)}`;
    throw new IllegalTransition(`Time entry ${id} was invoiced on ${on}; invoiced entries can no longer be changed or deleted.`);
  }
  return entry;
}
