// An incident starts follow-up work as child workflows, waits for it (pending_change, clocks
// paused), hears when it ends, and refuses to close while it is open. Activities are stubs:
// this is about orchestration; the projections are tested elsewhere.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FollowUpStepInput } from '../../src/activities/follow-ups.js';
import type { RecordIncidentEventInput } from '../../src/activities/incident-projection.js';
import type { IncidentIntake } from '../../src/domain/incident.js';
import { incidentWorkflowId } from '../../src/domain/ticket-number.js';
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { assessChangeUpdate, closeChangeUpdate, decideChangeUpdate, implementChangeUpdate, reviewChangeUpdate, rollBackChangeUpdate, scheduleChangeUpdate, submitChangeUpdate } from '../../src/workflows/change/messages.js';
import { completeServiceOrderUpdate, scheduleServiceOrderUpdate, startServiceOrderUpdate } from '../../src/workflows/service-order/messages.js';
import { getCallbackQuery, logCallbackCallUpdate } from '../../src/workflows/callback/messages.js';
import { closeUpdate, createFollowUpUpdate, detachFollowUpUpdate, getStateQuery, reopenUpdate, resolveUpdate } from '../../src/workflows/incident/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { goldPolicy } from '../support/policies.js';
import { testIntake } from '../support/intake.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
  ]);
  await addSearchAttributes(env.connection, 'default');
});
afterAll(async () => env?.teardown());

const agent = { id: 'user:agent-1', name: 'Anna Agent' };
const approver = { id: 'user:approver-1', name: 'Carl CAB' };
let counter = 0;

async function intake(overrides: Partial<IncidentIntake> = {}): Promise<IncidentIntake> {
  counter += 1;
  return testIntake({
    number: `INC-2098-${String(counter).padStart(6, '0')}`,
    title: 'Firewall drops VPN',
    priority: 'P2',
    receivedAt: new Date(await env.currentTimeMs()).toISOString(),
    openedBy: agent,
    customer: { id: 'c', number: 'K-1', name: 'Customer' },
    contract: { id: 'k', number: 'V-1', tier: 'gold' },
    slaPolicyId: 'gold',
    sla: goldPolicy,
    ...overrides,
  });
}

const softwareChange = { changeType: 'normal', description: 'Firmware 7.2.8 fixes the IPsec rekey bug.', approvers: ['approver-1'], changeManagerId: 'manager-1', approvalHours: 24 };
const assessment = { risk: 'medium' as const, impact: 'VPN down 10 minutes', implementationPlan: 'Upload, reboot', rollbackPlan: 'Boot the old partition', software: { systems: [{ name: 'FortiGate 100F', fromVersion: '7.2.5', toVersion: '7.2.8' }] } };

async function withIncident(
  script: (ctx: { number: string; handle: ReturnType<typeof env.client.workflow.getHandle>; events: RecordIncidentEventInput[]; childSteps: FollowUpStepInput[] }) => Promise<void>,
  overrides: Partial<IncidentIntake> = {},
) {
  const events: RecordIncidentEventInput[] = [];
  const childSteps: FollowUpStepInput[] = [];
  const opened = await intake(overrides);
  const taskQueue = `follow-ups-${opened.number}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: {
      recordIncidentEvent: (input: RecordIncidentEventInput) => void events.push(input),
      notifyEscalation: () => ({ recipients: [] }),
      recordFollowUpEvent: (input: FollowUpStepInput) => void childSteps.push(input),
      notifyFollowUp: () => ({ recipients: [] }),
      bookServiceOrderReport: () => ({ timeEntryIds: [], materialEntryIds: [], totals: { minutes: 0, quotaMinutes: 0, billableMinutes: 0, timeAmountCents: 0, materialAmountCents: 0, amountCents: 0 } }),
      mailCustomer: () => ({ status: 'no-recipient' }),
    },
  });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: incidentWorkflowId(opened.number), args: [{ intake: opened }] });
    try {
      await script({ number: opened.number, handle, events, childSteps });
    } finally {
      // Workflows left running without their worker would hold the shared test server's clock.
      const children = ['software-change-1', 'service-order-1', 'callback-1'].map((ref) => `${incidentWorkflowId(opened.number)}/${ref}`);
      const childTickets = (await env.client.workflow.getHandle(incidentWorkflowId(opened.number)).query(getStateQuery).catch(() => undefined))?.followUps?.filter((f) => f.number) ?? [];
      for (const id of [incidentWorkflowId(opened.number), ...children, ...childTickets.map((f) => f.workflowId)]) {
        const running = await env.client.workflow
          .getHandle(id)
          .describe()
          .then((d) => d.status.name === 'RUNNING', () => false);
        if (running) await env.client.workflow.getHandle(id).terminate('test finished');
      }
    }
  });
}

const change = (number: string) => env.client.workflow.getHandle(`${incidentWorkflowId(number)}/software-change-1`);

describe('follow-up work of an incident', () => {
  // First in this file: it sleeps simulated days, which the shared test server's clock does
  // most reliably before other tests have terminated incidents mid-task.
  it('refuses to close with an open follow-up, and closes once it is detached', async () => {
    await withIncident(async ({ number, handle, events }) => {
      await handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'software_change', title: 'Firmware update', child: softwareChange, actor: agent }] });
      await handle.executeUpdate(resolveUpdate, { args: [{ resolution: 'Workaround: rekey every hour.', actor: agent }] });
      await expect(handle.executeUpdate(closeUpdate, { args: [{ actor: agent }] })).rejects.toMatchObject({
        cause: expect.objectContaining({ type: 'IllegalTransition', message: expect.stringMatching(/follow-ups software-change-1 are still open/) }),
      });
      // Auto-close waits too: a week later it is still resolved.
      await env.sleep('8 days');
      expect((await handle.query(getStateQuery)).status).toBe('resolved');
      await handle.executeUpdate(detachFollowUpUpdate, { args: [{ ref: 'software-change-1', reason: 'Runs on as planned maintenance.', actor: agent }] });
      // Detached, the follow-up no longer holds it: the overdue automatic close happens at once.
      // (Polled, not awaited: waiting for a result lets the test server skip time.)
      await expect.poll(async () => (await handle.describe()).status.name, { timeout: 30_000 }).toBe('COMPLETED');
      // Activities of one workflow task may run in any order; the projection orders by seq.
      const bySeq = [...events].sort((a, b) => a.event.seq - b.event.seq).map((e) => e.event);
      expect(bySeq.map((e) => e.type)).toEqual(['created', 'follow_up_created', 'resolved', 'follow_up_detached', 'closed']);
      expect(bySeq.at(-1)!.payload).toEqual({ automatic: true });
      // The detached change runs on.
      expect((await change(number).describe()).status.name).toBe('RUNNING');
    });
  });

  it('starts a change as a child, waits for it with paused clocks, and resumes when it closes', async () => {
    await withIncident(async ({ number, handle, events }) => {
      const waiting = await handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'software_change', title: 'Firmware update', waitFor: true, child: softwareChange, actor: agent }] });
      expect(waiting.status).toBe('pending_change');
      expect(waiting.followUps).toEqual([expect.objectContaining({ ref: 'software-change-1', workflowId: `${incidentWorkflowId(number)}/software-change-1`, status: 'open', waitFor: true })]);
      expect(waiting.clocks?.resolution?.pausedSince).toEqual(expect.any(String));
      // The child runs under the incident, with its own timeline.
      const child = change(number);
      expect((await child.describe()).parentExecution?.workflowId).toBe(incidentWorkflowId(number));

      await env.sleep('2 hours');
      await child.executeUpdate(assessChangeUpdate, { args: [{ ...assessment, actor: agent }] });
      await child.executeUpdate(submitChangeUpdate, { args: [{ actor: agent }] });
      await child.executeUpdate(decideChangeUpdate, { args: [{ decision: 'approved', actor: approver }] });
      const now = await env.currentTimeMs();
      await child.executeUpdate(scheduleChangeUpdate, { args: [{ from: new Date(now + 3_600_000).toISOString(), to: new Date(now + 7_200_000).toISOString(), actor: agent }] });
      await child.executeUpdate(implementChangeUpdate, { args: [{ actor: agent }] });
      await child.executeUpdate(reviewChangeUpdate, { args: [{ outcome: 'successful', actor: agent }] });
      await child.executeUpdate(closeChangeUpdate, { args: [{ actor: agent }] });
      await child.result();

      // The state changes before its timeline event is recorded: wait for the event.
      await expect.poll(() => events.some((e) => e.event.type === 'follow_up_ended'), { timeout: 30_000 }).toBe(true);
      expect((await handle.query(getStateQuery)).status).toBe('new');
      const state = await handle.query(getStateQuery);
      expect(state.followUps?.[0]).toMatchObject({ status: 'completed', result: 'closed' });
      // The two hours of waiting do not count against the resolution target.
      expect(state.clocks?.resolution?.pausedSince).toBeNull();
      expect(state.clocks?.resolution?.pauses?.length ?? 0).toBeGreaterThan(0);
      const bySeq = [...events].sort((a, b) => a.event.seq - b.event.seq);
      expect(bySeq.map((e) => e.event.type)).toEqual(['created', 'follow_up_created', 'follow_up_ended']);
      expect(bySeq[2]!.event.payload).toMatchObject({ ref: 'software-change-1', outcome: 'completed', result: 'closed', resumed: 'new' });
    });
  });

  it('waits for a service order and hears when the technician completes it', async () => {
    await withIncident(async ({ number, handle, events }) => {
      const waiting = await handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'service_order', title: 'Replace the PSU on site', waitFor: true, child: { location: 'onsite', description: 'PSU 2 failed.' }, actor: agent }] });
      expect(waiting).toMatchObject({ status: 'pending_change', followUps: [{ ref: 'service-order-1', kind: 'service_order' }] });
      const order = env.client.workflow.getHandle(`${incidentWorkflowId(number)}/service-order-1`);
      const now = await env.currentTimeMs();
      await order.executeUpdate(scheduleServiceOrderUpdate, { args: [{ technician: { id: 'tech-1', name: 'Tom Tech' }, appointment: { from: new Date(now + 86_400_000).toISOString(), to: new Date(now + 90_000_000).toISOString() }, actor: agent }] });
      await env.sleep('1 day');
      await order.executeUpdate(startServiceOrderUpdate, { args: [{ actor: { id: 'user:tech-1', name: 'Tom Tech' } }] });
      await order.executeUpdate(completeServiceOrderUpdate, { args: [{ summary: 'PSU replaced.', materials: [{ articleNumber: 'PSU-800', description: 'PSU 800 W', quantity: 1, unitPriceCents: 18900 }], actor: { id: 'user:tech-1', name: 'Tom Tech' } }] });
      // The state changes before its timeline event is recorded: wait for the event.
      await expect.poll(() => events.some((e) => e.event.type === 'follow_up_ended'), { timeout: 30_000 }).toBe(true);
      expect((await handle.query(getStateQuery)).status).toBe('new');
      const ended = [...events].sort((a, b) => a.event.seq - b.event.seq).at(-1)!.event;
      expect(ended).toMatchObject({ type: 'follow_up_ended', payload: { ref: 'service-order-1', outcome: 'completed', result: 'done', resumed: 'new' } });
    });
  });

  it('hears of a rolled-back change as failed', async () => {
    await withIncident(async ({ number, handle }) => {
      await handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'software_change', title: 'Firmware update', child: { ...softwareChange, changeType: 'standard', approvers: [] }, actor: agent }] });
      const child = change(number);
      await child.executeUpdate(assessChangeUpdate, { args: [{ ...assessment, actor: agent }] });
      await child.executeUpdate(submitChangeUpdate, { args: [{ actor: agent }] });
      const now = await env.currentTimeMs();
      await child.executeUpdate(scheduleChangeUpdate, { args: [{ from: new Date(now + 60_000).toISOString(), to: new Date(now + 120_000).toISOString(), actor: agent }] });
      await child.executeUpdate(implementChangeUpdate, { args: [{ actor: agent }] });
      await child.executeUpdate(rollBackChangeUpdate, { args: [{ reason: 'VPN worse than before', actor: agent }] });
      await child.result();
      await expect.poll(async () => (await handle.query(getStateQuery)).followUps?.[0]?.status, { timeout: 30_000 }).toBe('failed');
    });
  });

  it('rejects a follow-up of an unknown kind before it enters history', async () => {
    await withIncident(async ({ handle, events }) => {
      await expect(handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'teleportation' as never, title: 'x', actor: agent }] })).rejects.toMatchObject({
        cause: expect.objectContaining({ type: 'ValidationError', message: expect.stringMatching(/kind must be one of/) }),
      });
      // The creation may still be on its way to the timeline: wait for it, then nothing else is there.
      await expect.poll(() => events.length, { timeout: 30_000 }).toBe(1);
      expect(events.map((e) => e.event.type)).toEqual(['created']);
      expect((await handle.query(getStateQuery)).followUps ?? []).toEqual([]);
    });
  });

  it('splits off a child ticket with its own SLA, waits for it, and resumes when it is resolved', async () => {
    await withIncident(async ({ number, handle, events }) => {
      const child = await intake({ title: 'Network team: check the VPN concentrator', priority: 'P3', parent: { number, workflowId: incidentWorkflowId(number), waits: true } });
      const command = { kind: 'child_ticket' as const, title: child.title, waitFor: true, childNumber: child.number, child: { intake: child }, actor: agent };
      const waiting = await handle.executeUpdate(createFollowUpUpdate, { args: [command] });
      expect(waiting.status).toBe('pending_change');
      expect(waiting.followUps).toEqual([expect.objectContaining({ ref: 'child-ticket-1', kind: 'child_ticket', number: child.number, workflowId: incidentWorkflowId(child.number), status: 'open', waitFor: true })]);
      // A retried request links nothing twice.
      expect((await handle.executeUpdate(createFollowUpUpdate, { args: [command] })).followUps).toHaveLength(1);

      // The child is a full incident under the parent in the UI, with its own number, SLA and search attributes.
      const childHandle = env.client.workflow.getHandle(incidentWorkflowId(child.number));
      const described = await childHandle.describe();
      expect(described.parentExecution?.workflowId).toBe(incidentWorkflowId(number));
      expect(described.searchAttributes).toMatchObject({ FollowUpKind: ['child_ticket'], IncidentPriority: ['P3'] });
      const childState = await childHandle.query(getStateQuery);
      expect(childState).toMatchObject({ number: child.number, parent: { number }, priority: 'P3', status: 'new' });
      expect(childState.due.resolution).not.toBe((await handle.query(getStateQuery)).due.resolution);

      await env.sleep('3 hours');
      await childHandle.executeUpdate(resolveUpdate, { args: [{ resolution: 'Concentrator rebooted.', actor: agent }] });
      await expect.poll(() => events.some((e) => e.incident.number === number && e.event.type === 'follow_up_ended'), { timeout: 30_000 }).toBe(true);
      const resumed = await handle.query(getStateQuery);
      expect(resumed.status).toBe('new');
      expect(resumed.followUps?.[0]).toMatchObject({ status: 'completed', result: 'resolved' });
      // The three hours the parent waited do not count against its resolution target.
      expect(resumed.clocks?.resolution?.pausedSince).toBeNull();
      const pause = resumed.clocks!.resolution!.pauses.at(-1)!;
      expect(Date.parse(pause.to) - Date.parse(pause.from)).toBeGreaterThanOrEqual(3 * 3_600_000);
      // Both timelines carry the link.
      const created = events.find((e) => e.incident.number === child.number && e.event.type === 'created')!;
      expect(created.event.payload).toMatchObject({ parent: number });
      // (Escalations of the parent's first response may come in between, depending on the hour the test runs at.)
      const parentEvents = events.filter((e) => e.incident.number === number && e.event.type !== 'escalation_changed').sort((a, b) => a.event.seq - b.event.seq);
      expect(parentEvents.map((e) => e.event.type)).toEqual(['created', 'follow_up_created', 'follow_up_ended']);
      expect(parentEvents[1]!.event.payload).toMatchObject({ kind: 'child_ticket', number: child.number, clocksPaused: true });

      // Reopened, the child holds its parent again: the link is open and the parent cannot close.
      await childHandle.executeUpdate(reopenUpdate, { args: [{ reason: 'The tunnel drops again.', actor: agent }] });
      await expect.poll(async () => (await handle.query(getStateQuery)).followUps?.[0]?.status, { timeout: 30_000 }).toBe('open');
      await expect.poll(() => events.some((e) => e.incident.number === number && e.event.type === 'follow_up_reopened'), { timeout: 30_000 }).toBe(true);
      await handle.executeUpdate(resolveUpdate, { args: [{ resolution: 'Workaround in place.', actor: agent }] });
      await expect(handle.executeUpdate(closeUpdate, { args: [{ actor: agent }] })).rejects.toMatchObject({ cause: expect.objectContaining({ type: 'IllegalTransition' }) });
    });
  });

  it('refuses a child ticket whose intake names another parent or customer', async () => {
    await withIncident(async ({ number, handle }) => {
      const stranger = await intake({ parent: { number: 'INC-2098-999999', workflowId: incidentWorkflowId('INC-2098-999999') } });
      await expect(handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'child_ticket', title: 'x', childNumber: stranger.number, child: { intake: stranger }, actor: agent }] })).rejects.toMatchObject({
        cause: expect.objectContaining({ type: 'ValidationError', message: expect.stringMatching(/names another parent/) }),
      });
      const otherCustomer = await intake({ customer: { id: 'other', number: 'K-2', name: 'Other' }, parent: { number, workflowId: incidentWorkflowId(number) } });
      await expect(handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'child_ticket', title: 'x', childNumber: otherCustomer.number, child: { intake: otherCustomer }, actor: agent }] })).rejects.toMatchObject({
        cause: expect.objectContaining({ type: 'ValidationError', message: expect.stringMatching(/another customer/) }),
      });
      expect((await handle.query(getStateQuery)).followUps ?? []).toEqual([]);
    });
  });

  it('keeps the clocks running while it waits when its policy says waiting for follow-up work does not pause', async () => {
    await withIncident(
      async ({ handle }) => {
        const waiting = await handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'service_order', title: 'Replace the PSU on site', waitFor: true, child: { location: 'onsite', description: 'PSU 2 failed.' }, actor: agent }] });
        expect(waiting.status).toBe('pending_change');
        expect(waiting.clocks?.resolution?.pausedSince).toBeNull();
        expect(waiting.due.resolution).not.toBeNull();
      },
      { sla: { ...goldPolicy, pauseOnPendingChange: false } },
    );
  });

  it('starts a callback as a child and hears when the call is done', async () => {
    await withIncident(async ({ number, handle }) => {
      const now = await env.currentTimeMs();
      const window = { from: new Date(now + 3_600_000).toISOString(), to: new Date(now + 7_200_000).toISOString() };
      const state = await handle.executeUpdate(createFollowUpUpdate, {
        args: [{ kind: 'callback', title: 'Callback to Clara: VPN', child: { phone: '+49 221 1234567', topic: 'VPN', contactName: 'Clara Contact', window, requestedBy: 'phone' }, actor: agent }],
      });
      expect(state.followUps).toEqual([expect.objectContaining({ ref: 'callback-1', kind: 'callback', status: 'open' })]);
      const callback = env.client.workflow.getHandle(`${incidentWorkflowId(number)}/callback-1`);
      expect(await callback.query(getCallbackQuery)).toMatchObject({ incidentNumber: number, details: { phone: '+492211234567', window } });
      await callback.executeUpdate(logCallbackCallUpdate, { args: [{ outcome: 'reached', note: 'Explained the workaround.', actor: agent }] });
      await expect.poll(async () => (await handle.query(getStateQuery)).followUps?.[0]?.status, { timeout: 30_000 }).toBe('completed');
      expect((await handle.query(getStateQuery)).followUps?.[0]?.result).toBe('done');
    });
  });

  it('links two follow-ups created at the same time each to its own running child', async () => {
    await withIncident(async ({ handle }) => {
      const [a, b] = await Promise.all([
        handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'service_order', title: 'Swap the PSU', child: { location: 'onsite', description: 'PSU' }, actor: agent }] }),
        handle.executeUpdate(createFollowUpUpdate, { args: [{ kind: 'software_change', title: 'Firmware', child: softwareChange, actor: agent }] }),
      ]);
      const links = (await handle.query(getStateQuery)).followUps!;
      expect(links.map((l) => l.ref).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/^service-order-[12]$/), expect.stringMatching(/^software-change-[12]$/)]));
      expect(new Set(links.map((l) => l.ref.slice(-1)))).toEqual(new Set(['1', '2']));
      // Each answer carries its own link last, and each link has a workflow behind it.
      expect([a.followUps!.at(-1)!.kind, b.followUps!.at(-1)!.kind].sort()).toEqual(['service_order', 'software_change']);
      for (const link of links) expect((await env.client.workflow.getHandle(link.workflowId).describe()).status.name).toBe('RUNNING');
      for (const link of links) await env.client.workflow.getHandle(link.workflowId).terminate('test finished');
    });
  });
});
