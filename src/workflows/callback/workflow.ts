// The callback workflow: takes a callback request, reminds at the window start, escalates when
// the window closes without a logged call, reminds again for retries, and ends when the call is
// done or the callback is cancelled. The rules live in src/domain/callback.ts.
import { followUpRecorder, validated } from '../shared.js';
import { workflowCommands } from '../commands.js';
import { reportEndToIncident } from '../follow-up-parent.js';
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import * as callback from '../../domain/callback.js';
import type { CallbackRecord, CallbackStep, CallbackWakeUp } from '../../domain/callback.js';
import { systemActor } from '../../domain/kernel.js';
import { assignCallbackUpdate, attachCallbackToIncidentUpdate, cancelCallbackUpdate, getCallbackQuery, logCallbackCallUpdate, type CallbackWorkflowInput } from './messages.js';

export async function callbackWorkflow(input: CallbackWorkflowInput): Promise<CallbackRecord> {
  const escalationRecipients = input.escalationRecipients?.length ? input.escalationRecipients : ['managers'];
  // A bad request fails the workflow at once instead of retrying its first task forever.
  const created = validated(() => callback.requestCallback(input, { actor: input.openedBy, at: new Date() }));
  let record = created.record;

  const recorder = followUpRecorder<CallbackRecord>(describe);
  async function apply(s: CallbackStep): Promise<CallbackRecord> {
    record = s.record;
    await recorder.record(s);
    // This command's result, even if another command has changed the record meanwhile.
    return s.record;
  }

  const command = workflowCommands(() => record, async (s: CallbackStep) => ({ result: await apply(s) }));

  // Handlers before the first await, so no command is lost while the creation is recorded.
  setHandler(getCallbackQuery, () => record);
  command(assignCallbackUpdate, callback.validateAssign, callback.assign);
  command(logCallbackCallUpdate, callback.validateLogCall, callback.logCall);
  command(cancelCallbackUpdate, callback.validateCancel, callback.cancel);
  command(attachCallbackToIncidentUpdate, callback.validateAttach, callback.attachToIncident);

  await recorder.record(created);

  // Sleep until the next wake-up (window opens, window closes, retry) or until a command changes
  // the record. Each system step is recorded once, so its notification runs once: on replay the
  // completed activities come from history and are not run again.
  while (!record.ended) {
    const wakeUp = callback.nextWakeUp(record);
    const due = wakeUp ? Date.parse(wakeUp.at) - Date.now() : undefined;
    if (wakeUp && due! <= 0) {
      await wake(wakeUp);
      continue;
    }
    const seen = record.seq;
    const changed = () => record.seq !== seen;
    // Overdue or after a retry reminder nothing is timed: wait for the next call, assignment or cancel.
    if (wakeUp) await condition(changed, due!, { summary: timerSummary(wakeUp, record) });
    else await condition(changed);
  }
  await condition(() => allHandlersFinished() && recorder.idle());
  await reportEndToIncident(input.parentWorkflowId, record);
  return record;

  async function wake(wakeUp: CallbackWakeUp): Promise<void> {
    const s = callback.wakeUpStep(record, wakeUp, { actor: systemActor, at: new Date() });
    await apply(s);
    const notice = callback.noticeOf(s.record, s.event.type, escalationRecipients);
    if (notice) recorder.notify(s, notice.recipients, notice.subject, notice.body);
  }
}

/** Readable timers in the Temporal UI. */
function timerSummary(wakeUp: CallbackWakeUp, record: CallbackRecord): string {
  const { topic } = record.details;
  switch (wakeUp.step) {
    case 'remind':
      return `callback window opens, ${topic}`;
    case 'overdue':
      return `callback window closes, ${topic}`;
    case 'retry':
      return `retry call, ${topic}`;
  }
}

/** The one-glance picture shown as "current details" in the Temporal UI. */
function describe(record: CallbackRecord): string {
  const d = record.details;
  const last = d.attempts.at(-1);
  return [
    `**Callback** ${d.contactName} · ${d.phone} · ${d.topic}`,
    `State: ${record.state}${d.unreachable ? ' (unreachable)' : ''}${d.needsIncident ? ' · needs an incident' : ''} · Incident: ${d.incidentNumber ?? '-'}`,
    `Window: ${d.window.from} to ${d.window.to}${d.retryAt ? ` · retry at ${d.retryAt}` : ''}`,
    `Assignee: ${d.assignee?.name ?? '-'} · Group: ${d.group ?? '-'}`,
    `Attempts: ${d.attempts.length} of ${d.maxAttempts}${last ? ` · last: ${last.outcome} at ${last.at} by ${last.by.name}` : ''}`,
  ].join('\n');
}
