// The staff directory: users with their role, group and cost rate, created, changed and
// deactivated by admins (which also ends their web sessions). The house always keeps one active admin: the last one can be neither
// demoted nor deactivated, checked under a lock so two admins demoting each other cannot both win.
import { and, asc, count, eq, ilike, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { users } from '../../db/schema/index.js';
import { fkViolation, uniqueViolation } from '../../db/pg-errors.js';
import type { UserRole } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { likePattern } from '../master-data/shared.js';
import { endAllStaffSessions } from '../staff/sessions.js';
import { knownGroup } from './staff.js';

type Conn = Db | Tx;

export interface UserRecord {
  id: string;
  name: string;
  email: string;
  role: UserRole;
  group: string | null;
  costRateCents: number | null;
  active: boolean;
  deactivatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserInput {
  name: string;
  email: string;
  role: UserRole;
  group?: string | null | undefined;
  costRateCents?: number | null | undefined;
}

export interface UserChanges {
  name?: string | undefined;
  email?: string | undefined;
  role?: UserRole | undefined;
  group?: string | null | undefined;
  costRateCents?: number | null | undefined;
  active?: boolean | undefined;
}

export interface UserFilter {
  role?: UserRole[] | undefined;
  group?: string | undefined;
  active?: boolean | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

type UserRow = typeof users.$inferSelect;

function record(row: UserRow): UserRecord {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    group: row.groupName,
    costRateCents: row.costRateCents,
    active: row.deactivatedAt === null,
    deactivatedAt: row.deactivatedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const emailTaken = (email: string) => new IllegalTransition(`A user with the e-mail ${email} exists already.`);

async function emailInUse(conn: Conn, email: string, exceptId?: string): Promise<boolean> {
  const same = sql`lower(${users.email}) = lower(${email})`;
  const [row] = await conn.select({ id: users.id }).from(users).where(exceptId ? and(same, ne(users.id, exceptId)) : same).limit(1);
  return row !== undefined;
}

/** Runs a write, answering the e-mail uniqueness race that the index caught with the same 409. */
async function uniqueEmail<T>(email: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (uniqueViolation(err)) throw emailTaken(email);
    // The group was deleted between the check and the write.
    if (fkViolation(err)) throw new ValidationError('group: the group was deleted meanwhile; choose a known group (GET /api/groups).', 'group');
    throw err;
  }
}

export async function createUser(conn: Conn, input: UserInput): Promise<UserRecord> {
  const groupName = input.group ? await knownGroup(conn, input.group) : null;
  if (await emailInUse(conn, input.email)) throw emailTaken(input.email);
  const [row] = await uniqueEmail(input.email, () =>
    conn.insert(users).values({ name: input.name, email: input.email, role: input.role, groupName, costRateCents: input.costRateCents ?? null }).returning(),
  );
  return record(row!);
}

export async function getUser(conn: Conn, id: string): Promise<UserRecord> {
  const [row] = await conn.select().from(users).where(eq(users.id, id));
  if (!row) throw new NotFound(`No user with id ${id}.`);
  return record(row);
}

export async function findUserByEmail(conn: Conn, email: string): Promise<UserRecord | undefined> {
  const [row] = await conn.select().from(users).where(sql`lower(${users.email}) = lower(${email})`);
  return row && record(row);
}

export async function listUsers(conn: Conn, filter: UserFilter): Promise<{ items: UserRecord[]; total: number; limit: number; offset: number }> {
  const conditions: (SQL | undefined)[] = [];
  if (filter.role?.length) conditions.push(or(...filter.role.map((role) => eq(users.role, role))));
  if (filter.group) conditions.push(eq(users.groupName, filter.group));
  if (filter.active !== undefined) conditions.push(filter.active ? isNull(users.deactivatedAt) : sql`${users.deactivatedAt} is not null`);
  if (filter.q) {
    conditions.push(or(ilike(users.name, likePattern(filter.q)), ilike(users.email, likePattern(filter.q))));
  }
  const where = and(...conditions);
  const rows = await conn.select().from(users).where(where).orderBy(sql`lower(${users.name})`, asc(users.id)).limit(filter.limit).offset(filter.offset);
  const [total] = await conn.select({ n: count() }).from(users).where(where);
  return { items: rows.map(record), total: total?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

/** Serialises the changes that could leave the house without an active admin. */
async function lockAdmins(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('helpdesk:active-admins'))`);
}

async function otherActiveAdmins(tx: Tx, id: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(users).where(and(eq(users.role, 'admin'), isNull(users.deactivatedAt), ne(users.id, id)));
  return row?.n ?? 0;
}

export async function updateUser(db: Db, id: string, changes: UserChanges): Promise<UserRecord> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update');
    if (!current) throw new NotFound(`No user with id ${id}.`);
    const staysAdmin = (changes.role ?? current.role) === 'admin' && (changes.active ?? current.deactivatedAt === null);
    const isActiveAdmin = current.role === 'admin' && current.deactivatedAt === null;
    if (isActiveAdmin && !staysAdmin) {
      await lockAdmins(tx);
      if ((await otherActiveAdmins(tx, id)) === 0) {
        const field = changes.active === false ? 'active' : 'role';
        throw new IllegalTransition(`${field}: ${current.email} is the last active admin; make another user admin first.`);
      }
    }
    if (changes.email !== undefined && (await emailInUse(tx, changes.email, id))) throw emailTaken(changes.email);
    const groupName = changes.group === undefined ? undefined : changes.group === null ? null : await knownGroup(tx, changes.group);
    const deactivatedAt = changes.active === undefined ? undefined : changes.active ? null : (current.deactivatedAt ?? new Date());
    const [row] = await uniqueEmail(changes.email ?? current.email, () =>
      tx
        .update(users)
        .set({ name: changes.name, email: changes.email, role: changes.role, groupName, costRateCents: changes.costRateCents, deactivatedAt, updatedAt: sql`now()` })
        .where(eq(users.id, id))
        .returning(),
    );
    // A deactivated user is signed out of the web pages at once (a reactivation does not revive old sessions).
    if (changes.active === false) await endAllStaffSessions(tx, id);
    return record(row!);
  });
}

/** Checks the role of a new admin-to-be is spelled right before anything is written (the CLI's input). */
export function parseRole(value: string, roles: readonly UserRole[]): UserRole {
  if ((roles as readonly string[]).includes(value)) return value as UserRole;
  throw new ValidationError(`role: "${value}" is not a role; use one of ${roles.join(', ')}.`, 'role');
}
