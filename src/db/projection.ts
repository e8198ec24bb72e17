// The incident projection's row shape, derived from the workflow's state.
import type { IncidentState } from '../domain/incident/state.js';
import type { incidents } from './schema/index.js';

const date = (iso: string | null) => (iso === null ? null : new Date(iso));

export function projectionRow(s: IncidentState): typeof incidents.$inferInsert {
  return {
    number: s.number,
    customerId: s.customer?.id ?? null,
    customerNumber: s.customer?.number ?? null,
    contactId: s.contact?.id ?? null,
    contactEmail: s.contact?.email ?? null,
    assetId: s.asset?.id ?? null,
    serialNumber: s.asset?.serialNumber ?? null,
    contractId: s.contract?.id ?? null,
    contractTier: s.contract?.tier ?? null,
    slaPolicyId: s.slaPolicyId,
    projectId: s.project?.id ?? null,
    entitlementDecision: s.entitlement?.decision ?? null,
    entitlement: s.entitlement ?? null,
    title: s.title,
    description: s.description,
    channel: s.channel,
    impact: s.impact,
    urgency: s.urgency,
    priority: s.priority,
    status: s.status,
    assigneeId: s.assignee?.id ?? null,
    assigneeName: s.assignee?.name ?? null,
    assignedGroup: s.assignedGroup,
    resolution: s.resolution,
    firstResponseDueAt: date(s.due.firstResponse),
    nextResponseDueAt: date(s.due.nextResponse),
    resolutionDueAt: date(s.due.resolution),
    slaPolicy: s.sla ?? null,
    slaClocks: s.clocks ?? null,
    escalationLevel: s.escalationLevel,
    slaBreached: s.slaBreached,
    receivedAt: new Date(s.receivedAt),
    updatedAt: new Date(s.updatedAt),
    resolvedAt: date(s.resolvedAt),
    closedAt: date(s.closedAt),
    version: s.seq,
    parentNumber: s.parent?.number ?? null,
    followUps: s.followUps ?? [],
  };
}
