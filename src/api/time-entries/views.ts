// Time entries, material entries and their audit rows as the API shows them.
import type { MaterialEntryRow, TimeEntryEventRow, TimeEntryRow } from '../../services/time-entries/index.js';

export function timeEntryView(e: TimeEntryRow) {
  return {
    id: e.id,
    incidentNumber: e.incidentNumber,
    customerId: e.customerId,
    contractId: e.contractId,
    projectId: e.projectId,
    agentId: e.agentId,
    workDate: e.workDate,
    minutes: e.minutes,
    activityType: e.activityType,
    description: e.description,
    decision: e.decision,
    billable: e.billableMinutes > 0,
    quotaMinutes: e.quotaMinutes,
    quotaPeriodStart: e.quotaPeriodStart,
    billableMinutes: e.billableMinutes,
    rateCents: e.rateCents,
    amountCents: e.amountCents,
    billingReason: e.billingReason,
    billableOverride: e.billableOverride,
    overrideReason: e.overrideReason,
    overrideBy: e.overrideBy,
    invoicedAt: e.invoicedAt?.toISOString() ?? null,
    followUp: e.followUpWorkflowId !== null && e.followUpLineNo !== null ? { workflowId: e.followUpWorkflowId, lineNo: e.followUpLineNo } : null,
    createdBy: e.createdBy,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
    deletedAt: e.deletedAt?.toISOString() ?? null,
  };
}

/** A material entry as the incident's list shows it; `/api/material-entries/{id}` adds its corrections. */
export function materialView(m: MaterialEntryRow) {
  return {
    id: m.id,
    incidentNumber: m.incidentNumber,
    customerId: m.customerId,
    contractId: m.contractId,
    projectId: m.projectId,
    workDate: m.workDate,
    followUp: { workflowId: m.followUpWorkflowId, lineNo: m.lineNo },
    articleNumber: m.articleNumber,
    description: m.description,
    quantity: m.quantity,
    unitPriceCents: m.unitPriceCents,
    amountCents: m.amountCents,
    billable: m.billable,
    invoicedAt: m.invoicedAt?.toISOString() ?? null,
    createdBy: m.createdBy,
    createdAt: m.createdAt.toISOString(),
  };
}

/** An audit row of a time or material entry. */
export const eventView = <E extends Pick<TimeEntryEventRow, 'id' | 'actor' | 'actorName' | 'occurredAt'> & { type: string; reason: string | null; before: unknown; after: unknown }>(
  e: E,
): Pick<E, 'id' | 'type' | 'actor' | 'actorName' | 'reason' | 'before' | 'after'> & { occurredAt: string } => ({
  id: e.id,
  type: e.type,
  actor: e.actor,
  actorName: e.actorName,
  reason: e.reason,
  before: e.before,
  after: e.after,
  occurredAt: e.occurredAt.toISOString(),
});
