// Staff members for the tests of the staff pages: a user with a role, a password for the pages
// and an API token; signing in as a browser does; the set-password link in a mail body.
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { outboxMessages, users } from '../../src/db/schema/index.js';
import type { UserRole } from '../../src/domain/enums.js';
import { hashPassword } from '../../src/services/portal/secrets.js';
import type { PortalVisitor } from './portal.js';
import { createUserWithToken, type TestUser } from './users.js';

export interface TestStaff extends TestUser {
  email: string;
  password: string | null;
}

export const staffPassword = 'correct horse battery';

/** A user of the role with `password` for the staff pages (null: none set) and a token for the API. */
export async function staffMember(db: Db, role: UserRole, options: { name?: string; password?: string | null; deactivated?: boolean } = {}): Promise<TestStaff> {
  const user = await createUserWithToken(db, role, options.name ?? `Staff ${role}`);
  const password = options.password === undefined ? staffPassword : options.password;
  const [row] = await db
    .update(users)
    .set({ passwordHash: password ? await hashPassword(password) : null, deactivatedAt: options.deactivated ? new Date() : null })
    .where(eq(users.id, user.id))
    .returning({ email: users.email });
  return { ...user, email: row!.email, password };
}

/** The set-password link in a mail body ("…/staff/set-password?token=…"), as a path with its query. */
export function staffLinkIn(body: string): string {
  const match = /https?:\/\/[^\s/]+(\/staff\/set-password\?token=[A-Za-z0-9_-]+)/.exec(body);
  if (!match) throw new Error(`no staff password link in: ${body}`);
  return match[1]!;
}

export const staffCookie = 'helpdesk_staff_session';

/** Opens the sign-in page (for its CSRF token) and signs in. */
export async function staffSignIn(visitor: PortalVisitor, email: string, password: string, next?: string) {
  await visitor.get('/staff/sign-in');
  return visitor.post('/staff/sign-in', { email, password, ...(next ? { next } : {}) });
}

/** The link of the latest password mail of this kind to the address, from the outbox. */
export async function outboxStaffLink(db: Db, email: string, template: 'staff_password_set' | 'staff_password_reset'): Promise<string> {
  const [row] = await db.select({ body: outboxMessages.body }).from(outboxMessages).where(and(eq(outboxMessages.recipient, email), eq(outboxMessages.template, template))).orderBy(desc(outboxMessages.createdAt)).limit(1);
  if (!row) throw new Error(`no ${template} mail to ${email} in the outbox`);
  return staffLinkIn(row.body);
}
