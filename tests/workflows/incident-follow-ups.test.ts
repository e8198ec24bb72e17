// An incident starts follow-up work as child workflows, waits for it (pending_change, clocks
// paused), hears when it ends, and refuses to close while it is open. Activities are stubs:
// this is about orchestration; the projections are tested elsewhere.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { assessChangeUpdate, closeChangeUpdate, decideChangeUpdate, implementChangeUpdate, reviewChangeUpdate, rollBackChangeUpdate, scheduleChangeUpdate, submitChangeUpdate } from '../../src/workflows/change/messages.js';
import { completeServiceOrderUpdate, scheduleServiceOrderUpdate, startServiceOrderUpdate } from '../../src/workflows/service-order/messages.js';
import { getCallbackQuery, logCallbackCallUpdate } from '../../src/workflows/callback/messages.js';
import { closeUpdate, createFollowUpUpdate, detachFollowUpUpdate, getStateQuery, resolveUpdate } from '../../src/workflows/incident/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { goldPolicy } from '../support/policies.js';
import { agent, followUpHarness, type FollowUpHarness } from '../support/follow-up-harness.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
let intake: FollowUpHarness['intake'];
let withIncident: FollowUpHarness['withIncident'];
beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
});
// A time-skipping server of its own per test: a test that sleeps through hours after an earlier one
// terminated its incidents mid-task now and then slept in real time on a shared server.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
  await addSearchAttributes(env.connection, 'default');
  ({ intake, withIncident } = followUpHarness(env, workflowBundle));
});
afterEach(async () => env?.teardown());

const approver = { id: 'user:approver-1', name: 'Carl CAB' };

const softwareChange = { changeType: 'normal' as const, description: 'Firmware 7.2.8 fixes the IPsec rekey bug.', approvers: ['approver-1'], changeManagerId: 'manager-1', approvalHours: 24 };
const assessment = { risk: 'medium' as const, impact: 'VPN down 10 minutes', implementationPlan: 'Upload, reboot', rollbackPlan: 'Boot the old partition', software: { systems: [{ name: 'FortiGate 100F', fromVersion: '7.2.5', toVersion: '7.2.8' }] } };

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
      // The resolution notice had nowhere to go (the incident has no contact address) and says so.
      expect(bySeq.map((e) => e.type)).toEqual(['created', 'follow_up_created', 'resolved', 'mail_undeliverable', 'follow_up_detached', 'closed']);
      expect(bySeq[3]!.payload).toMatchObject({ template: 'resolution', reason: 'no contact address' });
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
      // (The first response does not pause: its escalations may come in between, depending on the hour the test runs at.)
      const bySeq = events.filter((e) => e.event.type !== 'escalation_changed').sort((a, b) => a.event.seq - b.event.seq);
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
