// Single-use links to set a staff password, mailed to the user: sent by an admin (POST
// /api/users/{id}/password-link) or asked for on the forgot-password page (the same answer
// whether or not the address is known, limited per address and per client). Only the token's
// SHA-256 is stored. Setting the password by a link uses it up, with every other open link of the
// user, and ends all of the user's sessions.
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { outboxMessages, staffPasswordLinks, users } from '../../db/schema/index.js';
import type { Language } from '../../domain/enums.js';
import { IllegalTransition, NotFound } from '../../domain/errors.js';
import { isStaffRole, staffRoles, type StaffLinkPurpose } from '../../domain/staff.js';
import { newMessageId, type Mailer } from '../../mail/outbound.js';
import { createOutboxSender } from '../../mail/outbox.js';
import { staffPasswordMail } from '../../mail/staff-templates.js';
import { randomToken, tokenHash } from '../portal/secrets.js';
import { countStaffAttempt, type SignInLimits } from './attempts.js';
import { hashStaffPassword, setStaffPassword } from './password.js';
import { activeStaffByEmail, endAllStaffSessions } from './sessions.js';

/** A link asked for on the forgot-password page is good for this long. */
export const resetLinkValidMinutes = 30;
/** A link an admin sends is good for this long unless STAFF_PASSWORD_LINK_HOURS says otherwise. */
export const defaultSetLinkValidHours = 72;

export const staffPasswordPath = '/staff/set-password';

export interface PasswordLinkDeps {
  db: Db;
  mailFrom: string;
  mailer?: Mailer | undefined;
  logger?: Logger | undefined;
  /** PUBLIC_URL: the base of the link in the mail (never a request's Host header). */
  baseUrl: string;
  setLinkValidHours?: number | undefined;
  limits?: SignInLimits | undefined;
}

/** The deps from the services the API and the pages share (built once at start-up). */
export function passwordLinkDeps(
  services: { db: Db; mail?: { mailFrom: string; mailer?: Mailer | undefined } | undefined; portal?: { baseUrl?: string | undefined } | undefined; staff?: { setLinkValidHours?: number | undefined; signInLimits?: SignInLimits | undefined } | undefined },
  logger?: Logger,
): PasswordLinkDeps {
  return {
    db: services.db,
    mailFrom: services.mail?.mailFrom ?? 'Helpdesk <helpdesk@localhost>',
    mailer: services.mail?.mailer,
    logger,
    // PUBLIC_URL (the server always sets it), never the request's Host header: a forged Host must
    // not put the attacker's address into the link we mail to the victim.
    baseUrl: services.portal?.baseUrl ?? 'http://localhost',
    setLinkValidHours: services.staff?.setLinkValidHours,
    limits: services.staff?.signInLimits,
  };
}

export interface SentPasswordLink {
  userId: string;
  email: string;
  purpose: StaffLinkPurpose;
  expiresAt: Date;
  /** The link itself, for development logs only (no SMTP): never in an API answer. */
  link: string;
}

async function mailLink(deps: PasswordLinkDeps, user: { userId: string; name: string; email: string }, purpose: StaffLinkPurpose, createdBy: string, language: Language): Promise<SentPasswordLink> {
  const token = randomToken();
  const hash = tokenHash(token);
  const validMinutes = purpose === 'set' ? (deps.setLinkValidHours ?? defaultSetLinkValidHours) * 60 : resetLinkValidMinutes;
  const now = new Date();
  const expiresAt = new Date(now.getTime() + validMinutes * 60_000);
  await deps.db.insert(staffPasswordLinks).values({ tokenHash: hash, userId: user.userId, purpose, createdBy, createdAt: now, expiresAt });
  const link = `${deps.baseUrl.replace(/\/$/, '')}${staffPasswordPath}?token=${token}`;
  const mail = staffPasswordMail(purpose, link, user.name, language, validMinutes);
  const [row] = await deps.db
    .insert(outboxMessages)
    .values({ idempotencyKey: `staff:${purpose}:${hash}`, kind: 'email', template: `staff_password_${purpose}`, recipient: user.email, messageId: newMessageId(deps.mailFrom), subject: mail.subject, body: mail.body })
    .returning();
  if (deps.mailer && row) {
    // Sent now, not by the sweeper minutes later; a failure leaves the row for the sweeper. Not
    // awaited: the answer must not take an SMTP round trip longer for an address we know.
    void createOutboxSender(deps)
      .deliver(row)
      .catch((err: unknown) => deps.logger?.warn({ err, outbox: row.id }, 'staff password link not sent yet; the outbox sweeper retries'));
  }
  return { userId: user.userId, email: user.email, purpose, expiresAt, link };
}

/** An admin sends a user a link to set their password: 404 for no such user, 409 for a deactivated one or one outside the staff roles. */
export async function sendSetPasswordLink(deps: PasswordLinkDeps, input: { userId: string; language: Language; sentBy: string }): Promise<SentPasswordLink> {
  const [user] = await deps.db.select({ userId: users.id, name: users.name, email: users.email, role: users.role, deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.id, input.userId));
  if (!user) throw new NotFound(`No user with id ${input.userId}.`);
  if (user.deactivatedAt) throw new IllegalTransition(`${user.email} is deactivated; reactivate the user (PATCH /api/users/${user.userId} {"active": true}) before sending a password link.`);
  if (!isStaffRole(user.role)) throw new IllegalTransition(`${user.email} has the role ${user.role}; only ${staffRoles.join(', ')} sign in to the web pages (other roles use API tokens).`);
  return mailLink(deps, user, 'set', `user:${input.sentBy}`, input.language);
}

/**
 * The forgot-password page: mails a reset link if the address belongs to an active staff member,
 * else nothing; the caller answers the same either way. Counts against the rate limit.
 */
export async function requestPasswordReset(deps: PasswordLinkDeps, input: { email: string; client: string; language: Language }): Promise<SentPasswordLink | null> {
  await countStaffAttempt(deps.db, input.email, input.client, deps.limits);
  const user = await activeStaffByEmail(deps.db, input.email);
  if (!user) return null;
  return mailLink(deps, user, 'reset', 'self', input.language);
}

export type StaffLinkRefusal = 'unknown' | 'used' | 'expired';

/** Whether a link is still good (for the page that shows the form); looking does not use it up. */
export async function passwordLinkRefusal(db: Db, token: string): Promise<StaffLinkRefusal | null> {
  const [row] = await db
    .select({ usedAt: staffPasswordLinks.usedAt, expiresAt: staffPasswordLinks.expiresAt, deactivatedAt: users.deactivatedAt, role: users.role })
    .from(staffPasswordLinks)
    .innerJoin(users, eq(users.id, staffPasswordLinks.userId))
    .where(eq(staffPasswordLinks.tokenHash, tokenHash(token)));
  if (!row || row.deactivatedAt || !isStaffRole(row.role)) return 'unknown';
  if (row.usedAt) return 'used';
  return row.expiresAt > new Date() ? null : 'expired';
}

/**
 * Sets the password by a link: once only, within its validity, for a user who may still sign in.
 * Every other open link of the user is used up with it, and every session of the user ends (one
 * opened by whoever knew the old password too). Answers the user's address, to sign them in.
 */
export async function setPasswordByLink(db: Db, token: string, password: string): Promise<{ userId: string; email: string } | { refused: StaffLinkRefusal }> {
  // Looked at first: a made-up token costs no scrypt.
  const refusal = await passwordLinkRefusal(db, token);
  if (refusal) return { refused: refusal };
  const passwordHash = await hashStaffPassword(password);
  const hash = tokenHash(token);
  const taken = await db.transaction(async (tx) => {
    const [link] = await tx
      .update(staffPasswordLinks)
      .set({ usedAt: new Date() })
      .where(and(eq(staffPasswordLinks.tokenHash, hash), isNull(staffPasswordLinks.usedAt), gt(staffPasswordLinks.expiresAt, new Date())))
      .returning({ userId: staffPasswordLinks.userId });
    if (!link) return undefined;
    const [user] = await tx
      .select({ email: users.email })
      .from(users)
      .where(and(eq(users.id, link.userId), isNull(users.deactivatedAt), inArray(users.role, [...staffRoles])))
      .for('update');
    if (!user) return undefined;
    await setStaffPassword(tx, link.userId, passwordHash);
    await tx.update(staffPasswordLinks).set({ usedAt: new Date() }).where(and(eq(staffPasswordLinks.userId, link.userId), isNull(staffPasswordLinks.usedAt)));
    await endAllStaffSessions(tx, link.userId);
    return { userId: link.userId, email: user.email };
  });
  return taken ?? { refused: (await passwordLinkRefusal(db, token)) ?? 'unknown' };
}
