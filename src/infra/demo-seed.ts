// Seeds the demo master data into an empty database and issues one API token per demo user; the
// demo agent and manager get the known password of the staff pages (demoStaffPassword).
// Master data goes through the same services as the API, so the demo obeys the same rules.
import { randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { hashPassword } from '../services/portal/secrets.js';
import { generateToken, hashToken } from '../services/directory/tokens.js';
import type { UserRole } from '../domain/enums.js';
import type { Db, Tx } from '../db/client.js';
import { apiTokens, businessCalendars, contacts, customers, slaPolicies, staffGroups, users } from '../db/schema/index.js';
import { createArticle, type KbActor } from '../services/kb/articles.js';
import { createAsset } from '../services/master-data/assets.js';
import { createContact } from '../services/master-data/contacts.js';
import { createContract } from '../services/master-data/contracts.js';
import { createCustomer } from '../services/master-data/customers.js';
import { defaultEscalation, demoAssets, demoCalendar, demoContacts, demoContracts, demoCustomers, demoGroups, demoPolicies, demoStaffPassword, demoStaffWithPassword, demoUsers } from './demo-data.js';
import { demoKbArticles } from './demo-kb.js';

export interface DemoToken {
  name: string;
  email: string;
  role: UserRole;
  token: string;
}

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(customers);
  return (row?.n ?? 0) === 0;
}

/** Inserts the demo data in one transaction; returns the plain tokens (shown once, stored hashed). */
export async function seedDemoData(db: Db): Promise<DemoToken[]> {
  // The demo agent and manager sign in to the staff pages with the known demo password (hashed outside the transaction: scrypt takes a while).
  const passwordHashes = new Map(await Promise.all(demoStaffWithPassword.map(async (email) => [email, await hashPassword(demoStaffPassword)] as const)));
  return db.transaction(async (tx) => {
    const [calendar] = await tx.insert(businessCalendars).values({ ...demoCalendar, week: structuredClone(demoCalendar.week) as never }).returning();
    await tx.insert(slaPolicies).values(demoPolicies.map((p) => ({ ...p, calendarId: calendar!.id, escalation: defaultEscalation })));
    // Groups and users first: users belong to groups, customers name their account manager.
    await tx.insert(staffGroups).values(demoGroups).onConflictDoNothing();
    const userRows = await tx.insert(users).values(demoUsers.map((u) => ({ ...u, passwordHash: passwordHashes.get(u.email) ?? null }))).returning();
    for (const customer of demoCustomers) await createCustomer(tx, customer);
    for (const contact of demoContacts) await createContact(tx, contact);
    for (const { contractNumber: _listedBy, ...asset } of demoAssets) await createAsset(tx, asset);
    for (const contract of demoContracts) {
      const coveredSerialNumbers = demoAssets.filter((a) => a.contractNumber === contract.contractNumber).map((a) => a.serialNumber);
      await createContract(tx, { ...contract, coveredSerialNumbers, slaPolicyId: null });
    }
    const tokens = userRows.map((u) => ({ name: u.name, email: u.email, role: u.role, token: generateToken(), userId: u.id }));
    const editor = userRows.find((u) => u.role === 'manager') ?? userRows[0]!;
    await seedDemoKb(tx, { userId: editor.id, name: editor.name, role: 'manager' });
    await tx.insert(apiTokens).values(tokens.map((t) => ({ userId: t.userId, name: 'demo', tokenHash: hashToken(t.token) })));
    return tokens.map(({ userId: _userId, ...t }) => t);
  });
}

/** The demo's knowledge base: published public articles, translations linked, with a review-by date a year on. */
async function seedDemoKb(tx: Tx, editor: KbActor) {
  const ids = new Map<string, string>();
  const reviewBy = `${new Date().getUTCFullYear() + 1}-06-30`;
  for (const a of [...demoKbArticles.filter((x) => !x.translationOf), ...demoKbArticles.filter((x) => x.translationOf)]) {
    const row = await createArticle(tx, editor, {
      title: a.title,
      body: a.body,
      language: a.language,
      category: a.category,
      tags: a.tags,
      visibility: 'public',
      state: 'published',
      reviewBy,
      externalKey: `demo/${a.key}`,
      translationOf: a.translationOf ? ids.get(a.translationOf) : undefined,
    });
    ids.set(a.key, row.id);
  }
}

export interface DemoPortalSignIn {
  name: string;
  email: string;
  password: string;
}

/** The demo's portal contact: the first demo contact, as customer admin, with a random password (printed at start). */
export async function seedDemoPortal(db: Db): Promise<DemoPortalSignIn> {
  const contact = demoContacts[0]!;
  const password = randomBytes(9).toString('base64url');
  await db.update(contacts).set({ portalAdmin: true, passwordHash: await hashPassword(password) }).where(eq(contacts.email, contact.email));
  return { name: contact.name, email: contact.email, password };
}
