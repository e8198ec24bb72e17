// Helpers the master data services share: connections, lookups by business number, Postgres errors.
import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { customers } from '../../db/schema/index.js';
import { fkViolation } from '../../db/pg-errors.js';
import { IllegalTransition, ValidationError } from '../../domain/errors.js';

export type Conn = Db | Tx;
export type CustomerRow = typeof customers.$inferSelect;

/** How a write by natural key went; the CSV import counts these. */
export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export interface Paging {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export { fkViolation, pgError, uniqueViolation } from '../../db/pg-errors.js';

/** A referenced customer, or a 400 naming the field that referenced it. */
export async function customerByNumber(conn: Conn, customerNumber: string, field = 'customerNumber'): Promise<CustomerRow> {
  const [row] = await conn.select().from(customers).where(eq(customers.customerNumber, customerNumber));
  if (!row) throw new ValidationError(`${field}: no customer with number ${customerNumber}.`, field);
  return row;
}

/**
 * Serialises writes that touch one customer's master data, so two concurrent writes cannot each pass
 * the overlap check (or a delete's reference count) and together break it. Held until the transaction
 * ends. "No key update" leaves the key-share locks of inserts elsewhere (time entries, invoices) alone:
 * they do not wait for master data edits, and a time entry holding its quota lock cannot deadlock with
 * a contract change here.
 */
export async function lockCustomer(tx: Tx, customerId: string): Promise<void> {
  await tx.execute(sql`select 1 from ${customers} where ${customers.id} = ${customerId} for no key update`);
}

/**
 * Runs a delete that counted references first. A reference written between the count and the delete
 * trips the foreign key: that is the same refusal, so it is a 409 too, not a 500.
 */
export async function refusedWhileReferenced<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (fkViolation(err)) throw new IllegalTransition(`${what} was referenced by another write at the same time; it cannot be deleted.`);
    throw err;
  }
}

/** A value a new record needs (the CSV import may leave a column out, which is fine only for updates). */
export function requiredForNew<T>(value: T | undefined, field: string, what: string): T {
  if (value === undefined) throw new ValidationError(`${field}: required for a new ${what}.`, field);
  return value;
}

/** Escapes LIKE wildcards in a search term. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** JSON with object keys sorted, so jsonb values read back from Postgres compare equal to the ones written. */
function canonical(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** True when every key of `next` equals the same key of `current` (arrays by order). */
export function sameValues(current: Record<string, unknown>, next: Record<string, unknown>): boolean {
  return Object.entries(next).every(([k, v]) => canonical(current[k]) === canonical(v));
}
