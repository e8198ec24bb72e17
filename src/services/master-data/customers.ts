// Customers (debtors): reads, validated writes by customer number, and deletion while unreferenced.
import { and, asc, count, eq, ilike, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { assets, contacts, contracts, customers, incidents, invoices, timeEntries, users } from '../../db/schema/index.js';
import type { Language, PortalSharingMode } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { checkBusinessNumber, checkEmail, checkName, normaliseMailDomains } from './rules.js';
import type { Tx } from '../../db/client.js';
import { likePattern, lockCustomer, refusedWhileReferenced, requiredForNew, sameValues, uniqueViolation, type Conn, type CustomerRow, type Page, type Paging, type UpsertOutcome } from './shared.js';

export interface CustomerInput {
  customerNumber: string;
  name: string;
  mailDomains: string[];
  language: Language;
  creditHold: boolean;
  /** Which of the organisation's requests its contacts see in the portal (default own). */
  portalSharing?: PortalSharingMode;
  /** A user with role agent, manager or admin; null for none. */
  accountManagerEmail: string | null;
}
export type CustomerChanges = Partial<Omit<CustomerInput, 'customerNumber'>>;

export interface CustomerRecord {
  customerNumber: string;
  name: string;
  mailDomains: string[];
  language: Language;
  creditHold: boolean;
  portalSharing: PortalSharingMode;
  accountManager: { name: string; email: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

export const customerDefaults = { mailDomains: [] as string[], language: 'de' as Language, creditHold: false, portalSharing: 'own' as PortalSharingMode, accountManagerEmail: null };

const manager = alias(users, 'account_manager');
const recordColumns = { customer: customers, manager: { name: manager.name, email: manager.email } };

function record(row: { customer: CustomerRow; manager: { name: string; email: string } | null }): CustomerRecord {
  const c = row.customer;
  return { customerNumber: c.customerNumber, name: c.name, mailDomains: c.mailDomains, language: c.language, creditHold: c.creditHold, portalSharing: c.portalSharing, accountManager: row.manager, createdAt: c.createdAt, updatedAt: c.updatedAt };
}

function selectRecords(conn: Conn) {
  return conn.select(recordColumns).from(customers).leftJoin(manager, eq(manager.id, customers.accountManagerId));
}

export async function listCustomers(conn: Conn, filter: { q?: string | undefined } & Paging): Promise<Page<CustomerRecord>> {
  const where = filter.q ? or(ilike(customers.customerNumber, likePattern(filter.q)), ilike(customers.name, likePattern(filter.q))) : undefined;
  const rows = await selectRecords(conn).where(where).orderBy(asc(customers.customerNumber)).limit(filter.limit).offset(filter.offset);
  const [total] = await conn.select({ n: count() }).from(customers).where(where);
  return { items: rows.map(record), total: total?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

async function findCustomer(conn: Conn, customerNumber: string): Promise<CustomerRecord | undefined> {
  const [row] = await selectRecords(conn).where(eq(customers.customerNumber, customerNumber));
  return row ? record(row) : undefined;
}

export async function getCustomer(conn: Conn, customerNumber: string): Promise<CustomerRecord> {
  const found = await findCustomer(conn, customerNumber);
  if (!found) throw new NotFound(`No customer with number ${customerNumber}.`);
  return found;
}

/**
 * Serialises every claim of mail domains until the transaction ends: no constraint keeps a domain to one
 * customer (they sit in an array), so the check below and the write must not interleave with another's.
 */
async function lockMailDomains(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('customer-mail-domains'))`);
}

/**
 * The stored values for an input: checked names, normalised domains, the account manager resolved to a user id.
 * Runs in the transaction that writes them, which then holds the mail domain lock.
 */
async function customerValues(conn: Tx, input: CustomerInput, selfNumber: string | null) {
  const customerNumber = checkBusinessNumber(input.customerNumber, 'customerNumber');
  const name = checkName(input.name, 'name');
  const mailDomains = normaliseMailDomains(input.mailDomains);
  if (mailDomains.length > 0) await lockMailDomains(conn);
  for (const domain of mailDomains) {
    const [other] = await conn
      .select({ number: customers.customerNumber })
      .from(customers)
      .where(and(sql`${domain} = any(${customers.mailDomains})`, selfNumber ? ne(customers.customerNumber, selfNumber) : undefined));
    if (other) throw new IllegalTransition(`Mail domain ${domain} already belongs to customer ${other.number}; incoming mail could not tell the two apart.`);
  }
  let accountManagerId: string | null = null;
  if (input.accountManagerEmail) {
    const email = checkEmail(input.accountManagerEmail, 'accountManagerEmail');
    const [user] = await conn.select({ id: users.id, role: users.role }).from(users).where(eq(sql`lower(${users.email})`, email.toLowerCase()));
    if (!user) throw new ValidationError(`accountManagerEmail: no user with e-mail ${email}.`, 'accountManagerEmail');
    if (!['agent', 'manager', 'admin'].includes(user.role)) {
      throw new ValidationError(`accountManagerEmail: ${email} has role ${user.role}; an account manager must be an agent, manager or admin.`, 'accountManagerEmail');
    }
    accountManagerId = user.id;
  }
  return { customerNumber, name, mailDomains, language: input.language, creditHold: input.creditHold, portalSharing: input.portalSharing ?? 'own', accountManagerId };
}

async function insertCustomer(conn: Conn, input: CustomerInput): Promise<void> {
  try {
    await conn.transaction(async (tx) => tx.insert(customers).values(await customerValues(tx, input, null)));
  } catch (err) {
    if (uniqueViolation(err)) throw new IllegalTransition(`Customer ${input.customerNumber.trim()} already exists.`);
    throw err;
  }
}

export async function createCustomer(conn: Conn, input: CustomerInput): Promise<CustomerRecord> {
  if (await findCustomer(conn, input.customerNumber.trim())) throw new IllegalTransition(`Customer ${input.customerNumber.trim()} already exists.`);
  await insertCustomer(conn, input);
  return getCustomer(conn, input.customerNumber.trim());
}

function inputOf(current: CustomerRecord): CustomerInput {
  const { customerNumber, name, mailDomains, language, creditHold, portalSharing } = current;
  return { customerNumber, name, mailDomains, language, creditHold, portalSharing, accountManagerEmail: current.accountManager?.email ?? null };
}

/** Applies changes; answers whether anything changed. */
async function changeCustomer(conn: Conn, current: CustomerRecord, changes: CustomerChanges): Promise<boolean> {
  return conn.transaction(async (tx) => {
    const values = await customerValues(tx, { ...inputOf(current), ...changes }, current.customerNumber);
    const [row] = await tx.select().from(customers).where(eq(customers.customerNumber, current.customerNumber));
    if (!row) throw new NotFound(`No customer with number ${current.customerNumber}.`);
    if (sameValues(row, values)) return false;
    await tx.update(customers).set({ ...values, updatedAt: new Date() }).where(eq(customers.id, row.id));
    return true;
  });
}

export async function updateCustomer(conn: Conn, customerNumber: string, changes: CustomerChanges): Promise<CustomerRecord> {
  await changeCustomer(conn, await getCustomer(conn, customerNumber), changes);
  return getCustomer(conn, customerNumber);
}

/** Creates or updates by customer number (the CSV import and the seed). */
export async function upsertCustomer(conn: Conn, input: { customerNumber: string } & CustomerChanges): Promise<UpsertOutcome> {
  const current = await findCustomer(conn, input.customerNumber.trim());
  if (!current) {
    await insertCustomer(conn, { ...customerDefaults, ...input, name: requiredForNew(input.name, 'name', 'customer') });
    return 'created';
  }
  const { customerNumber: _number, ...changes } = input;
  return (await changeCustomer(conn, current, changes)) ? 'updated' : 'unchanged';
}

/** Deletes a customer that nothing refers to; otherwise 409 saying what still does. */
export async function deleteCustomer(conn: Conn, customerNumber: string): Promise<void> {
  await refusedWhileReferenced(`Customer ${customerNumber}`, () => conn.transaction((tx) => deleteUnreferenced(tx, customerNumber)));
}

/** Counts what refers to the customer and deletes it, under its lock so no master data write slips in between. */
async function deleteUnreferenced(conn: Tx, customerNumber: string): Promise<void> {
  const [row] = await conn.select({ id: customers.id }).from(customers).where(eq(customers.customerNumber, customerNumber));
  if (!row) throw new NotFound(`No customer with number ${customerNumber}.`);
  await lockCustomer(conn, row.id);
  const uses: [string, number][] = [];
  for (const [what, table] of [['contracts', contracts], ['contacts', contacts], ['assets', assets], ['incidents', incidents], ['time entries', timeEntries], ['invoices', invoices]] as const) {
    const [n] = await conn.select({ n: count() }).from(table).where(eq(table.customerId, row.id));
    if ((n?.n ?? 0) > 0) uses.push([what, n!.n]);
  }
  if (uses.length > 0) {
    throw new IllegalTransition(`Customer ${customerNumber} is still referenced by ${uses.map(([what, n]) => `${n} ${what}`).join(', ')}; it cannot be deleted.`);
  }
  await conn.delete(customers).where(eq(customers.id, row.id));
}
