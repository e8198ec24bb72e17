// Gap-free numbers per year (incidents, invoices): one counter row per year, incremented under
// its row lock in the same transaction that stores the numbered record. Concurrent callers
// queue on the lock, and a rolled-back transaction gives its number back.
import { sql } from 'drizzle-orm';
import { formatIncidentNumber, maxSequence } from '../domain/ticket-number.js';
import type { Tx } from './client.js';
import { incidentNumberCounters, invoiceNumberCounters } from './schema/index.js';

type CounterTable = typeof incidentNumberCounters | typeof invoiceNumberCounters;

async function nextInYear(tx: Tx, counters: CounterTable, year: number, what: string): Promise<number> {
  const [row] = await tx
    .insert(counters)
    .values({ year, lastValue: 1 })
    .onConflictDoUpdate({ target: counters.year, set: { lastValue: sql`${counters.lastValue} + 1` } })
    .returning({ lastValue: counters.lastValue });
  if (!row || row.lastValue > maxSequence) throw new RangeError(`${what} numbers for ${year} are exhausted`);
  return row.lastValue;
}

export async function allocateIncidentNumber(tx: Tx, year: number): Promise<string> {
  return formatIncidentNumber(year, await nextInYear(tx, incidentNumberCounters, year, 'incident'));
}

export const formatInvoiceNumber = (year: number, sequence: number) => `RE-${year}-${String(sequence).padStart(6, '0')}`;

export async function allocateInvoiceNumber(tx: Tx, year: number): Promise<string> {
  return formatInvoiceNumber(year, await nextInYear(tx, invoiceNumberCounters, year, 'invoice'));
}
