// JSON views of incidents, from the projection row or the workflow's live state.
import { projectionRow } from '../../db/projection.js';
import type { IncidentState } from '../../domain/incident.js';
import type { IncidentRow } from '../../services/incident-queries.js';
import type { Incident } from './schemas.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function incidentView(row: IncidentRow): Incident {
  return {
    number: row.number,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    impact: row.impact,
    urgency: row.urgency,
    channel: row.channel,
    customerNumber: row.customerNumber,
    contactEmail: row.contactEmail,
    serialNumber: row.serialNumber,
    contractTier: row.contractTier,
    assignee: row.assigneeId && row.assigneeName ? { id: row.assigneeId, name: row.assigneeName } : null,
    assignedGroup: row.assignedGroup,
    resolution: row.resolution,
    due: {
      firstResponse: iso(row.firstResponseDueAt),
      nextResponse: iso(row.nextResponseDueAt),
      resolution: iso(row.resolutionDueAt),
    },
    escalationLevel: row.escalationLevel,
    slaBreached: row.slaBreached,
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
  };
}

export function incidentViewOfState(state: IncidentState): Incident {
  const row = projectionRow(state);
  return incidentView({ ...row, escalationLevel: state.escalationLevel, slaBreached: state.slaBreached } as IncidentRow);
}
