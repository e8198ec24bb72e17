// A child ticket of an incident on a time-skipping server of its own: it sleeps three simulated
// hours while the parent waits. Beside the other follow-up tests it timed out now and then (about
// one run in six on 2 cores): they terminate incidents mid-task, and the shared server's clock
// then skipped in real time. Alone on its own server it does not.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { closeUpdate, createFollowUpUpdate, getStateQuery, reopenUpdate, resolveUpdate } from '../../src/workflows/incident/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { agent, followUpHarness, type FollowUpHarness } from '../support/follow-up-harness.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
let intake: FollowUpHarness['intake'];
let withIncident: FollowUpHarness['withIncident'];
beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
  ]);
  await addSearchAttributes(env.connection, 'default');
  ({ intake, withIncident } = followUpHarness(env, workflowBundle, { year: 2097 }));
});
afterAll(async () => env?.teardown());

describe('a child ticket of an incident', () => {
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
});
