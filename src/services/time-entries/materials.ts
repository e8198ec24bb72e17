// Reading the material entries of an incident (parts and hardware booked from service orders).
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { incidents, materialEntries } from '../../db/schema/index.js';
import { NotFound } from '../../domain/errors.js';

export type MaterialEntryRow = typeof materialEntries.$inferSelect;

export interface MaterialTotals {
  lineCount: number;
  /** Sum of quantity × unit price of every entry, in cents (waived ones included: their value). */
  amountCents: number;
  /** The billable part of it not invoiced yet (waived entries bill nothing). */
  unbilledCents: number;
}

export function materialTotalsOf(entries: readonly MaterialEntryRow[]): MaterialTotals {
  return entries.reduce<MaterialTotals>(
    (sum, m) => ({ lineCount: sum.lineCount + 1, amountCents: sum.amountCents + m.amountCents, unbilledCents: sum.unbilledCents + (m.billable && !m.invoicedAt ? m.amountCents : 0) }),
    { lineCount: 0, amountCents: 0, unbilledCents: 0 },
  );
}

/** The incident's material entries not deleted, oldest first, with totals. */
export async function incidentMaterials(db: Db, incidentNumber: string): Promise<{ entries: MaterialEntryRow[]; totals: MaterialTotals }> {
  const [incident] = await db.select({ number: incidents.number }).from(incidents).where(eq(incidents.number, incidentNumber));
  if (!incident) throw new NotFound(`Incident ${incidentNumber} does not exist.`);
  const entries = await db
    .select()
    .from(materialEntries)
    .where(and(eq(materialEntries.incidentNumber, incidentNumber), isNull(materialEntries.deletedAt)))
    .orderBy(asc(materialEntries.workDate), asc(materialEntries.createdAt), asc(materialEntries.followUpWorkflowId), asc(materialEntries.lineNo));
  return { entries, totals: materialTotalsOf(entries) };
}
