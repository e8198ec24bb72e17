// Follow-up work of an incident (service orders, hardware and software changes, child tickets,
// callbacks): the incident keeps a link per child workflow, may wait for them (status
// pending_change; the clocks pause like pending_customer when the policy says so), hears when
// each ends, and cannot close while one is open and attached.
import { followUpKinds, type FollowUpKind } from '../enums.js';
import { IllegalTransition, ValidationError } from '../errors.js';
import { eventOf, maxNoteLength, next, requireOpen, updateClocks, type IncidentIntake, type IncidentState, type Transition } from './state.js';
import type { CommandContext } from '../kernel.js';
import { nonBlank } from '../text.js';
import { pauseClock, resumeClock } from '../sla.js';
import { isIncidentNumber } from '../ticket-number.js';
import { oneOf } from '../validation.js';
import { followUpRef, followUpWorkflowId, incidentWorkflowId } from '../workflow-ids.js';

/** The follow-up kinds an incident starts as child workflows: all of them. */
export type ChildKind = FollowUpKind;

export type FollowUpOutcome = 'completed' | 'failed' | 'cancelled';

export interface FollowUpLink {
  /** "service-order-1": the reference inside the incident, the last part of the workflow id. */
  ref: string;
  workflowId: string;
  kind: ChildKind;
  title: string;
  /** open until the child ends; detached children no longer hold the incident. */
  status: 'open' | FollowUpOutcome | 'detached';
  /** The incident waits for it (pending_change) until it ends. */
  waitFor: boolean;
  createdAt: string;
  endedAt?: string;
  /** The child's end state in its own words (done, closed, rejected, rolled_back, ...). */
  result?: string;
  /** A child ticket's own incident number (its workflow is `incident-<number>`, so it is addressed like any incident). */
  number?: string;
  /** The client's Idempotency-Key (scoped to the caller) that created it: a retry finds this link. */
  requestKey?: string;
}

/** The incident a child ticket was split from. */
export interface ParentLink {
  number: string;
  workflowId: string;
  /** The parent waits for it (pending_change) until it is resolved. */
  waits?: boolean;
}

export interface CreateFollowUpInput {
  kind: ChildKind;
  title: string;
  /** Wait for it: status pending_change, resolution and next-response clocks pause until it ends. */
  waitFor?: boolean;
  /** A child ticket's number, allocated by intake before the child starts. */
  childNumber?: string;
  /** The caller-scoped Idempotency-Key of the request; the same key again answers with the same link. */
  requestKey?: string;
}

export interface FollowUpEndedInput {
  workflowId: string;
  outcome: FollowUpOutcome;
  /** The child's own end state, e.g. "rolled_back". */
  result: string;
}

/** A child ticket that was resolved is open again (reopened, or the customer wrote). */
export interface FollowUpReopenedInput {
  workflowId: string;
}

export interface DetachFollowUpInput {
  ref: string;
  reason: string;
}

const links = (state: IncidentState) => state.followUps ?? [];
export const hasOpenFollowUps = (state: IncidentState) => links(state).some((f) => f.status === 'open');
const waitingFor = (followUps: FollowUpLink[]) => followUps.some((f) => f.status === 'open' && f.waitFor);

/**
 * The link the next follow-up of `kind` gets: numbered across all kinds of the incident. A child
 * ticket is a full incident, so its workflow id is its own number's, not one under the parent.
 */
export function nextFollowUpLink(state: IncidentState, input: CreateFollowUpInput, at: Date): FollowUpLink {
  const n = links(state).length + 1;
  const childTicket = input.kind === 'child_ticket' && input.childNumber ? { number: input.childNumber } : {};
  const workflowId = childTicket.number ? incidentWorkflowId(childTicket.number) : followUpWorkflowId(incidentWorkflowId(state.number), input.kind, n);
  const requestKey = input.requestKey ? { requestKey: input.requestKey } : {};
  return { ref: followUpRef(input.kind, n), workflowId, kind: input.kind, title: input.title.trim(), status: 'open', waitFor: Boolean(input.waitFor), createdAt: at.toISOString(), ...childTicket, ...requestKey };
}

/** The link a request made before: the same child ticket, or the same Idempotency-Key (kept in the state, so also after continue-as-new). */
export function earlierLink(state: IncidentState, input: CreateFollowUpInput): FollowUpLink | undefined {
  if (input.kind === 'child_ticket' && input.childNumber) {
    const linked = links(state).find((f) => f.kind === 'child_ticket' && f.number === input.childNumber);
    if (linked) return linked;
  }
  return input.requestKey ? links(state).find((f) => f.requestKey === input.requestKey) : undefined;
}

/**
 * A repeated request answered with the state that has its link; the same key used for another
 * request (another kind or title) is refused instead of answered with the wrong follow-up.
 */
export function repeatOf(state: IncidentState, input: CreateFollowUpInput): IncidentState {
  const link = earlierLink(state, input);
  if (link && (link.kind !== input.kind || link.title !== input.title.trim())) {
    throw new IllegalTransition(`This Idempotency-Key was used for another request: ${link.ref} "${link.title}". Use a new key for a new follow-up.`);
  }
  return state;
}

export function validateCreateFollowUp(state: IncidentState, input: CreateFollowUpInput): void {
  validateNewFollowUp(state, input);
  if (input.kind === 'child_ticket') {
    if (!isIncidentNumber(input.childNumber ?? '')) throw new ValidationError('A child ticket needs its own incident number.', 'childNumber');
    if (input.childNumber === state.number) throw new ValidationError('An incident cannot be its own child ticket.', 'childNumber');
  }
}

/** Whether the incident takes follow-up work of this kind now; the API asks before it allocates a child ticket's number. */
export function validateNewFollowUp(state: IncidentState, input: Omit<CreateFollowUpInput, 'childNumber'>): void {
  requireOpen(state, 'start follow-up work on');
  oneOf(input.kind, followUpKinds, 'kind');
  nonBlank(input.title, 'title', 200);
  if (input.requestKey !== undefined) nonBlank(input.requestKey, 'requestKey', 400);
  if (input.waitFor && state.status === 'pending_customer') {
    throw new IllegalTransition(`Incident ${state.number} is waiting on the customer; resume it before it waits for follow-up work.`);
  }
  if (links(state).length >= 50) throw new IllegalTransition(`Incident ${state.number} has 50 follow-ups already; open a new incident.`);
}

/** A child ticket's intake must be the one the API recorded for it: its number, this incident as parent, the same customer. */
export function validateChildTicketIntake(state: IncidentState, ownWorkflowId: string, childNumber: string, intake: IncidentIntake | undefined): void {
  if (!intake || intake.number !== childNumber) throw new ValidationError(`The intake of child ticket ${childNumber} is missing.`, 'child');
  if (intake.parent?.number !== state.number || intake.parent.workflowId !== ownWorkflowId) throw new ValidationError(`Child ticket ${childNumber} names another parent.`, 'child');
  if ((intake.customer?.id ?? null) !== (state.customer?.id ?? null)) throw new ValidationError(`Child ticket ${childNumber} is for another customer than ${state.number}.`, 'child');
}

/** Whether waiting for follow-up work pauses the clocks: the policy says so (default yes). */
export const pausesForFollowUps = (state: IncidentState) => state.sla?.pauseOnPendingChange !== false;

/** Records the link of a child the workflow starts; waiting for it pauses the clocks like pending_customer (when the policy says so). */
export function createFollowUp(state: IncidentState, input: CreateFollowUpInput, ctx: CommandContext): Transition {
  validateCreateFollowUp(state, input);
  const link = nextFollowUpLink(state, input, ctx.at);
  const startsWaiting = link.waitFor && state.status !== 'pending_change';
  const paused = startsWaiting && pausesForFollowUps(state) ? updateClocks(state, ['resolution', 'nextResponse'], ctx.at, (clock) => clock && pauseClock(clock, ctx.at)) : state;
  const updated = next(paused, { followUps: [...links(state), link], ...(startsWaiting ? { status: 'pending_change' as const, statusBeforePending: state.status } : {}) }, ctx);
  return {
    state: updated,
    event: eventOf(updated, 'follow_up_created', ctx, {
      ref: link.ref,
      workflowId: link.workflowId,
      kind: link.kind,
      title: link.title,
      waitFor: link.waitFor,
      ...(link.number ? { number: link.number } : {}),
      ...(startsWaiting ? { clocksPaused: pausesForFollowUps(state) } : {}),
    }),
  };
}

/** How a child ended that could not report it itself. */
export type ChildFailure = 'failed' | 'terminated' | 'timed_out' | 'cancelled';

/** The end of a child that failed, timed out, was terminated or cancelled, as its incident records it. */
export function failedChild(workflowId: string, how: ChildFailure): FollowUpEndedInput {
  return { workflowId, outcome: how === 'cancelled' ? 'cancelled' : 'failed', result: how };
}

/** A repeated report of an end (a retried signal) changes nothing. */
export const isEndedAlready = (state: IncidentState, input: FollowUpEndedInput) => links(state).find((f) => f.workflowId === input.workflowId)?.status !== 'open';

export function validateFollowUpEnded(state: IncidentState, input: FollowUpEndedInput): void {
  const link = links(state).find((f) => f.workflowId === input.workflowId);
  if (!link) throw new ValidationError(`Incident ${state.number} has no follow-up ${input.workflowId}.`, 'workflowId');
  if (link.status !== 'open') throw new IllegalTransition(`Follow-up ${link.ref} of ${state.number} has ended already (${link.status}).`);
}

/** A child ended; when the incident waited for nothing else, it resumes and its clocks run again. */
export function followUpEnded(state: IncidentState, input: FollowUpEndedInput, ctx: CommandContext): Transition {
  validateFollowUpEnded(state, input);
  const followUps = links(state).map((f): FollowUpLink => (f.workflowId === input.workflowId ? { ...f, status: input.outcome, endedAt: ctx.at.toISOString(), result: input.result } : f));
  const link = followUps.find((f) => f.workflowId === input.workflowId)!;
  return settle(state, followUps, ctx, 'follow_up_ended', { ref: link.ref, workflowId: link.workflowId, kind: link.kind, outcome: input.outcome, result: input.result });
}

/** Only a link that ended as completed opens again; a detached or unknown one, or a repeat, changes nothing. */
export const isReopenIgnored = (state: IncidentState, input: FollowUpReopenedInput) => links(state).find((f) => f.workflowId === input.workflowId)?.status !== 'completed';

/**
 * A child ticket is open again: its link is open again, so the incident cannot close before it
 * is resolved anew. The incident does not go back to waiting by itself; an agent decides that.
 */
export function followUpReopened(state: IncidentState, input: FollowUpReopenedInput, ctx: CommandContext): Transition {
  if (isReopenIgnored(state, input)) throw new IllegalTransition(`Incident ${state.number} has no completed follow-up ${input.workflowId}.`);
  const followUps = links(state).map((f): FollowUpLink => {
    if (f.workflowId !== input.workflowId) return f;
    const { endedAt: _endedAt, result: _result, ...open } = f;
    return { ...open, status: 'open' };
  });
  const link = followUps.find((f) => f.workflowId === input.workflowId)!;
  const updated = next(state, { followUps }, ctx);
  return { state: updated, event: eventOf(updated, 'follow_up_reopened', ctx, { ref: link.ref, workflowId: link.workflowId, kind: link.kind, ...(link.number ? { number: link.number } : {}) }) };
}

export function validateDetachFollowUp(state: IncidentState, input: DetachFollowUpInput): void {
  const link = links(state).find((f) => f.ref === input.ref);
  if (!link) throw new ValidationError(`Incident ${state.number} has no follow-up ${input.ref}.`, 'ref');
  if (link.status !== 'open') throw new IllegalTransition(`Follow-up ${link.ref} of ${state.number} has ended already (${link.status}).`);
  nonBlank(input.reason, 'reason', maxNoteLength);
}

/** Lets a child run on without the incident: it no longer holds the close or the waiting. */
export function detachFollowUp(state: IncidentState, input: DetachFollowUpInput, ctx: CommandContext): Transition {
  validateDetachFollowUp(state, input);
  const followUps = links(state).map((f): FollowUpLink => (f.ref === input.ref ? { ...f, status: 'detached', endedAt: ctx.at.toISOString() } : f));
  const link = followUps.find((f) => f.ref === input.ref)!;
  return settle(state, followUps, ctx, 'follow_up_detached', { ref: link.ref, workflowId: link.workflowId, reason: input.reason.trim() });
}

/** The links after a change; a pending_change incident that waits for nothing more resumes. */
function settle(state: IncidentState, followUps: FollowUpLink[], ctx: CommandContext, type: 'follow_up_ended' | 'follow_up_detached', payload: Record<string, unknown>): Transition {
  const resumes = state.status === 'pending_change' && !waitingFor(followUps);
  const resumed = resumes ? updateClocks(state, ['resolution', 'nextResponse'], ctx.at, (clock) => clock && resumeClock(clock, ctx.at)) : state;
  const status = resumes ? (state.statusBeforePending ?? 'in_progress') : state.status;
  const updated = next(resumed, { followUps, status, ...(resumes ? { statusBeforePending: null } : {}) }, ctx);
  return { state: updated, event: eventOf(updated, type, ctx, { ...payload, ...(resumes ? { resumed: status } : {}) }) };
}

/** How a child's end state reads for its incident: done or closed is completed, unless its review failed. */
export function childOutcome(record: { state: string; details: Record<string, unknown> }): FollowUpOutcome {
  if (record.state === 'cancelled' || record.state === 'rejected') return 'cancelled';
  if (record.state === 'rolled_back') return 'failed';
  const review = record.details.review as { outcome?: string } | null | undefined;
  return review?.outcome === 'failed' ? 'failed' : 'completed';
}

/** What a child ticket's parent hears after one of the child's steps. */
export type ParentNotice = { ended: FollowUpEndedInput } | { reopened: FollowUpReopenedInput };

/** A child ticket's parent hears when it is resolved (its work is done) and when it is open again; other steps it does not hear. */
export function parentNoticeOf(t: Transition, ownWorkflowId: string): ParentNotice | null {
  if (!t.state.parent) return null;
  if (t.event.type === 'resolved') return { ended: { workflowId: ownWorkflowId, outcome: 'completed', result: 'resolved' } };
  if (t.event.type === 'reopened' || t.event.payload.effect === 'reopened') return { reopened: { workflowId: ownWorkflowId } };
  return null;
}
