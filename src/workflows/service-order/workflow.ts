// The service-order workflow: owns one service order, applies commands from the domain state machine,
// reminds the technician before the appointment and escalates to dispatch when the window passes unstarted.
// Once done, its work report is booked under the incident (time and material), once.
import { followUpRecorder, validated } from '../shared.js';
import { workflowCommands } from '../commands.js';
import { reportEndToIncident } from '../follow-up-parent.js';
import { ActivityFailure, allHandlersFinished, condition, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import * as order from '../../domain/service-order.js';
import type { ServiceOrderRecord, ServiceOrderStep } from '../../domain/service-order.js';
import {
  cancelServiceOrderUpdate,
  completeServiceOrderUpdate,
  getServiceOrderQuery,
  scheduleServiceOrderUpdate,
  startServiceOrderUpdate,
  type ServiceOrderWorkflowInput,
} from './messages.js';

/** Billing waits for the database like the timeline does; a refusal (domain error) is not retried. */
const { bookServiceOrderReport } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function serviceOrderWorkflow(input: ServiceOrderWorkflowInput): Promise<ServiceOrderRecord> {
  const leadMinutes = input.reminderLeadMinutes ?? 60;
  const dispatchRecipients = input.dispatchRecipients ?? ['managers'];
  const created = validated(() => order.planServiceOrder({ ...input, at: new Date() }));
  let record = created.record;

  const recorder = followUpRecorder<ServiceOrderRecord>((r) => describe(r, leadMinutes));
  async function apply(s: ServiceOrderStep): Promise<ServiceOrderRecord> {
    record = s.record;
    await recorder.record(s);
    // This command's result, even if another command has changed the record meanwhile.
    return s.record;
  }

  const command = workflowCommands(() => record, async (s: ServiceOrderStep) => ({ result: await apply(s) }));

  setHandler(getServiceOrderQuery, () => record);
  command(scheduleServiceOrderUpdate, order.validateSchedule, order.schedule);
  command(startServiceOrderUpdate, order.validateStart, order.start);
  command(completeServiceOrderUpdate, order.validateComplete, order.complete);
  command(cancelServiceOrderUpdate, order.validateCancel, order.cancel);

  await recorder.record(created);

  // Sleep until the reminder or the end of the window, or until a command changes the record;
  // a reschedule changes both instants, so the loop re-arms them. Each step happens once: it is in history.
  while (!record.ended) {
    const due = order.dueSystemStep(record, leadMinutes, new Date());
    if (due) {
      await apply(due);
      const notice = order.noticeOf(due.record, due.event.type);
      if (notice) recorder.notify(due, due.event.type === 'reminder_sent' ? [`user:${due.record.details.technician!.id}`] : dispatchRecipients, notice.subject, notice.body);
      continue;
    }
    const seen = record.seq;
    const next = order.nextSystemStep(record, leadMinutes);
    if (next) {
      const summary = next.kind === 'reminder' ? `remind technician ${leadMinutes} min before the appointment` : 'appointment window ends without start: escalate';
      await condition(() => record.seq !== seen, Math.max(1, next.at.getTime() - Date.now()), { summary });
    } else {
      await condition(() => record.seq !== seen);
    }
  }
  await condition(() => allHandlersFinished() && recorder.idle());
  await reportEndToIncident(input.parentWorkflowId, record);
  // Orders that ended before billing existed replay without it.
  if (patched('book-work-report')) await bookWorkReport();
  return record;

  /** Books the report once (the activity's result is in history, a replay does not call it again); a refusal is recorded for a person. */
  async function bookWorkReport(): Promise<void> {
    const booking = order.bookingOf(record);
    if (!booking) return;
    if ('notBooked' in booking) {
      await apply(order.workNotBooked(record, booking.notBooked, new Date()));
      return;
    }
    try {
      const booked = await bookServiceOrderReport.executeWithOptions({ summary: `billing: book the work report on ${booking.book.incidentNumber}` }, [booking.book]);
      await apply(order.workBooked(record, booked, new Date()));
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      await apply(order.workBookingRefused(record, err.cause?.message ?? err.message, new Date()));
    }
  }
}

/** The one-glance picture shown as "current details" in the Temporal UI. */
function describe(record: ServiceOrderRecord, leadMinutes: number): string {
  const { technician, appointment, location, reminded, overdue } = record.details;
  return [
    `**Service order** ${record.title}${record.incidentNumber ? ` · incident ${record.incidentNumber}` : ''}`,
    `State: ${record.state} · Location: ${location}${overdue ? ' · OVERDUE' : ''}`,
    `Technician: ${technician ? `${technician.name} (${technician.id})` : '-'}`,
    `Window: ${appointment ? `${appointment.from} - ${appointment.to}` : '-'} · Reminder ${leadMinutes} min before: ${reminded ? 'sent' : 'pending'}`,
  ].join('\n');
}
