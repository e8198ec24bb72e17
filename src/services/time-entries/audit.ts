// The audit trail of time entries: one event per create, edit, billing override and delete,
// written in the same transaction as the change, with the entry's fields before and after.
import type { Tx } from '../../db/client.js';
import { timeEntryEvents, type timeEntries } from '../../db/schema/index.js';
import type { UserRole } from '../../domain/enums.js';

export type TimeEntryRow = typeof timeEntries.$inferSelect;
export type TimeEntryEventType = (typeof timeEntryEvents.$inferInsert)['type'];

/** Who changed an entry: the caller of the API. */
export interface EntryActor {
  userId: string;
  name: string;
  role: UserRole;
}

/** The fields an auditor cares about: the work, its pricing, the override and the deletion. */
export function entrySnapshot(entry: TimeEntryRow): Record<string, unknown> {
  return {
    agentId: entry.agentId,
    workDate: entry.workDate,
    minutes: entry.minutes,
    activityType: entry.activityType,
    description: entry.description,
    contractId: entry.contractId,
    projectId: entry.projectId,
    decision: entry.decision,
    quotaMinutes: entry.quotaMinutes,
    quotaPeriodStart: entry.quotaPeriodStart,
    billableMinutes: entry.billableMinutes,
    rateCents: entry.rateCents,
    amountCents: entry.amountCents,
    billingReason: entry.billingReason,
    billableOverride: entry.billableOverride,
    overrideReason: entry.overrideReason,
    deletedAt: entry.deletedAt?.toISOString() ?? null,
  };
}

export async function recordEntryEvent(
  tx: Tx,
  event: { type: TimeEntryEventType; actor: EntryActor; before: TimeEntryRow | null; after: TimeEntryRow | null; reason?: string | null },
): Promise<void> {
  const entry = event.after ?? event.before!;
  await tx.insert(timeEntryEvents).values({
    timeEntryId: entry.id,
    incidentNumber: entry.incidentNumber,
    type: event.type,
    actor: `user:${event.actor.userId}`,
    actorName: event.actor.name,
    reason: event.reason ?? null,
    before: event.before ? entrySnapshot(event.before) : null,
    after: event.after ? entrySnapshot(event.after) : null,
  });
}
