// Correcting, waiving and deleting material entries (parts booked from service orders), by a
// manager with a reason, each change audited in material_entry_events. An invoiced entry is
// frozen; an entry on a draft invoice leaves the draft when its money changes (the next run
// bills it as it is then) and otherwise keeps its line, which follows its wording.
// Lock order (billing-locks.ts): the customer's billing lock, the invoice row, the entry row.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { materialEntries, materialEntryEvents } from '../db/schema/index.js';
import { materialAmountCents, maxMaterialAmountCents } from '../domain/billing.js';
import { hasRole } from '../domain/enums.js';
import { Forbidden, NotFound, ValidationError } from '../domain/errors.js';
import { describeOnDraftInvoice, lockBillingOfEntry, lockEntryForChange, releaseFromDraftInvoice } from './time-entries/invoice-guard.js';
import type { EntryActor, MaterialEntryRow } from './time-entries/index.js';

export type MaterialEntryEventRow = typeof materialEntryEvents.$inferSelect;
type MaterialEntryEventType = MaterialEntryEventRow['type'];

export interface MaterialCorrection {
  quantity?: number | undefined;
  unitPriceCents?: number | undefined;
  description?: string | undefined;
  articleNumber?: string | undefined;
  reason: string;
}

/** What an invoice bills of the entry: its amount, or nothing when waived or deleted. */
export const billableCentsOf = (m: MaterialEntryRow): number => (m.billable && !m.deletedAt ? m.amountCents : 0);

/** One entry, deleted or not (a deleted one still has its audit trail). */
export async function getMaterialEntry(db: Db, id: string): Promise<MaterialEntryRow> {
  const [entry] = await db.select().from(materialEntries).where(eq(materialEntries.id, id));
  if (!entry) throw new NotFound(`No material entry with id ${id}.`);
  return entry;
}

export async function materialEntryAudit(db: Db, id: string): Promise<MaterialEntryEventRow[]> {
  await getMaterialEntry(db, id);
  return db.select().from(materialEntryEvents).where(eq(materialEntryEvents.materialEntryId, id)).orderBy(asc(materialEntryEvents.id));
}

/** Corrects quantity, unit price, description or article number; the amount is recomputed in exact cents. */
export async function correctMaterialEntry(db: Db, actor: EntryActor, id: string, correction: MaterialCorrection): Promise<MaterialEntryRow> {
  const reason = reasonOf(actor, correction.reason, 'correct material');
  const { reason: _reason, ...change } = correction;
  if (Object.values(change).every((v) => v === undefined)) throw new ValidationError('Give at least one of quantity, unitPriceCents, description, articleNumber.');
  checkPositiveInteger(change.quantity, 'quantity', 1);
  checkPositiveInteger(change.unitPriceCents, 'unitPriceCents', 0);
  checkText(change.description, 'description', 500);
  checkText(change.articleNumber, 'articleNumber', 100);
  return applyChange(db, actor, id, 'corrected', reason, (entry) => {
    const quantity = change.quantity ?? entry.quantity;
    const unitPriceCents = change.unitPriceCents ?? entry.unitPriceCents;
    return {
      quantity,
      unitPriceCents,
      amountCents: amountOf(quantity, unitPriceCents),
      description: change.description?.trim() ?? entry.description,
      articleNumber: change.articleNumber?.trim() ?? entry.articleNumber,
    };
  });
}

/** Waives (false) or bills again (true) an entry: the manager's decision and its reason. */
export async function overrideMaterialBilling(db: Db, actor: EntryActor, id: string, decision: { billable: boolean; reason: string }): Promise<MaterialEntryRow> {
  const reason = reasonOf(actor, decision.reason, 'waive or bill material');
  return applyChange(db, actor, id, 'billing_overridden', reason, () => ({ billable: decision.billable, overrideReason: reason, overrideBy: `user:${actor.userId}` }));
}

/** Soft-deletes an entry: it stays for its audit trail and is never billed. */
export async function deleteMaterialEntry(db: Db, actor: EntryActor, id: string, reason: string): Promise<void> {
  const why = reasonOf(actor, reason, 'delete material');
  await applyChange(db, actor, id, 'deleted', why, () => ({ deletedAt: new Date() }));
}

type Change = Partial<Pick<MaterialEntryRow, 'quantity' | 'unitPriceCents' | 'amountCents' | 'description' | 'articleNumber' | 'billable' | 'overrideReason' | 'overrideBy' | 'deletedAt'>>;

function reasonOf(actor: EntryActor, reason: string | undefined, what: string): string {
  if (!hasRole(actor.role, 'manager')) throw new Forbidden(`Only a manager or admin may ${what}.`);
  const trimmed = reason?.trim() ?? '';
  if (!trimmed) throw new ValidationError('A reason is required for every change of a material entry.', 'reason');
  return trimmed;
}

function checkPositiveInteger(value: number | undefined, field: string, min: number): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min || value > maxMaterialAmountCents)) {
    throw new ValidationError(`${field} must be a whole number from ${min} to ${maxMaterialAmountCents}.`, field);
  }
}

function checkText(value: string | undefined, field: string, max: number): void {
  if (value !== undefined && (value.trim().length === 0 || value.trim().length > max)) throw new ValidationError(`${field} must be 1 to ${max} characters.`, field);
}

function amountOf(quantity: number, unitPriceCents: number): number {
  const amount = materialAmountCents(quantity, unitPriceCents);
  if (amount === null) {
    throw new ValidationError(`${quantity} × ${unitPriceCents} cents is more than ${maxMaterialAmountCents} cents, the most one material entry can hold; split it into several entries.`, 'unitPriceCents');
  }
  return amount;
}

/**
 * One change in one transaction: the billing lock, then the invoice and entry rows; refuses
 * deleted and invoiced entries (409). A change that changes nothing writes nothing (a retried
 * request is harmless). A change of money (quantity, price, billable, delete) takes the entry
 * off its draft invoice; one of wording only updates its line there.
 */
async function applyChange(db: Db, actor: EntryActor, id: string, type: MaterialEntryEventType, reason: string, changeOf: (entry: MaterialEntryRow) => Change): Promise<MaterialEntryRow> {
  return db.transaction(async (tx) => {
    await lockBillingOfEntry(tx, { materialEntryId: id });
    const before = await lockEntryForChange(tx, { materialEntryId: id });
    const change = changeOf(before);
    const changed = (Object.keys(change) as (keyof Change)[]).filter((k) => k !== 'overrideBy' && !same(before[k], change[k]));
    if (changed.length === 0) return before;

    const money = changed.some((k) => k === 'amountCents' || k === 'quantity' || k === 'unitPriceCents' || k === 'billable' || k === 'deletedAt');
    if (money) await releaseFromDraftInvoice(tx, { materialEntryId: id });
    else if (changed.includes('description') || changed.includes('articleNumber'))
      await describeOnDraftInvoice(tx, { materialEntryId: id }, { description: change.description ?? before.description, articleNumber: change.articleNumber ?? before.articleNumber });

    const [after] = await tx
      .update(materialEntries)
      .set({ ...change, updatedAt: new Date() })
      .where(eq(materialEntries.id, id))
      .returning();
    await tx.insert(materialEntryEvents).values({
      materialEntryId: id,
      incidentNumber: before.incidentNumber,
      type,
      actor: `user:${actor.userId}`,
      actorName: actor.name,
      reason,
      before: snapshot(before),
      after: snapshot(after!),
    });
    return after!;
  });
}

const same = (a: unknown, b: unknown) => (a instanceof Date || b instanceof Date ? false : a === b);

/** The fields an auditor cares about. */
function snapshot(m: MaterialEntryRow): Record<string, unknown> {
  return {
    articleNumber: m.articleNumber,
    description: m.description,
    quantity: m.quantity,
    unitPriceCents: m.unitPriceCents,
    amountCents: m.amountCents,
    billable: m.billable,
    overrideReason: m.overrideReason,
    deletedAt: m.deletedAt?.toISOString() ?? null,
  };
}
