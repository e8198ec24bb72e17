// Gap-free incident numbers: one counter row per year, incremented under its row lock in the
// same transaction that stores the intake. Concurrent callers queue on the lock.
import { sql } from 'drizzle-orm';
import { formatIncidentNumber, maxSequence } from '../domain/ticket-number.js';
import type { Tx } from './client.js';
import { incidentNumberCounters } from './schema/index.js';

export async function allocateIncidentNumber(tx: Tx, year: number): Promise<string> {
  const [row] = await tx
    .insert(incidentNumberCounters)
    .values({ year, lastValue: 1 })
    .onConflictDoUpdate({ target: incidentNumberCounters.year, set: { lastValue: sql`${incidentNumberCounters.lastValue} + 1` } })
    .returning({ lastValue: incidentNumberCounters.lastValue });
  if (!row || row.lastValue > maxSequence) throw new RangeError(`incident numbers for ${year} are exhausted`);
  return formatIncidentNumber(year, row.lastValue);
}
