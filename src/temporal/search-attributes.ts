// The custom search attributes of the design. Pure (only @temporalio/common), so workflow
// code, the client, the dev-server launcher and docker-compose's test all share this list.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair, type SearchAttributeUpdatePair } from '@temporalio/common';
import type { FollowUpRecord } from '../domain/follow-ups.js';
import type { IncidentState } from '../domain/incident/state.js';

export const CustomerNumber = defineSearchAttributeKey('CustomerNumber', SearchAttributeType.KEYWORD);
export const ContractTier = defineSearchAttributeKey('ContractTier', SearchAttributeType.KEYWORD);
export const IncidentPriority = defineSearchAttributeKey('IncidentPriority', SearchAttributeType.KEYWORD);
export const IncidentStatus = defineSearchAttributeKey('IncidentStatus', SearchAttributeType.KEYWORD);
export const EscalationLevel = defineSearchAttributeKey('EscalationLevel', SearchAttributeType.INT);
export const SlaBreached = defineSearchAttributeKey('SlaBreached', SearchAttributeType.BOOL);
export const AssignedGroup = defineSearchAttributeKey('AssignedGroup', SearchAttributeType.KEYWORD);
export const NextSlaDeadline = defineSearchAttributeKey('NextSlaDeadline', SearchAttributeType.DATETIME);
export const FollowUpKind = defineSearchAttributeKey('FollowUpKind', SearchAttributeType.KEYWORD);
export const ChangeState = defineSearchAttributeKey('ChangeState', SearchAttributeType.KEYWORD);
export const ServiceOrderState = defineSearchAttributeKey('ServiceOrderState', SearchAttributeType.KEYWORD);

/** Names and CLI type names, as `temporal server start-dev --search-attribute Name=Type` wants them. */
export const searchAttributeDefinitions = [
  { name: 'CustomerNumber', type: 'Keyword' },
  { name: 'ContractTier', type: 'Keyword' },
  { name: 'IncidentPriority', type: 'Keyword' },
  { name: 'IncidentStatus', type: 'Keyword' },
  { name: 'EscalationLevel', type: 'Int' },
  { name: 'SlaBreached', type: 'Bool' },
  { name: 'AssignedGroup', type: 'Keyword' },
  { name: 'NextSlaDeadline', type: 'Datetime' },
  { name: 'FollowUpKind', type: 'Keyword' },
  { name: 'ChangeState', type: 'Keyword' },
  { name: 'ServiceOrderState', type: 'Keyword' },
] as const satisfies ReadonlyArray<{ name: string; type: 'Keyword' | 'Int' | 'Bool' | 'Datetime' }>;

/** The search attributes that mirror an incident's state in the Temporal UI and visibility queries. */
export function incidentSearchAttributes(state: IncidentState): SearchAttributeUpdatePair[] {
  return [
    { key: CustomerNumber, value: state.customer?.number ?? null },
    { key: ContractTier, value: state.contract?.tier ?? null },
    { key: IncidentPriority, value: state.priority },
    { key: IncidentStatus, value: state.status },
    { key: EscalationLevel, value: state.escalationLevel },
    { key: SlaBreached, value: state.slaBreached },
    { key: AssignedGroup, value: state.assignedGroup },
    { key: NextSlaDeadline, value: state.nextSlaDeadline ? new Date(state.nextSlaDeadline) : null },
    // A child ticket is follow-up work of its parent too (only then, so older histories replay unchanged).
    ...(state.parent ? [{ key: FollowUpKind, value: 'child_ticket' }] : []),
  ];
}

/** The search attributes of a follow-up workflow: its kind, customer, and state under the kind's own name. */
export function followUpSearchAttributes(record: Pick<FollowUpRecord, 'kind' | 'customerNumber' | 'state'>): SearchAttributeUpdatePair[] {
  const state = record.kind === 'service_order' ? [{ key: ServiceOrderState, value: record.state }] : record.kind.endsWith('_change') ? [{ key: ChangeState, value: record.state }] : [];
  return [{ key: FollowUpKind, value: record.kind }, { key: CustomerNumber, value: record.customerNumber }, ...state];
}

/** The same attributes for a workflow start, which takes only set values. */
export function incidentStartSearchAttributes(state: IncidentState): SearchAttributePair[] {
  return incidentSearchAttributes(state).filter((p): p is SearchAttributePair => p.value !== null);
}
