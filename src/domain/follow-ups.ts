// What every follow-up workflow (service order, change, callback) shares: its record for the
// projection, its timeline events, and the workflow id under its incident. Pure, like all domain code.
import type { FollowUpKind } from './enums.js';
import type { Actor } from './kernel.js';

/** The timeline of a follow-up, numbered from 1 like an incident's. */
export interface FollowUpEvent {
  seq: number;
  type: string;
  actor: Actor;
  at: string;
  payload: Record<string, unknown>;
}

/** The projection row of a follow-up: what lists and the incident view show. */
export interface FollowUpRecord {
  workflowId: string;
  kind: FollowUpKind;
  /** The incident it belongs to; a callback may have none (yet). */
  incidentNumber: string | null;
  customerNumber: string | null;
  title: string;
  /** The kind's own state, e.g. "scheduled" or "awaiting_approval". */
  state: string;
  /** True once the follow-up reached an end state (done, closed, cancelled, rejected, ...). */
  ended: boolean;
  /** Who works it now (technician, change owner, callback agent), if anyone. */
  assigneeId: string | null;
  /** The next instant something is due (appointment, approval deadline, callback window end). */
  dueAt: string | null;
  /** The kind's details (appointment, plans, approvals, outcome, ...), as shown by the API. */
  details: Record<string, unknown>;
  /** Sequence number of the last event: the projection only moves forward. */
  seq: number;
  updatedAt: string;
}

/** A step of a follow-up: the next record and the event that explains it. */
export interface FollowUpStep<R extends FollowUpRecord = FollowUpRecord> {
  record: R;
  event: FollowUpEvent;
}

/** The next record and its event, numbered after the current one. */
export function step<R extends FollowUpRecord>(current: R, changes: Partial<R>, type: string, actor: Actor, at: Date, payload: Record<string, unknown> = {}): FollowUpStep<R> {
  const record = { ...current, ...changes, seq: current.seq + 1, updatedAt: at.toISOString() };
  return { record, event: { seq: record.seq, type, actor, at: at.toISOString(), payload } };
}
