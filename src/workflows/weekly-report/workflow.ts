// The weekly report mail. The schedule `weekly-report` starts this workflow without a week; it
// names the week it reports on and runs itself as the child `weekly-report-<week>`, which mails every
// active subscriber through one outbox row each (keyed by subscriber and week): a retried
// activity, a restarted worker or a second run of the same week sends nothing twice.
import { executeChild, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import { reportedWeekOf } from '../../domain/iso-week.js';
import { weeklyReportWorkflowId } from '../../domain/workflow-ids.js';

const { listReportSubscribers, sendWeeklyReport } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 20 },
});

export interface WeeklyReportInput {
  /** ISO week ("2026-W49"); unset: the last whole week before the run. */
  week?: string;
}

export interface WeeklyReportResult {
  week: string;
  /** Subscribers whose mail went out in this run, or had gone out in an earlier one. */
  mailed: number;
}

export async function weeklyReportWorkflow(input: WeeklyReportInput = {}): Promise<WeeklyReportResult> {
  const week = input.week ?? reportedWeekOf(new Date());
  const ownId = weeklyReportWorkflowId(week);
  if (workflowInfo().workflowId !== ownId) {
    // Started by the schedule (its ids end in the instant): give the week's run its readable id.
    return executeChild(weeklyReportWorkflow, { workflowId: ownId, args: [{ week }], staticSummary: `Weekly report ${week}` });
  }
  const subscribers = await listReportSubscribers.executeWithOptions({ summary: `subscribers of the weekly report ${week}` }, []);
  let mailed = 0;
  for (const subscriber of subscribers) {
    await sendWeeklyReport.executeWithOptions({ summary: `weekly report ${week} to ${subscriber.name}` }, [{ userId: subscriber.userId, week }]);
    mailed += 1;
    setCurrentDetails(`**Weekly report ${week}**\nMailed ${mailed} of ${subscribers.length} subscribers`);
  }
  setCurrentDetails(`**Weekly report ${week}**\nMailed ${mailed} of ${subscribers.length} subscribers`);
  return { week, mailed };
}
