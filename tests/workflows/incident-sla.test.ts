// Exact SLA timers on the time-skipping server: a Gold P2 incident received Friday 16:30 before
// a public-holiday Monday warns, breaches and reaches management at exactly the computed instants.
// Activities are stubs here: this test is about orchestration; persistence is tested elsewhere.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordIncidentEventInput } from '../../src/activities/incident-projection.js';
import { BusinessCalendar } from '../../src/domain/business-calendar.js';
import type { IncidentIntake } from '../../src/domain/incident.js';
import { incidentWorkflowId } from '../../src/domain/ticket-number.js';
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { getStateQuery, replyUpdate } from '../../src/workflows/incident/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { goldPolicy } from '../support/policies.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
const zone = 'Europe/Berlin';

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
  ]);
  await addSearchAttributes(env.connection, 'default');
});
afterAll(async () => env?.teardown());

/** The first Friday at least 40 days ahead whose Monday is a DE-NW public holiday (and Friday is not). */
function fridayBeforeHolidayMonday(): DateTime {
  const calendar = new BusinessCalendar(goldPolicy.calendar);
  let day = DateTime.now().setZone(zone).plus({ days: 40 }).startOf('day');
  for (;;) {
    if (day.weekday === 5 && !calendar.isHoliday(day.toISODate()!) && calendar.isHoliday(day.plus({ days: 3 }).toISODate()!)) return day;
    day = day.plus({ days: 1 });
  }
}

let counter = 0;
function intakeAt(receivedAt: DateTime): IncidentIntake {
  counter += 1;
  return {
    number: `INC-2099-${String(counter).padStart(6, '0')}`,
    title: 'Mail server down',
    description: '',
    channel: 'phone',
    impact: 'high',
    urgency: 'medium',
    priority: 'P2',
    receivedAt: receivedAt.toUTC().toISO()!,
    openedBy: { id: 'user:test', name: 'Test' },
    customer: { id: 'c', number: 'K-1', name: 'Customer' },
    contact: null,
    asset: null,
    contract: { id: 'k', number: 'V-1', tier: 'gold' },
    slaPolicyId: 'gold',
    sla: goldPolicy,
  };
}

async function runIncident(intake: IncidentIntake, script: (events: RecordIncidentEventInput[]) => Promise<void>) {
  const events: RecordIncidentEventInput[] = [];
  const taskQueue = `sla-${intake.number}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle,
    activities: {
      recordIncidentEvent: (input: RecordIncidentEventInput) => {
        events.push(input);
        return Promise.resolve();
      },
    },
  });
  await worker.runUntil(async () => {
    await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: incidentWorkflowId(intake.number), args: [{ intake }] });
    await script(events);
  });
  return events;
}

const escalations = (events: RecordIncidentEventInput[]) => events.filter((e) => e.event.type === 'escalation_changed').map((e) => e.event);
/** Advances the test server's clock to an instant. */
async function sleepUntil(at: DateTime) {
  const ms = at.toMillis() - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

describe('Gold P2 received Friday 16:30 before a public-holiday Monday', () => {
  const friday = fridayBeforeHolidayMonday();
  const tuesday = friday.plus({ days: 4 });
  const local = (day: DateTime, hour: number, minute = 0) => day.set({ hour, minute, second: 0, millisecond: 0 });
  const iso = (t: DateTime) => t.toUTC().toISO();

  it('warns, breaches and reaches management at exactly the computed instants, once each', async () => {
    const intake = intakeAt(local(friday, 16, 30));
    const events = await runIncident(intake, async (events) => {
      // 30 business minutes on Friday, none on the weekend or the holiday, then Tuesday from 08:00.
      await sleepUntil(local(tuesday, 11, 0));
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      const state = await handle.query(getStateQuery);
      expect(state.escalationLevel).toBe(3);
      expect(state.slaBreached).toBe(true);
      // Each level is reached at the exact instant; the event is written when the timer fires.
      const toSecond = (t: string) => t.slice(0, 19);
      expect(escalations(events).map((e) => [e.payload.to, e.payload.reachedAt])).toEqual([
        [1, iso(local(tuesday, 9, 0))],
        [2, iso(local(tuesday, 9, 30))],
        [3, iso(local(tuesday, 10, 30))],
      ]);
      expect(escalations(events).map((e) => [e.payload.to, toSecond(e.at)])).toEqual([
        [1, toSecond(iso(local(tuesday, 9, 0))!)], // 75 % of 120 min: 30 + 60
        [2, toSecond(iso(local(tuesday, 9, 30))!)], // 120 min
        [3, toSecond(iso(local(tuesday, 10, 30))!)], // 150 % of 120 min
      ]);
      expect(escalations(events).map((e) => e.payload.recipients)).toEqual([
        ['assignee', 'group'],
        ['group-lead'],
        ['service-manager', 'account-manager'],
      ]);
      expect(escalations(events).every((e) => e.payload.target === 'firstResponse' && e.actor.id === 'system')).toBe(true);

      // The first reply stops the first-response clock; resolution is far from risk, so level 0.
      const replied = await handle.executeUpdate(replyUpdate, { args: [{ text: 'We are on it.', actor: { id: 'user:a', name: 'Anna' } }] });
      expect(replied.due.firstResponse).toBe(iso(local(tuesday, 9, 30)));
      await sleepUntil(local(tuesday, 11, 1));
      expect((await handle.query(getStateQuery)).escalationLevel).toBe(0);
      const last = escalations(events).at(-1)!;
      expect(last.payload).toMatchObject({ from: 3, to: 0, direction: 'down' });
      expect((await handle.query(getStateQuery)).slaBreached).toBe(true); // sticky
    });
    expect(events[0]!.event.type).toBe('created');
    expect(events[0]!.incident.due).toEqual({
      firstResponse: iso(local(tuesday, 9, 30)),
      nextResponse: null,
      resolution: iso(local(friday.plus({ days: 5 }), 14, 30)), // 30 + 540 (Tue) + 390 (Wed)
    });
  });

  it('escalates nothing when the first response comes before the warning', async () => {
    const intake = intakeAt(local(friday, 16, 30));
    const events = await runIncident(intake, async () => {
      await sleepUntil(local(tuesday, 8, 45));
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      await handle.executeUpdate(replyUpdate, { args: [{ text: 'Looking into it.', actor: { id: 'user:a', name: 'Anna' } }] });
      // Until Wednesday 10:00 nothing is at risk: the resolution warning comes at 720 min, Wednesday 10:30.
      await sleepUntil(local(friday.plus({ days: 5 }), 10, 0));
      expect((await handle.query(getStateQuery)).escalationLevel).toBe(0);
    });
    expect(escalations(events)).toEqual([]);
    expect(events.find((e) => e.event.type === 'replied')!.event.payload).toMatchObject({ firstResponse: true });
  });
});
