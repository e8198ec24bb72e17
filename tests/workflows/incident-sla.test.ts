// Exact SLA timers on the time-skipping server: a Gold P2 incident received Friday 16:30 before
// a public-holiday Monday warns, breaches and reaches management at exactly the computed instants.
// Activities are stubs here: this test is about orchestration; persistence is tested elsewhere.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RecordIncidentEventInput } from '../../src/activities/incident-projection.js';
import type { EscalationNotice } from '../../src/activities/notifications.js';
import type { ResolveHolidaysInput } from '../../src/activities/calendar.js';
import { businessCalendar, resolveHolidays } from '../../src/domain/business-calendar.js';
import type { IncidentIntake } from '../../src/domain/incident/state.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { changePriorityUpdate, getStateQuery, reopenUpdate, replyUpdate, resolveUpdate, resumeUpdate, setPendingUpdate } from '../../src/workflows/incident/messages.js';
import { workflowsPath } from '../../src/worker.js';
import { goldPolicy } from '../support/policies.js';
import { testIntake } from '../support/intake.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
const zone = 'Europe/Berlin';

beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
});
// A time-skipping server of its own per test: after an earlier test had terminated its incident
// mid-task, a later test's sleep through days now and then ran in real time on the shared server
// (the holiday test below timed out 2 runs in 6 on 2 cores). Each server starts in about a second.
beforeEach(async () => {
  env = await createTimeSkippingEnv();
  await addSearchAttributes(env.connection, 'default');
});
afterEach(async () => env?.teardown());

/** The test server's clock only moves forward, so each test picks its days after its current time. */
async function serverNow(): Promise<DateTime> {
  return DateTime.fromMillis(await env.currentTimeMs(), { zone });
}

/** The first Friday at least 10 days ahead whose Monday is a DE-NW public holiday (and Friday is not). */
async function fridayBeforeHolidayMonday(): Promise<DateTime> {
  const calendar = businessCalendar(goldPolicy.calendar);
  let day = (await serverNow()).plus({ days: 10 }).startOf('day');
  for (;;) {
    if (day.weekday === 5 && !calendar.isHoliday(day.toISODate()!) && calendar.isHoliday(day.plus({ days: 3 }).toISODate()!)) return day;
    day = day.plus({ days: 1 });
  }
}

/** A Tuesday at least 10 days ahead with no holiday from Tuesday to Thursday. */
async function plainTuesday(): Promise<DateTime> {
  const calendar = businessCalendar(goldPolicy.calendar);
  let day = (await serverNow()).plus({ days: 10 }).startOf('day');
  for (;;) {
    if (day.weekday === 2 && [0, 1, 2].every((d) => !calendar.isHoliday(day.plus({ days: d }).toISODate()!))) return day;
    day = day.plus({ days: 1 });
  }
}

let counter = 0;
/** Notifications the workflow asked for, per incident number. */
const notices = new Map<string, EscalationNotice[]>();
function intakeAt(receivedAt: DateTime, priority: 'P1' | 'P2' | 'P3' | 'P4' = 'P2'): IncidentIntake {
  counter += 1;
  return testIntake({
    number: `INC-2099-${String(counter).padStart(6, '0')}`,
    title: 'Mail server down',
    channel: 'phone',
    impact: 'high',
    urgency: 'medium',
    priority,
    receivedAt: receivedAt.toUTC().toISO()!,
    openedBy: { id: 'user:test', name: 'Test' },
    customer: { id: 'c', number: 'K-1', name: 'Customer' },
    contract: { id: 'k', number: 'V-1', tier: 'gold' },
    slaPolicyId: 'gold',
    sla: goldPolicy,
  });
}

/** Holiday look-ups the workflows asked the activity for. */
const holidayRequests: ResolveHolidaysInput[] = [];

function stubActivities(intake: IncidentIntake, events: RecordIncidentEventInput[]) {
  return {
    recordIncidentEvent: (input: RecordIncidentEventInput) => {
      events.push(input);
      return Promise.resolve();
    },
    notifyEscalation: (notice: EscalationNotice) => {
      notices.set(intake.number, [...(notices.get(intake.number) ?? []), notice]);
      return Promise.resolve({ recipients: [] });
    },
    // Customer mail is tested elsewhere; here the incident has nobody to mail.
    mailCustomer: () => Promise.resolve({ status: 'no-recipient' }),
    queueCustomerMail: () => Promise.resolve({ status: 'no-recipient' }),
    resolvePublicHolidays: (input: ResolveHolidaysInput) => {
      holidayRequests.push(input);
      return Promise.resolve(resolveHolidays(input.region, input.fromYear, input.toYear));
    },
  };
}

async function runIncident(intake: IncidentIntake, script: (events: RecordIncidentEventInput[]) => Promise<void>) {
  const events: RecordIncidentEventInput[] = [];
  const taskQueue = `sla-${intake.number}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: stubActivities(intake, events) });
  await worker.runUntil(async () => {
    const handle = await env.client.workflow.start('incidentWorkflow', { taskQueue, workflowId: incidentWorkflowId(intake.number), args: [{ intake }] });
    try {
      await script(events);
    } finally {
      // A workflow left running without its worker would hold the shared test server's clock.
      const { status } = await handle.describe();
      if (status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
  return events;
}

const escalations = (events: RecordIncidentEventInput[]) => events.filter((e) => e.event.type === 'escalation_changed').map((e) => e.event);
/** Advances the test server's clock to an instant. */
async function sleepUntil(at: DateTime) {
  const ms = at.toMillis() - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}

const local = (day: DateTime, hour: number, minute = 0) => day.set({ hour, minute, second: 0, millisecond: 0 });
const iso = (t: DateTime) => t.toUTC().toISO();
/** Commands run a few milliseconds after the instant the test slept to, so compare within a second. */
function expectWithinASecond(actual: string | null | undefined, expected: DateTime) {
  expect(actual).toEqual(expect.any(String));
  expect(Math.abs(Date.parse(actual!) - expected.toMillis())).toBeLessThan(1000);
}

describe('Gold P2 received Friday 16:30 before a public-holiday Monday', () => {
  it('warns, breaches and reaches management at exactly the computed instants, once each', async () => {
    const friday = await fridayBeforeHolidayMonday();
    const tuesday = friday.plus({ days: 4 });
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
    // One notification per level change, with the level's recipients.
    expect(notices.get(intake.number)!.map((n) => [n.event.payload.to, n.event.payload.recipients])).toEqual([
      [1, ['assignee', 'group']],
      [2, ['group-lead']],
      [3, ['service-manager', 'account-manager']],
      [0, []],
    ]);
    expect(events[0]!.event.type).toBe('created');
    expect(events[0]!.incident.due).toEqual({
      firstResponse: iso(local(tuesday, 9, 30)),
      nextResponse: null,
      resolution: iso(local(friday.plus({ days: 5 }), 14, 30)), // 30 + 540 (Tue) + 390 (Wed)
    });
  });

  it('escalates nothing when the first response comes before the warning', async () => {
    const friday = await fridayBeforeHolidayMonday();
    const tuesday = friday.plus({ days: 4 });
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
    expect(notices.get(intake.number)).toBeUndefined();
    expect(events.find((e) => e.event.type === 'replied')!.event.payload).toMatchObject({ firstResponse: true });
  });
});

describe('the lifecycle moves the clocks', () => {
  const anna = { id: 'user:a', name: 'Anna' };
  let tuesday: DateTime;
  let wednesday: DateTime;
  let thursday: DateTime;
  beforeEach(async () => {
    tuesday = await plainTuesday();
    wednesday = tuesday.plus({ days: 1 });
    thursday = tuesday.plus({ days: 2 });
  });

  it('excludes time pending on the customer from the resolution clock', async () => {
    const intake = intakeAt(local(tuesday, 9, 0));
    const events = await runIncident(intake, async () => {
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      await sleepUntil(local(tuesday, 9, 10));
      await handle.executeUpdate(replyUpdate, { args: [{ text: 'Please send the logs.', actor: anna }] });
      await sleepUntil(local(tuesday, 9, 30));
      await handle.executeUpdate(setPendingUpdate, { args: [{ reason: 'Waiting for logs', actor: anna }] });
      await sleepUntil(local(tuesday, 13, 30));
      const resumed = await handle.executeUpdate(resumeUpdate, { args: [{ actor: anna }] });
      // 960 min from Tuesday 09:00 was Wednesday 16:00; four pending hours move it to Thursday 11:00.
      expectWithinASecond(resumed.due.resolution, local(thursday, 11, 0));
      await sleepUntil(local(wednesday, 16, 1));
    });
    // The resolution warning (720 min used) comes four hours later too: Wednesday 16:00, not 12:00.
    expect(escalations(events).map((e) => [e.payload.to, e.payload.target])).toEqual([[1, 'resolution']]);
    expectWithinASecond(escalations(events)[0]!.payload.reachedAt as string, local(wednesday, 16, 0));
  });

  it('moves the deadlines on a priority change mid-way, against the original start', async () => {
    const intake = intakeAt(local(tuesday, 9, 0), 'P3');
    const events = await runIncident(intake, async () => {
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      await sleepUntil(local(tuesday, 10, 0));
      // P3 first response (240 min) was due 13:00; as P1 (60 min) it is due now, so it is breached at once.
      const changed = await handle.executeUpdate(changePriorityUpdate, { args: [{ priority: 'P1', reason: 'Production down', actor: anna }] });
      expect(changed.due.firstResponse).toBe(iso(local(tuesday, 10, 0)));
      await sleepUntil(local(tuesday, 10, 31));
    });
    // As P1 the warning (75 % of 60 min) was passed at 09:45: recorded on the way to the breach.
    expect(escalations(events).map((e) => [e.payload.to, e.payload.reachedAt])).toEqual([
      [1, iso(local(tuesday, 9, 45))],
      [2, iso(local(tuesday, 10, 0))],
      [3, iso(local(tuesday, 10, 30))], // 150 % of 60 min
    ]);
    // One notification for the jump, for the level it landed on; one for management.
    expect(notices.get(intake.number)!.map((n) => n.event.payload.to)).toEqual([2, 3]);
  });

  it('restarts only the resolution clock on reopen, without the resolved period', async () => {
    const intake = intakeAt(local(tuesday, 9, 0));
    await runIncident(intake, async () => {
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      await sleepUntil(local(tuesday, 10, 0));
      await handle.executeUpdate(resolveUpdate, { args: [{ resolution: 'Rebooted', actor: anna }] });
      await sleepUntil(local(wednesday, 10, 0));
      const reopened = await handle.executeUpdate(reopenUpdate, { args: [{ reason: 'Down again', actor: anna }] });
      expectWithinASecond(reopened.clocks!.firstResponse!.stoppedAt, local(tuesday, 10, 0));
      expect(reopened.clocks!.resolution!.stoppedAt).toBeNull();
      // Wednesday 16:00 plus the nine business hours it was resolved (Tue 10-17, Wed 08-10): Thursday 16:00.
      expectWithinASecond(reopened.due.resolution, local(thursday, 16, 0));
    });
  });

  it('closes a resolved incident by itself seven days later', async () => {
    const intake = intakeAt(local(tuesday, 9, 0));
    const events = await runIncident(intake, async () => {
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      await sleepUntil(local(tuesday, 10, 0));
      await handle.executeUpdate(resolveUpdate, { args: [{ resolution: 'Rebooted', actor: anna }] });
      await handle.result();
    });
    const closed = events.at(-1)!.event;
    expect(closed).toMatchObject({ type: 'closed', actor: { id: 'system' }, payload: { automatic: true } });
    expect(closed.at.slice(0, 19)).toBe(iso(local(tuesday, 10, 0).plus({ days: 7 }))!.slice(0, 19));
  });
});

describe('a workflow that runs late', () => {
  // A workflow that gets to its thresholds late finds several passed at once, as after a mail that
  // waited in the mailbox, or a worker that was down (tests/integration/escalation-late.test.ts
  // stops a real one). The time-skipping server cannot leave a timer's task unhandled, so here
  // the incident arrives late: received at 09:00, started at 11:15.
  it('records every level passed, in order, with its exact instant, and notifies the level reached', async () => {
    const tuesday = await plainTuesday();
    await sleepUntil(local(tuesday, 11, 15));
    const intake = intakeAt(local(tuesday, 9, 0)); // Gold P2: warning 10:30, breach 11:00, management 12:00
    const events = await runIncident(intake, async (recorded) => {
      const handle = env.client.workflow.getHandle(incidentWorkflowId(intake.number));
      for (let i = 0; i < 100 && escalations(recorded).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
      expect((await handle.query(getStateQuery)).escalationLevel).toBe(2);
      // The search attribute went through level 1 too.
      const history = await handle.fetchHistory();
      const levels = (history.events ?? []).flatMap((e) => {
        const payload = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.EscalationLevel;
        return payload?.data ? [JSON.parse(Buffer.from(payload.data).toString()) as number] : [];
      });
      expect(levels).toEqual([1, 2]);
    });
    expect(escalations(events).map((e) => [e.seq, e.payload.from, e.payload.to, e.payload.reachedAt])).toEqual([
      [2, 0, 1, iso(local(tuesday, 10, 30))],
      [3, 1, 2, iso(local(tuesday, 11, 0))],
    ]);
    expect(escalations(events).map((e) => e.payload.recipients)).toEqual([['assignee', 'group'], ['group-lead']]);
    // The warning's notification is folded into the breach's.
    expect(notices.get(intake.number)!.map((n) => n.event.payload.to)).toEqual([2]);
  });
});

describe('an incident opened before snapshots carried their holidays', () => {
  it('gets the public holidays from an activity, and its thresholds skip the holiday', async () => {
    const friday = await fridayBeforeHolidayMonday();
    const tuesday = friday.plus({ days: 4 });
    const { publicHolidays: _dropped, ...legacyPolicy } = goldPolicy;
    const intake = { ...intakeAt(local(friday, 16, 30)), sla: legacyPolicy };
    const before = holidayRequests.length;
    const startedYear = (await serverNow()).toUTC().year;
    const events = await runIncident(intake, async () => {
      // The holidays first, then the months up to the holiday go by.
      await expect.poll(() => holidayRequests.length, { timeout: 30_000 }).toBeGreaterThan(before);
      await sleepUntil(local(tuesday, 9, 31));
    });
    // The years from before its receipt (its clocks run from there) to four years past the workflow's now.
    expect(holidayRequests.slice(before)).toEqual([{ region: 'DE-NW', fromYear: Math.min(friday.toUTC().year, startedYear) - 1, toYear: startedYear + 4 }]);
    // Without the holiday Monday the warning would have come on Monday at 09:00.
    expect(escalations(events).map((e) => [e.payload.to, e.payload.reachedAt])).toEqual([
      [1, iso(local(tuesday, 9, 0))],
      [2, iso(local(tuesday, 9, 30))],
    ]);
  });
});
