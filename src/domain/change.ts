// The ITIL change (hardware or software) as a pure state machine: requested -> assessed ->
// awaiting approval (normal changes) -> approved -> scheduled -> implemented -> reviewed -> closed,
// or rejected or rolled back. The change workflow applies these; every step is one timeline event.
import { Forbidden, IllegalTransition, ValidationError } from './errors.js';
import { step, type FollowUpRecord, type FollowUpStep } from './follow-ups.js';
import type { Actor, CommandContext } from './kernel.js';
import { instant, nonBlank, oneOf, wholeNumber } from './validation.js';

export const changeKinds = ['hardware_change', 'software_change'] as const;
export type ChangeKind = (typeof changeKinds)[number];
/** Normal changes need their approvers; standard changes are pre-approved routine work. */
export const changeTypes = ['normal', 'standard'] as const;
export type ChangeType = (typeof changeTypes)[number];
export const changeStates = ['requested', 'assessed', 'awaiting_approval', 'approved', 'scheduled', 'implemented', 'reviewed', 'closed', 'rejected', 'rolled_back'] as const;
export type ChangeState = (typeof changeStates)[number];
export const changeRisks = ['low', 'medium', 'high'] as const;
export type ChangeRisk = (typeof changeRisks)[number];
export const hardwareActions = ['add', 'replace', 'retire'] as const;
export type HardwareAction = (typeof hardwareActions)[number];

/** Hours an approver has before the approval escalates to the change manager. */
export const defaultApprovalHours = 24;
const maxListLength = 100;
const maxTextLength = 20_000;

export interface SoftwareSystem {
  name: string;
  /** null for a first installation. */
  fromVersion: string | null;
  toVersion: string;
}
export interface HardwareItem {
  action: HardwareAction;
  serialNumber: string;
  /** The serial number the new asset takes over (only with "replace"). */
  replacesSerialNumber?: string;
  product?: string;
}

export interface AssessChangeInput {
  risk: ChangeRisk;
  impact: string;
  implementationPlan: string;
  rollbackPlan: string;
  /** Software changes: the affected systems and versions. */
  software?: { systems: SoftwareSystem[] };
  /** Hardware changes: the asset serial numbers to add, replace or retire. */
  hardware?: { items: HardwareItem[] };
}
export type ChangeAssessment = AssessChangeInput;

/**
 * One approver's answer. "overridden": the approver never decided, because the change manager
 * decided for the approvers (`overriddenBy`); it is not an approval given.
 */
export type ChangeApproval = { approverId: string; decision: 'approved' | 'rejected' | 'overridden'; comment: string | null; at: string; overriddenBy?: string };
/** The change manager's decision on behalf of the approvers (ITIL: emergency decision), with its mandatory reason. */
export type ChangeOverride = { by: string; decision: 'approved' | 'rejected'; reason: string; at: string; skipped: string[]; afterEscalation: boolean };

// A type, not an interface, so that it fits the projection's `Record<string, unknown>`.
export type ChangeDetails = {
  changeType: ChangeType;
  description: string;
  assessment: ChangeAssessment | null;
  /** User ids of the approvers (configured approvers or CAB members). */
  approvers: string[];
  approvals: ChangeApproval[];
  approvalHours: number;
  approvalDeadline: string | null;
  /** Set once the approval deadline passed and the change manager was called in. */
  escalated: boolean;
  /** User id of the change manager, who may decide for the approvers (an override). */
  changeManager: string;
  /** Set when the change manager decided instead of the approvers; null otherwise (absent in records from before overrides). */
  override?: ChangeOverride | null;
  schedule: { from: string; to: string } | null;
  implementationNotes: string | null;
  review: { outcome: 'successful' | 'failed'; notes: string | null } | null;
  rollbackReason: string | null;
};

export interface ChangeRecord extends FollowUpRecord {
  kind: ChangeKind;
  state: ChangeState;
  details: ChangeDetails;
}
export type ChangeStep = FollowUpStep<ChangeRecord>;

export interface ChangeRequest {
  workflowId: string;
  kind: ChangeKind;
  incidentNumber: string | null;
  customerNumber: string | null;
  title: string;
  description: string;
  changeType: ChangeType;
  approvers: string[];
  changeManagerId: string;
  approvalHours?: number;
  openedBy: Actor;
}

export type DecideChangeInput = { decision: 'approved' | 'rejected'; comment?: string | null };
export type ScheduleChangeInput = { from: string; to: string };
export type ImplementChangeInput = { notes?: string | null };
export type ReviewChangeInput = { outcome: 'successful' | 'failed'; notes?: string | null };
export type RollBackChangeInput = { reason: string };

const optionalText = (value: string | null | undefined, field: string) => (value?.trim() ? nonBlank(value, field, maxTextLength) : null);
function requireState(record: ChangeRecord, allowed: readonly ChangeState[], action: string): void {
  if (!allowed.includes(record.state)) throw new IllegalTransition(`Cannot ${action} change "${record.title}": it is ${record.state}.`);
}

// ---- request ----

export function validateRequest(input: ChangeRequest): void {
  oneOf(input.kind, changeKinds, 'kind');
  oneOf(input.changeType, changeTypes, 'changeType');
  nonBlank(input.title, 'title', 200);
  nonBlank(input.description, 'description', maxTextLength);
  nonBlank(input.changeManagerId, 'changeManagerId', 100);
  const approvers = input.approvers ?? [];
  if (approvers.length > maxListLength) throw new ValidationError(`At most ${maxListLength} approvers.`, 'approvers');
  for (const id of approvers) nonBlank(id, 'approvers', 100);
  if (new Set(approvers).size !== approvers.length) throw new ValidationError('An approver is listed twice.', 'approvers');
  if (input.changeType === 'normal' && approvers.length === 0) throw new ValidationError('A normal change needs at least one approver.', 'approvers');
  wholeNumber(input.approvalHours ?? defaultApprovalHours, 'approvalHours', 1, 24 * 30);
}

export function requestChange(input: ChangeRequest, at: Date): ChangeStep {
  validateRequest(input);
  const record: ChangeRecord = {
    workflowId: input.workflowId,
    kind: input.kind,
    incidentNumber: input.incidentNumber,
    customerNumber: input.customerNumber,
    title: input.title.trim(),
    state: 'requested',
    ended: false,
    assigneeId: input.changeManagerId,
    dueAt: null,
    details: {
      changeType: input.changeType,
      description: input.description.trim(),
      assessment: null,
      approvers: [...input.approvers],
      approvals: [],
      approvalHours: input.approvalHours ?? defaultApprovalHours,
      approvalDeadline: null,
      escalated: false,
      changeManager: input.changeManagerId,
      override: null,
      schedule: null,
      implementationNotes: null,
      review: null,
      rollbackReason: null,
    },
    seq: 0,
    updatedAt: at.toISOString(),
  };
  const { changeType, approvers, changeManager, approvalHours } = record.details;
  return step(record, {}, 'created', input.openedBy, at, { kind: record.kind, title: record.title, changeType, approvers, changeManagerId: changeManager, approvalHours });
}

/** The record with changed details, for `step`. */
const withDetails = (record: ChangeRecord, details: Partial<ChangeDetails>): { details: ChangeDetails } => ({ details: { ...record.details, ...details } });

// ---- assessment ----

function validateSoftware(systems: SoftwareSystem[] | undefined): SoftwareSystem[] {
  if (!Array.isArray(systems) || systems.length === 0) throw new ValidationError('A software change names at least one affected system.', 'software.systems');
  if (systems.length > maxListLength) throw new ValidationError(`At most ${maxListLength} systems.`, 'software.systems');
  return systems.map((s) => ({
    name: nonBlank(s.name, 'software.systems.name', 200),
    fromVersion: s.fromVersion == null ? null : nonBlank(s.fromVersion, 'software.systems.fromVersion', 100),
    toVersion: nonBlank(s.toVersion, 'software.systems.toVersion', 100),
  }));
}

function validateHardware(items: HardwareItem[] | undefined): HardwareItem[] {
  if (!Array.isArray(items) || items.length === 0) throw new ValidationError('A hardware change names at least one asset to add, replace or retire.', 'hardware.items');
  if (items.length > maxListLength) throw new ValidationError(`At most ${maxListLength} items.`, 'hardware.items');
  const cleaned = items.map((item): HardwareItem => {
    const action = oneOf(item.action, hardwareActions, 'hardware.items.action');
    const serialNumber = nonBlank(item.serialNumber, 'hardware.items.serialNumber', 100);
    const product = item.product?.trim() ? nonBlank(item.product, 'hardware.items.product', 200) : undefined;
    if (action !== 'replace') {
      if (item.replacesSerialNumber) throw new ValidationError(`Only a replacement names the serial number it replaces (${serialNumber} is "${action}").`, 'hardware.items.replacesSerialNumber');
      return { action, serialNumber, ...(product ? { product } : {}) };
    }
    if (!item.replacesSerialNumber?.trim()) throw new ValidationError(`Replacement ${serialNumber} must name the serial number it replaces.`, 'hardware.items.replacesSerialNumber');
    const replacesSerialNumber = nonBlank(item.replacesSerialNumber, 'hardware.items.replacesSerialNumber', 100);
    if (replacesSerialNumber === serialNumber) throw new ValidationError(`${serialNumber} cannot replace itself.`, 'hardware.items.replacesSerialNumber');
    return { action, serialNumber, replacesSerialNumber, ...(product ? { product } : {}) };
  });
  const serials = cleaned.flatMap((i) => [i.serialNumber, ...(i.replacesSerialNumber ? [i.replacesSerialNumber] : [])]);
  if (new Set(serials).size !== serials.length) throw new ValidationError('A serial number appears twice in the change.', 'hardware.items.serialNumber');
  return cleaned;
}

function cleanAssessment(kind: ChangeKind, input: AssessChangeInput): ChangeAssessment {
  const base = {
    risk: oneOf(input.risk, changeRisks, 'risk'),
    impact: nonBlank(input.impact, 'impact', maxTextLength),
    implementationPlan: nonBlank(input.implementationPlan, 'implementationPlan', maxTextLength),
    rollbackPlan: nonBlank(input.rollbackPlan, 'rollbackPlan', maxTextLength),
  };
  if (kind === 'software_change') {
    if (input.hardware) throw new ValidationError('A software change has no hardware items.', 'hardware');
    return { ...base, software: { systems: validateSoftware(input.software?.systems) } };
  }
  if (input.software) throw new ValidationError('A hardware change has no software systems.', 'software');
  return { ...base, hardware: { items: validateHardware(input.hardware?.items) } };
}

export function validateAssess(record: ChangeRecord, input: AssessChangeInput): void {
  // A change may be re-assessed until it goes to approval.
  requireState(record, ['requested', 'assessed'], 'assess');
  cleanAssessment(record.kind, input);
}

export function assess(record: ChangeRecord, input: AssessChangeInput, ctx: CommandContext): ChangeStep {
  validateAssess(record, input);
  const assessment = cleanAssessment(record.kind, input);
  return step(record, { state: 'assessed', ...withDetails(record, { assessment }) }, 'assessed', ctx.actor, ctx.at, { ...assessment, reassessed: record.state === 'assessed' });
}

// ---- approval ----

export function validateSubmit(record: ChangeRecord): void {
  requireState(record, ['assessed'], 'submit for approval');
}

/** A normal change waits for its approvers until the deadline; a standard change is pre-approved. */
export function submitForApproval(record: ChangeRecord, ctx: CommandContext): ChangeStep {
  validateSubmit(record);
  if (record.details.changeType === 'standard') {
    return step(record, { state: 'approved' }, 'approved', ctx.actor, ctx.at, { changeType: 'standard', preApproved: true });
  }
  const deadline = new Date(ctx.at.getTime() + record.details.approvalHours * 3_600_000).toISOString();
  return step(record, { state: 'awaiting_approval', dueAt: deadline, ...withDetails(record, { approvalDeadline: deadline }) }, 'approval_requested', ctx.actor, ctx.at, {
    approvers: record.details.approvers,
    deadline,
  });
}

/** The approver id behind an actor ("user:<id>"), if the actor is a user. */
export const userIdOf = (actor: Actor): string | null => (actor.id.startsWith('user:') ? actor.id.slice(5) : null);

/** Approvers who have not decided yet. */
export const outstandingApprovers = (record: ChangeRecord): string[] => record.details.approvers.filter((id) => !record.details.approvals.some((a) => a.approverId === id));

/**
 * Who decides: a named approver decides as an approver (even if also the change manager); the
 * change manager who is not a named approver decides for all approvers (an override); anyone else is refused.
 */
export function deciderRole(record: ChangeRecord, actor: Actor): 'approver' | 'change_manager' | null {
  const userId = userIdOf(actor);
  if (!userId) return null;
  if (record.details.approvers.includes(userId)) return 'approver';
  return userId === record.details.changeManager ? 'change_manager' : null;
}

export function validateDecide(record: ChangeRecord, input: DecideChangeInput, actor: Actor): void {
  requireState(record, ['awaiting_approval'], 'decide on');
  oneOf(input.decision, ['approved', 'rejected'] as const, 'decision');
  if (input.comment != null) optionalText(input.comment, 'comment');
  const role = deciderRole(record, actor);
  if (!role) throw new Forbidden(`${actor.name} is neither an approver nor the change manager of change "${record.title}".`);
  if (role === 'change_manager') {
    if (!input.comment?.trim()) throw new ValidationError('The change manager decides for the approvers only with a reason: give it as comment.', 'comment');
    return;
  }
  if (!outstandingApprovers(record).includes(userIdOf(actor)!)) throw new IllegalTransition(`${actor.name} has already decided on change "${record.title}".`);
  if (input.decision === 'rejected' && !input.comment?.trim()) throw new ValidationError('A rejection needs a comment.', 'comment');
}

/**
 * One approver's decision: the last approval approves the change, any rejection rejects it (and
 * ends it). The change manager's decision (an override) approves or rejects at once; the approvers
 * still outstanding are marked as overridden, not as having approved.
 */
export function decide(record: ChangeRecord, input: DecideChangeInput, ctx: CommandContext): ChangeStep {
  validateDecide(record, input, ctx.actor);
  if (deciderRole(record, ctx.actor) === 'change_manager') return override(record, input, ctx);
  const approval: ChangeApproval = { approverId: userIdOf(ctx.actor)!, decision: input.decision, comment: optionalText(input.comment, 'comment'), at: ctx.at.toISOString() };
  const decided = { ...record, details: { ...record.details, approvals: [...record.details.approvals, approval] } };
  const outstanding = outstandingApprovers(decided);
  const payload = { approverId: approval.approverId, decision: approval.decision, comment: approval.comment, outstanding };
  if (input.decision === 'rejected') return step(decided, { state: 'rejected', ended: true, dueAt: null }, 'rejected', ctx.actor, ctx.at, payload);
  if (outstanding.length === 0) return step(decided, { state: 'approved', dueAt: null }, 'approved', ctx.actor, ctx.at, payload);
  return step(decided, {}, 'approval_recorded', ctx.actor, ctx.at, payload);
}

function override(record: ChangeRecord, input: DecideChangeInput, ctx: CommandContext): ChangeStep {
  const at = ctx.at.toISOString();
  const by = record.details.changeManager;
  const reason = nonBlank(input.comment, 'comment', maxTextLength);
  const skipped = outstandingApprovers(record);
  const decision: ChangeOverride = { by, decision: input.decision, reason, at, skipped, afterEscalation: record.details.escalated };
  const approvals = [...record.details.approvals, ...skipped.map((approverId): ChangeApproval => ({ approverId, decision: 'overridden', comment: null, at, overriddenBy: by }))];
  const changes = { dueAt: null, ...withDetails(record, { approvals, override: decision }) };
  const payload = { override: true, changeManagerId: by, decision: input.decision, reason, skipped, afterEscalation: decision.afterEscalation };
  if (input.decision === 'rejected') return step(record, { state: 'rejected', ended: true, ...changes }, 'rejected', ctx.actor, ctx.at, payload);
  return step(record, { state: 'approved', ...changes }, 'approved', ctx.actor, ctx.at, payload);
}

export function validateEscalate(record: ChangeRecord, at: Date): void {
  requireState(record, ['awaiting_approval'], 'escalate the approval of');
  if (record.details.escalated) throw new IllegalTransition(`The approval of change "${record.title}" has already been escalated.`);
  if (!record.details.approvalDeadline || at.getTime() < Date.parse(record.details.approvalDeadline)) {
    throw new IllegalTransition(`The approval deadline of change "${record.title}" has not passed yet.`);
  }
}

/** The deadline passed with approvals missing: the change manager is called in; approval stays possible. */
export function escalateApproval(record: ChangeRecord, ctx: CommandContext): ChangeStep {
  validateEscalate(record, ctx.at);
  return step(record, withDetails(record, { escalated: true }), 'approval_escalated', ctx.actor, ctx.at, {
    to: record.details.changeManager,
    deadline: record.details.approvalDeadline,
    outstanding: outstandingApprovers(record),
  });
}

// ---- schedule, implementation, review ----

export function validateSchedule(record: ChangeRecord, input: ScheduleChangeInput): void {
  requireState(record, ['approved', 'scheduled'], 'schedule');
  const from = instant(input.from, 'from');
  const to = instant(input.to, 'to');
  if (to <= from) throw new ValidationError('The window must end after it starts.', 'to');
}

/** Schedules (or reschedules) the implementation window. */
export function schedule(record: ChangeRecord, input: ScheduleChangeInput, ctx: CommandContext): ChangeStep {
  validateSchedule(record, input);
  const window = { from: new Date(input.from).toISOString(), to: new Date(input.to).toISOString() };
  return step(record, { state: 'scheduled', dueAt: window.to, ...withDetails(record, { schedule: window }) }, 'scheduled', ctx.actor, ctx.at, {
    ...window,
    previous: record.details.schedule,
  });
}

export function validateImplement(record: ChangeRecord, input: ImplementChangeInput): void {
  requireState(record, ['scheduled'], 'implement');
  optionalText(input.notes, 'notes');
}

export function implement(record: ChangeRecord, input: ImplementChangeInput, ctx: CommandContext): ChangeStep {
  validateImplement(record, input);
  const implementationNotes = optionalText(input.notes, 'notes');
  return step(record, { state: 'implemented', dueAt: null, ...withDetails(record, { implementationNotes }) }, 'implemented', ctx.actor, ctx.at, { notes: implementationNotes });
}

export function validateReview(record: ChangeRecord, input: ReviewChangeInput): void {
  requireState(record, ['implemented'], 'review');
  oneOf(input.outcome, ['successful', 'failed'] as const, 'outcome');
  optionalText(input.notes, 'notes');
  if (input.outcome === 'failed' && !input.notes?.trim()) throw new ValidationError('A failed review needs notes.', 'notes');
}

export function review(record: ChangeRecord, input: ReviewChangeInput, ctx: CommandContext): ChangeStep {
  validateReview(record, input);
  const result = { outcome: input.outcome, notes: optionalText(input.notes, 'notes') };
  return step(record, { state: 'reviewed', ...withDetails(record, { review: result }) }, 'reviewed', ctx.actor, ctx.at, result);
}

export function validateClose(record: ChangeRecord): void {
  requireState(record, ['reviewed'], 'close');
}

export function close(record: ChangeRecord, ctx: CommandContext): ChangeStep {
  validateClose(record);
  return step(record, { state: 'closed', ended: true, dueAt: null }, 'closed', ctx.actor, ctx.at, { outcome: record.details.review?.outcome ?? null });
}

export function validateRollBack(record: ChangeRecord, input: RollBackChangeInput): void {
  requireState(record, ['implemented', 'reviewed'], 'roll back');
  nonBlank(input.reason, 'reason', maxTextLength);
}

/** The implementation is undone following the rollback plan; the change ends. */
export function rollBack(record: ChangeRecord, input: RollBackChangeInput, ctx: CommandContext): ChangeStep {
  validateRollBack(record, input);
  const rollbackReason = input.reason.trim();
  return step(record, { state: 'rolled_back', ended: true, dueAt: null, ...withDetails(record, { rollbackReason }) }, 'rolled_back', ctx.actor, ctx.at, { reason: rollbackReason });
}

// ---- notices ----

/** "hardware change" or "software change", as notices and the Temporal UI say it. */
export const kindName = (record: ChangeRecord) => (record.kind === 'hardware_change' ? 'hardware change' : 'software change');

/**
 * Whom a step's notice goes to, its subject and body, or nothing for steps nobody is told about:
 * the approvers when the approval is requested (a standard change is pre-approved), the approvers
 * skipped by the change manager's decision, and the change manager when the deadline passed.
 */
export function noticeOf(s: ChangeStep): { recipients: string[]; subject: string; body: string } | null {
  const { record, event } = s;
  const { details } = record;
  switch (event.type) {
    case 'approval_requested':
      return {
        recipients: details.approvers.map((id) => `user:${id}`),
        subject: `Approval requested: ${record.title}`,
        body: `Please approve or reject the ${kindName(record)} "${record.title}" by ${details.approvalDeadline}.\n\n${details.description}\n\nRisk: ${details.assessment?.risk ?? '-'}`,
      };
    case 'approved':
    case 'rejected': {
      if (event.payload.override !== true) return null;
      const o = details.override!;
      if (o.skipped.length === 0) return null;
      return {
        recipients: o.skipped.map((id) => `user:${id}`),
        subject: `Change ${o.decision} by the change manager: ${record.title}`,
        body: `The change manager ${event.actor.name} ${o.decision} the ${kindName(record)} "${record.title}" on behalf of the approvers; your decision is no longer needed.\n\nReason: ${o.reason}`,
      };
    }
    case 'approval_escalated': {
      const outstanding = event.payload.outstanding as string[];
      return {
        recipients: [`user:${details.changeManager}`],
        subject: `Approval overdue: ${record.title}`,
        body: `The approval deadline of the ${kindName(record)} "${record.title}" passed. Still missing: ${outstanding.join(', ')}.`,
      };
    }
    default:
      return null;
  }
}
