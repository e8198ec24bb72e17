// The rest of an incident's life: customer messages, waiting on the customer, priority and
// contract changes, reopening and automatic closing. Same shape as incident.ts: validate, then
// return the new state and its timeline event.
import type { IncidentStatus, Priority } from '../enums.js';
import { IllegalTransition, ValidationError } from '../errors.js';
import {
  defaultAutoCloseDays,
  entitlementSummary,
  eventOf,
  maxNoteLength,
  next,
  refreshSla,
  requireOpen,
  updateClocks,
  type IncidentParties,
  type IncidentState,
  type Transition,
} from './state.js';
import type { CommandContext } from '../kernel.js';
import { nonBlank } from '../text.js';
import { pauseClock, restartClock, resumeClock, startClock } from '../sla.js';
import { withAppliedMail, type MailRef } from './mail.js';

export interface CustomerMessageInput {
  text: string;
  /** Who wrote, e.g. the sender address. */
  from?: string | null;
  channel?: 'email' | 'portal' | 'phone';
  /** An automatic reply (out of office): logged, but it restarts no clock and reopens nothing. */
  automatic?: boolean;
  /** The mail it came in, for the communication log. */
  mail?: MailRef;
  /** Files sent with a portal message (stored in portal_uploads); the timeline names them. */
  attachments?: { id: string; filename: string; sizeBytes: number }[];
}
export interface SetPendingInput {
  reason: string;
}
export type ResumeInput = object;
export interface ChangePriorityInput {
  priority: Priority;
  reason: string;
}
export interface ChangeContractInput {
  contract: IncidentParties['contract'];
  slaPolicyId: string | null;
  sla: IncidentParties['sla'];
  /** The entitlement and project under the new contract (absent in commands from before entitlements). */
  entitlement?: IncidentParties['entitlement'];
  project?: IncidentParties['project'];
  reason: string;
}
export interface ReopenInput {
  reason: string;
}

export { defaultAutoCloseDays } from './state.js';

const reopenedStatus = (state: IncidentState): IncidentStatus => (state.assignee ? 'in_progress' : state.assignedGroup ? 'assigned' : 'new');

/**
 * Waiting on us again: the resolution clock runs, a next-response clock starts if we had
 * answered. While the incident waits for follow-up work (pending_change), resolution stays paused.
 */
function waitingOnUs(state: IncidentState, at: Date): IncidentState {
  const answered = Boolean(state.clocks?.firstResponse?.stoppedAt);
  return updateClocks(state, ['resolution', 'nextResponse'], at, (clock, target) => {
    if (target === 'resolution') return clock && (state.status === 'pending_change' ? clock : restartClock(clock, at));
    if (!answered) return undefined;
    return clock && !clock.stoppedAt ? resumeClock(clock, at) : startClock('nextResponse', at);
  });
}

export function validateCustomerMessage(state: IncidentState, input: CustomerMessageInput): void {
  if (state.status === 'closed') {
    throw new IllegalTransition(`Incident ${state.number} is closed; a new message needs a new incident.`);
  }
  nonBlank(input.text, 'text', 200_000);
  if (input.attachments && input.attachments.length > maxMessageAttachments) throw new ValidationError(`A message takes at most ${maxMessageAttachments} attachments.`, 'attachments');
}

/** Files per portal message. */
export const maxMessageAttachments = 10;

/** A message from the customer (mail or portal): restarts next response, resumes, reopens. */
export function customerMessage(state: IncidentState, input: CustomerMessageInput, ctx: CommandContext): Transition {
  validateCustomerMessage(state, input);
  const text = input.text.trim();
  const base = {
    text,
    from: input.from ?? null,
    channel: input.channel ?? 'email',
    automatic: Boolean(input.automatic),
    ...(input.mail ? { mail: input.mail } : {}),
    // Only when there are any, so the events of earlier messages stay exactly as they were.
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  };
  const applied = withAppliedMail(state, input.mail?.mailId);
  if (input.automatic) {
    const updated = next(state, applied, ctx);
    return { state: updated, event: eventOf(updated, 'customer_message', ctx, { ...base, effect: 'logged' }) };
  }
  const effect = state.status === 'resolved' ? 'reopened' : state.status === 'pending_customer' ? 'resumed' : 'waiting';
  const status = state.status === 'resolved' ? reopenedStatus(state) : state.status === 'pending_customer' ? (state.statusBeforePending ?? 'in_progress') : state.status;
  // Still waiting for follow-up work: the status to go back to stays as it was.
  const changes: Partial<IncidentState> =
    state.status === 'resolved' ? { status, resolvedAt: null, resolution: null } : state.status === 'pending_change' ? { status } : { status, statusBeforePending: null };
  const updated = next(waitingOnUs(state, ctx.at), { ...changes, ...applied }, ctx);
  return { state: updated, event: eventOf(updated, 'customer_message', ctx, { ...base, effect, previousStatus: state.status }) };
}

export function validateSetPending(state: IncidentState, input: SetPendingInput): void {
  if (state.status === 'pending_customer') throw new IllegalTransition(`Incident ${state.number} is already waiting on the customer.`);
  if (state.status === 'pending_change') throw new IllegalTransition(`Incident ${state.number} is waiting for follow-up work; its clocks are paused already.`);
  requireOpen(state, 'set pending');
  nonBlank(input.reason, 'reason', maxNoteLength);
}

/** Waiting on the customer: resolution and next-response clocks pause; first response does not. */
export function setPending(state: IncidentState, input: SetPendingInput, ctx: CommandContext): Transition {
  validateSetPending(state, input);
  const paused = updateClocks(state, ['resolution', 'nextResponse'], ctx.at, (clock) => clock && pauseClock(clock, ctx.at));
  const updated = next(paused, { status: 'pending_customer', statusBeforePending: state.status }, ctx);
  return { state: updated, event: eventOf(updated, 'pending', ctx, { reason: input.reason.trim(), previousStatus: state.status }) };
}

export function validateResume(state: IncidentState): void {
  if (state.status !== 'pending_customer') throw new IllegalTransition(`Incident ${state.number} is not waiting on the customer; it is ${state.status}.`);
}

export function resume(state: IncidentState, _input: ResumeInput, ctx: CommandContext): Transition {
  validateResume(state);
  const resumed = updateClocks(state, ['resolution', 'nextResponse'], ctx.at, (clock) => clock && resumeClock(clock, ctx.at));
  const status = state.statusBeforePending ?? 'in_progress';
  const updated = next(resumed, { status, statusBeforePending: null }, ctx);
  return { state: updated, event: eventOf(updated, 'resumed', ctx, { status }) };
}

export function validateChangePriority(state: IncidentState, input: ChangePriorityInput): void {
  requireOpen(state, 'change the priority of');
  if (input.priority === state.priority) throw new IllegalTransition(`Incident ${state.number} already has priority ${input.priority}.`);
  nonBlank(input.reason, 'reason', maxNoteLength);
}

/** New targets against the original start: business time already elapsed is kept. */
export function changePriority(state: IncidentState, input: ChangePriorityInput, ctx: CommandContext): Transition {
  validateChangePriority(state, input);
  const updated = next(refreshSla({ ...state, priority: input.priority }, ctx.at), {}, ctx);
  return {
    state: updated,
    event: eventOf(updated, 'priority_changed', ctx, { from: state.priority, to: input.priority, reason: input.reason.trim(), due: updated.due }),
  };
}

export function validateChangeContract(state: IncidentState, input: ChangeContractInput): void {
  requireOpen(state, 'change the contract of');
  if ((input.contract?.id ?? null) === (state.contract?.id ?? null)) throw new IllegalTransition(`Incident ${state.number} is already under that contract.`);
  if (input.contract && !input.sla) throw new ValidationError('The new contract has no SLA policy.', 'contractNumber');
  nonBlank(input.reason, 'reason', maxNoteLength);
}

/** Another contract (and so policy and calendar), against the original start. */
export function changeContract(state: IncidentState, input: ChangeContractInput, ctx: CommandContext): Transition {
  validateChangeContract(state, input);
  const swapped: IncidentState = {
    ...state,
    contract: input.contract,
    slaPolicyId: input.slaPolicyId,
    sla: input.sla ?? null,
    ...(input.entitlement !== undefined ? { entitlement: input.entitlement } : {}),
    ...(input.project !== undefined ? { project: input.project } : {}),
    // Clocks carry over; an incident that had none starts them at its original receipt.
    clocks: state.clocks ?? (input.sla ? { firstResponse: startClock('firstResponse', new Date(state.receivedAt)), resolution: startClock('resolution', new Date(state.receivedAt)) } : undefined),
  };
  const refreshed = swapped.sla ? refreshSla(swapped, ctx.at) : { ...swapped, due: { firstResponse: null, nextResponse: null, resolution: null }, nextSlaDeadline: null };
  const updated = next(refreshed, {}, ctx);
  return {
    state: updated,
    event: eventOf(updated, 'contract_changed', ctx, {
      from: state.contract?.number ?? null,
      to: input.contract?.number ?? null,
      policy: input.sla ? `${input.sla.name} v${input.sla.version}` : null,
      ...(input.entitlement ? { entitlement: entitlementSummary(input.entitlement) } : {}),
      reason: input.reason.trim(),
      due: updated.due,
    }),
  };
}

export function validateReopen(state: IncidentState, input: ReopenInput): void {
  if (state.status !== 'resolved') {
    throw new IllegalTransition(`Cannot reopen incident ${state.number}: only a resolved incident can be reopened, it is ${state.status}.`);
  }
  nonBlank(input.reason, 'reason', maxNoteLength);
}

/** Back to work: the resolution clock runs on, the resolved period not counted. */
export function reopen(state: IncidentState, input: ReopenInput, ctx: CommandContext): Transition {
  validateReopen(state, input);
  const restarted = updateClocks(state, ['resolution'], ctx.at, (clock) => clock && restartClock(clock, ctx.at));
  const updated = next(restarted, { status: reopenedStatus(state), resolvedAt: null, resolution: null }, ctx);
  return { state: updated, event: eventOf(updated, 'reopened', ctx, { reason: input.reason.trim() }) };
}

/** When a resolved incident closes by itself, if no customer reply comes first. */
export function autoCloseAt(state: IncidentState): Date | undefined {
  if (state.status !== 'resolved' || !state.resolvedAt) return undefined;
  const days = state.autoCloseDays ?? defaultAutoCloseDays;
  return new Date(Date.parse(state.resolvedAt) + days * 24 * 60 * 60 * 1000);
}

