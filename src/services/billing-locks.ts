// The locks that keep billing consistent under concurrency. Lock order, for every transaction
// that takes more than one of them:
//   1. the customer's billing lock (lockCustomerBilling),
//   2. the customer's quota lock (lockCustomerQuotas),
//   3. the customer row (master data writes, FOR NO KEY UPDATE),
//   4. invoice rows (FOR UPDATE),
//   5. time and material entry rows (FOR UPDATE / FOR SHARE). Material entries are corrected,
//      waived and deleted only under the billing lock, so runs take no row lock on them;
//      finalising updates them after the invoice row.
// Taking them in this order only, no two transactions can wait for each other in a circle
// (Postgres would abort one with a deadlock, 40P01, which the API could only answer with a 500).
// Each lock is per customer, so a transaction never needs two of one kind in some order.
import { sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';

/** Advisory lock namespaces (the first key of the two-key form), so different kinds never collide. */
const namespaces = { billing: 1, quota: 2 } as const;

const lock = (tx: Tx, namespace: keyof typeof namespaces, id: string) => tx.execute(sql`select pg_advisory_xact_lock(${namespaces[namespace]}::int, hashtext(${id}))`);

/**
 * Serialises everything that moves a customer's time entries on or off invoices: edits,
 * deletions and billing overrides of entries, the customer's part of an invoice run,
 * finalising and discarding its invoices. Logging new time needs only the quota lock.
 */
export async function lockCustomerBilling(tx: Tx, customerId: string): Promise<void> {
  await lock(tx, 'billing', customerId);
}

/**
 * Serialises every quota draw of a customer, and every change of its contracts' quota terms:
 * the quota left is read and drawn under this lock, so two entries written at once cannot both
 * take the last minutes. One lock for all the customer's contracts, because work may be priced
 * under another contract than the incident's (a renewal) and a contract may gain a quota.
 */
export async function lockCustomerQuotas(tx: Tx, customerId: string): Promise<void> {
  await lock(tx, 'quota', customerId);
}
