// The change workflow (hardware or software change): it owns the change record, applies commands
// from the domain state machine, records every step, asks the approvers and, when the approval
// deadline passes without a decision, calls in the change manager once (who may then decide for them).
import { applyHardwareChange, followUpRecorder, validated } from '../shared.js';
import { workflowCommands } from '../commands.js';
import { step } from '../../domain/follow-ups.js';
import { reportEndToIncident } from '../follow-up-parent.js';
import { ActivityFailure, allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import * as change from '../../domain/change.js';
import type { ChangeRecord, ChangeStep } from '../../domain/change.js';
import { systemActor } from '../../domain/kernel.js';
import {
  assessChangeUpdate,
  closeChangeUpdate,
  decideChangeUpdate,
  getChangeQuery,
  implementChangeUpdate,
  reviewChangeUpdate,
  rollBackChangeUpdate,
  scheduleChangeUpdate,
  submitChangeUpdate,
  type ChangeWorkflowInput,
} from './messages.js';

export async function changeWorkflow(input: ChangeWorkflowInput): Promise<ChangeRecord> {
  // A bad request fails the workflow at once instead of retrying its first task forever.
  const created = validated(() => change.requestChange(input, new Date()));
  let record = created.record;

  const recorder = followUpRecorder<ChangeRecord>(describe);
  async function apply(s: ChangeStep): Promise<ChangeRecord> {
    record = s.record;
    await recorder.record(s);
    // This command's result, even if another command has changed the record meanwhile.
    return s.record;
  }

  const command = workflowCommands(() => record, async (s: ChangeStep) => ({ result: await apply(s) }));

  setHandler(getChangeQuery, () => record);
  command(assessChangeUpdate, change.validateAssess, change.assess);
  command(submitChangeUpdate, (r) => change.validateSubmit(r), (r, _cmd, ctx) => change.submitForApproval(r, ctx), { after: notify });
  command(decideChangeUpdate, (r, cmd) => change.validateDecide(r, cmd, cmd.actor), change.decide, { after: notify });
  command(scheduleChangeUpdate, change.validateSchedule, change.schedule);
  command(implementChangeUpdate, change.validateImplement, change.implement);
  command(reviewChangeUpdate, change.validateReview, change.review);
  command(closeChangeUpdate, (r) => change.validateClose(r), (r, _cmd, ctx) => change.close(r, ctx));
  command(rollBackChangeUpdate, change.validateRollBack, change.rollBack);

  /** Tells whoever the step concerns (approvers, skipped approvers, the change manager), beside the workflow's timers. */
  function notify(s: ChangeStep): void {
    const notice = change.noticeOf(s);
    if (notice) recorder.notify(s, notice.recipients, notice.subject, notice.body);
  }

  /** The deadline passed with approvals missing: the change manager is told, once. */
  async function escalate(): Promise<void> {
    const s = change.escalateApproval(record, { actor: systemActor, at: new Date() });
    await apply(s);
    notify(s);
  }

  await recorder.record(created);

  // Only the approval has a deadline; every other step waits for its command.
  while (!record.ended) {
    if (record.state === 'awaiting_approval' && !record.details.escalated) {
      const waitMs = Math.max(1, Date.parse(record.details.approvalDeadline!) - Date.now());
      const summary = `approval deadline (${record.details.approvalHours}h), ${record.title}`;
      const decided = await condition(() => record.state !== 'awaiting_approval', waitMs, { summary });
      if (!decided && record.state === 'awaiting_approval' && !record.details.escalated) await escalate();
    } else {
      const { state } = record;
      await condition(() => record.state !== state);
    }
  }
  await condition(() => allHandlersFinished() && recorder.idle());
  await updateAssetRegister();
  await reportEndToIncident(input.parentWorkflowId, record);
  return record;

  /** A hardware change closed after a successful review changes the asset register; a refusal is recorded for a person to sort out. */
  async function updateAssetRegister(): Promise<void> {
    const items = record.details.assessment?.hardware?.items;
    if (record.kind !== 'hardware_change' || record.state !== 'closed' || record.details.review?.outcome !== 'successful' || !items?.length || !record.customerNumber) return;
    const at = new Date();
    try {
      const applied = await applyHardwareChange.executeWithOptions({ summary: 'asset register: apply the hardware change' }, [
        { customerNumber: record.customerNumber, changeId: record.workflowId, at: at.toISOString(), items },
      ]);
      await apply(step(record, {}, 'asset_register_updated', systemActor, at, { ...applied }));
    } catch (err) {
      const reason = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
      await apply(step(record, {}, 'asset_register_refused', systemActor, at, { reason }));
    }
  }
}

/** The one-glance picture shown as "current details" in the Temporal UI. */
function describe(r: ChangeRecord): string {
  const d = r.details;
  const approvals = d.approvals.map((a) => `${a.approverId} ${a.decision}`).join(', ') || 'none';
  const o = d.override;
  return [
    `**${change.kindName(r)}** ${r.title}${r.incidentNumber ? ` (${r.incidentNumber})` : ''}`,
    `State: ${r.state} · Type: ${d.changeType} · Risk: ${d.assessment?.risk ?? '-'}`,
    `Approvals: ${approvals} (${d.approvals.filter((a) => a.decision === 'approved').length}/${d.approvers.length})` +
      (d.approvalDeadline ? ` · deadline ${d.approvalDeadline}` : '') +
      (d.escalated ? ` · escalated to ${d.changeManager}` : ''),
    ...(o ? [`Overridden: ${o.decision} by change manager ${o.by} for ${o.skipped.join(', ') || 'no one'} · reason: ${o.reason}`] : []),
    `Window: ${d.schedule ? `${d.schedule.from} – ${d.schedule.to}` : '-'}`,
  ].join('\n');
}
