// The incident state machine: pure functions from (state, command) to (state, event).
// The incident workflow owns one IncidentState and applies these; the API never does.
import type { Channel, ContractTier, Impact, IncidentStatus, Priority, Urgency } from '../enums.js';
import { IllegalTransition, ValidationError } from '../errors.js';
import type { Actor, CommandContext } from '../kernel.js';
import { nonBlank } from '../text.js';
import { incidentSlaPicture, withSlaDue } from './sla.js';
import type { Entitlement } from '../entitlement.js';
import type { FollowUpLink, ParentLink } from './follow-ups.js';
import type { MailIntake } from './mail.js';
import type { BreachCause } from '../breach-causes.js';
import { startClock, stopClock, type SlaClock, type SlaPolicySnapshot, type SlaTarget } from '../sla.js';
/** Days after resolution without a customer reply until the incident closes by itself. */
export const defaultAutoCloseDays = 7;

export interface IncidentParties {
  customer: { id: string; number: string; name: string } | null;
  contact: { id: string | null; email: string; name: string | null } | null;
  asset: { id: string; serialNumber: string } | null;
  contract: { id: string; number: string; tier: ContractTier } | null;
  slaPolicyId: string | null;
  /** The SLA policy with its calendar as of intake; absent on incidents opened before SLAs existed. */
  sla?: SlaPolicySnapshot | null;
  /** The entitlement decision at intake (or the last contract change); absent on incidents from before entitlements. */
  entitlement?: Entitlement | null;
  /** The covering contract's support or maintenance project, which the incident's time is booked to. */
  project?: { id: string; number: string } | null;
}

/** What an incident is about; fixed at intake (priority and parties may change later). */
export interface IncidentFacts extends IncidentParties {
  number: string;
  title: string;
  description: string;
  channel: Channel;
  impact: Impact | null;
  urgency: Urgency | null;
  priority: Priority;
  /** When the request reached us (API call or mailbox); the SLA clock's start. */
  receivedAt: string;
  /** Days after resolution without a customer reply until it closes by itself (default 7). */
  autoCloseDays?: number;
  /** A child ticket's parent: the incident it was split from, told when this one is resolved. */
  parent?: ParentLink | null;
}

/** Everything the workflow needs to open an incident; resolved by intake before the start. */
export interface IncidentIntake extends IncidentFacts {
  openedBy: Actor;
  /** The mail that opened the incident, and whether to acknowledge it. */
  mail?: MailIntake;
  /** Opened without a mail but with a contact to tell (the portal): send the acknowledgement mail. */
  acknowledge?: boolean;
}

export interface IncidentState extends IncidentFacts {
  status: IncidentStatus;
  assignee: { id: string; name: string } | null;
  assignedGroup: string | null;
  resolution: string | null;
  due: { firstResponse: string | null; nextResponse: string | null; resolution: string | null };
  escalationLevel: number;
  /** Sticky: once any target was missed, the incident counts as breached. */
  slaBreached: boolean;
  clocks?: Partial<Record<SlaTarget, SlaClock>>;
  /** The earliest due instant of a running target (the NextSlaDeadline search attribute). */
  nextSlaDeadline?: string | null;
  /** The status to go back to when a pending incident resumes. */
  statusBeforePending?: IncidentStatus | null;
  /** Follow-up work started from the incident (child workflows), in order of creation. */
  followUps?: FollowUpLink[];
  /** The latest mails applied (customer messages, bounces): a repeated delivery is a no-op, also after continue-as-new. */
  appliedMailIds?: string[];
  updatedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  /** Sequence number of the last timeline event. */
  seq: number;
}

export interface IncidentEvent {
  seq: number;
  type:
    | 'created'
    | 'assigned'
    | 'note_added'
    | 'replied'
    | 'customer_message'
    | 'pending'
    | 'resumed'
    | 'priority_changed'
    | 'contract_changed'
    | 'resolved'
    | 'reopened'
    | 'closed'
    | 'escalation_changed'
    /** Customer mail: written to the outbox (mail_queued), accepted by SMTP (mail_sent), an attempt failed or the sending gave up (mail_failed), refused for good or with nowhere to go (mail_undeliverable). */
    | 'mail_queued'
    | 'mail_sent'
    | 'mail_suppressed'
    | 'mail_failed'
    | 'mail_undeliverable'
    | 'delivery_failed'
    | 'follow_up_created'
    | 'follow_up_ended'
    | 'follow_up_detached'
    | 'follow_up_reopened'
    /** A step whose own entry Postgres refused (payload: eventType, reason). */
    | 'recording_failed';
  actor: Actor;
  at: string;
  payload: Record<string, unknown>;
}

export interface Transition {
  state: IncidentState;
  event: IncidentEvent;
}

export interface AssignInput {
  assigneeId?: string | null;
  assigneeName?: string | null;
  group?: string | null;
}
export interface AddNoteInput {
  text: string;
}
export interface ResolveInput {
  resolution: string;
  /** Why the SLA was breached: required from staff when it was (see breach.ts). */
  breachCause?: BreachCause | undefined;
}
export interface ReplyInput {
  text: string;
}

export const openStatuses: readonly IncidentStatus[] = ['new', 'assigned', 'in_progress', 'pending_customer', 'pending_change'];

/** Waiting on the customer or for follow-up work: the statuses that go back to `statusBeforePending`. */
export const isPending = (status: IncidentStatus) => status === 'pending_customer' || status === 'pending_change';

export function isOpen(status: IncidentStatus): boolean {
  return openStatuses.includes(status);
}

export function openIncident(intake: IncidentIntake): Transition {
  const { openedBy, ...fields } = intake;
  const state: IncidentState = {
    ...fields,
    status: 'new',
    assignee: null,
    assignedGroup: null,
    resolution: null,
    due: { firstResponse: null, nextResponse: null, resolution: null },
    escalationLevel: 0,
    slaBreached: false,
    // The clock starts when the request was received; business time begins at the next business instant.
    ...(intake.sla
      ? {
          clocks: {
            firstResponse: startClock('firstResponse', new Date(intake.receivedAt)),
            resolution: startClock('resolution', new Date(intake.receivedAt)),
          },
        }
      : {}),
    updatedAt: intake.receivedAt,
    resolvedAt: null,
    closedAt: null,
    seq: 1,
  };
  const picture = incidentSlaPicture(state, new Date(intake.receivedAt));
  const opened = picture ? withSlaDue(state, picture) : state;
  const event: IncidentEvent = {
    seq: 1,
    type: 'created',
    actor: openedBy,
    at: intake.receivedAt,
    payload: {
      title: intake.title,
      channel: intake.channel,
      priority: intake.priority,
      customerNumber: intake.customer?.number ?? null,
      contactEmail: intake.contact?.email ?? null,
      serialNumber: intake.asset?.serialNumber ?? null,
      contractNumber: intake.contract?.number ?? null,
      slaPolicy: intake.sla ? `${intake.sla.name} v${intake.sla.version}` : null,
      ...(intake.entitlement ? { entitlement: entitlementSummary(intake.entitlement) } : {}),
      due: opened.due,
      ...(intake.mail ? { mail: intake.mail.ref, followUpOf: intake.mail.followUpOf } : {}),
      ...(intake.parent ? { parent: intake.parent.number } : {}),
    },
  };
  return { state: opened, event };
}

/** What the timeline keeps of an entitlement decision. */
export function entitlementSummary(e: Entitlement) {
  return {
    decision: e.decision,
    reason: e.reason,
    contractNumber: e.contract?.number ?? null,
    quotaRemainingMinutes: e.quota?.remainingMinutes ?? null,
  };
}

export function requireOpen(state: IncidentState, action: string): void {
  if (!isOpen(state.status)) {
    throw new IllegalTransition(`Cannot ${action} incident ${state.number}: it is ${state.status}.`);
  }
}

export function next(state: IncidentState, changes: Partial<IncidentState>, ctx: CommandContext): IncidentState {
  return { ...state, ...changes, updatedAt: ctx.at.toISOString(), seq: state.seq + 1 };
}

export function eventOf(state: IncidentState, type: IncidentEvent['type'], ctx: CommandContext, payload: Record<string, unknown>): IncidentEvent {
  return { seq: state.seq, type, actor: ctx.actor, at: ctx.at.toISOString(), payload };
}

export function validateAssign(state: IncidentState, input: AssignInput): void {
  requireOpen(state, 'assign');
  const group = input.group?.trim() || null;
  if (group !== null) nonBlank(group, 'group', 100);
  if (!input.assigneeId && !group) throw new ValidationError('Give an assignee, a group or both.', 'assigneeId');
  if (input.assigneeId && !input.assigneeName) throw new ValidationError('assigneeName is required with assigneeId.', 'assigneeName');
  const sameAssignee = (input.assigneeId ?? null) === (state.assignee?.id ?? null) || !input.assigneeId;
  const sameGroup = group === null || group === state.assignedGroup;
  if (sameAssignee && sameGroup) {
    throw new IllegalTransition(`Incident ${state.number} is already assigned that way.`);
  }
}

export function assign(state: IncidentState, input: AssignInput, ctx: CommandContext): Transition {
  validateAssign(state, input);
  const assignee = input.assigneeId ? { id: input.assigneeId, name: input.assigneeName! } : state.assignee;
  const assignedGroup = input.group?.trim() || state.assignedGroup;
  const status: IncidentStatus = state.status === 'new' ? 'assigned' : state.status;
  // Assigned while waiting (on the customer or for follow-up work): it goes back to "assigned", not "new", on resume.
  const statusBeforePending = isPending(state.status) && state.statusBeforePending === 'new' ? 'assigned' : state.statusBeforePending;
  const updated = next(state, { assignee, assignedGroup, status, ...(statusBeforePending !== undefined ? { statusBeforePending } : {}) }, ctx);
  return {
    state: updated,
    event: eventOf(updated, 'assigned', ctx, {
      assigneeId: assignee?.id ?? null,
      assigneeName: assignee?.name ?? null,
      group: assignedGroup,
      previousAssigneeId: state.assignee?.id ?? null,
      previousGroup: state.assignedGroup,
    }),
  };
}

export const maxNoteLength = 20_000;

export function validateAddNote(state: IncidentState, input: AddNoteInput): void {
  if (state.status === 'closed') throw new IllegalTransition(`Cannot add a note to incident ${state.number}: it is closed.`);
  nonBlank(input.text, 'text', maxNoteLength);
}

export function addNote(state: IncidentState, input: AddNoteInput, ctx: CommandContext): Transition {
  validateAddNote(state, input);
  const updated = next(state, {}, ctx);
  return { state: updated, event: eventOf(updated, 'note_added', ctx, { text: input.text.trim(), internal: true }) };
}

/** Applies `change` to the given SLA clocks (absent ones get `undefined`) and refreshes the due instants. */
export function updateClocks(
  state: IncidentState,
  targets: SlaTarget[],
  at: Date,
  change: (clock: SlaClock | undefined, target: SlaTarget) => SlaClock | undefined,
): IncidentState {
  if (!state.clocks) return state;
  const clocks = { ...state.clocks };
  for (const target of targets) {
    const changed = change(clocks[target], target);
    if (changed) clocks[target] = changed;
  }
  return refreshSla({ ...state, clocks }, at);
}

/** Due instants and deadline recomputed from the clocks, e.g. after a priority or contract change. */
export function refreshSla(state: IncidentState, at: Date): IncidentState {
  const picture = incidentSlaPicture(state, at);
  return picture ? withSlaDue(state, picture) : state;
}

function stopClocks(state: IncidentState, targets: SlaTarget[], at: Date): IncidentState {
  return updateClocks(state, targets, at, (clock) => clock && stopClock(clock, at));
}

export function validateReply(state: IncidentState, input: ReplyInput): void {
  requireOpen(state, 'reply to');
  nonBlank(input.text, 'text', maxNoteLength);
}

/** A public answer to the customer: it meets the first response and the pending next response. */
export function reply(state: IncidentState, input: ReplyInput, ctx: CommandContext): Transition {
  validateReply(state, input);
  const text = input.text.trim();
  const firstReply = state.clocks?.firstResponse ? !state.clocks.firstResponse.stoppedAt : false;
  const status: IncidentStatus = state.status === 'new' || state.status === 'assigned' ? 'in_progress' : state.status;
  // Answered while waiting (on the customer or for follow-up work): being worked on when it resumes.
  const statusBeforePending = isPending(state.status) ? 'in_progress' : state.statusBeforePending;
  const updated = next(stopClocks(state, ['firstResponse', 'nextResponse'], ctx.at), { status, ...(statusBeforePending !== undefined ? { statusBeforePending } : {}) }, ctx);
  return { state: updated, event: eventOf(updated, 'replied', ctx, { text, public: true, firstResponse: firstReply }) };
}

export function validateResolve(state: IncidentState, input: ResolveInput): void {
  requireOpen(state, 'resolve');
  nonBlank(input.resolution, 'resolution', maxNoteLength);
}

export function resolve(state: IncidentState, input: ResolveInput, ctx: CommandContext): Transition {
  validateResolve(state, input);
  const resolution = input.resolution.trim();
  // The resolution notice answers the customer too, so every running clock stops here.
  const stopped = stopClocks(state, ['firstResponse', 'nextResponse', 'resolution'], ctx.at);
  const updated = next(stopped, { status: 'resolved', resolution, resolvedAt: ctx.at.toISOString() }, ctx);
  const breachCause = input.breachCause ? { cause: input.breachCause.cause, ...(input.breachCause.note ? { note: input.breachCause.note.trim() } : {}) } : undefined;
  return { state: updated, event: eventOf(updated, 'resolved', ctx, { resolution, previousStatus: state.status, ...(breachCause ? { breachCause } : {}) }) };
}

export function validateClose(state: IncidentState): void {
  if (state.status !== 'resolved') {
    throw new IllegalTransition(`Cannot close incident ${state.number}: only a resolved incident can be closed, it is ${state.status}.`);
  }
  const open = (state.followUps ?? []).filter((f) => f.status === 'open');
  if (open.length > 0) {
    throw new IllegalTransition(`Cannot close incident ${state.number}: its follow-ups ${open.map((f) => f.ref).join(', ')} are still open; wait for them, cancel them or detach them first.`);
  }
}

export function close(state: IncidentState, ctx: CommandContext, options: { automatic?: boolean } = {}): Transition {
  validateClose(state);
  const updated = next(state, { status: 'closed', closedAt: ctx.at.toISOString() }, ctx);
  return { state: updated, event: eventOf(updated, 'closed', ctx, { automatic: Boolean(options.automatic) }) };
}
