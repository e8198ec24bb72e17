// The service-order workflow on the time-skipping server: reminder and overdue escalation at their
// exact instants, once each, re-armed by a reschedule, and never repeated by a restarted worker; the
// work report booked once when the order is done, a refusal recorded instead of retried for ever.
// Activities are stubs that record their calls: this test is about orchestration.
import { addSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FollowUpNotice, FollowUpStepInput } from '../../src/activities/follow-ups.js';
import type { CompleteInput, ServiceOrderRecord, ServiceOrderReportBooking, WorkBooking } from '../../src/domain/service-order.js';
import {
  cancelServiceOrderUpdate,
  completeServiceOrderUpdate,
  getServiceOrderQuery,
  scheduleServiceOrderUpdate,
  startServiceOrderUpdate,
  type ServiceOrderWorkflowInput,
} from '../../src/workflows/service-order/messages.js';
import type { serviceOrderWorkflow } from '../../src/workflows/service-order/workflow.js';
import { createTimeSkippingEnv } from '../support/time-skipping.js';

let env: TestWorkflowEnvironment;
let workflowBundle: WorkflowBundleWithSourceMap;
// The workflow is not registered in the worker's bundle yet (that comes with the incident wiring), so bundle it alone.
const workflowsPath = fileURLToPath(new URL('../../src/workflows/service-order/workflow.ts', import.meta.url));

beforeAll(async () => {
  [env, workflowBundle] = await Promise.all([
    createTimeSkippingEnv(),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
  ]);
  // The workflow keeps its search attributes (FollowUpKind, its state) up to date.
  await addSearchAttributes(env.connection, 'default');
});
afterAll(async () => env?.teardown());

const opener = { id: 'user:a1', name: 'Anna Agent' };
const dispatcher = { id: 'user:d1', name: 'Dora Dispatch' };
const techActor = { id: 'user:t1', name: 'Tim Technician' };
const technician = { id: 't1', name: 'Tim Technician' };
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

/** What the workflow asked of its activities, in call order. */
interface Calls {
  events: FollowUpStepInput[];
  notices: FollowUpNotice[];
  bookings: ServiceOrderReportBooking[];
}
const newCalls = (): Calls => ({ events: [], notices: [], bookings: [] });
const booked: WorkBooking = {
  timeEntryIds: ['11111111-1111-4111-8111-111111111111'],
  materialEntryIds: ['22222222-2222-4222-8222-222222222222', '33333333-3333-4333-8333-333333333333'],
  totals: { minutes: 45, quotaMinutes: 45, billableMinutes: 0, timeAmountCents: 0, materialAmountCents: 19_035, amountCents: 19_035 },
};
/** The billing stub: counts its calls and answers with `booked` unless told otherwise. */
type Book = (report: ServiceOrderReportBooking) => Promise<WorkBooking>;
const stubs = (calls: Calls, book: Book = () => Promise.resolve(booked)) => ({
  bookServiceOrderReport: (report: ServiceOrderReportBooking) => {
    calls.bookings.push(report);
    return book(report);
  },
  recordFollowUpEvent: (input: FollowUpStepInput) => {
    // Activities of one workflow task may run in any order; keep them in timeline order, as the projection does.
      calls.events.push(input);
      calls.events.sort((a, b) => a.event.seq - b.event.seq);
    return Promise.resolve();
  },
  notifyFollowUp: (notice: FollowUpNotice) => {
    calls.notices.push(notice);
    return Promise.resolve({ recipients: notice.recipients });
  },
});
const types = (calls: Calls) => calls.events.map((e) => e.event.type);
const noticesOf = (calls: Calls, type: string) => calls.notices.filter((n) => calls.events.some((e) => e.event.seq === n.seq && e.event.type === type));

let counter = 0;
function nextOrder(): { workflowId: string; taskQueue: string; input: ServiceOrderWorkflowInput } {
  counter += 1;
  const incidentNumber = `INC-2026-${String(123 + counter).padStart(6, '0')}`;
  const workflowId = `incident-${incidentNumber}/service-order-1`;
  const input = { workflowId, incidentNumber, customerNumber: 'K-1', title: 'Replace fuser unit', location: 'onsite' as const, description: 'Printer jams on every page.', openedBy: opener };
  return { workflowId, taskQueue: `service-order-${counter}`, input };
}

function worker(taskQueue: string, calls: Calls, options: Partial<WorkerOptions> = {}, book?: Book) {
  return Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities: stubs(calls, book), ...options });
}

/** Starts the order on a worker and runs the script; a workflow left running would hold the server's clock. */
async function runOrder(script: (handle: Handle, calls: Calls) => Promise<void>, options: { book?: Book; input?: Partial<ServiceOrderWorkflowInput> } = {}): Promise<Calls> {
  const order = nextOrder();
  const { workflowId, taskQueue } = order;
  const input = { ...order.input, ...options.input };
  const calls = newCalls();
  await (await worker(taskQueue, calls, {}, options.book)).runUntil(async () => {
    const handle = await env.client.workflow.start<typeof serviceOrderWorkflow>('serviceOrderWorkflow', { taskQueue, workflowId, args: [input] });
    try {
      await script(handle, calls);
    } finally {
      if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate('test finished');
    }
  });
  return calls;
}
type Handle = Awaited<ReturnType<typeof env.client.workflow.start<typeof serviceOrderWorkflow>>>;

/** An appointment window starting `inMs` after the server's current time, on a whole minute. */
async function windowIn(inMs: number, lengthMs = 2 * hour) {
  const from = Math.ceil(((await env.currentTimeMs()) + inMs) / minute) * minute;
  return { from, to: from + lengthMs, iso: { from: new Date(from).toISOString(), to: new Date(from + lengthMs).toISOString() } };
}
async function sleepUntil(at: number) {
  const ms = at - (await env.currentTimeMs());
  if (ms > 0) await env.sleep(ms);
}
/** The server fires a timer at its instant; the step is stamped with it (to within a second). */
function expectAt(actual: string, expected: number) {
  expect(Math.abs(Date.parse(actual) - expected)).toBeLessThan(1000);
}
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 15_000, interval: 50 });

const report: CompleteInput = {
  summary: 'Fuser unit replaced; test pages fine.',
  timeEntries: [{ minutes: 45, activityType: 'onsite', description: 'Replace fuser', workDate: '2026-11-05' }],
  materials: [
    { articleNumber: 'FU-4711', description: 'Fuser unit', quantity: 1, unitPriceCents: 18_990 },
    { articleNumber: 'SC-1', description: 'Screw', quantity: 3, unitPriceCents: 15 },
  ],
};

describe('service order workflow', () => {
  it('happy path: scheduled, reminded once 60 minutes before, started, completed with its work report', async () => {
    const calls = await runOrder(async (handle, calls) => {
      const w = await windowIn(day);
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: w.iso }] });
      await sleepUntil(w.from - 61 * minute);
      expect(calls.notices).toEqual([]);
      await sleepUntil(w.from - 59 * minute);
      await eventually(() => expect(calls.notices).toHaveLength(1));
      expect(calls.notices[0]).toMatchObject({ workflowId: handle.workflowId, recipients: ['user:t1'], incidentNumber: expect.stringMatching(/^INC-2026-/) });
      expect(calls.notices[0]!.subject).toMatch(/^Reminder: service order Replace fuser unit/);
      expectAt(calls.events.find((e) => e.event.type === 'reminder_sent')!.event.at, w.from - hour);

      await sleepUntil(w.from + 5 * minute);
      const started = await handle.executeUpdate(startServiceOrderUpdate, { args: [{ actor: techActor }] });
      expect(started.state).toBe('in_progress');
      await handle.executeUpdate(completeServiceOrderUpdate, { args: [{ actor: techActor, ...report }] });
      const result: ServiceOrderRecord = await handle.result();
      expect(result).toMatchObject({ state: 'done', ended: true, assigneeId: 't1', seq: 6 });
      expect(result.details.workReport).toEqual({ ...report, materialTotalCents: 19_035 });
      expect(result.details.startedBy).toEqual(techActor);
    });
    expect(calls.events.map((e) => [e.event.seq, e.event.type, e.event.actor.id])).toEqual([
      [1, 'created', opener.id],
      [2, 'scheduled', dispatcher.id],
      [3, 'reminder_sent', 'system'],
      [4, 'started', techActor.id],
      [5, 'completed', techActor.id],
      [6, 'work_booked', 'system'],
    ]);
    // Each event is recorded with the record as of that step.
    expect(calls.events.map((e) => e.record.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(calls.notices).toHaveLength(1);
    // The report went to billing once, under the incident, with the technician as the agent of the time.
    expect(calls.bookings).toEqual([
      {
        followUpWorkflowId: calls.events[0]!.record.workflowId,
        incidentNumber: calls.events[0]!.record.incidentNumber,
        technicianId: 't1',
        completedAt: calls.events[4]!.event.at,
        timeEntries: report.timeEntries,
        materials: report.materials,
      },
    ]);
    expect(calls.events[5]!.event.payload).toEqual(booked);
  });

  it('escalates to the managers once when the window passes without a start', async () => {
    let windowEnd = 0;
    const calls = await runOrder(async (handle, calls) => {
      const w = await windowIn(day);
      windowEnd = w.to;
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: w.iso }] });
      await sleepUntil(w.to - minute);
      expect(noticesOf(calls, 'overdue')).toEqual([]);
      await sleepUntil(w.to + minute);
      await eventually(() => expect(noticesOf(calls, 'overdue')).toHaveLength(1));
      await sleepUntil(w.to + 2 * day);
      expect((await handle.query(getServiceOrderQuery)).details).toMatchObject({ overdue: true });
      // Both timers are readable in the Temporal UI.
      const { events } = await handle.fetchHistory();
      const timerSummaries = (events ?? [])
        .filter((e) => e.timerStartedEventAttributes)
        .map((e) => JSON.parse(Buffer.from(e.userMetadata?.summary?.data ?? new Uint8Array()).toString() || 'null') as string);
      expect(timerSummaries).toEqual(['remind technician 60 min before the appointment', 'appointment window ends without start: escalate']);
      await handle.executeUpdate(cancelServiceOrderUpdate, { args: [{ actor: dispatcher, reason: 'Customer no longer needs it' }] });
      expect((await handle.result()).state).toBe('cancelled');
    });
    expect(types(calls)).toEqual(['created', 'scheduled', 'reminder_sent', 'overdue', 'cancelled']);
    const overdue = calls.events.find((e) => e.event.type === 'overdue')!.event;
    expectAt(overdue.at, windowEnd);
    expect(overdue.actor.id).toBe('system');
    expect(noticesOf(calls, 'overdue')).toEqual([expect.objectContaining({ recipients: ['managers'], seq: overdue.seq, subject: expect.stringMatching(/^Overdue/) })]);
    expect(noticesOf(calls, 'reminder_sent')).toHaveLength(1);
  });

  it('a reschedule re-arms the reminder for the new window and drops the old one', async () => {
    const reminderInstants: number[] = [];
    const calls = await runOrder(async (handle, calls) => {
      const a = await windowIn(day);
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: a.iso }] });
      // Moved before A's reminder: neither A's reminder nor its overdue mark ever comes.
      const b = await windowIn(2 * day);
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: b.iso }] });
      await sleepUntil(a.to + hour);
      expect(calls.notices).toEqual([]);
      await sleepUntil(b.from - 30 * minute);
      await eventually(() => expect(noticesOf(calls, 'reminder_sent')).toHaveLength(1));
      reminderInstants.push(b.from - hour);
      // Moved again after B's reminder: C owes a reminder of its own; B's window end passes quietly.
      const c = await windowIn(day);
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician: { id: 't2', name: 'Tara' }, appointment: c.iso }] });
      await sleepUntil(b.to + hour);
      expect(noticesOf(calls, 'reminder_sent')).toHaveLength(1);
      await sleepUntil(c.from - 59 * minute);
      await eventually(() => expect(noticesOf(calls, 'reminder_sent')).toHaveLength(2));
      reminderInstants.push(c.from - hour);
      expect(calls.events.filter((e) => e.event.type === 'reminder_sent').at(-1)!.event.payload).toMatchObject({ appointment: c.iso, technicianId: 't2' });
      await handle.executeUpdate(cancelServiceOrderUpdate, { args: [{ actor: dispatcher, reason: 'Done by phone' }] });
      await handle.result();
    });
    expect(types(calls)).toEqual(['created', 'scheduled', 'rescheduled', 'reminder_sent', 'rescheduled', 'reminder_sent', 'cancelled']);
    const reminders = calls.events.filter((e) => e.event.type === 'reminder_sent');
    reminders.forEach((r, i) => expectAt(r.event.at, reminderInstants[i]!));
    expect(noticesOf(calls, 'reminder_sent').map((n) => n.recipients)).toEqual([['user:t1'], ['user:t2']]);
    expect(noticesOf(calls, 'overdue')).toEqual([]);
  });

  it('cancel ends the workflow with the reason', async () => {
    const calls = await runOrder(async (handle) => {
      const w = await windowIn(day);
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: w.iso }] });
      await handle.executeUpdate(cancelServiceOrderUpdate, { args: [{ actor: dispatcher, reason: 'Customer cancelled' }] });
      const result = await handle.result();
      expect(result).toMatchObject({ state: 'cancelled', ended: true, dueAt: null, details: { cancelReason: 'Customer cancelled' } });
    });
    expect(calls.events.map((e) => [e.event.type, e.event.actor.id])).toEqual([
      ['created', opener.id],
      ['scheduled', dispatcher.id],
      ['cancelled', dispatcher.id],
    ]);
    expect(calls.events.at(-1)!.event.payload).toEqual({ reason: 'Customer cancelled', previousState: 'scheduled' });
    expect(calls.notices).toEqual([]);
  });

  it('rejects an invalid update before history and records nothing', async () => {
    await runOrder(async (handle, calls) => {
      const w = await windowIn(day);
      await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: w.iso }] });
      await eventually(() => expect(calls.events).toHaveLength(2));

      const early = await handle.executeUpdate(completeServiceOrderUpdate, { args: [{ actor: techActor, ...report }] }).catch((err: unknown) => err);
      expect(early).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((early as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
      expect((early as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'IllegalTransition', nonRetryable: true });

      const badWindow = await handle
        .executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: { from: w.iso.to, to: w.iso.from } }] })
        .catch((err: unknown) => err);
      expect((badWindow as WorkflowUpdateFailedError).cause).toMatchObject({ type: 'ValidationError', details: [{ field: 'appointment.to' }] });

      expect(await handle.query(getServiceOrderQuery)).toMatchObject({ state: 'scheduled', seq: 2 });
      expect(types(calls)).toEqual(['created', 'scheduled']);
      const history = await handle.fetchHistory();
      expect(history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
    });
  });

  it('does not remind twice when the worker restarts after the reminder', async () => {
    const { workflowId, taskQueue, input } = nextOrder();
    const before = newCalls();
    const after = newCalls();
    const w = await windowIn(day);
    const handle = env.client.workflow.getHandle<typeof serviceOrderWorkflow>(workflowId);
    try {
      // Without a workflow cache, so no task is routed to this worker's sticky queue once it is gone: the
      // time-skipping server never hands such a task on to the normal queue.
      await (await worker(taskQueue, before, { maxCachedWorkflows: 0 })).runUntil(async () => {
        await env.client.workflow.start<typeof serviceOrderWorkflow>('serviceOrderWorkflow', { taskQueue, workflowId, args: [input] });
        await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: w.iso }] });
        await sleepUntil(w.from - 30 * minute);
        await eventually(() => expect(before.notices).toHaveLength(1));
      });
      // A new worker on the same queue replays the history from the start; the reminder is in it.
      await (await worker(taskQueue, after)).runUntil(async () => {
        await sleepUntil(w.from);
        await handle.executeUpdate(startServiceOrderUpdate, { args: [{ actor: techActor }] });
        await handle.executeUpdate(completeServiceOrderUpdate, { args: [{ actor: techActor, summary: 'Fixed.' }] });
        expect((await handle.result()).state).toBe('done');
      });
    } finally {
      if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING') await handle.terminate('test finished');
    }
    expect(before.notices).toHaveLength(1);
    expect(after.notices).toEqual([]);
    expect(types(before)).toEqual(['created', 'scheduled', 'reminder_sent']);
    // The new worker went on from the replayed record (seq 3, reminded) without running the reminder again.
    expect(after.events.map((e) => [e.event.seq, e.event.type])).toEqual([
      [4, 'started'],
      [5, 'completed'],
    ]);
    // A report without time or material has nothing to book.
    expect([...before.bookings, ...after.bookings]).toEqual([]);
  });
});

describe('booking the work report', () => {
  /** Schedules, starts and completes the order with the report. */
  async function completeOrder(handle: Pick<Handle, 'executeUpdate'>) {
    const w = await windowIn(day);
    // Started before the window: no reminder step in between (created 1, scheduled 2, started 3, completed 4).
    await handle.executeUpdate(scheduleServiceOrderUpdate, { args: [{ actor: dispatcher, technician, appointment: w.iso }] });
    await handle.executeUpdate(startServiceOrderUpdate, { args: [{ actor: techActor }] });
    await handle.executeUpdate(completeServiceOrderUpdate, { args: [{ actor: techActor, ...report }] });
  }

  it('books once when the worker dies after the booking and a new worker replays the order', async () => {
    const { workflowId, taskQueue, input } = nextOrder();
    const before = newCalls();
    const after = newCalls();
    let failedRecords = 0;
    const handle = env.client.workflow.getHandle<typeof serviceOrderWorkflow>(workflowId);
    try {
      // The first worker books, then cannot write the work_booked step (its database went away) and dies.
      const dying = stubs(before);
      const activities = {
        ...dying,
        recordFollowUpEvent: (step: FollowUpStepInput) => {
          if (step.event.type !== 'work_booked') return dying.recordFollowUpEvent(step);
          failedRecords += 1;
          return Promise.reject(new Error('database connection lost'));
        },
      };
      await (await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, maxCachedWorkflows: 0 })).runUntil(async () => {
        await env.client.workflow.start<typeof serviceOrderWorkflow>('serviceOrderWorkflow', { taskQueue, workflowId, args: [input] });
        await completeOrder(handle);
        await eventually(() => expect(failedRecords).toBeGreaterThan(0));
      });
      // The new worker replays the history, in which the booking's result is: it only retries the step.
      await (await worker(taskQueue, after)).runUntil(async () => {
        expect((await handle.result()).seq).toBe(5);
      });
    } finally {
      if ((await handle.describe().catch(() => undefined))?.status.name === 'RUNNING') await handle.terminate('test finished');
    }
    expect(before.bookings).toHaveLength(1);
    expect(after.bookings).toEqual([]);
    expect(types(before)).toEqual(['created', 'scheduled', 'started', 'completed']);
    expect(after.events.map((e) => [e.event.seq, e.event.type, e.event.payload])).toEqual([[5, 'work_booked', booked]]);
  });

  it('retries a booking while the database is away, and books once', async () => {
    let attempts = 0;
    const calls = await runOrder(
      async (handle) => {
        await completeOrder(handle);
        expect((await handle.result()).seq).toBe(5);
      },
      {
        book: () => {
          attempts += 1;
          return attempts < 3 ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(booked);
        },
      },
    );
    expect(attempts).toBe(3);
    expect(types(calls).slice(-2)).toEqual(['completed', 'work_booked']);
  });

  it('records a refused booking once instead of retrying it for ever', async () => {
    const calls = await runOrder(
      async (handle) => {
        await completeOrder(handle);
        const result = await handle.result();
        expect(result).toMatchObject({ state: 'done', seq: 5 });
      },
      { book: (r) => Promise.reject(ApplicationFailure.nonRetryable(`Incident ${r.incidentNumber} does not exist.`, 'NotFound')) },
    );
    expect(calls.bookings).toHaveLength(1);
    expect(types(calls)).toEqual(['created', 'scheduled', 'started', 'completed', 'work_booking_refused']);
    const refused = calls.events.at(-1)!.event;
    expect(refused.actor.id).toBe('system');
    expect(refused.payload).toEqual({ reason: `Incident ${calls.bookings[0]!.incidentNumber} does not exist.` });
  });

  it('does not book the report of an order without incident, and says so', async () => {
    const calls = await runOrder(
      async (handle) => {
        await completeOrder(handle);
        expect((await handle.result()).seq).toBe(5);
      },
      { input: { incidentNumber: null } },
    );
    expect(calls.bookings).toEqual([]);
    expect(types(calls).slice(-2)).toEqual(['completed', 'work_not_booked']);
    expect(calls.events.at(-1)!.event.payload).toEqual({ reason: expect.stringMatching(/belongs to no incident/) });
  });
});
