// A follow-up tells its incident that it ended: a signal by workflow id, so it reaches the
// incident's current run even after continue-as-new. An incident that has closed meanwhile
// (the follow-up was detached) cannot hear it, and need not.
import { getExternalWorkflowHandle, log } from '@temporalio/workflow';
import { childOutcome, type FollowUpEndedInput, type FollowUpReopenedInput } from '../domain/incident/follow-ups.js';
import type { FollowUpRecord } from '../domain/follow-ups.js';
import { followUpEndedSignal, followUpReopenedSignal } from './incident/messages.js';

export async function reportEndToIncident(parentWorkflowId: string | undefined, record: Pick<FollowUpRecord, 'workflowId' | 'state' | 'details'>): Promise<void> {
  await reportToParent(parentWorkflowId, { workflowId: record.workflowId, outcome: childOutcome(record), result: record.state });
}

/** Signals the end; a parent that is gone is logged, not retried (the signal is the last word of the child). */
export async function reportToParent(parentWorkflowId: string | undefined, ended: FollowUpEndedInput): Promise<void> {
  if (!parentWorkflowId) return;
  try {
    await getExternalWorkflowHandle(parentWorkflowId).signal(followUpEndedSignal, ended);
  } catch (err) {
    log.warn('the incident did not hear that its follow-up ended', { parentWorkflowId, workflowId: ended.workflowId, err });
  }
}

/** A child ticket is open again; a parent that has closed meanwhile cannot hear it (logged). */
export async function reportReopenToParent(parentWorkflowId: string, reopened: FollowUpReopenedInput): Promise<void> {
  try {
    await getExternalWorkflowHandle(parentWorkflowId).signal(followUpReopenedSignal, reopened);
  } catch (err) {
    log.warn('the parent did not hear that its child ticket is open again', { parentWorkflowId, workflowId: reopened.workflowId, err });
  }
}
