// Staff sessions of the web pages in Postgres: a random id in the cookie, its SHA-256 in the table,
// an idle timeout and an absolute end. A session opens only for an active user with a staff role,
// and stops working the moment the user is deactivated or leaves the staff roles.
import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { staffSessions, users } from '../../db/schema/index.js';
import { staffRoles, type StaffRole } from '../../domain/staff.js';
import { randomToken, tokenHash } from '../portal/secrets.js';
import type { SessionSettings } from '../portal/sessions.js';

export type { SessionSettings };

export const defaultStaffSessionSettings: SessionSettings = { idleMinutes: 60, maxHours: 12 };

/** The signed-in staff member as the web pages see them: the role is read from the user at every request. */
export interface StaffMember {
  userId: string;
  name: string;
  email: string;
  role: StaffRole;
}

export interface StaffSession extends StaffMember {
  /** The synchronizer token every form of this session carries. */
  csrfToken: string;
}

/** The active staff member with this address (any case), if there is one. */
export async function activeStaffByEmail(conn: Db | Tx, email: string): Promise<(StaffMember & { passwordHash: string | null }) | undefined> {
  const [row] = await conn
    .select({ userId: users.id, name: users.name, email: users.email, role: users.role, passwordHash: users.passwordHash })
    .from(users)
    .where(and(eq(sql`lower(${users.email})`, email.trim().toLowerCase()), isNull(users.deactivatedAt), inArray(users.role, [...staffRoles])));
  return row as (StaffMember & { passwordHash: string | null }) | undefined;
}

/** Starts a session; the returned id goes into the cookie and nowhere else. */
export async function startStaffSession(db: Db, userId: string, method: string, settings: SessionSettings = defaultStaffSessionSettings): Promise<{ id: string; csrfToken: string }> {
  const id = randomToken();
  const csrfToken = randomToken();
  const expiresAt = new Date(Date.now() + settings.maxHours * 3_600_000);
  await db.insert(staffSessions).values({ idHash: tokenHash(id), userId, csrfToken, method, expiresAt });
  // Sessions that ended are cleared on the way.
  await db.delete(staffSessions).where(or(lt(staffSessions.expiresAt, new Date()), lt(staffSessions.lastSeenAt, new Date(Date.now() - settings.idleMinutes * 60_000))));
  return { id, csrfToken };
}

/** The session behind a cookie value, if it has neither idled out nor expired and its user may still sign in; it counts as activity. */
export async function findStaffSession(db: Db, id: string, settings: SessionSettings = defaultStaffSessionSettings): Promise<StaffSession | undefined> {
  const idleSince = new Date(Date.now() - settings.idleMinutes * 60_000);
  const [row] = await db
    .select({ idHash: staffSessions.idHash, csrfToken: staffSessions.csrfToken, lastSeenAt: staffSessions.lastSeenAt, userId: users.id, name: users.name, email: users.email, role: users.role })
    .from(staffSessions)
    .innerJoin(users, eq(users.id, staffSessions.userId))
    .where(and(eq(staffSessions.idHash, tokenHash(id)), gt(staffSessions.expiresAt, new Date()), gt(staffSessions.lastSeenAt, idleSince), isNull(users.deactivatedAt), inArray(users.role, [...staffRoles])));
  if (!row) return undefined;
  // Activity is written at most once a minute, so page views do not each cost a write.
  if (Date.now() - row.lastSeenAt.getTime() > 60_000) await db.update(staffSessions).set({ lastSeenAt: new Date() }).where(eq(staffSessions.idHash, row.idHash));
  return { userId: row.userId, name: row.name, email: row.email, role: row.role as StaffRole, csrfToken: row.csrfToken };
}

export async function endStaffSession(db: Db, id: string): Promise<void> {
  await db.delete(staffSessions).where(eq(staffSessions.idHash, tokenHash(id)));
}

/** Every session of the user ends (a new password, a deactivation). */
export async function endAllStaffSessions(conn: Db | Tx, userId: string): Promise<void> {
  await conn.delete(staffSessions).where(eq(staffSessions.userId, userId));
}
