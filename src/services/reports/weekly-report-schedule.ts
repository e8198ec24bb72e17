// The Temporal Schedule behind the weekly report mail: Mondays at 07:00 in the house's time zone it
// starts weeklyReportWorkflow, which reports on the week just ended. Kept by the worker at start.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { weeklyReportScheduleId } from '../../domain/workflow-ids.js';
import type { Temporal } from '../../temporal/client.js';
import type { weeklyReportWorkflow } from '../../workflows/weekly-report/workflow.js';

/**
 * Creates the schedule unless it exists (a schedule that is there is left as it is: paused or
 * edited in the Temporal UI, it stays so); `off` deletes it. True when this call created it.
 */
export async function ensureWeeklyReportSchedule(temporal: Temporal, options: { enabled: boolean; timezone: string }): Promise<boolean> {
  if (!options.enabled) {
    await temporal.client.schedule
      .getHandle(weeklyReportScheduleId)
      .delete()
      .catch((err: unknown) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
    return false;
  }
  try {
    await temporal.client.schedule.create<typeof weeklyReportWorkflow>({
      scheduleId: weeklyReportScheduleId,
      spec: { calendars: [{ dayOfWeek: 'MONDAY', hour: 7, minute: 0, comment: 'Mondays 07:00' }], timezone: options.timezone },
      action: {
        type: 'startWorkflow',
        workflowType: 'weeklyReportWorkflow',
        // Temporal appends the scheduled instant; the run then starts its child `weekly-report-<ISO week>`.
        workflowId: weeklyReportScheduleId,
        taskQueue: temporal.taskQueue,
        args: [{}],
        staticSummary: 'Weekly report mail to the subscribed managers (last week)',
      },
      // A worker or server down on Monday morning still sends the mail within the day; missed weeks are not sent later.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '12 hours' },
      memo: { description: `Weekly report mail: Mondays 07:00 ${options.timezone}, the last ISO week's SLA compliance to every subscriber of /api/reports/subscriptions.` },
      state: { note: 'Kept by the worker at start (WEEKLY_REPORT_SCHEDULE=off deletes it).' },
    });
    return true;
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) return false;
    throw err;
  }
}
