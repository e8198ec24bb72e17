// Contacts: the people of a customer who call or write in. E-mail addresses are unique regardless of case,
// because mail intake finds the contact by lower-cased address.
import { and, asc, count, eq, ilike, ne, or, sql, type SQL } from 'drizzle-orm';
import { contacts, customers, incidents } from '../../db/schema/index.js';
import type { Language } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { checkEmail, checkName } from './rules.js';
import { customerByNumber, likePattern, lockCustomer, refusedWhileReferenced, requiredForNew, sameValues, uniqueViolation, type Conn, type Page, type Paging, type UpsertOutcome } from './shared.js';

export interface ContactInput {
  customerNumber: string;
  name: string;
  email: string;
  phone: string | null;
  /** Null: the customer's language. */
  language: Language | null;
  /** Customer admin in the portal: sees and answers all the customer's requests, and the quota (default false). */
  portalAdmin?: boolean;
}
export type ContactChanges = Partial<ContactInput>;

export interface ContactRecord extends ContactInput {
  id: string;
  portalAdmin: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const columns = {
  id: contacts.id,
  customerNumber: customers.customerNumber,
  name: contacts.name,
  email: contacts.email,
  phone: contacts.phone,
  language: contacts.language,
  portalAdmin: contacts.portalAdmin,
  createdAt: contacts.createdAt,
  updatedAt: contacts.updatedAt,
};
const selectRecords = (conn: Conn) => conn.select(columns).from(contacts).innerJoin(customers, eq(customers.id, contacts.customerId));
const sameEmail = (email: string) => eq(sql`lower(${contacts.email})`, email.toLowerCase());

/**
 * The contact who calls or writes from `email` (any case) and their customer's number; a
 * `customerNumber` given alongside must be that customer's (400 on contactEmail otherwise).
 */
export async function callerContact(conn: Conn, email: string, customerNumber?: string): Promise<{ contact: typeof contacts.$inferSelect; customerNumber: string } | undefined> {
  const [row] = await conn.select({ contact: contacts, customerNumber: customers.customerNumber }).from(contacts).innerJoin(customers, eq(customers.id, contacts.customerId)).where(sameEmail(email));
  if (row && customerNumber && row.customerNumber !== customerNumber) throw new ValidationError(`${email} is a contact of another customer.`, 'contactEmail');
  return row;
}

export async function listContacts(conn: Conn, filter: { customerNumber?: string | undefined; q?: string | undefined } & Paging): Promise<Page<ContactRecord>> {
  const conditions: (SQL | undefined)[] = [];
  if (filter.customerNumber) conditions.push(eq(customers.customerNumber, filter.customerNumber));
  if (filter.q) conditions.push(or(ilike(contacts.name, likePattern(filter.q)), ilike(contacts.email, likePattern(filter.q))));
  const where = and(...conditions);
  const items = await selectRecords(conn).where(where).orderBy(asc(customers.customerNumber), asc(contacts.name)).limit(filter.limit).offset(filter.offset);
  const [total] = await conn.select({ n: count() }).from(contacts).innerJoin(customers, eq(customers.id, contacts.customerId)).where(where);
  return { items, total: total?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

export async function getContact(conn: Conn, id: string): Promise<ContactRecord> {
  const [row] = await selectRecords(conn).where(eq(contacts.id, id));
  if (!row) throw new NotFound(`No contact with id ${id}.`);
  return row;
}

async function contactValues(conn: Conn, input: ContactInput, selfId: string | null) {
  const customer = await customerByNumber(conn, input.customerNumber);
  const email = checkEmail(input.email, 'email');
  const [other] = await conn
    .select({ email: contacts.email, customerNumber: customers.customerNumber })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(and(sameEmail(email), selfId ? ne(contacts.id, selfId) : undefined));
  if (other) throw new IllegalTransition(`A contact with e-mail ${other.email} already exists (customer ${other.customerNumber}).`);
  const phone = input.phone?.trim() ? checkName(input.phone, 'phone', 50) : null;
  return { customerId: customer.id, name: checkName(input.name, 'name'), email, phone, language: input.language, portalAdmin: input.portalAdmin ?? false };
}

async function insertContact(conn: Conn, input: ContactInput): Promise<string> {
  const values = await contactValues(conn, input, null);
  try {
    return (await conn.insert(contacts).values(values).returning({ id: contacts.id }))[0]!.id;
  } catch (err) {
    if (uniqueViolation(err)) throw new IllegalTransition(`A contact with e-mail ${values.email} already exists.`);
    throw err;
  }
}

export async function createContact(conn: Conn, input: ContactInput): Promise<ContactRecord> {
  return getContact(conn, await insertContact(conn, input));
}

async function changeContact(conn: Conn, current: ContactRecord, changes: ContactChanges): Promise<boolean> {
  const { id, createdAt: _c, updatedAt: _u, ...input } = current;
  // The same address in another case is no change: intake matches addresses regardless of case.
  const email = changes.email !== undefined && changes.email.trim().toLowerCase() === current.email.toLowerCase() ? current.email : changes.email;
  const values = await contactValues(conn, { ...input, ...changes, email: email ?? current.email }, id);
  const [row] = await conn.select().from(contacts).where(eq(contacts.id, id));
  if (sameValues(row!, values)) return false;
  try {
    await conn.update(contacts).set({ ...values, updatedAt: new Date() }).where(eq(contacts.id, id));
  } catch (err) {
    if (uniqueViolation(err)) throw new IllegalTransition(`A contact with e-mail ${values.email} already exists.`);
    throw err;
  }
  return true;
}

export async function updateContact(conn: Conn, id: string, changes: ContactChanges): Promise<ContactRecord> {
  await changeContact(conn, await getContact(conn, id), changes);
  return getContact(conn, id);
}

/** Creates or updates by e-mail address, regardless of case (the CSV import and the seed). */
export async function upsertContact(conn: Conn, input: { email: string } & ContactChanges): Promise<UpsertOutcome> {
  const [current] = await selectRecords(conn).where(sameEmail(input.email.trim()));
  if (!current) {
    const customerNumber = requiredForNew(input.customerNumber, 'customerNumber', 'contact');
    await insertContact(conn, { phone: null, language: null, ...input, customerNumber, name: requiredForNew(input.name, 'name', 'contact') });
    return 'created';
  }
  return (await changeContact(conn, current, input)) ? 'updated' : 'unchanged';
}

/** Deletes a contact no incident names; incidents keep the history otherwise. */
export async function deleteContact(conn: Conn, id: string): Promise<void> {
  await refusedWhileReferenced(`Contact ${id}`, () =>
    conn.transaction(async (tx) => {
      const [row] = await tx.select({ customerId: contacts.customerId, email: contacts.email }).from(contacts).where(eq(contacts.id, id));
      if (!row) throw new NotFound(`No contact with id ${id}.`);
      await lockCustomer(tx, row.customerId);
      const [used] = await tx.select({ n: count() }).from(incidents).where(eq(incidents.contactId, id));
      if ((used?.n ?? 0) > 0) throw new IllegalTransition(`Contact ${row.email} is named on ${used!.n} incident(s); it cannot be deleted.`);
      await tx.delete(contacts).where(eq(contacts.id, id));
    }),
  );
}
