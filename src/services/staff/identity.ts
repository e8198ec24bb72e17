// The seam between proving who a staff member is and signing them in. A provider verifies an
// identity in its own way; openStaffSession turns any verified identity into a session and knows
// nothing of how it was verified. The password provider (password.ts) is the one implementation
// today. Single sign-on (OIDC) is meant to be the second: its callback route checks the ID token
// (issuer, audience, signature, nonce, email_verified), then calls openStaffSession with the
// token's e-mail and the method "oidc" - the directory (users) still decides who may enter and
// with which role. Nothing else changes: sessions, CSRF, staffSession and requireStaff stay as they are.
import type { Db } from '../../db/client.js';
import type { SessionSettings } from '../portal/sessions.js';
import { activeStaffByEmail, startStaffSession, type StaffMember } from './sessions.js';

/** An identity a provider has verified: the e-mail address of a person, and how it was verified. */
export interface VerifiedIdentity {
  email: string;
  /** Recorded on the session: "password", "password_link", later e.g. "oidc". */
  method: string;
}

/**
 * A way for staff to prove who they are. `verify` answers the identity the credentials prove, or
 * null for wrong credentials (never which part was wrong); it may throw TooManyAttempts.
 */
export interface StaffIdentityProvider<Credentials> {
  readonly method: string;
  verify(credentials: Credentials): Promise<VerifiedIdentity | null>;
}

/**
 * A verified identity becomes a new session, if the address belongs to an active user with a
 * staff role (agent, manager, admin); else null, and nobody is signed in. The caller ends the old
 * session of the browser, if any (rotation), and sets the cookie.
 */
export async function openStaffSession(db: Db, identity: VerifiedIdentity, settings?: SessionSettings): Promise<{ id: string; csrfToken: string; member: StaffMember } | null> {
  const user = await activeStaffByEmail(db, identity.email);
  if (!user) return null;
  const { passwordHash: _, ...member } = user;
  const session = await startStaffSession(db, member.userId, identity.method, settings);
  return { ...session, member };
}
