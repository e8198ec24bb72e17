// Follow-up work through the API: who the named people are, the commands to the incident and to
// its children, and the reads of the follow-up projection.
import type { UpdateDefinition } from '@temporalio/common';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { followUpEvents, followUps, users } from '../db/schema/index.js';
import { hasRole } from '../domain/enums.js';
import { NotFound, ValidationError } from '../domain/errors.js';
import { incidentWorkflowId } from '../domain/ticket-number.js';
import type { Temporal } from '../temporal/client.js';
import { commandError } from './incident-commands.js';

export type FollowUpRow = typeof followUps.$inferSelect;

/** Staff users by e-mail, in the given order; an unknown or non-staff address is a 400 naming the field. */
export async function staffByEmail(db: Db, emails: string[], field: string): Promise<{ id: string; name: string; email: string }[]> {
  if (emails.length === 0) return [];
  const rows = await db.select().from(users).where(inArray(sql`lower(${users.email})`, emails.map((e) => e.toLowerCase())));
  return emails.map((email) => {
    const user = rows.find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (!user) throw new ValidationError(`${field}: no user with e-mail ${email}.`, field);
    if (!hasRole(user.role, 'agent')) throw new ValidationError(`${field}: ${email} is a ${user.role} user, not staff.`, field);
    return { id: user.id, name: user.name, email: user.email };
  });
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function staffById(db: Db, id: string, field: string): Promise<{ id: string; name: string }> {
  if (!uuidPattern.test(id)) throw new ValidationError(`${field}: expected a user id (UUID).`, field);
  const [user] = await db.select().from(users).where(eq(users.id, id));
  if (!user || !hasRole(user.role, 'agent')) throw new ValidationError(`${field}: no staff user with id ${id}.`, field);
  return { id: user.id, name: user.name };
}

/** The follow-up `ref` (e.g. "service-order-1") of an incident, from its projection. */
export async function findFollowUp(db: Db, incidentNumber: string, ref: string): Promise<FollowUpRow> {
  const [row] = await db.select().from(followUps).where(eq(followUps.workflowId, `${incidentWorkflowId(incidentNumber)}/${ref}`));
  if (!row) throw new NotFound(`Incident ${incidentNumber} has no follow-up ${ref}.`);
  return row;
}

export async function followUpsOf(db: Db, incidentNumber: string): Promise<FollowUpRow[]> {
  return db.select().from(followUps).where(eq(followUps.incidentNumber, incidentNumber)).orderBy(asc(followUps.workflowId));
}

export async function followUpTimeline(db: Db, workflowId: string) {
  return db.select().from(followUpEvents).where(eq(followUpEvents.workflowId, workflowId)).orderBy(asc(followUpEvents.seq));
}

/** Sends an update to a follow-up's workflow; its refusals come back as domain errors. */
export async function sendFollowUpCommand<R, I>(temporal: Temporal, row: Pick<FollowUpRow, 'workflowId'>, update: UpdateDefinition<R, [I]>, input: I): Promise<R> {
  try {
    return await temporal.client.workflow.getHandle(row.workflowId).executeUpdate(update, { args: [input] });
  } catch (err) {
    throw commandError(err, `follow-up ${row.workflowId}`);
  }
}
