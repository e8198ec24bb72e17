// Portal sessions in Postgres: a random id in the cookie, its SHA-256 in the table, an idle timeout
// and an absolute end. Signing in always makes a new session (rotation); signing out deletes it.
import { and, eq, gt, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { contacts, customers, portalSessions } from '../../db/schema/index.js';
import type { Language, PortalSharingMode } from '../../domain/enums.js';
import { randomToken, tokenHash } from './secrets.js';

export interface SessionSettings {
  /** Minutes without a request after which the session ends (PORTAL_SESSION_IDLE_MINUTES). */
  idleMinutes: number;
  /** Hours after sign-in after which the session ends however active (PORTAL_SESSION_MAX_HOURS). */
  maxHours: number;
}

export const defaultSessionSettings: SessionSettings = { idleMinutes: 60, maxHours: 12 };

/** The signed-in contact as every portal query sees them: who, which customer, and on what sharing terms. */
export interface PortalViewer {
  contactId: string;
  name: string;
  email: string;
  phone: string | null;
  /** The contact's own language setting, if any. */
  language: Language | null;
  customerId: string;
  customerNumber: string;
  customerName: string;
  customerLanguage: Language;
  sharing: PortalSharingMode;
  /** Customer admin: sees and answers all of the customer's requests, and the quota use. */
  admin: boolean;
  replyMails: boolean;
  hasPassword: boolean;
}

export interface PortalSession {
  viewer: PortalViewer;
  csrfToken: string;
}

/** Starts a session for the contact; the returned id goes into the cookie and nowhere else. */
export async function startSession(db: Db, contactId: string, settings: SessionSettings = defaultSessionSettings): Promise<{ id: string; csrfToken: string }> {
  const id = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + settings.maxHours * 3_600_000);
  await db.insert(portalSessions).values({ idHash: tokenHash(id), contactId, csrfToken, expiresAt });
  // Sessions that ended are cleared on the way (the contact's own, and any long expired).
  await db.delete(portalSessions).where(or(lt(portalSessions.expiresAt, new Date()), lt(portalSessions.lastSeenAt, new Date(Date.now() - settings.idleMinutes * 60_000))));
  return { id, csrfToken };
}

/** The session behind a cookie value, if it has neither idled out nor expired; it counts as activity. */
export async function findSession(db: Db, id: string, settings: SessionSettings = defaultSessionSettings): Promise<PortalSession | undefined> {
  const idleSince = new Date(Date.now() - settings.idleMinutes * 60_000);
  const [row] = await db
    .select({
      idHash: portalSessions.idHash,
      csrfToken: portalSessions.csrfToken,
      lastSeenAt: portalSessions.lastSeenAt,
      contactId: contacts.id,
      name: contacts.name,
      email: contacts.email,
      phone: contacts.phone,
      language: contacts.language,
      admin: contacts.portalAdmin,
      replyMails: contacts.replyMails,
      hasPassword: sql<boolean>`${contacts.passwordHash} is not null`,
      customerId: customers.id,
      customerNumber: customers.customerNumber,
      customerName: customers.name,
      customerLanguage: customers.language,
      sharing: customers.portalSharing,
    })
    .from(portalSessions)
    .innerJoin(contacts, eq(contacts.id, portalSessions.contactId))
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(and(eq(portalSessions.idHash, tokenHash(id)), gt(portalSessions.expiresAt, new Date()), gt(portalSessions.lastSeenAt, idleSince)));
  if (!row) return undefined;
  // Activity is written at most once a minute, so page views do not each cost a write.
  if (Date.now() - row.lastSeenAt.getTime() > 60_000) await db.update(portalSessions).set({ lastSeenAt: new Date() }).where(eq(portalSessions.idHash, row.idHash));
  const { idHash: _, csrfToken, lastSeenAt: __, ...viewer } = row;
  return { viewer, csrfToken };
}

export async function endSession(db: Db, id: string): Promise<void> {
  await db.delete(portalSessions).where(eq(portalSessions.idHash, tokenHash(id)));
}

/** Every session of the contact ends (a password set by a mailed link). */
export async function endAllSessions(db: Db, contactId: string): Promise<void> {
  await db.delete(portalSessions).where(eq(portalSessions.contactId, contactId));
}

/** Every session of the contact but the current one ends (after a password change). */
export async function endOtherSessions(db: Db, contactId: string, keepId: string): Promise<void> {
  await db.delete(portalSessions).where(and(eq(portalSessions.contactId, contactId), sql`${portalSessions.idHash} <> ${tokenHash(keepId)}`));
}
