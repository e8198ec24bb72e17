// The callback workflow on the time-skipping server: it reminds exactly at the window start,
// escalates exactly at the window end when no call was logged, reminds again for a retry, records
// the outcome, and sends no reminder twice when the worker restarts. Activities are stubs here.
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FollowUpNotice, FollowUpStepInput } from '../../src/activities/follow-ups.js';
import type { CallbackRecord } from '../../src/domain/callback.js';
import {
  assignCallbackUpdate,
  cancelCallbackUpdate,
  getCallbackQuery,
  logCallbackCallUpdate,
  type CallbackWorkflowInput,
} from '../../src/workflows/callback/messages.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('../../src/workflows/callback/workflow.ts', import.meta.url)), logger: quiet }),
  ]);
  // The workflow keeps its search attributes (FollowUpKind, its state) up to date.
  await addSearchAttributes(env.connection, 'default');
});
afterAll(async () => env?.teardown());

const hour = 60 * 60 * 1000;
const minute = 60 * 1000;
const anna = { id: 'user:anna', name: 'Anna Agent' };

/** What the stub activities saw: timeline steps, and notices with the server time they were asked for at. */
interface Seen {
  steps: FollowUpStepInput[];
  notices: { notice: FollowUpNotice; at: number }[];
}
// Steps of one workflow task run concurrently (the creation and an early update), so order by seq.
const stepTypes = (seen: Seen) => [...seen.steps].sort((a, b) => a.event.seq - b.event.seq).map((s) => s.event.type);

function stubActivities(seen: Seen) {
  return {
    recordFollowUpEvent: (input: FollowUpStepInput) => {
      // Activities of one workflow task may run in any order; keep them in timeline order, as the projection does.
      seen.steps.push(input);
      seen.steps.sort((a, b) => a.event.seq - b.event.seq);
      return Promise.resolve();
    },
    notifyFollowUp: async (notice: FollowUpNotice) => {
      seen.notices.push({ notice, at: await env.currentTimeMs() });
      return { recipients: notice.recipients };
    },
  };
}

let counter = 0;
/** A callback under an incident whose window opens in an hour and closes two hours later (server time). */
async function callbackInput(changes: Partial<CallbackWorkflowInput> = {}): Promise<CallbackWorkflowInput & { from: number; to: number }> {
  counter += 1;
  const now = await env.currentTimeMs();
  const from = now + hour;
  const to = from + 2 * hour;
  return {
    workflowId: `incident-INC-2026-${String(counter).padStart(6, '0')}/callback-1`,
    incidentNumber: `INC-2026-${String(counter).padStart(6, '0')}`,
    customerNumber: 'K-1',
    phone: '+49 221 123 45 67',
    topic: 'VPN drops every hour',
    contactName: 'Carla Kunde',
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    requestedBy: 'phone',
    openedBy: anna,
    retryMinutes: 30,
    ...changes,
    from,
    to,
  };
}

function newWorker(taskQueue: string, seen: Seen, options: { maxCachedWorkflows?: number } = {}) {
  return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: stubActivities(seen), ...options });
}

/** Runs a callback on a fresh worker; terminates it if the script leaves it running, so the server's clock stays free. */
async function runCallback(input: CallbackWorkflowInput, script: (handle: ReturnType<typeof env.client.workflow.getHandle>, seen: Seen) => Promise<void>): Promise<Seen> {
  const seen: Seen = { steps: [], notices: [] };
  const taskQueue = `callback-${input.workflowId}`;
  const worker = await newWorker(taskQueue, seen);
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('callbackWorkflow', { taskQueue, workflowId: input.workflowId, args: [input] });
    try {
      await script(handle, seen);
    } finally {
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
  return seen;
}

async function sleepUntil(at: number) {
  const ms = at - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
/** Timers fire at their instant; the activity runs a moment later in wall time. */
const expectAtInstant = (actual: number, expected: number) => {
  expect(actual).toBeGreaterThanOrEqual(expected);
  expect(actual - expected).toBeLessThan(2000);
};

describe('callback workflow', () => {
  it('reminds the assigned agent exactly at the window start, once, and records a reached call', async () => {
    const input = await callbackInput();
    const seen = await runCallback(input, async (handle, seen) => {
      await handle.executeUpdate(assignCallbackUpdate, { args: [{ assigneeId: 'anna', assigneeName: 'Anna Agent', group: 'service-desk', actor: anna }] });
      await sleepUntil(input.from - minute);
      expect(seen.notices).toEqual([]);
      await sleepUntil(input.from + 10 * minute);
      expect(seen.notices).toHaveLength(1);
      expect(seen.notices[0]!.notice).toMatchObject({ workflowId: input.workflowId, recipients: ['user:anna'], incidentNumber: input.incidentNumber });
      expect(seen.notices[0]!.notice.subject).toBe('Callback due now: VPN drops every hour');
      expectAtInstant(seen.notices[0]!.at, input.from);
      expect((await handle.query(getCallbackQuery)).state).toBe('reminded');

      const logged = await handle.executeUpdate(logCallbackCallUpdate, { args: [{ outcome: 'reached', note: 'MTU fixed', actor: anna }] });
      expect(logged).toMatchObject({ state: 'done', ended: true });
      const result: CallbackRecord = await handle.result();
      expect(result).toMatchObject({ state: 'done', ended: true, details: { phone: '+492211234567', unreachable: false, needsIncident: false } });
      expect(result.details.attempts).toEqual([expect.objectContaining({ outcome: 'reached', note: 'MTU fixed', by: anna })]);
    });
    expect(stepTypes(seen)).toEqual(['created', 'assigned', 'reminded', 'call_logged']);
    const reminded = seen.steps.find((s) => s.event.type === 'reminded')!;
    expect(reminded.event.actor.id).toBe('system');
    expect(seen.notices[0]!.notice.seq).toBe(reminded.event.seq);
    expect(seen.steps.map((s) => s.event.seq)).toEqual([1, 2, 3, 4]);
  });

  it('escalates to the escalation recipients exactly at the window end when no call was logged, once', async () => {
    const input = await callbackInput({ escalationRecipients: ['lead@example.com', 'managers'] });
    const seen = await runCallback(input, async (handle, seen) => {
      await sleepUntil(input.to + 6 * hour);
      // Nobody assigned: the reminder goes to the escalation recipients too.
      expect(seen.notices.map((n) => [n.notice.subject, n.notice.recipients])).toEqual([
        ['Callback due now: VPN drops every hour', ['lead@example.com', 'managers']],
        ['Callback overdue: VPN drops every hour', ['lead@example.com', 'managers']],
      ]);
      expectAtInstant(seen.notices[0]!.at, input.from);
      expectAtInstant(seen.notices[1]!.at, input.to);
      const overdue = await handle.query(getCallbackQuery);
      expect(overdue).toMatchObject({ state: 'overdue', ended: false, details: { overdueAt: expect.any(String) } });
      const cancelled = await handle.executeUpdate(cancelCallbackUpdate, { args: [{ reason: 'Customer called in himself', actor: anna }] });
      expect(cancelled.state).toBe('cancelled');
      expect((await handle.result()).state).toBe('cancelled');
    });
    expect(stepTypes(seen)).toEqual(['created', 'reminded', 'overdue', 'cancelled']);
  });

  it('a call logged inside the window prevents the escalation and ends the workflow with the outcome', async () => {
    const input = await callbackInput({ incidentNumber: null, workflowId: `callback-3f1e2d4c-${++counter}` });
    const seen = await runCallback(input, async (handle) => {
      await handle.executeUpdate(assignCallbackUpdate, { args: [{ assigneeId: 'anna', assigneeName: 'Anna Agent', actor: anna }] });
      await sleepUntil(input.from + 30 * minute);
      await handle.executeUpdate(logCallbackCallUpdate, { args: [{ outcome: 'voicemail', note: 'Left a message', needsIncident: true, actor: anna }] });
      const result: CallbackRecord = await handle.result();
      expect(result).toMatchObject({ state: 'done', ended: true, incidentNumber: null, details: { needsIncident: true, overdueAt: null } });
      expect(result.details.attempts.map((a) => a.outcome)).toEqual(['voicemail']);
      await sleepUntil(input.to + hour);
    });
    expect(stepTypes(seen)).toEqual(['created', 'assigned', 'reminded', 'call_logged']);
    expect(seen.notices.map((n) => n.notice.subject)).toEqual(['Callback due now: VPN drops every hour']);
  });

  it('after a not-reached call reminds again after retryMinutes, then records the reached call', async () => {
    const input = await callbackInput();
    const seen = await runCallback(input, async (handle, seen) => {
      await handle.executeUpdate(assignCallbackUpdate, { args: [{ assigneeId: 'anna', assigneeName: 'Anna Agent', actor: anna }] });
      await sleepUntil(input.from + 10 * minute);
      const tried = await handle.executeUpdate(logCallbackCallUpdate, { args: [{ outcome: 'not_reached', actor: anna }] });
      expect(tried).toMatchObject({ state: 'reminded', ended: false });
      const retryAt = Date.parse(tried.details.retryAt!);
      expect(retryAt - input.from).toBeGreaterThanOrEqual(40 * minute);
      expect(retryAt - input.from).toBeLessThan(40 * minute + 2000);
      await sleepUntil(retryAt - minute);
      expect(seen.notices).toHaveLength(1);
      await sleepUntil(retryAt + 5 * minute);
      expect(seen.notices).toHaveLength(2);
      expect(seen.notices[1]!.notice).toMatchObject({ recipients: ['user:anna'], subject: 'Retry call: VPN drops every hour' });
      expect(seen.notices[1]!.notice.body).toContain('Attempt 2 of 3');
      expectAtInstant(seen.notices[1]!.at, retryAt);
      await handle.executeUpdate(logCallbackCallUpdate, { args: [{ outcome: 'reached', actor: anna }] });
      const result: CallbackRecord = await handle.result();
      expect(result.details.attempts.map((a) => a.outcome)).toEqual(['not_reached', 'reached']);
      expect(result.state).toBe('done');
    });
    expect(stepTypes(seen)).toEqual(['created', 'assigned', 'reminded', 'call_logged', 'retry_reminded', 'call_logged']);
    // The not-reached call came inside the window: no escalation at its end.
    expect(seen.notices.some((n) => n.notice.subject.startsWith('Callback overdue'))).toBe(false);
  });

  it('rejects bad commands before history, and fails a bad request at once', async () => {
    const input = await callbackInput();
    const seen = await runCallback(input, async (handle) => {
      await expect(handle.executeUpdate(cancelCallbackUpdate, { args: [{ reason: ' ', actor: anna }] })).rejects.toMatchObject({
        cause: expect.objectContaining({ type: 'ValidationError' }),
      });
      await expect(handle.executeUpdate(assignCallbackUpdate, { args: [{ group: 'service-desk', actor: anna }] })).resolves.toMatchObject({ state: 'assigned' });
      await expect(handle.executeUpdate(assignCallbackUpdate, { args: [{ group: 'service-desk', actor: anna }] })).rejects.toMatchObject({
        cause: expect.objectContaining({ type: 'IllegalTransition' }),
      });
    });
    expect(stepTypes(seen)).toEqual(['created', 'assigned']);

    const bad = await callbackInput({ phone: '0221 123' });
    await runCallback(bad, async (handle) => {
      await expect(handle.result()).rejects.toMatchObject({ cause: expect.objectContaining({ type: 'ValidationError', message: expect.stringContaining('phone') }) });
    });
  });

  it('sends no reminder twice when the worker restarts after it', async () => {
    const input = await callbackInput();
    const seen: Seen = { steps: [], notices: [] };
    const taskQueue = `callback-restart-${input.workflowId}`;
    // Without a workflow cache on either worker: the test server does not time out a gone worker's
    // sticky queue while its clock is locked, and each task then starts from the history, as after a restart.
    const handle = await (async () => {
      const first = await newWorker(taskQueue, seen, { maxCachedWorkflows: 0 });
      return first.runUntil(async () => {
        const h = await env.client.workflow.start('callbackWorkflow', { taskQueue, workflowId: input.workflowId, args: [input] });
        await h.executeUpdate(assignCallbackUpdate, { args: [{ assigneeId: 'anna', assigneeName: 'Anna Agent', actor: anna }] });
        await sleepUntil(input.from + 5 * minute);
        expect(seen.notices).toHaveLength(1);
        return h;
      });
    })();
    // The first worker is gone; a new one on the same queue replays the history and goes on.
    const second = await newWorker(taskQueue, seen, { maxCachedWorkflows: 0 });
    try {
      await second.runUntil(async () => {
        await sleepUntil(input.to + hour);
        expect((await handle.query(getCallbackQuery)).state).toBe('overdue');
        await handle.executeUpdate(logCallbackCallUpdate, { args: [{ outcome: 'reached', actor: anna }] });
        expect((await handle.result()).state).toBe('done');
      });
    } finally {
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
    }
    expect(seen.notices.map((n) => n.notice.subject)).toEqual(['Callback due now: VPN drops every hour', 'Callback overdue: VPN drops every hour']);
    expect(stepTypes(seen)).toEqual(['created', 'assigned', 'reminded', 'overdue', 'call_logged']);
  });
});
