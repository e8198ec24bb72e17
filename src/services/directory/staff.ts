// Naming people and teams for work: a staff user by id or by e-mail, a known support group. Each
// refusal is a 400 naming the field, so a typo in an address or a group never assigns work to nobody.
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { staffGroups, users } from '../../db/schema/index.js';
import { hasRole, type UserRole } from '../../domain/enums.js';
import { ValidationError } from '../../domain/errors.js';

type Conn = Db | Tx;
export interface StaffUser {
  id: string;
  name: string;
  email: string;
  role: UserRole;
}

const staffColumns = { id: users.id, name: users.name, email: users.email, role: users.role, deactivatedAt: users.deactivatedAt };
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function staffOnly(user: { id: string; name: string; email: string; role: UserRole; deactivatedAt: Date | null }, named: string, field: string): StaffUser {
  if (!hasRole(user.role, 'agent')) throw new ValidationError(`${field}: ${named} has the ${user.role} role; only staff (agent, manager or admin) can be named here.`, field);
  if (user.deactivatedAt) throw new ValidationError(`${field}: ${named} is deactivated.`, field);
  return { id: user.id, name: user.name, email: user.email, role: user.role };
}

/** An active staff user (agent, manager or admin) by id; a malformed, unknown, non-staff or deactivated id is a 400 naming the field. */
export async function staffById(conn: Conn, id: string, field: string): Promise<StaffUser> {
  if (!uuidPattern.test(id)) throw new ValidationError(`${field}: "${id}" is not a user id (UUID).`, field);
  const [user] = await conn.select(staffColumns).from(users).where(eq(users.id, id));
  if (!user) throw new ValidationError(`${field}: no user with id ${id}.`, field);
  return staffOnly(user, `user ${id}`, field);
}

/** Active staff users by e-mail (case-insensitive), in the given order; an unknown, non-staff or deactivated address is a 400 naming the field. */
export async function staffByEmail(conn: Conn, emails: string[], field: string): Promise<StaffUser[]> {
  if (emails.length === 0) return [];
  const rows = await conn.select(staffColumns).from(users).where(inArray(sql`lower(${users.email})`, emails.map((e) => e.toLowerCase())));
  return emails.map((email) => {
    const user = rows.find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!user) throw new ValidationError(`${field}: no user with e-mail ${email}.`, field);
    return staffOnly(user, email, field);
  });
}

/**
 * A staff user named by id or by e-mail (one of the two fields, not both): `{ id: body.assigneeId,
 * email: body.assigneeEmail }` with fields `['assigneeId', 'assigneeEmail']`. Undefined when neither is given.
 */
export async function staffByRef(conn: Conn, ref: { id?: string | null | undefined; email?: string | null | undefined }, fields: readonly [idField: string, emailField: string]): Promise<StaffUser | undefined> {
  const [idField, emailField] = fields;
  if (ref.id && ref.email) throw new ValidationError(`${emailField}: give ${idField} or ${emailField}, not both.`, emailField);
  if (ref.id) return staffById(conn, ref.id, idField);
  if (ref.email) return (await staffByEmail(conn, [ref.email], emailField))[0];
  return undefined;
}

/** The group's name if it is a known support group; otherwise a 400 naming the field and listing the known groups. */
export async function knownGroup(conn: Conn, name: string, field = 'group'): Promise<string> {
  const [found] = await conn.select({ name: staffGroups.name }).from(staffGroups).where(eq(staffGroups.name, name));
  if (found) return found.name;
  const known = (await conn.select({ name: staffGroups.name }).from(staffGroups).orderBy(asc(staffGroups.name)).limit(50)).map((g) => g.name);
  const list = known.length > 0 ? `known groups: ${known.join(', ')}` : 'no groups exist yet (an admin creates them at POST /api/groups)';
  throw new ValidationError(`${field}: unknown group "${name}"; ${list}.`, field);
}
