// The password provider of staff sign-in: e-mail and password, checked against the scrypt hash
// on the user (src/services/portal/secrets.ts), limited per address and per client.
import { eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { users } from '../../db/schema/index.js';
import { ValidationError } from '../../domain/errors.js';
import { hashPassword, maxPasswordLength, minPasswordLength, verifyPassword } from '../portal/secrets.js';
import { countStaffAttempt, type SignInLimits } from './attempts.js';
import type { StaffIdentityProvider } from './identity.js';
import { activeStaffByEmail } from './sessions.js';

export interface PasswordCredentials {
  email: string;
  password: string;
  /** The client's address, for the rate limit. */
  client: string;
}

/**
 * A wrong password, an unknown address, a user without a password, a deactivated user and one
 * outside the staff roles all answer null alike, and take the same time (one scrypt).
 */
export function passwordProvider(db: Db, limits?: SignInLimits): StaffIdentityProvider<PasswordCredentials> {
  return {
    method: 'password',
    async verify({ email, password, client }) {
      await countStaffAttempt(db, email, client, limits);
      const user = await activeStaffByEmail(db, email);
      const ok = await verifyPassword(password, user?.passwordHash ?? null);
      return ok && user ? { email: user.email, method: 'password' } : null;
    },
  };
}

export function checkNewStaffPassword(password: string, field = 'password'): void {
  if (password.length < minPasswordLength) throw new ValidationError(`The password needs at least ${minPasswordLength} characters.`, field);
  if (password.length > maxPasswordLength) throw new ValidationError(`The password may have at most ${maxPasswordLength} characters.`, field);
}

/** Stores the hash of a new password (checked first) on the user. */
export async function setStaffPassword(conn: Db | Tx, userId: string, passwordHash: string): Promise<void> {
  await conn.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, userId));
}

export async function hashStaffPassword(password: string): Promise<string> {
  checkNewStaffPassword(password);
  return hashPassword(password);
}
