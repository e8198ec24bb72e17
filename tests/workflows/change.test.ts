// The change workflow on the time-skipping server: approvals, the approval deadline escalating to
// the change manager once, rejection and rollback. Activities are stubs: this is about orchestration.
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import type { FollowUpNotice, FollowUpStepInput, HardwareChangeInput } from '../../src/activities/follow-ups.js';
import type { AssessChangeInput, ChangeRecord } from '../../src/domain/change.js';
import { followUpWorkflowId } from '../../src/domain/workflow-ids.js';
import type { Actor } from '../../src/domain/kernel.js';
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
} from '../../src/workflows/change/messages.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
const workflowsPath = fileURLToPath(new URL('../../src/workflows/change/workflow.ts', import.meta.url));

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
  ]);
  // The workflow keeps its search attributes (FollowUpKind, its state) up to date.
  await addSearchAttributes(env.connection, 'default');
});
afterAll(async () => env?.teardown());

const user = (id: string): Actor => ({ id: `user:${id}`, name: id });
const dave = user('dave');
const plans = { risk: 'medium', impact: 'ERP down for 30 minutes', implementationPlan: 'Stop, upgrade, start', rollbackPlan: 'Restore the snapshot' } as const;
const softwareAssessment: AssessChangeInput = { ...plans, software: { systems: [{ name: 'PostgreSQL', fromVersion: '15.4', toVersion: '15.8' }] } };

/** What the asset-register activity was asked to do, and whether it refuses (master data in the way). */
const hardwareCalls: HardwareChangeInput[] = [];
let refuseHardware = false;

let counter = 0;
function changeInput(overrides: Partial<ChangeWorkflowInput> = {}): ChangeWorkflowInput {
  counter += 1;
  const incidentNumber = `INC-2099-${String(counter).padStart(6, '0')}`;
  const kind = overrides.kind ?? 'software_change';
  return {
    workflowId: followUpWorkflowId(`incident-${incidentNumber}`, kind, 1),
    kind,
    incidentNumber,
    customerNumber: 'K-1',
    title: 'Upgrade the ERP database',
    description: 'Security fix for the database server',
    changeType: 'normal',
    approvers: ['alice', 'bob'],
    changeManagerId: 'carol',
    approvalHours: 24,
    openedBy: dave,
    ...overrides,
  };
}

interface Run {
  handle: WorkflowHandle;
  events: FollowUpStepInput[];
  notices: FollowUpNotice[];
  /** The timeline so far, in order. */
  timeline: () => { seq: number; type: string; actor: string }[];
}

async function runChange(input: ChangeWorkflowInput, script: (run: Run) => Promise<void>): Promise<Run> {
  const events: FollowUpStepInput[] = [];
  const notices: FollowUpNotice[] = [];
  const taskQueue = `change-${input.incidentNumber}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: {
      recordFollowUpEvent: (step: FollowUpStepInput) => {
        // Activities of one workflow task may run in any order; keep them in timeline order, as the projection does.
      events.push(step);
      events.sort((a, b) => a.event.seq - b.event.seq);
        return Promise.resolve();
      },
      notifyFollowUp: (notice: FollowUpNotice) => {
        notices.push(notice);
        return Promise.resolve({ recipients: notice.recipients });
      },
      applyHardwareChange: (input: HardwareChangeInput) => {
        hardwareCalls.push(input);
        if (refuseHardware) throw ApplicationFailure.nonRetryable('Serial number SN-NEW-1 is registered to another customer; the change cannot move it.', 'IllegalTransition');
        return Promise.resolve({ added: ['SN-DOCK-7'], replaced: [{ from: 'SN-OLD-1', to: 'SN-NEW-1', contractsMoved: 1 }], retired: [] });
      },
    },
  });
  const handle = await env.client.workflow.start('changeWorkflow', { taskQueue, workflowId: input.workflowId, args: [input] });
  const timeline = () => [...events].sort((a, b) => a.event.seq - b.event.seq).map(({ event }) => ({ seq: event.seq, type: event.type, actor: event.actor.id }));
  const run = { handle, events, notices, timeline };
  await worker.runUntil(async () => {
    try {
      await script(run);
    } finally {
      // A workflow left running without its worker would hold the shared test server's clock.
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
  // A restarted worker replays the history to the same commands: no step or notification runs twice.
  await Worker.runReplayHistory({ workflowBundle }, await handle.fetchHistory(), input.workflowId);
  return run;
}

const update = {
  assess: (h: WorkflowHandle, input: AssessChangeInput = softwareAssessment, actor = dave) => h.executeUpdate(assessChangeUpdate, { args: [{ ...input, actor }] }),
  submit: (h: WorkflowHandle, actor = dave) => h.executeUpdate(submitChangeUpdate, { args: [{ actor }] }),
  decide: (h: WorkflowHandle, approver: string, decision: 'approved' | 'rejected', comment?: string) =>
    h.executeUpdate(decideChangeUpdate, { args: [{ decision, ...(comment ? { comment } : {}), actor: user(approver) }] }),
  schedule: (h: WorkflowHandle) => h.executeUpdate(scheduleChangeUpdate, { args: [{ from: '2099-01-10T20:00:00.000Z', to: '2099-01-10T22:00:00.000Z', actor: dave }] }),
  implement: (h: WorkflowHandle) => h.executeUpdate(implementChangeUpdate, { args: [{ notes: 'Upgraded', actor: dave }] }),
  review: (h: WorkflowHandle) => h.executeUpdate(reviewChangeUpdate, { args: [{ outcome: 'successful', actor: user('carol') }] }),
  close: (h: WorkflowHandle) => h.executeUpdate(closeChangeUpdate, { args: [{ actor: user('carol') }] }),
};

/** The domain error type behind a rejected update (the validator's ApplicationFailure). */
async function failureType(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    return (err as { cause?: { type?: string } }).cause?.type;
  }
  throw new Error('expected the update to be rejected');
}

/** The summaries of the timers the workflow started, as the Temporal UI shows them. */
async function timerSummaries(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.timerStartedEventAttributes)
    .map((e) => JSON.parse(Buffer.from(e.userMetadata?.summary?.data ?? new Uint8Array()).toString() || 'null') as string);
}

describe('change workflow', () => {
  it('walks a normal software change from request to closed, asking each approver once', async () => {
    const input = changeInput();
    const run = await runChange(input, async ({ handle, notices }) => {
      await update.assess(handle);
      const submitted = await update.submit(handle);
      expect(submitted).toMatchObject({ state: 'awaiting_approval' });
      expect((await update.decide(handle, 'alice', 'approved', 'fine')).state).toBe('awaiting_approval');
      expect((await update.decide(handle, 'bob', 'approved')).state).toBe('approved');
      await update.schedule(handle);
      await update.implement(handle);
      await update.review(handle);
      await update.close(handle);
      const result = (await handle.result()) as ChangeRecord;
      expect(result).toMatchObject({ state: 'closed', ended: true, seq: 9, details: { escalated: false, review: { outcome: 'successful' } } });
      expect(result.details.approvals.map((a) => [a.approverId, a.decision])).toEqual([
        ['alice', 'approved'],
        ['bob', 'approved'],
      ]);
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ workflowId: input.workflowId, seq: 3, recipients: ['user:alice', 'user:bob'], incidentNumber: input.incidentNumber });
      expect(notices[0]!.subject).toContain(input.title);
    });
    expect(run.timeline()).toEqual([
      { seq: 1, type: 'created', actor: 'user:dave' },
      { seq: 2, type: 'assessed', actor: 'user:dave' },
      { seq: 3, type: 'approval_requested', actor: 'user:dave' },
      { seq: 4, type: 'approval_recorded', actor: 'user:alice' },
      { seq: 5, type: 'approved', actor: 'user:bob' },
      { seq: 6, type: 'scheduled', actor: 'user:dave' },
      { seq: 7, type: 'implemented', actor: 'user:dave' },
      { seq: 8, type: 'reviewed', actor: 'user:carol' },
      { seq: 9, type: 'closed', actor: 'user:carol' },
    ]);
    // The projection row of the last step is the final record.
    expect(run.events.find((e) => e.event.seq === 9)?.record).toMatchObject({ state: 'closed', ended: true });
  });

  it('approves a standard change at once, without approval timer or notification', async () => {
    const run = await runChange(changeInput({ changeType: 'standard', approvers: [] }), async ({ handle, notices }) => {
      await update.assess(handle);
      expect(await update.submit(handle)).toMatchObject({ state: 'approved', details: { approvalDeadline: null } });
      await env.sleep('3 days');
      expect(notices).toEqual([]);
      expect(await timerSummaries(handle)).toEqual([]);
    });
    expect(run.timeline().map((e) => e.type)).toEqual(['created', 'assessed', 'approved']);
    expect(run.events[2]!.event.payload).toMatchObject({ preApproved: true });
  });

  it('escalates a missing approval to the change manager exactly once, and approval stays possible', async () => {
    const input = changeInput({ approvalHours: 4 });
    const run = await runChange(input, async ({ handle, notices }) => {
      await update.assess(handle);
      await update.submit(handle);
      await update.decide(handle, 'alice', 'approved');
      await env.sleep('3 hours');
      expect(notices).toHaveLength(1); // only the approval request
      await env.sleep('2 hours');
      const escalated = await handle.query(getChangeQuery);
      expect(escalated).toMatchObject({ state: 'awaiting_approval', details: { escalated: true } });
      await env.sleep('2 days');
      const managerNotices = notices.filter((n) => n.recipients.includes('user:carol'));
      expect(managerNotices).toHaveLength(1);
      expect(managerNotices[0]).toMatchObject({ recipients: ['user:carol'], seq: 5 });
      expect(managerNotices[0]!.body).toContain('bob');
      expect(notices).toHaveLength(2);
      // The timer is readable in the Temporal UI.
      expect(await timerSummaries(handle)).toEqual([`approval deadline (4h), ${input.title}`]);
      expect((await update.decide(handle, 'bob', 'approved')).state).toBe('approved');
    });
    const escalation = run.events.find((e) => e.event.type === 'approval_escalated')!.event;
    expect(escalation).toMatchObject({ seq: 5, actor: { id: 'system' }, payload: { to: 'carol', outstanding: ['bob'] } });
    expect(run.timeline().map((e) => e.type)).toEqual(['created', 'assessed', 'approval_requested', 'approval_recorded', 'approval_escalated', 'approved']);
  });

  it('lets the change manager decide for the approvers after the escalation, and the change goes on to its schedule', async () => {
    const input = changeInput({ approvalHours: 4 });
    const run = await runChange(input, async ({ handle, notices }) => {
      await update.assess(handle);
      await update.submit(handle);
      await update.decide(handle, 'alice', 'approved');
      await env.sleep('5 hours');
      expect(await handle.query(getChangeQuery)).toMatchObject({ state: 'awaiting_approval', details: { escalated: true } });
      expect(notices.filter((n) => n.recipients.includes('user:carol'))).toHaveLength(1);
      // The change manager answers the escalation: a reason is required, a stranger is still refused.
      expect(await failureType(update.decide(handle, 'carol', 'approved'))).toBe('ValidationError');
      expect(await failureType(update.decide(handle, 'mallory', 'approved', 'let me'))).toBe('Forbidden');
      const approved = await update.decide(handle, 'carol', 'approved', 'Security fix, bob is on leave');
      expect(approved).toMatchObject({ state: 'approved', dueAt: null, details: { override: { by: 'carol', decision: 'approved', skipped: ['bob'], afterEscalation: true } } });
      expect(approved.details.approvals.map((a) => [a.approverId, a.decision])).toEqual([
        ['alice', 'approved'],
        ['bob', 'overridden'],
      ]);
      // The Temporal UI says it was overridden.
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      expect(metadata.currentDetails).toContain('Overridden: approved by change manager carol for bob');
      // No second escalation, however long it waits; the scheduled path goes on.
      await env.sleep('3 days');
      expect(await handle.query(getChangeQuery)).toMatchObject({ state: 'approved' });
      // The skipped approver hears that the decision was taken for them (a notice beside the workflow's steps).
      const toBob = notices.filter((n) => n.recipients.includes('user:bob'));
      expect(toBob.map((n) => [n.seq, n.recipients])).toEqual([
        [3, ['user:alice', 'user:bob']],
        [6, ['user:bob']],
      ]);
      expect(toBob[1]!.body).toContain('Security fix, bob is on leave');
      await update.schedule(handle);
      await update.implement(handle);
      await update.review(handle);
      await update.close(handle);
      expect(await handle.result()).toMatchObject({ state: 'closed', ended: true });
      expect(notices.filter((n) => n.recipients.includes('user:carol'))).toHaveLength(1);
      expect(notices).toHaveLength(3);
      expect(await timerSummaries(handle)).toEqual([`approval deadline (4h), ${input.title}`]);
    });
    expect(run.timeline()).toEqual([
      { seq: 1, type: 'created', actor: 'user:dave' },
      { seq: 2, type: 'assessed', actor: 'user:dave' },
      { seq: 3, type: 'approval_requested', actor: 'user:dave' },
      { seq: 4, type: 'approval_recorded', actor: 'user:alice' },
      { seq: 5, type: 'approval_escalated', actor: 'system' },
      { seq: 6, type: 'approved', actor: 'user:carol' },
      { seq: 7, type: 'scheduled', actor: 'user:dave' },
      { seq: 8, type: 'implemented', actor: 'user:dave' },
      { seq: 9, type: 'reviewed', actor: 'user:carol' },
      { seq: 10, type: 'closed', actor: 'user:carol' },
    ]);
    expect(run.events[5]!.event.payload).toEqual({ override: true, changeManagerId: 'carol', decision: 'approved', reason: 'Security fix, bob is on leave', skipped: ['bob'], afterEscalation: true });
  });

  it('lets the change manager reject before the deadline, ending the change without an escalation', async () => {
    const run = await runChange(changeInput({ approvalHours: 4 }), async ({ handle, notices }) => {
      await update.assess(handle);
      await update.submit(handle);
      const rejected = await update.decide(handle, 'carol', 'rejected', 'Conflicts with the year-end closing');
      expect(rejected).toMatchObject({ state: 'rejected', ended: true, details: { escalated: false, override: { decision: 'rejected', skipped: ['alice', 'bob'], afterEscalation: false } } });
      await handle.result();
      expect(notices.map((n) => [n.seq, n.recipients])).toEqual([
        [3, ['user:alice', 'user:bob']],
        [4, ['user:alice', 'user:bob']],
      ]);
      const history = await handle.fetchHistory();
      expect(history.events?.some((e) => e.timerFiredEventAttributes)).toBe(false);
    });
    expect(run.timeline().map((e) => [e.type, e.actor])).toEqual([
      ['created', 'user:dave'],
      ['assessed', 'user:dave'],
      ['approval_requested', 'user:dave'],
      ['rejected', 'user:carol'],
    ]);
  });

  it('ends as rejected when an approver rejects, cancelling the approval timer', async () => {
    const run = await runChange(changeInput(), async ({ handle, notices }) => {
      await update.assess(handle);
      await update.submit(handle);
      await update.decide(handle, 'bob', 'rejected', 'Not during year-end closing');
      const result = (await handle.result()) as ChangeRecord;
      expect(result).toMatchObject({ state: 'rejected', ended: true, dueAt: null });
      expect(notices).toHaveLength(1);
      const history = await handle.fetchHistory();
      expect(history.events?.some((e) => e.timerCanceledEventAttributes)).toBe(true);
      expect(history.events?.some((e) => e.timerFiredEventAttributes)).toBe(false);
    });
    expect(run.timeline().at(-1)).toEqual({ seq: 4, type: 'rejected', actor: 'user:bob' });
    expect(run.events.at(-1)!.event.payload).toMatchObject({ comment: 'Not during year-end closing' });
  });

  it('ends as rolled back when the implementation is undone', async () => {
    const run = await runChange(changeInput(), async ({ handle }) => {
      await update.assess(handle);
      await update.submit(handle);
      await update.decide(handle, 'alice', 'approved');
      await update.decide(handle, 'bob', 'approved');
      await update.schedule(handle);
      await update.implement(handle);
      await handle.executeUpdate(rollBackChangeUpdate, { args: [{ reason: 'Reports fail after the upgrade', actor: dave }] });
      const result = (await handle.result()) as ChangeRecord;
      expect(result).toMatchObject({ state: 'rolled_back', ended: true, details: { rollbackReason: 'Reports fail after the upgrade' } });
    });
    expect(run.timeline().at(-1)).toEqual({ seq: 8, type: 'rolled_back', actor: 'user:dave' });
  });

  it("rejects a non-approver's decision and a step out of order before they reach history", async () => {
    const run = await runChange(changeInput(), async ({ handle, events }) => {
      expect(await failureType(update.submit(handle))).toBe('IllegalTransition');
      await update.assess(handle);
      await update.submit(handle);
      const recorded = events.length;
      expect(await failureType(update.decide(handle, 'mallory', 'approved'))).toBe('Forbidden');
      await update.decide(handle, 'alice', 'approved');
      expect(await failureType(update.decide(handle, 'alice', 'approved'))).toBe('IllegalTransition');
      expect(await failureType(update.decide(handle, 'bob', 'rejected'))).toBe('ValidationError');
      expect(events).toHaveLength(recorded + 1);
      const history = await handle.fetchHistory();
      expect(history.events?.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(3);
    });
    expect(run.timeline().map((e) => e.type)).toEqual(['created', 'assessed', 'approval_requested', 'approval_recorded']);
  });

  it('rejects text that Postgres could not store before it reaches history, as the incident workflow does', async () => {
    await runChange(changeInput(), async ({ handle, events }) => {
      await update.assess(handle);
      await update.submit(handle);
      const recorded = events.length;
      const decided = handle.executeUpdate(decideChangeUpdate, { args: [{ decision: 'approved', comment: 'fine \uD800 by me', actor: user('alice') }] });
      const cause = await decided.then(
        () => undefined,
        (err: unknown) => (err as { cause?: { type?: string; message?: string } }).cause,
      );
      expect(cause?.type).toBe('ValidationError');
      expect(cause?.message).toMatch(/^comment must be well-formed Unicode/);
      expect(events).toHaveLength(recorded);
      await update.decide(handle, 'alice', 'approved', 'fine by me');
      expect(events).toHaveLength(recorded + 1);
    });
  });

  it('carries the hardware items, replacements included, in the result of a completed hardware change', async () => {
    const items = [
      { action: 'replace' as const, serialNumber: 'SN-NEW-1', replacesSerialNumber: 'SN-OLD-1', product: 'ThinkPad T14' },
      { action: 'add' as const, serialNumber: 'SN-DOCK-7' },
    ];
    const run = await runChange(changeInput({ kind: 'hardware_change', title: 'Replace the accounting laptop' }), async ({ handle }) => {
      expect(await failureType(update.assess(handle, softwareAssessment))).toBe('ValidationError');
      await update.assess(handle, { ...plans, hardware: { items } });
      await update.submit(handle);
      await update.decide(handle, 'alice', 'approved');
      await update.decide(handle, 'bob', 'approved');
      await update.schedule(handle);
      await update.implement(handle);
      await update.review(handle);
      await update.close(handle);
      const result = (await handle.result()) as ChangeRecord;
      expect(result).toMatchObject({ kind: 'hardware_change', state: 'closed' });
      expect(result.details.assessment?.hardware?.items).toEqual(items);
    });
    // The closed change updated the asset register once, and said so on its timeline.
    expect(hardwareCalls.filter((c) => c.changeId.endsWith('hardware-change-1'))).toEqual([expect.objectContaining({ customerNumber: 'K-1', items })]);
    expect(run.timeline().at(-1)).toMatchObject({ type: 'asset_register_updated', actor: 'system' });
  });

  it('records a refusal of the asset register on the timeline instead of retrying forever', async () => {
    refuseHardware = true;
    const items = [{ action: 'replace' as const, serialNumber: 'SN-NEW-1', replacesSerialNumber: 'SN-OLD-1' }];
    try {
      const run = await runChange(changeInput({ kind: 'hardware_change', title: 'Swap a laptop', changeType: 'standard', approvers: [] }), async ({ handle }) => {
        await update.assess(handle, { ...plans, hardware: { items } });
        await update.submit(handle);
        await update.schedule(handle);
        await update.implement(handle);
        await update.review(handle);
        await update.close(handle);
        await handle.result();
      });
      const last = run.events.at(-1)!.event;
      expect(last).toMatchObject({ type: 'asset_register_refused', payload: { reason: expect.stringMatching(/SN-NEW-1 is registered to another customer/) } });
    } finally {
      refuseHardware = false;
    }
  });
});
