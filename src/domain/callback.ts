// The callback state machine: a requested call back to a customer within a time window. Pure
// functions from (record, command) to the next record and its timeline event; the callback
// workflow applies them and owns the timers (window start, window end, retry).
//
// The escalation deadline is the window end as given. The callback SLA of the contract tier (in
// business minutes, src/domain/callback-sla.ts) is the caller's concern: the callback service
// computes the window before it starts the workflow and hands the SLA along only to record it.
import type { CallbackSla } from './callback-sla.js';
import { CallbackWindowRefused } from './callback-window.js';
import { IllegalTransition, ValidationError } from './errors.js';
import { step, type FollowUpRecord, type FollowUpStep } from './follow-ups.js';
import type { Actor, CommandContext } from './kernel.js';
import { isIncidentNumber } from './ticket-number.js';
import { instant, nonBlank, oneOf, wholeNumber } from './validation.js';

export const callbackStates = ['requested', 'assigned', 'reminded', 'overdue', 'done', 'cancelled'] as const;
export type CallbackState = (typeof callbackStates)[number];
export const callbackChannels = ['portal', 'mail', 'phone', 'agent'] as const;
export type CallbackChannel = (typeof callbackChannels)[number];
export const callOutcomes = ['reached', 'not_reached', 'voicemail'] as const;
export type CallOutcome = (typeof callOutcomes)[number];
/** Where the number of a request by mail came from: the mail's text, or the contact's number on record. */
export const phoneSources = ['mail', 'contact'] as const;
export type PhoneSource = (typeof phoneSources)[number];

export const defaultMaxAttempts = 3;
export const defaultRetryMinutes = 60;
export const maxWindowDays = 14;
const dayMs = 24 * 60 * 60 * 1000;

export interface CallWindow {
  from: string;
  to: string;
}

export interface CallAttempt {
  at: string;
  outcome: CallOutcome;
  note: string | null;
  by: Actor;
}

// A type alias, not an interface, so it fits FollowUpRecord's `Record<string, unknown>` details.
export type CallbackDetails = {
  /** Normalised: "+" and 6 to 15 digits, no spaces. */
  phone: string;
  topic: string;
  contactName: string;
  window: CallWindow;
  requestedBy: CallbackChannel;
  assignee: { id: string; name: string } | null;
  group: string | null;
  attempts: CallAttempt[];
  maxAttempts: number;
  retryMinutes: number;
  incidentNumber: string | null;
  /** When the next try is due after a not-reached call; null once reminded or when none is due. */
  retryAt: string | null;
  /** Set once: the window-start reminder went out. */
  remindedAt: string | null;
  /** Set once: the window ended without a logged call. */
  overdueAt: string | null;
  /** Done because every attempt went unanswered. */
  unreachable: boolean;
  /** The call asked for an incident and none is attached: whoever started the callback opens one. */
  needsIncident: boolean;
  cancelReason: string | null;
  /** The contact's e-mail, when the caller is a known contact (an incident opened from the call uses it). */
  contactEmail?: string | null;
  /** The callback SLA the window was checked against (set by the service that computed the window). */
  sla?: CallbackSla;
  /** Where the number came from (requests by mail): the mail's text, or the contact's number on record. */
  phoneSource?: PhoneSource;
  /** The contact's number on record, when the mail named another one: the agent sees both and decides. */
  contactPhone?: string;
};

export interface CallbackRecord extends FollowUpRecord {
  kind: 'callback';
  state: CallbackState;
  details: CallbackDetails;
}

export type CallbackStep = FollowUpStep<CallbackRecord>;

export interface CallbackRequest {
  /** `callback-<uuid>`, or `incident-INC-2026-000123/callback-1` under an incident. */
  workflowId: string;
  incidentNumber: string | null;
  customerNumber: string | null;
  phone: string;
  topic: string;
  contactName: string;
  window: CallWindow;
  requestedBy: CallbackChannel;
  maxAttempts?: number;
  retryMinutes?: number;
  /** The caller's e-mail when they are a known contact. */
  contactEmail?: string | null | undefined;
  /** The callback SLA behind the window; recorded on the `created` event (e.g. met by agreement). */
  sla?: CallbackSla | undefined;
  /** Where the number came from (a mail's text, or the contact's record), and the number on record when it differs. */
  phoneSource?: PhoneSource | undefined;
  contactPhone?: string | null | undefined;
}
export interface CallbackAssignInput {
  assigneeId?: string | null;
  assigneeName?: string | null;
  group?: string | null;
}
export interface LogCallInput {
  outcome: CallOutcome;
  note?: string | null;
  /** The customer's matter needs an incident (ignored when one is attached). */
  needsIncident?: boolean;
}
export interface CancelCallbackInput {
  reason: string;
}
export interface AttachToIncidentInput {
  incidentNumber: string;
}

const openStates: readonly CallbackState[] = ['requested', 'assigned', 'reminded', 'overdue'];

export function isOpenCallback(record: CallbackRecord): boolean {
  return openStates.includes(record.state);
}

function requireOpen(record: CallbackRecord, action: string): void {
  if (!isOpenCallback(record)) throw new IllegalTransition(`Cannot ${action} callback ${record.workflowId}: it is ${record.state}.`);
}

/** "+49 221 123 45 67" -> "+492211234567"; anything but "+" and 6 to 15 digits is refused. */
export function normalisePhone(phone: string): string {
  const compact = (phone ?? '').replace(/\s+/g, '');
  if (!/^\+\d{6,15}$/.test(compact)) throw new ValidationError('phone must be "+" followed by 6 to 15 digits (spaces allowed).', 'phone');
  return compact;
}

/**
 * Numbers we never call back, whoever asks and however (API, mail, phone): premium-rate and
 * service ranges, where the call costs per minute or reaches someone else's service. A forged
 * request (a mail with someone else's From) must not make us call them. Country code and the
 * national prefix after it (without the trunk 0), one entry per range.
 */
export const refusedPhoneRanges: readonly { country: string; prefix: string; range: string }[] = [
  { country: '49', prefix: '900', range: 'German premium-rate number (0900)' },
  { country: '49', prefix: '137', range: 'German mass-call number (0137)' },
  { country: '49', prefix: '138', range: 'German mass-call number (0138)' },
  { country: '49', prefix: '180', range: 'German shared-cost service number (0180)' },
  { country: '49', prefix: '118', range: 'German directory enquiry number (118xy)' },
  { country: '49', prefix: '116', range: 'European harmonised service number (116xxx)' },
  { country: '43', prefix: '900', range: 'Austrian premium-rate number (0900)' },
  { country: '43', prefix: '930', range: 'Austrian premium-rate number (0930)' },
  { country: '43', prefix: '939', range: 'Austrian premium-rate number (0939)' },
  { country: '41', prefix: '900', range: 'Swiss premium-rate number (0900)' },
  { country: '41', prefix: '901', range: 'Swiss premium-rate number (0901)' },
  { country: '41', prefix: '906', range: 'Swiss premium-rate number (0906)' },
  { country: '44', prefix: '9', range: 'UK premium-rate number (09)' },
  { country: '33', prefix: '89', range: 'French premium-rate number (089)' },
];

/**
 * A number we may call: normalised (normalisePhone), with a country code (never "+0…", which is
 * "00…" written twice), and in none of the refusedPhoneRanges, also not with a stray trunk 0
 * ("+49 0900 …").
 */
export function requireCallablePhone(phone: string): string {
  const normalised = normalisePhone(phone);
  if (normalised.startsWith('+0')) throw new ValidationError('phone: a country code never starts with 0; write "+49 …", not "+0049 …".', 'phone');
  const refused = refusedPhoneRanges.find(({ country, prefix }) => normalised.startsWith(`+${country}${prefix}`) || normalised.startsWith(`+${country}0${prefix}`));
  if (refused) throw new ValidationError(`phone ${normalised} is a ${refused.range}; premium-rate and service numbers are never called back.`, 'phone');
  return normalised;
}

export function validateRequest(input: CallbackRequest, at: Date): void {
  nonBlank(input.workflowId, 'workflowId', 200);
  requireCallablePhone(input.phone);
  if (input.phoneSource !== undefined) oneOf(input.phoneSource, phoneSources, 'phoneSource');
  if (input.contactPhone != null) normalisePhone(input.contactPhone);
  nonBlank(input.topic, 'topic', 200);
  nonBlank(input.contactName, 'contactName', 200);
  oneOf(input.requestedBy, callbackChannels, 'requestedBy');
  const from = instant(input.window?.from, 'window.from');
  const to = instant(input.window?.to, 'window.to');
  if (from >= to) throw new CallbackWindowRefused('order', 'The window must end after it starts.');
  if (to - from > maxWindowDays * dayMs) throw new CallbackWindowRefused('tooLong', `The window may span at most ${maxWindowDays} days.`);
  if (to <= at.getTime()) throw new CallbackWindowRefused('over', 'The window has already ended.');
  if (input.incidentNumber != null && !isIncidentNumber(input.incidentNumber)) throw new ValidationError('incidentNumber must look like INC-2026-000123.', 'incidentNumber');
  if (input.maxAttempts !== undefined) wholeNumber(input.maxAttempts, 'maxAttempts', 1, 10);
  if (input.retryMinutes !== undefined) wholeNumber(input.retryMinutes, 'retryMinutes', 1, 7 * 24 * 60);
}

export function requestCallback(input: CallbackRequest, ctx: CommandContext): CallbackStep {
  validateRequest(input, ctx.at);
  const topic = input.topic.trim();
  const contactName = input.contactName.trim();
  const window = { from: new Date(input.window.from).toISOString(), to: new Date(input.window.to).toISOString() };
  const details: CallbackDetails = {
    phone: normalisePhone(input.phone),
    topic,
    contactName,
    window,
    requestedBy: input.requestedBy,
    assignee: null,
    group: null,
    attempts: [],
    maxAttempts: input.maxAttempts ?? defaultMaxAttempts,
    retryMinutes: input.retryMinutes ?? defaultRetryMinutes,
    incidentNumber: input.incidentNumber,
    retryAt: null,
    remindedAt: null,
    overdueAt: null,
    unreachable: false,
    needsIncident: false,
    cancelReason: null,
    ...(input.contactEmail ? { contactEmail: input.contactEmail } : {}),
    ...(input.sla ? { sla: input.sla } : {}),
    ...(input.phoneSource ? { phoneSource: input.phoneSource } : {}),
    ...(input.contactPhone ? { contactPhone: normalisePhone(input.contactPhone) } : {}),
  };
  const blank: CallbackRecord = {
    workflowId: input.workflowId,
    kind: 'callback',
    incidentNumber: input.incidentNumber,
    customerNumber: input.customerNumber,
    title: `Callback to ${contactName}: ${topic}`,
    state: 'requested',
    ended: false,
    assigneeId: null,
    dueAt: window.to,
    details,
    seq: 0,
    updatedAt: ctx.at.toISOString(),
  };
  return step(blank, {}, 'created', ctx.actor, ctx.at, {
    phone: details.phone,
    window,
    requestedBy: input.requestedBy,
    incidentNumber: input.incidentNumber,
    ...(input.sla ? { sla: input.sla } : {}),
    ...(details.phoneSource ? { phoneSource: details.phoneSource } : {}),
    ...(details.contactPhone ? { contactPhone: details.contactPhone } : {}),
  });
}

/** The record with changed details (and whatever else changes with them). */
function next(record: CallbackRecord, details: Partial<CallbackDetails>, changes: Partial<CallbackRecord> = {}): Partial<CallbackRecord> {
  return { ...changes, details: { ...record.details, ...details } };
}

export function validateAssign(record: CallbackRecord, input: CallbackAssignInput): void {
  requireOpen(record, 'assign');
  const group = input.group?.trim() || null;
  if (group !== null) nonBlank(group, 'group', 100);
  if (!input.assigneeId && !group) throw new ValidationError('Give an assignee, a group or both.', 'assigneeId');
  if (input.assigneeId) nonBlank(input.assigneeName, 'assigneeName', 200);
  const sameAssignee = !input.assigneeId || input.assigneeId === record.details.assignee?.id;
  const sameGroup = group === null || group === record.details.group;
  if (sameAssignee && sameGroup) throw new IllegalTransition(`Callback ${record.workflowId} is already assigned that way.`);
}

export function assign(record: CallbackRecord, input: CallbackAssignInput, ctx: CommandContext): CallbackStep {
  validateAssign(record, input);
  const assignee = input.assigneeId ? { id: input.assigneeId, name: input.assigneeName!.trim() } : record.details.assignee;
  const group = input.group?.trim() || record.details.group;
  // Reminded and overdue say more than "assigned"; only a fresh request moves on.
  const state = record.state === 'requested' ? 'assigned' : record.state;
  return step(record, next(record, { assignee, group }, { state, assigneeId: assignee?.id ?? null }), 'assigned', ctx.actor, ctx.at, {
    assigneeId: assignee?.id ?? null,
    assigneeName: assignee?.name ?? null,
    group,
    previousAssigneeId: record.details.assignee?.id ?? null,
    previousGroup: record.details.group,
  });
}

export function validateLogCall(record: CallbackRecord, input: LogCallInput): void {
  requireOpen(record, 'log a call on');
  oneOf(input.outcome, callOutcomes, 'outcome');
  if (input.note != null && input.note.trim() !== '') nonBlank(input.note, 'note', 2000);
}

/** Reached or voicemail ends the callback; not reached schedules a retry until the attempts run out. */
export function logCall(record: CallbackRecord, input: LogCallInput, ctx: CommandContext): CallbackStep {
  validateLogCall(record, input);
  const d = record.details;
  const attempt: CallAttempt = { at: ctx.at.toISOString(), outcome: input.outcome, note: input.note?.trim() || null, by: ctx.actor };
  const attempts = [...d.attempts, attempt];
  const retry = input.outcome === 'not_reached' && attempts.length < d.maxAttempts;
  const unreachable = input.outcome === 'not_reached' && !retry;
  const retryAt = retry ? new Date(ctx.at.getTime() + d.retryMinutes * 60_000).toISOString() : null;
  const needsIncident = d.incidentNumber === null && (d.needsIncident || input.needsIncident === true);
  const changes = retry ? { dueAt: retryAt } : { state: 'done' as const, ended: true, dueAt: null };
  return step(record, next(record, { attempts, retryAt, unreachable, needsIncident }, changes), 'call_logged', ctx.actor, ctx.at, {
    attempt: attempts.length,
    outcome: input.outcome,
    note: attempt.note,
    retryAt,
    unreachable,
    done: !retry,
    needsIncident,
  });
}

export function validateCancel(record: CallbackRecord, input: CancelCallbackInput): void {
  requireOpen(record, 'cancel');
  nonBlank(input.reason, 'reason', 1000);
}

export function cancel(record: CallbackRecord, input: CancelCallbackInput, ctx: CommandContext): CallbackStep {
  validateCancel(record, input);
  const reason = input.reason.trim();
  return step(record, next(record, { cancelReason: reason, retryAt: null }, { state: 'cancelled', ended: true, dueAt: null }), 'cancelled', ctx.actor, ctx.at, { reason });
}

export function validateAttach(record: CallbackRecord, input: AttachToIncidentInput): void {
  requireOpen(record, 'attach');
  if (!isIncidentNumber(input.incidentNumber ?? '')) throw new ValidationError('incidentNumber must look like INC-2026-000123.', 'incidentNumber');
  if (record.details.incidentNumber !== null) throw new IllegalTransition(`Callback ${record.workflowId} is already attached to ${record.details.incidentNumber}.`);
}

export function attachToIncident(record: CallbackRecord, input: AttachToIncidentInput, ctx: CommandContext): CallbackStep {
  validateAttach(record, input);
  const { incidentNumber } = input;
  return step(record, next(record, { incidentNumber, needsIncident: false }, { incidentNumber }), 'attached', ctx.actor, ctx.at, { incidentNumber });
}

// System steps, run by the workflow's timers with the system actor.

/** What the workflow waits for next: the window opening, the window closing, or a retry. */
export type CallbackWakeUp = { step: 'remind' | 'overdue' | 'retry'; at: string };

export function nextWakeUp(record: CallbackRecord): CallbackWakeUp | null {
  if (!isOpenCallback(record)) return null;
  const d = record.details;
  const noCall = d.attempts.length === 0;
  const candidates: CallbackWakeUp[] = [
    ...(noCall && d.remindedAt === null ? [{ step: 'remind' as const, at: d.window.from }] : []),
    ...(noCall && d.overdueAt === null ? [{ step: 'overdue' as const, at: d.window.to }] : []),
    ...(d.retryAt !== null ? [{ step: 'retry' as const, at: d.retryAt }] : []),
  ];
  return candidates.sort((a, b) => Date.parse(a.at) - Date.parse(b.at))[0] ?? null;
}

export function validateRemind(record: CallbackRecord, at: Date): void {
  requireOpen(record, 'remind');
  if (record.details.remindedAt !== null) throw new IllegalTransition(`Callback ${record.workflowId} was already reminded for its window.`);
  if (record.details.attempts.length > 0) throw new IllegalTransition(`Callback ${record.workflowId} already has a logged call.`);
  if (at.getTime() < Date.parse(record.details.window.from)) throw new IllegalTransition(`The window of callback ${record.workflowId} has not opened yet.`);
}

/** At the window start, once per window. */
export function remind(record: CallbackRecord, ctx: CommandContext): CallbackStep {
  validateRemind(record, ctx.at);
  const state = record.state === 'overdue' ? 'overdue' : 'reminded';
  return step(record, next(record, { remindedAt: ctx.at.toISOString() }, { state }), 'reminded', ctx.actor, ctx.at, {
    assigneeId: record.details.assignee?.id ?? null,
    group: record.details.group,
    window: record.details.window,
  });
}

export function validateRemindRetry(record: CallbackRecord, at: Date): void {
  requireOpen(record, 'remind');
  const { retryAt } = record.details;
  if (retryAt === null) throw new IllegalTransition(`Callback ${record.workflowId} has no retry due.`);
  if (at.getTime() < Date.parse(retryAt)) throw new IllegalTransition(`The retry of callback ${record.workflowId} is not due before ${retryAt}.`);
}

/** A not-reached call's retry is due: remind once, then wait for the next logged call. */
export function remindRetry(record: CallbackRecord, ctx: CommandContext): CallbackStep {
  validateRemindRetry(record, ctx.at);
  const attempt = record.details.attempts.length + 1;
  return step(record, next(record, { retryAt: null }), 'retry_reminded', ctx.actor, ctx.at, {
    attempt,
    maxAttempts: record.details.maxAttempts,
    assigneeId: record.details.assignee?.id ?? null,
    group: record.details.group,
  });
}

export function validateMarkOverdue(record: CallbackRecord, at: Date): void {
  requireOpen(record, 'mark overdue');
  if (record.details.overdueAt !== null) throw new IllegalTransition(`Callback ${record.workflowId} is already overdue.`);
  if (record.details.attempts.length > 0) throw new IllegalTransition(`Callback ${record.workflowId} has a logged call.`);
  if (at.getTime() < Date.parse(record.details.window.to)) throw new IllegalTransition(`The window of callback ${record.workflowId} is still open.`);
}

/** At the window end without a logged call, once. */
export function markOverdue(record: CallbackRecord, ctx: CommandContext): CallbackStep {
  validateMarkOverdue(record, ctx.at);
  return step(record, next(record, { overdueAt: ctx.at.toISOString() }, { state: 'overdue' }), 'overdue', ctx.actor, ctx.at, {
    window: record.details.window,
    assigneeId: record.details.assignee?.id ?? null,
    group: record.details.group,
  });
}

/** Applies the system step a wake-up stands for. */
export function wakeUpStep(record: CallbackRecord, wakeUp: CallbackWakeUp, ctx: CommandContext): CallbackStep {
  switch (wakeUp.step) {
    case 'remind':
      return remind(record, ctx);
    case 'overdue':
      return markOverdue(record, ctx);
    case 'retry':
      return remindRetry(record, ctx);
  }
}

/**
 * Whom a system step's notice goes to, its subject and body, or nothing for steps nobody is told
 * about. Reminders go to the agent if one is assigned, else to the escalation recipients (a group
 * has no mailbox of its own here); an overdue callback always goes to the escalation recipients.
 */
export function noticeOf(record: CallbackRecord, type: string, escalationRecipients: string[]): { recipients: string[]; subject: string; body: string } | null {
  const { topic, contactName, phone, window, attempts, maxAttempts, assignee } = record.details;
  const agentOrEscalation = assignee ? [`user:${assignee.id}`] : escalationRecipients;
  const call = `Please call ${contactName} at ${phone} about "${topic}" between ${window.from} and ${window.to}.`;
  switch (type) {
    case 'reminded':
      return { recipients: agentOrEscalation, subject: `Callback due now: ${topic}`, body: call };
    case 'retry_reminded':
      return { recipients: agentOrEscalation, subject: `Retry call: ${topic}`, body: `${call} Attempt ${attempts.length + 1} of ${maxAttempts}; the last try did not reach them.` };
    case 'overdue':
      return { recipients: escalationRecipients, subject: `Callback overdue: ${topic}`, body: `The window closed without a logged call. ${call} Assignee: ${assignee?.name ?? 'nobody'}.` };
    default:
      return null;
  }
}
