// What invoicing means for changing a time or material entry: an invoiced entry is frozen; an
// entry on a draft invoice leaves the draft when its billing changes (the next run picks it up
// again, re-priced), and otherwise stays on it with the line following its description.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { invoiceLines, invoices, materialEntries, timeEntries } from '../../db/schema/index.js';
import { IllegalTransition, NotFound } from '../../domain/errors.js';
import { lockCustomerBilling } from '../billing-locks.js';
import type { TimeEntryRow } from './audit.js';
import type { MaterialEntryRow } from './materials.js';

/** The entry an invoice line bills: a time entry (by its id alone) or a material entry. */
export type BilledEntry = string | { materialEntryId: string };
type EntryRowOf<E extends BilledEntry> = E extends string ? TimeEntryRow : MaterialEntryRow;
const lineOf = (entry: BilledEntry) => (typeof entry === 'string' ? eq(invoiceLines.timeEntryId, entry) : eq(invoiceLines.materialEntryId, entry.materialEntryId));

/** Where each kind of entry lives and how its refusals read. */
function kindOf(entry: BilledEntry) {
  return typeof entry === 'string'
    ? { id: entry, table: timeEntries, name: 'time entry', frozen: 'invoiced entries can no longer be changed or deleted.' }
    : {
        id: entry.materialEntryId,
        table: materialEntries,
        name: 'material entry',
        frozen: 'invoiced entries can no longer be corrected, waived or deleted (correct it with a credit note in the ERP).',
      };
}

/**
 * Takes the billing lock of the entry's customer, the first lock of every change (see
 * billing-locks.ts). The customer is read without a lock (an entry never changes customer);
 * under the lock no run, finalise or other change moves the entry, so it is read afresh and
 * refused if deleted or invoiced.
 */
export async function lockBillingOfEntry<E extends BilledEntry>(tx: Tx, entry: E): Promise<EntryRowOf<E>> {
  const { id, table, name } = kindOf(entry);
  const [known] = await tx.select({ customerId: table.customerId }).from(table).where(eq(table.id, id));
  if (!known) throw new NotFound(`No ${name} with id ${id}.`);
  await lockCustomerBilling(tx, known.customerId);
  const [row] = await tx.select().from(table).where(eq(table.id, id));
  return changeable(tx, entry, row as EntryRowOf<E> | undefined);
}

/**
 * Locks the entry's rows for the write, after the billing lock (and any quota locks): its
 * invoice first, then the entry, the order of finalising. Refuses deleted and invoiced entries.
 */
export async function lockEntryForChange<E extends BilledEntry>(tx: Tx, entry: E): Promise<EntryRowOf<E>> {
  const { id, table } = kindOf(entry);
  const [onInvoice] = await tx.select({ invoiceId: invoiceLines.invoiceId }).from(invoiceLines).where(lineOf(entry));
  if (onInvoice) await tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.id, onInvoice.invoiceId)).for('update');
  const [row] = await tx.select().from(table).where(eq(table.id, id)).for('update');
  return changeable(tx, entry, row as EntryRowOf<E> | undefined);
}

async function changeable<R extends TimeEntryRow | MaterialEntryRow>(tx: Tx, entry: BilledEntry, row: R | undefined): Promise<R> {
  const { id, name, frozen } = kindOf(entry);
  const Name = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
  if (!row) throw new NotFound(`No ${name} with id ${id}.`);
  if (row.deletedAt) throw new IllegalTransition(`${Name} ${id} was deleted on ${row.deletedAt.toISOString()}; it can no longer be changed.`);
  if (row.invoicedAt) {
    const [invoice] = await tx
      .select({ number: invoices.invoiceNumber })
      .from(invoiceLines)
      .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
      .where(lineOf(entry));
    const on = invoice?.number ?? `an invoice finalised on ${row.invoicedAt.toISOString().slice(0, 10)}`;
    throw new IllegalTransition(`${Name} ${id} was invoiced on ${on}; ${frozen}`);
  }
  return row;
}

/**
 * Takes the entry off its draft invoice, if it sits on one, and keeps the draft's net_cents
 * equal to the sum of its remaining lines. Returns the draft's id, or null.
 */
export async function releaseFromDraftInvoice(tx: Tx, entry: BilledEntry): Promise<string | null> {
  const [line] = await tx
    .select({ id: invoiceLines.id, invoiceId: invoiceLines.invoiceId })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .where(and(lineOf(entry), eq(invoices.status, 'draft')));
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

/** An edit that leaves the money alone keeps the entry on its draft; the line says what the entry says. */
export async function describeOnDraftInvoice(tx: Tx, entry: BilledEntry, wording: { description: string; articleNumber?: string }): Promise<void> {
  const drafts = tx.select({ id: invoices.id }).from(invoices).where(eq(invoices.status, 'draft'));
  await tx
    .update(invoiceLines)
    .set(wording)
    .where(and(lineOf(entry), inArray(invoiceLines.invoiceId, drafts)));
}
