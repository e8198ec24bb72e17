// The locks that keep billing consistent under concurrency. Lock order, for every transaction
// that takes more than one of them:
//   1. the customer's billing lock (lockCustomerBilling),
//   2. contract quota locks (lockContractQuota), several in contract id order,
//   3. invoice rows (FOR UPDATE),
//   4. time entry rows (FOR UPDATE / FOR SHARE).
// Taking them in this order only, no two transactions can wait for each other in a circle
// (Postgres would abort one with a deadlock, 40P01, which the API could only answer with a 500).
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';

/**
 * Serialises everything that moves a customer's time entries on or off invoices: edits,
 * deletions and billing overrides of entries, the customer's part of an invoice run,
 * finalising and discarding its invoices. Logging new time needs only the quota lock.
 */
export async function lockCustomerBilling(tx: Tx, customerId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing:${customerId}`}))`);
}

/**
 * Serialises every quota draw on one contract: the quota left is read and drawn under this
 * lock, so two entries written at once cannot both take the last minutes.
 */
export async function lockContractQuota(tx: Tx, contractId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota:${contractId}`}))`);
}
