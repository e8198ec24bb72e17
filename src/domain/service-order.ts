// The service order (on-site or workshop work) as a pure state machine:
// planned -> scheduled (technician, appointment window) -> in_progress -> done, or cancelled from any open state.
// The service-order workflow owns one record and applies these; reminders and overdue marks are system steps.
import { activityTypes, type ActivityType } from './enums.js';
import { isCalendarDay } from './calendar-dates.js';
import { IllegalTransition, ValidationError } from './errors.js';
import { step, type FollowUpRecord, type FollowUpStep } from './follow-ups.js';
import { systemActor, type Actor, type CommandContext } from './kernel.js';
import { instant, nonBlank, oneOf, wholeNumber } from './validation.js';

export const serviceOrderStates = ['planned', 'scheduled', 'in_progress', 'done', 'cancelled'] as const;
export type ServiceOrderState = (typeof serviceOrderStates)[number];

export const serviceOrderLocations = ['onsite', 'workshop'] as const;
export type ServiceOrderLocation = (typeof serviceOrderLocations)[number];

export interface Technician {
  /** The user id (without the "user:" prefix), as for an incident's assignee. */
  id: string;
  name: string;
}

/** ISO instants; work must start before `to`, or the order is overdue. */
export interface AppointmentWindow {
  from: string;
  to: string;
}

export interface WorkTimeEntry {
  minutes: number;
  activityType: ActivityType;
  description: string;
  /** The day the work was done, "YYYY-MM-DD". */
  workDate: string;
}

export interface UsedMaterial {
  articleNumber: string;
  description: string;
  /** Whole pieces, at least one. */
  quantity: number;
  /** Net price per piece in cents. */
  unitPriceCents: number;
}

export interface WorkReport {
  summary: string;
  timeEntries: WorkTimeEntry[];
  materials: UsedMaterial[];
  /** Sum of quantity × unit price, in cents. */
  materialTotalCents: number;
}

// A type, not an interface, so it fits FollowUpRecord's `Record<string, unknown>` details.
export type ServiceOrderDetails = {
  location: ServiceOrderLocation;
  description: string;
  technician: Technician | null;
  appointment: AppointmentWindow | null;
  /** The technician has been reminded of the current appointment. */
  reminded: boolean;
  /** The current appointment window passed without a start. */
  overdue: boolean;
  startedAt: string | null;
  startedBy: Actor | null;
  workReport: WorkReport | null;
  cancelReason: string | null;
};

export interface ServiceOrderRecord extends FollowUpRecord {
  kind: 'service_order';
  state: ServiceOrderState;
  details: ServiceOrderDetails;
}

export type ServiceOrderStep = FollowUpStep<ServiceOrderRecord>;

export interface PlanServiceOrderInput {
  workflowId: string;
  incidentNumber: string | null;
  customerNumber: string | null;
  title: string;
  location: ServiceOrderLocation;
  description: string;
  openedBy: Actor;
  at: Date;
}

export interface ScheduleInput {
  technician: Technician;
  appointment: AppointmentWindow;
}
export type StartInput = object;
export interface CompleteInput {
  summary: string;
  timeEntries?: WorkTimeEntry[];
  materials?: UsedMaterial[];
}
export interface CancelInput {
  reason: string;
}

export const maxTextLength = 20_000;
export const maxReportLines = 200;
const maxEntryMinutes = 1440;

const ended = (state: ServiceOrderState) => state === 'done' || state === 'cancelled';

function requireState(record: ServiceOrderRecord, allowed: readonly ServiceOrderState[], action: string): void {
  if (!allowed.includes(record.state)) {
    throw new IllegalTransition(`Cannot ${action} service order ${record.workflowId}: it is ${record.state}.`);
  }
}

export function validatePlan(input: PlanServiceOrderInput): void {
  nonBlank(input.workflowId, 'workflowId', 200);
  nonBlank(input.title, 'title', 200);
  nonBlank(input.description, 'description', maxTextLength);
  if (!serviceOrderLocations.includes(input.location)) throw new ValidationError('location must be onsite or workshop.', 'location');
}

/** The new order and its "created" event (seq 1). */
export function planServiceOrder(input: PlanServiceOrderInput): ServiceOrderStep {
  validatePlan(input);
  const at = input.at.toISOString();
  const initial: ServiceOrderRecord = {
    workflowId: input.workflowId,
    kind: 'service_order',
    incidentNumber: input.incidentNumber,
    customerNumber: input.customerNumber,
    title: input.title.trim(),
    state: 'planned',
    ended: false,
    assigneeId: null,
    dueAt: null,
    details: {
      location: input.location,
      description: input.description.trim(),
      technician: null,
      appointment: null,
      reminded: false,
      overdue: false,
      startedAt: null,
      startedBy: null,
      workReport: null,
      cancelReason: null,
    },
    seq: 0,
    updatedAt: at,
  };
  return step(initial, {}, 'created', input.openedBy, input.at, { location: input.location, incidentNumber: input.incidentNumber, title: initial.title });
}

const withDetails = (record: ServiceOrderRecord, changes: Partial<ServiceOrderDetails>): ServiceOrderDetails => ({ ...record.details, ...changes });

/** Scheduling a planned order, or rescheduling a scheduled one; the window must end in the future. */
export function validateSchedule(record: ServiceOrderRecord, input: ScheduleInput, at: Date): void {
  requireState(record, ['planned', 'scheduled'], 'schedule');
  nonBlank(input.technician?.id, 'technician.id', 100);
  nonBlank(input.technician?.name, 'technician.name', 200);
  const from = instant(input.appointment?.from, 'appointment.from');
  const to = instant(input.appointment?.to, 'appointment.to');
  if (from >= to) throw new ValidationError('The appointment must end after it begins.', 'appointment.to');
  if (to <= at.getTime()) throw new ValidationError('The appointment window has already passed.', 'appointment.to');
  const current = record.details;
  if (
    record.state === 'scheduled' &&
    current.technician?.id === input.technician.id.trim() &&
    current.appointment &&
    Date.parse(current.appointment.from) === from &&
    Date.parse(current.appointment.to) === to
  ) {
    throw new IllegalTransition(`Service order ${record.workflowId} is already scheduled that way.`);
  }
}

/** A new window re-arms the reminder and clears an overdue mark. */
export function schedule(record: ServiceOrderRecord, input: ScheduleInput, ctx: CommandContext): ServiceOrderStep {
  validateSchedule(record, input, ctx.at);
  const technician = { id: input.technician.id.trim(), name: input.technician.name.trim() };
  const appointment = { from: new Date(input.appointment.from).toISOString(), to: new Date(input.appointment.to).toISOString() };
  const previous = record.state === 'scheduled' ? { technician: record.details.technician, appointment: record.details.appointment } : null;
  return step(
    record,
    {
      state: 'scheduled',
      assigneeId: technician.id,
      dueAt: appointment.to,
      details: withDetails(record, { technician, appointment, reminded: false, overdue: false }),
    },
    previous ? 'rescheduled' : 'scheduled',
    ctx.actor,
    ctx.at,
    { technician, appointment, ...(previous ? { previous } : {}) },
  );
}

/** Anyone may record the start (the technician on site, or dispatch on the phone); the event says who. */
export function validateStart(record: ServiceOrderRecord): void {
  requireState(record, ['scheduled'], 'start');
}

export function start(record: ServiceOrderRecord, _input: StartInput, ctx: CommandContext): ServiceOrderStep {
  validateStart(record);
  const late = record.details.overdue;
  return step(
    record,
    { state: 'in_progress', dueAt: null, details: withDetails(record, { startedAt: ctx.at.toISOString(), startedBy: ctx.actor }) },
    'started',
    ctx.actor,
    ctx.at,
    { technicianId: record.details.technician?.id ?? null, late },
  );
}

function validateTimeEntry(entry: WorkTimeEntry, i: number): void {
  const at = `timeEntries[${i}]`;
  wholeNumber(entry?.minutes, `${at}.minutes`, 1, maxEntryMinutes);
  oneOf(entry.activityType, activityTypes, `${at}.activityType`);
  nonBlank(entry.description, `${at}.description`, 2000);
  if (typeof entry.workDate !== 'string' || !isCalendarDay(entry.workDate)) throw new ValidationError(`${at}.workDate must be a day YYYY-MM-DD.`, `${at}.workDate`);
}

function validateMaterial(material: UsedMaterial, i: number): void {
  const at = `materials[${i}]`;
  nonBlank(material?.articleNumber, `${at}.articleNumber`, 100);
  nonBlank(material.description, `${at}.description`, 500);
  wholeNumber(material.quantity, `${at}.quantity`, 1);
  wholeNumber(material.unitPriceCents, `${at}.unitPriceCents`, 0);
}

/** Sum of quantity × unit price in integer cents; refuses totals beyond exact integer arithmetic. */
export function materialTotalCents(materials: readonly UsedMaterial[]): number {
  const total = materials.reduce((sum, m) => sum + m.quantity * m.unitPriceCents, 0);
  if (!Number.isSafeInteger(total)) throw new ValidationError('The material total is too large.', 'materials');
  return total;
}

export function validateComplete(record: ServiceOrderRecord, input: CompleteInput): void {
  requireState(record, ['in_progress'], 'complete');
  nonBlank(input.summary, 'summary', maxTextLength);
  const timeEntries = input.timeEntries ?? [];
  const materials = input.materials ?? [];
  if (!Array.isArray(timeEntries) || timeEntries.length > maxReportLines) throw new ValidationError(`timeEntries must be a list of at most ${maxReportLines}.`, 'timeEntries');
  if (!Array.isArray(materials) || materials.length > maxReportLines) throw new ValidationError(`materials must be a list of at most ${maxReportLines}.`, 'materials');
  timeEntries.forEach(validateTimeEntry);
  materials.forEach(validateMaterial);
  materialTotalCents(materials);
}

/** Done with the work report; its time entries and material are billed later under the incident's entitlement. */
export function complete(record: ServiceOrderRecord, input: CompleteInput, ctx: CommandContext): ServiceOrderStep {
  validateComplete(record, input);
  const materials = (input.materials ?? []).map((m) => ({
    articleNumber: m.articleNumber.trim(),
    description: m.description.trim(),
    quantity: m.quantity,
    unitPriceCents: m.unitPriceCents,
  }));
  const workReport: WorkReport = {
    summary: input.summary.trim(),
    timeEntries: (input.timeEntries ?? []).map((e) => ({ minutes: e.minutes, activityType: e.activityType, description: e.description.trim(), workDate: e.workDate })),
    materials,
    materialTotalCents: materialTotalCents(materials),
  };
  const totalMinutes = workReport.timeEntries.reduce((sum, e) => sum + e.minutes, 0);
  return step(record, { state: 'done', ended: true, dueAt: null, details: withDetails(record, { workReport }) }, 'completed', ctx.actor, ctx.at, {
    ...workReport,
    totalMinutes,
  });
}

export function validateCancel(record: ServiceOrderRecord, input: CancelInput): void {
  if (ended(record.state)) throw new IllegalTransition(`Cannot cancel service order ${record.workflowId}: it is ${record.state}.`);
  nonBlank(input.reason, 'reason', maxTextLength);
}

export function cancel(record: ServiceOrderRecord, input: CancelInput, ctx: CommandContext): ServiceOrderStep {
  validateCancel(record, input);
  const reason = input.reason.trim();
  return step(record, { state: 'cancelled', ended: true, dueAt: null, details: withDetails(record, { cancelReason: reason }) }, 'cancelled', ctx.actor, ctx.at, {
    reason,
    previousState: record.state,
  });
}

/** The reminder instant of the current appointment, while one is owed: appointment start minus the lead time. */
export function reminderAt(record: ServiceOrderRecord, leadMinutes: number): Date | null {
  const { appointment, reminded, overdue } = record.details;
  if (record.state !== 'scheduled' || !appointment || reminded || overdue) return null;
  return new Date(Date.parse(appointment.from) - leadMinutes * 60_000);
}

/** The end of the current window while the order is scheduled, not started and not yet marked overdue. */
export function overdueAt(record: ServiceOrderRecord): Date | null {
  const { appointment, overdue } = record.details;
  if (record.state !== 'scheduled' || !appointment || overdue) return null;
  return new Date(appointment.to);
}

/** The technician is told of the appointment; once per window (a reschedule owes a new reminder). */
export function remind(record: ServiceOrderRecord, at: Date): ServiceOrderStep {
  if (reminderAt(record, 0) === null) throw new IllegalTransition(`No reminder is owed for service order ${record.workflowId}.`);
  const { technician, appointment } = record.details;
  return step(record, { details: withDetails(record, { reminded: true }) }, 'reminder_sent', systemActor, at, { technicianId: technician?.id ?? null, appointment });
}

/** The window passed without a start: dispatch is told. A pending reminder is dropped; it would come too late. */
export function markOverdue(record: ServiceOrderRecord, at: Date): ServiceOrderStep {
  if (overdueAt(record) === null) throw new IllegalTransition(`Service order ${record.workflowId} cannot become overdue now.`);
  const { technician, appointment } = record.details;
  return step(record, { details: withDetails(record, { overdue: true }) }, 'overdue', systemActor, at, { technicianId: technician?.id ?? null, appointment });
}

export type SystemStepKind = 'reminder' | 'overdue';

/** The next system step and its instant, the earliest first (overdue wins a tie: the reminder would be moot). */
export function nextSystemStep(record: ServiceOrderRecord, leadMinutes: number): { kind: SystemStepKind; at: Date } | null {
  const overdue = overdueAt(record);
  const reminder = reminderAt(record, leadMinutes);
  if (overdue && (!reminder || overdue.getTime() <= reminder.getTime())) return { kind: 'overdue', at: overdue };
  return reminder ? { kind: 'reminder', at: reminder } : null;
}

/** The step due at `at`, if any. A reminder owed late (scheduled within the lead time) goes out at once. */
export function dueSystemStep(record: ServiceOrderRecord, leadMinutes: number, at: Date): ServiceOrderStep | null {
  const overdue = overdueAt(record);
  if (overdue && overdue.getTime() <= at.getTime()) return markOverdue(record, at);
  const reminder = reminderAt(record, leadMinutes);
  if (reminder && reminder.getTime() <= at.getTime()) return remind(record, at);
  return null;
}

/** Subject and body of a step's notification, or nothing for steps nobody is told about. */
export function noticeOf(record: ServiceOrderRecord, type: string): { subject: string; body: string } | null {
  const { technician, appointment, location, description } = record.details;
  const where = location === 'onsite' ? 'on site' : 'in the workshop';
  const window = appointment ? `${appointment.from} - ${appointment.to}` : 'no appointment';
  const about = `${record.title}${record.incidentNumber ? ` (incident ${record.incidentNumber})` : ''}`;
  switch (type) {
    case 'reminder_sent':
      return {
        subject: `Reminder: service order ${about}, ${window}`,
        body: `Your appointment ${where}: ${window}.\n\n${description}\n\nCustomer: ${record.customerNumber ?? '-'}\nService order: ${record.workflowId}`,
      };
    case 'overdue':
      return {
        subject: `Overdue: service order ${about} not started`,
        body: `The appointment window ${window} has passed without a start.\nTechnician: ${technician ? `${technician.name} (${technician.id})` : '-'}\nService order: ${record.workflowId}\n\nPlease reschedule or cancel it.`,
      };
    default:
      return null;
  }
}

/** What the billing is asked to book once an order is done: its work report under the incident. */
export interface ServiceOrderReportBooking {
  /** The order's workflow id: a report is booked once per order, whatever retries. */
  followUpWorkflowId: string;
  incidentNumber: string;
  /** The user id of the technician: the agent of the booked time. */
  technicianId: string;
  /** When the order was completed (ISO); its business day is the day the material was used. */
  completedAt: string;
  timeEntries: WorkTimeEntry[];
  materials: UsedMaterial[];
}

/** What the billing booked: the entries' ids and the totals in minutes and integer cents. */
export interface WorkBooking {
  timeEntryIds: string[];
  materialEntryIds: string[];
  totals: {
    minutes: number;
    quotaMinutes: number;
    billableMinutes: number;
    /** The billable time in cents. */
    timeAmountCents: number;
    materialAmountCents: number;
    /** Time plus material, in cents. */
    amountCents: number;
  };
}

/**
 * What a done order's work report needs: booking under its incident, a note that it is not
 * booked (an order without incident has nobody to bill), or nothing (an empty report, an order
 * that was not done).
 */
export function bookingOf(record: ServiceOrderRecord): { book: ServiceOrderReportBooking } | { notBooked: string } | null {
  const report = record.details.workReport;
  if (record.state !== 'done' || !report || (report.timeEntries.length === 0 && report.materials.length === 0)) return null;
  if (!record.incidentNumber) return { notBooked: 'The service order belongs to no incident, so its work report is not billed; book it by hand if it is billable.' };
  return {
    book: {
      followUpWorkflowId: record.workflowId,
      incidentNumber: record.incidentNumber,
      technicianId: record.details.technician?.id ?? record.assigneeId ?? '',
      completedAt: record.updatedAt,
      timeEntries: report.timeEntries,
      materials: report.materials,
    },
  };
}

/** The work report was booked: time under the incident's entitlement, material billable. */
export function workBooked(record: ServiceOrderRecord, booking: WorkBooking, at: Date): ServiceOrderStep {
  return step(record, {}, 'work_booked', systemActor, at, { timeEntryIds: booking.timeEntryIds, materialEntryIds: booking.materialEntryIds, totals: booking.totals });
}

/** The billing refused the report for good (e.g. an unknown incident); a person books it by hand. */
export function workBookingRefused(record: ServiceOrderRecord, reason: string, at: Date): ServiceOrderStep {
  return step(record, {}, 'work_booking_refused', systemActor, at, { reason });
}

/** The report is not booked, and why. */
export function workNotBooked(record: ServiceOrderRecord, reason: string, at: Date): ServiceOrderStep {
  return step(record, {}, 'work_not_booked', systemActor, at, { reason });
}
