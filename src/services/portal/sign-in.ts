// Who may enter the portal: contacts, by a single-use link mailed to them or by their password.
// Every answer is the same whether or not the address is known, and attempts are limited per
// address and per client, counted in Postgres so that every API process shares the count.
import { and, count, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { contacts, customers, outboxMessages, portalAttempts, portalLinks } from '../../db/schema/index.js';
import type { PortalLinkPurpose } from '../../domain/enums.js';
import { ValidationError } from '../../domain/errors.js';
import { newMessageId, type Mailer } from '../../mail/outbound.js';
import { createOutboxSender } from '../../mail/outbox.js';
import { portalLinkMail } from '../../mail/portal-templates.js';
import { hashPassword, maxPasswordLength, minPasswordLength, randomToken, tokenHash, verifyPassword } from './secrets.js';

export const linkValidMinutes = 15;

export interface SignInLimits {
  /** Attempts per address in the window (PORTAL_SIGN_IN_LIMIT_PER_ADDRESS). */
  perAddress: number;
  /** Attempts per client address in the window (PORTAL_SIGN_IN_LIMIT_PER_CLIENT). */
  perClient: number;
  windowMinutes: number;
}

export const defaultSignInLimits: SignInLimits = { perAddress: 5, perClient: 30, windowMinutes: 15 };

export interface SignInDeps {
  db: Db;
  mailFrom: string;
  mailer?: Mailer | undefined;
  logger?: Logger | undefined;
  /** The portal's public base URL, for the links in the mail. */
  baseUrl: string;
  limits?: SignInLimits;
}

export class TooManyAttempts extends Error {
  constructor(readonly retryAfterMinutes: number) {
    super(`Too many sign-in attempts; try again in ${retryAfterMinutes} minutes.`);
    this.name = 'TooManyAttempts';
  }
}

const addressKey = (email: string) => `address:${email.trim().toLowerCase()}`;
const clientKey = (client: string) => `client:${client}`;

/**
 * Counts the attempt against the address and the client, and refuses when either is over its
 * limit. The address need not exist: a probe of unknown addresses is limited just the same.
 */
export async function countAttempt(db: Db, email: string, client: string, limits: SignInLimits = defaultSignInLimits): Promise<void> {
  const since = new Date(Date.now() - limits.windowMinutes * 60_000);
  const keys = [addressKey(email), clientKey(client)] as const;
  // Old attempts are of no further use.
  await db.delete(portalAttempts).where(lt(portalAttempts.at, new Date(Date.now() - 24 * 3_600_000)));
  // Counted and written under a lock per key: attempts at the same moment queue, so exactly the
  // limit gets through. A refused attempt is not written: refusals do not extend the wait (else
  // one request every few minutes would keep a victim's address locked for good).
  await db.transaction(async (tx) => {
    for (const key of [...keys].sort()) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`portal-attempt:${key}`}))`);
    const counts = await Promise.all(keys.map((key) => tx.select({ n: count() }).from(portalAttempts).where(and(eq(portalAttempts.key, key), gt(portalAttempts.at, since)))));
    const [perAddress, perClient] = counts.map((rows) => rows[0]?.n ?? 0) as [number, number];
    if (perAddress >= limits.perAddress || perClient >= limits.perClient) throw new TooManyAttempts(limits.windowMinutes);
    await tx.insert(portalAttempts).values(keys.map((key) => ({ key })));
  });
}

async function contactByEmail(db: Db, email: string) {
  const [row] = await db
    .select({ id: contacts.id, name: contacts.name, email: contacts.email, language: contacts.language, customerLanguage: customers.language, passwordHash: contacts.passwordHash })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(eq(sql`lower(${contacts.email})`, email.trim().toLowerCase()));
  return row;
}

/** A safe place to go after sign-in: a portal path of ours, never another site. */
export function portalNext(next: string | null | undefined): string | null {
  if (!next || !/^\/portal(\/[A-Za-z0-9\-._~/%?=&]*)?$/.test(next) || next.startsWith('//')) return null;
  return next;
}

/**
 * Mails a single-use link (sign-in or password reset) to the contact with this address, if there is
 * one; the caller answers the same either way. The mail goes through the outbox, and straight on
 * to SMTP when a mailer is configured. Returns the link for development logs, or null.
 */
export async function sendPortalLink(deps: SignInDeps, input: { email: string; purpose: PortalLinkPurpose; next?: string | null; client: string }): Promise<string | null> {
  await countAttempt(deps.db, input.email, input.client, deps.limits);
  const contact = await contactByEmail(deps.db, input.email);
  if (!contact) return null;
  const token = randomToken();
  const hash = tokenHash(token);
  const next = portalNext(input.next);
  const now = new Date();
  await deps.db.insert(portalLinks).values({ tokenHash: hash, contactId: contact.id, purpose: input.purpose, next, createdAt: now, expiresAt: new Date(now.getTime() + linkValidMinutes * 60_000) });
  const path = input.purpose === 'sign_in' ? '/portal/sign-in/link' : '/portal/password/reset';
  const link = `${deps.baseUrl.replace(/\/$/, '')}${path}?token=${token}`;
  const mail = portalLinkMail(input.purpose, link, contact.name, contact.language ?? contact.customerLanguage, linkValidMinutes);
  const [row] = await deps.db
    .insert(outboxMessages)
    .values({ idempotencyKey: `portal:${input.purpose}:${hash}`, kind: 'email', template: `portal_${input.purpose}`, recipient: contact.email, messageId: newMessageId(deps.mailFrom), subject: mail.subject, body: mail.body })
    .returning();
  if (deps.mailer && row) {
    // Sent now, not by the sweeper minutes later; a failure leaves the row for the sweeper. Not
    // awaited: the answer must not take an SMTP round trip longer for an address we know.
    void createOutboxSender(deps)
      .deliver(row)
      .catch((err: unknown) => deps.logger?.warn({ err, outbox: row.id }, 'portal link not sent yet; the outbox sweeper retries'));
  }
  return link;
}

export type LinkRefusal = 'unknown' | 'used' | 'expired';

/** Takes a mailed link: once only, within its validity, for its purpose. */
export async function consumePortalLink(db: Db, token: string, purpose: PortalLinkPurpose): Promise<{ contactId: string; next: string | null } | { refused: LinkRefusal }> {
  const hash = tokenHash(token);
  const [taken] = await db
    .update(portalLinks)
    .set({ usedAt: new Date() })
    .where(and(eq(portalLinks.tokenHash, hash), eq(portalLinks.purpose, purpose), isNull(portalLinks.usedAt), gt(portalLinks.expiresAt, new Date())))
    .returning({ contactId: portalLinks.contactId, next: portalLinks.next });
  if (taken) return taken;
  const [row] = await db.select({ usedAt: portalLinks.usedAt, purpose: portalLinks.purpose }).from(portalLinks).where(eq(portalLinks.tokenHash, hash));
  if (!row || row.purpose !== purpose) return { refused: 'unknown' };
  return { refused: row.usedAt ? 'used' : 'expired' };
}

/** A link that is still good (for the page that asks to confirm it); it is not used up by looking. */
export async function linkIsValid(db: Db, token: string, purpose: PortalLinkPurpose): Promise<LinkRefusal | null> {
  const [row] = await db.select().from(portalLinks).where(eq(portalLinks.tokenHash, tokenHash(token)));
  if (!row || row.purpose !== purpose) return 'unknown';
  if (row.usedAt) return 'used';
  return row.expiresAt > new Date() ? null : 'expired';
}

/** Password sign-in: the contact's id, or null for a wrong address or password alike. */
export async function signInWithPassword(db: Db, input: { email: string; password: string; client: string }, limits?: SignInLimits): Promise<string | null> {
  await countAttempt(db, input.email, input.client, limits);
  const contact = await contactByEmail(db, input.email);
  const ok = await verifyPassword(input.password, contact?.passwordHash ?? null);
  return ok && contact ? contact.id : null;
}

export function checkNewPassword(password: string, field = 'password'): void {
  if (password.length < minPasswordLength) throw new ValidationError(`The password needs at least ${minPasswordLength} characters.`, field);
  if (password.length > maxPasswordLength) throw new ValidationError(`The password may have at most ${maxPasswordLength} characters.`, field);
}

export async function setPassword(db: Db, contactId: string, password: string): Promise<void> {
  checkNewPassword(password);
  await db.update(contacts).set({ passwordHash: await hashPassword(password), updatedAt: new Date() }).where(eq(contacts.id, contactId));
}

export async function checkCurrentPassword(db: Db, contactId: string, password: string): Promise<boolean> {
  const [row] = await db.select({ passwordHash: contacts.passwordHash }).from(contacts).where(eq(contacts.id, contactId));
  return verifyPassword(password, row?.passwordHash ?? null);
}
