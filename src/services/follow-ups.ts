// Follow-up work through the API: who the named people are, the commands to the incident and to
// its children, and the reads of the follow-up projection.
import type { UpdateDefinition } from '@temporalio/common';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { followUpEvents, followUps, incidentEvents, incidents } from '../db/schema/index.js';
import { NotFound } from '../domain/errors.js';
import { followUpRefOf, followUpWorkflowIdOfRef, incidentWorkflowId } from '../domain/workflow-ids.js';
import { withWorkflowDeadline, type Temporal } from '../temporal/client.js';
import { commandError } from './incident-commands.js';

export type FollowUpRow = typeof followUps.$inferSelect;
/** A follow-up as lists show it: its projection row and its reference under the incident. */
export type FollowUpItem = FollowUpRow & { ref: string };
type IncidentRow = typeof incidents.$inferSelect;

/** The last part of the workflow id: `service-order-1` under `incident-INC-…/`. */
const refOf = (row: FollowUpRow) => followUpRefOf(row.workflowId);

/** A child ticket is an incident of its own; as follow-up work of its parent it reads like the others. */
function childTicketItem(child: IncidentRow, ref: string): FollowUpItem {
  return {
    ref,
    workflowId: incidentWorkflowId(child.number),
    kind: 'child_ticket',
    incidentNumber: child.parentNumber,
    customerNumber: child.customerNumber,
    title: child.title,
    state: child.status,
    // Its work is done when it is resolved; that is when the parent hears of it.
    ended: child.status === 'resolved' || child.status === 'closed',
    assigneeId: child.assigneeId,
    dueAt: child.resolutionDueAt,
    details: { number: child.number, priority: child.priority, assignedGroup: child.assignedGroup, assigneeName: child.assigneeName, escalationLevel: child.escalationLevel, slaBreached: child.slaBreached, href: `/api/incidents/${child.number}` },
    version: child.version,
    updatedAt: child.updatedAt,
  };
}

/** The refs the parent gave its child tickets, by child number. */
async function childTicketRefs(db: Db, parentNumber: string): Promise<Map<string, string>> {
  const [parent] = await db.select({ followUps: incidents.followUps }).from(incidents).where(eq(incidents.number, parentNumber));
  return new Map((parent?.followUps ?? []).filter((f) => f.kind === 'child_ticket' && f.number).map((f) => [f.number!, f.ref]));
}

/** The follow-up `ref` (e.g. "service-order-1", "child-ticket-2") of an incident, from the projections. */
export async function findFollowUp(db: Db, incidentNumber: string, ref: string): Promise<FollowUpItem> {
  if (ref.startsWith('child-ticket-')) {
    const number = [...(await childTicketRefs(db, incidentNumber))].find(([, r]) => r === ref)?.[0];
    const [child] = number ? await db.select().from(incidents).where(eq(incidents.number, number)) : [];
    if (!child) throw new NotFound(`Incident ${incidentNumber} has no child ticket ${ref} (yet).`);
    return childTicketItem(child, ref);
  }
  const [row] = await db.select().from(followUps).where(eq(followUps.workflowId, followUpWorkflowIdOfRef(incidentNumber, ref)));
  if (!row) throw new NotFound(`Incident ${incidentNumber} has no follow-up ${ref}.`);
  return { ...row, ref };
}

/** All follow-up work of an incident, oldest first: its child workflows and its child tickets. */
export async function followUpsOf(db: Db, incidentNumber: string): Promise<FollowUpItem[]> {
  const rows = await db.select().from(followUps).where(eq(followUps.incidentNumber, incidentNumber)).orderBy(asc(followUps.workflowId));
  const children = await db.select().from(incidents).where(eq(incidents.parentNumber, incidentNumber)).orderBy(asc(incidents.number));
  const refs = children.length > 0 ? await childTicketRefs(db, incidentNumber) : new Map<string, string>();
  const items = [...rows.map((row) => ({ ...row, ref: refOf(row) })), ...children.map((child) => childTicketItem(child, refs.get(child.number) ?? child.number))];
  // In the order the incident created them (its refs are numbered across kinds). A child ticket the
  // parent never linked (it had closed when the ticket started) has its number as ref; read it at its href.
  const position = (item: FollowUpItem) => Number(/-(\d+)$/.exec(item.ref)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return items.sort((a, b) => position(a) - position(b) || a.workflowId.localeCompare(b.workflowId));
}

/** The timeline of a follow-up; a child ticket's is its own incident timeline. */
export async function followUpTimeline(db: Db, item: Pick<FollowUpItem, 'workflowId' | 'kind' | 'details'>) {
  if (item.kind === 'child_ticket') {
    return db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, String(item.details.number))).orderBy(asc(incidentEvents.seq));
  }
  return db.select().from(followUpEvents).where(eq(followUpEvents.workflowId, item.workflowId)).orderBy(asc(followUpEvents.seq));
}

/** Sends an update to a follow-up's workflow; its refusals come back as domain errors. An updateId makes a retry run once. */
export async function sendFollowUpCommand<R, I>(
  temporal: Temporal,
  row: Pick<FollowUpRow, 'workflowId'>,
  update: UpdateDefinition<R, [I]>,
  input: I,
  options: { updateId?: string | undefined } = {},
): Promise<R> {
  try {
    return await withWorkflowDeadline(temporal, () =>
      temporal.client.workflow.getHandle(row.workflowId).executeUpdate(update, { args: [input], ...(options.updateId ? { updateId: options.updateId } : {}) }),
    );
  } catch (err) {
    throw commandError(err, `follow-up ${row.workflowId}`, temporal);
  }
}
