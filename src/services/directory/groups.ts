// Support groups as master data: the names incidents, callbacks and follow-ups may be assigned to.
import { asc, count, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { incidents, staffGroups } from '../../db/schema/index.js';
import { fkViolation, uniqueViolation } from '../../db/pg-errors.js';
import { IllegalTransition, NotFound } from '../../domain/errors.js';

type Conn = Db | Tx;

export interface GroupRecord {
  name: string;
  description: string;
  /** Users (active or not) whose group this is. */
  members: number;
  createdAt: Date;
  updatedAt: Date;
}

// Qualified by hand: drizzle leaves the columns of a one-table select unqualified, and both tables have a `name`.
const memberCount = sql<number>`(select count(*)::int from users m where m.group_name = staff_groups.name)`;
const columns = { name: staffGroups.name, description: staffGroups.description, members: memberCount, createdAt: staffGroups.createdAt, updatedAt: staffGroups.updatedAt };

export async function listGroups(conn: Conn): Promise<GroupRecord[]> {
  return conn.select(columns).from(staffGroups).orderBy(asc(staffGroups.name));
}

export async function getGroup(conn: Conn, name: string): Promise<GroupRecord> {
  const [row] = await conn.select(columns).from(staffGroups).where(eq(staffGroups.name, name));
  if (!row) throw new NotFound(`No group named ${name}.`);
  return row;
}

export async function createGroup(conn: Conn, input: { name: string; description?: string | undefined }): Promise<GroupRecord> {
  try {
    await conn.insert(staffGroups).values({ name: input.name, description: input.description ?? '' });
  } catch (err) {
    if (uniqueViolation(err)) throw new IllegalTransition(`A group named ${input.name} exists already.`);
    throw err;
  }
  return getGroup(conn, input.name);
}

export async function updateGroup(conn: Conn, name: string, changes: { description?: string | undefined }): Promise<GroupRecord> {
  const [row] = await conn.update(staffGroups).set({ description: changes.description, updatedAt: sql`now()` }).where(eq(staffGroups.name, name)).returning({ name: staffGroups.name });
  if (!row) throw new NotFound(`No group named ${name}.`);
  return getGroup(conn, name);
}

/** Deletes a group nobody is in and no open incident is assigned to; otherwise 409 saying what holds it. */
export async function deleteGroup(db: Db, name: string): Promise<void> {
  // The row lock keeps a user from joining between the count and the delete (their write waits on it).
  return db.transaction(async (conn) => {
  await conn.execute(sql`select 1 from ${staffGroups} where ${staffGroups.name} = ${name} for update`);
  const group = await getGroup(conn, name);
  if (group.members > 0) throw new IllegalTransition(`Group ${name} still has ${group.members} member(s); move them to another group first.`);
  const [open] = await conn
    .select({ n: count() })
    .from(incidents)
    .where(sql`${incidents.assignedGroup} = ${name} and ${incidents.status} not in ('resolved', 'closed')`);
  if ((open?.n ?? 0) > 0) throw new IllegalTransition(`Group ${name} has ${open!.n} open incident(s); assign them to another group first.`);
  try {
    await conn.delete(staffGroups).where(eq(staffGroups.name, name));
  } catch (err) {
    if (fkViolation(err)) throw new IllegalTransition(`Group ${name} got a member while it was being deleted; it stays.`);
    throw err;
  }
  });
}
