import { describe, expect, it } from 'vitest';
import { IllegalTransition, ValidationError } from '../../src/domain/errors.js';
import type { CommandContext } from '../../src/domain/kernel.js';
import {
  cancel,
  complete,
  dueSystemStep,
  markOverdue,
  materialTotalCents,
  nextSystemStep,
  noticeOf,
  overdueAt,
  planServiceOrder,
  reminderAt,
  remind,
  schedule,
  start,
  validateComplete,
  validateSchedule,
  type CompleteInput,
  type ScheduleInput,
  type ServiceOrderRecord,
  type UsedMaterial,
} from '../../src/domain/service-order.js';

const workflowId = 'incident-INC-2026-000123/service-order-1';
const dispatcher = { id: 'user:d1', name: 'Dora Dispatch' };
const technicianActor = { id: 'user:t1', name: 'Tim Technician' };
const at = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2026, 10, day, hour, minute));
const ctx = (when: Date, actor = dispatcher): CommandContext => ({ actor, at: when });

const planned = () =>
  planServiceOrder({
    workflowId,
    incidentNumber: 'INC-2026-000123',
    customerNumber: 'K-1',
    title: ' Replace fuser unit ',
    location: 'onsite',
    description: 'Printer in room 2.14 jams on every page.',
    openedBy: { id: 'user:a', name: 'Anna' },
    at: at(2, 9),
  }).record;
const window = { from: '2026-11-05T08:00:00.000Z', to: '2026-11-05T10:00:00.000Z' };
const scheduleInput: ScheduleInput = { technician: { id: 't1', name: 'Tim Technician' }, appointment: window };
const scheduled = () => schedule(planned(), scheduleInput, ctx(at(2, 10))).record;
const inProgress = () => start(scheduled(), {}, ctx(at(5, 8, 5), technicianActor)).record;
const report: CompleteInput = {
  summary: 'Fuser unit replaced, test pages fine.',
  timeEntries: [
    { minutes: 45, activityType: 'onsite', description: 'Replace fuser', workDate: '2026-11-05' },
    { minutes: 30, activityType: 'travel', description: 'Drive', workDate: '2026-11-05' },
  ],
  materials: [
    { articleNumber: 'FU-4711', description: 'Fuser unit', quantity: 1, unitPriceCents: 18_990 },
    { articleNumber: 'SC-1', description: 'Screw', quantity: 3, unitPriceCents: 15 },
  ],
};
const withState = (record: ServiceOrderRecord, state: ServiceOrderRecord['state']): ServiceOrderRecord => ({ ...record, state, ended: state === 'done' || state === 'cancelled' });

describe('planning', () => {
  it('starts planned with a created event as seq 1 by who opened it', () => {
    const { record, event } = planServiceOrder({
      workflowId,
      incidentNumber: 'INC-2026-000123',
      customerNumber: 'K-1',
      title: 'Replace fuser unit',
      location: 'workshop',
      description: 'Bring in the printer.',
      openedBy: { id: 'user:a', name: 'Anna' },
      at: at(2, 9),
    });
    expect(record).toMatchObject({ workflowId, kind: 'service_order', state: 'planned', ended: false, assigneeId: null, dueAt: null, seq: 1, updatedAt: '2026-11-02T09:00:00.000Z' });
    expect(record.details).toEqual({
      location: 'workshop',
      description: 'Bring in the printer.',
      technician: null,
      appointment: null,
      reminded: false,
      overdue: false,
      startedAt: null,
      startedBy: null,
      workReport: null,
      cancelReason: null,
    });
    expect(event).toMatchObject({ seq: 1, type: 'created', actor: { id: 'user:a', name: 'Anna' }, at: '2026-11-02T09:00:00.000Z' });
  });

  it('trims the title and refuses a blank description or an unknown location', () => {
    expect(planned().title).toBe('Replace fuser unit');
    const base = { workflowId, incidentNumber: null, customerNumber: null, title: 'x', location: 'onsite' as const, description: 'y', openedBy: dispatcher, at: at(2, 9) };
    expect(() => planServiceOrder({ ...base, description: '  ' })).toThrow(ValidationError);
    expect(() => planServiceOrder({ ...base, location: 'garage' as never })).toThrow(ValidationError);
  });
});

describe('schedule', () => {
  it('sets technician and window, makes the technician the assignee and the window end due', () => {
    const { record, event } = schedule(planned(), scheduleInput, ctx(at(2, 10)));
    expect(record).toMatchObject({ state: 'scheduled', assigneeId: 't1', dueAt: window.to, seq: 2 });
    expect(record.details).toMatchObject({ technician: { id: 't1', name: 'Tim Technician' }, appointment: window, reminded: false, overdue: false });
    expect(event).toMatchObject({ seq: 2, type: 'scheduled', actor: dispatcher, payload: { technician: { id: 't1' }, appointment: window } });
    expect(event.payload).not.toHaveProperty('previous');
  });

  it('normalises instants with offsets to UTC', () => {
    const { record } = schedule(planned(), { ...scheduleInput, appointment: { from: '2026-11-05T09:00:00+01:00', to: '2026-11-05T11:00+01:00' } }, ctx(at(2, 10)));
    expect(record.details.appointment).toEqual(window);
  });

  it('reschedules: new window, reminder re-armed, overdue cleared, the previous window in the event', () => {
    const late = markOverdue(remind(scheduled(), at(5, 7)).record, at(5, 10)).record;
    const next = { from: '2026-11-06T08:00:00.000Z', to: '2026-11-06T09:00:00.000Z' };
    const { record, event } = schedule(late, { ...scheduleInput, appointment: next }, ctx(at(5, 11)));
    expect(record.details).toMatchObject({ appointment: next, reminded: false, overdue: false });
    expect(record.dueAt).toBe(next.to);
    expect(event).toMatchObject({ type: 'rescheduled', payload: { appointment: next, previous: { appointment: window } } });
  });

  it('refuses a bad window', () => {
    const bad = (appointment: ScheduleInput['appointment']) => () => validateSchedule(planned(), { ...scheduleInput, appointment }, at(2, 10));
    expect(bad({ from: window.to, to: window.from })).toThrow(ValidationError);
    expect(bad({ from: window.from, to: window.from })).toThrow(/end after it begins/);
    expect(bad({ from: '2026-11-05', to: window.to })).toThrow(ValidationError);
    expect(bad({ from: '2026-11-05T08:00:00', to: window.to })).toThrow(/time zone/);
    expect(bad({ from: 'soon', to: window.to })).toThrow(ValidationError);
    expect(bad({ from: '2026-11-01T08:00:00Z', to: '2026-11-01T09:00:00Z' })).toThrow(/already passed/);
  });

  it('refuses a missing technician', () => {
    expect(() => validateSchedule(planned(), { ...scheduleInput, technician: { id: ' ', name: 'X' } }, at(2, 10))).toThrow(ValidationError);
    expect(() => validateSchedule(planned(), { ...scheduleInput, technician: undefined as never }, at(2, 10))).toThrow(ValidationError);
  });

  it('refuses the same schedule again, and scheduling once started or ended', () => {
    expect(() => schedule(scheduled(), scheduleInput, ctx(at(2, 11)))).toThrow(/already scheduled that way/);
    expect(() => schedule(inProgress(), scheduleInput, ctx(at(5, 9)))).toThrow(IllegalTransition);
    expect(() => schedule(withState(scheduled(), 'done'), scheduleInput, ctx(at(2, 11)))).toThrow(IllegalTransition);
    expect(() => schedule(withState(scheduled(), 'cancelled'), scheduleInput, ctx(at(2, 11)))).toThrow(IllegalTransition);
  });
});

describe('start', () => {
  it('moves a scheduled order to in progress and records who started it', () => {
    const { record, event } = start(scheduled(), {}, ctx(at(5, 8, 5), technicianActor));
    expect(record).toMatchObject({ state: 'in_progress', dueAt: null, ended: false });
    expect(record.details).toMatchObject({ startedAt: '2026-11-05T08:05:00.000Z', startedBy: technicianActor });
    expect(event).toMatchObject({ type: 'started', actor: technicianActor, payload: { technicianId: 't1', late: false } });
  });

  it('marks a start after the window as late', () => {
    const late = markOverdue(scheduled(), at(5, 10)).record;
    expect(start(late, {}, ctx(at(5, 12))).event.payload).toMatchObject({ late: true });
  });

  it('refuses a planned, running or ended order', () => {
    expect(() => start(planned(), {}, ctx(at(5, 8)))).toThrow(IllegalTransition);
    expect(() => start(inProgress(), {}, ctx(at(5, 8)))).toThrow(IllegalTransition);
    expect(() => start(withState(scheduled(), 'cancelled'), {}, ctx(at(5, 8)))).toThrow(IllegalTransition);
  });
});

describe('complete', () => {
  it('ends done with the work report and the material total in cents', () => {
    const { record, event } = complete(inProgress(), report, ctx(at(5, 9, 30), technicianActor));
    expect(record).toMatchObject({ state: 'done', ended: true, dueAt: null });
    expect(record.details.workReport).toEqual({ ...report, materialTotalCents: 19_035 });
    expect(event).toMatchObject({ type: 'completed', actor: technicianActor, payload: { materialTotalCents: 19_035, totalMinutes: 75 } });
  });

  it('needs only a summary', () => {
    const { record } = complete(inProgress(), { summary: 'Nothing to replace.' }, ctx(at(5, 9)));
    expect(record.details.workReport).toEqual({ summary: 'Nothing to replace.', timeEntries: [], materials: [], materialTotalCents: 0 });
  });

  it('refuses completing before the start or twice', () => {
    expect(() => complete(scheduled(), report, ctx(at(5, 9)))).toThrow(IllegalTransition);
    expect(() => complete(planned(), report, ctx(at(5, 9)))).toThrow(IllegalTransition);
    const done = complete(inProgress(), report, ctx(at(5, 9))).record;
    expect(() => complete(done, report, ctx(at(5, 10)))).toThrow(IllegalTransition);
  });

  const material = (m: Partial<UsedMaterial>): CompleteInput => ({ summary: 'x', materials: [{ ...report.materials![0]!, ...m }] });
  it.each([
    ['a blank summary', { summary: ' ' }, 'summary'],
    ['a negative quantity', material({ quantity: -1 }), 'materials[0].quantity'],
    ['a zero quantity', material({ quantity: 0 }), 'materials[0].quantity'],
    ['a fractional quantity', material({ quantity: 1.5 }), 'materials[0].quantity'],
    ['a negative price', material({ unitPriceCents: -1 }), 'materials[0].unitPriceCents'],
    ['a price in fractions of a cent', material({ unitPriceCents: 9.99 }), 'materials[0].unitPriceCents'],
    ['a blank article number', material({ articleNumber: '' }), 'materials[0].articleNumber'],
    ['zero minutes', { summary: 'x', timeEntries: [{ ...report.timeEntries![0]!, minutes: 0 }] }, 'timeEntries[0].minutes'],
    ['more than a day', { summary: 'x', timeEntries: [{ ...report.timeEntries![0]!, minutes: 1441 }] }, 'timeEntries[0].minutes'],
    ['an unknown activity type', { summary: 'x', timeEntries: [{ ...report.timeEntries![0]!, activityType: 'lunch' as never }] }, 'timeEntries[0].activityType'],
    ['a bad work date', { summary: 'x', timeEntries: [{ ...report.timeEntries![0]!, workDate: '2026-02-30' }] }, 'timeEntries[0].workDate'],
  ] as const)('refuses %s', (_name, input, field) => {
    let error: unknown;
    try {
      validateComplete(inProgress(), input as CompleteInput);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
  });

  it('sums quantity × unit price exactly in integer cents', () => {
    expect(materialTotalCents([])).toBe(0);
    expect(materialTotalCents([
      { articleNumber: 'A', description: 'a', quantity: 3, unitPriceCents: 33 },
      { articleNumber: 'B', description: 'b', quantity: 7, unitPriceCents: 10_001 },
      { articleNumber: 'C', description: 'c', quantity: 2, unitPriceCents: 0 },
    ])).toBe(99 + 70_007);
    expect(() => materialTotalCents([{ articleNumber: 'A', description: 'a', quantity: 2 ** 40, unitPriceCents: 2 ** 20 }])).toThrow(ValidationError);
  });
});

describe('cancel', () => {
  it.each(['planned', 'scheduled', 'in_progress'] as const)('cancels a %s order with a reason', (state) => {
    const current = { planned, scheduled, in_progress: inProgress }[state]();
    const { record, event } = cancel(current, { reason: ' Customer replaced the printer ' }, ctx(at(5, 9)));
    expect(record).toMatchObject({ state: 'cancelled', ended: true, dueAt: null });
    expect(record.details.cancelReason).toBe('Customer replaced the printer');
    expect(event).toMatchObject({ type: 'cancelled', actor: dispatcher, payload: { reason: 'Customer replaced the printer', previousState: state } });
  });

  it('needs a reason and an open order', () => {
    expect(() => cancel(scheduled(), { reason: '' }, ctx(at(5, 9)))).toThrow(ValidationError);
    expect(() => cancel(withState(scheduled(), 'done'), { reason: 'x' }, ctx(at(5, 9)))).toThrow(IllegalTransition);
    expect(() => cancel(cancel(scheduled(), { reason: 'x' }, ctx(at(5, 9))).record, { reason: 'x' }, ctx(at(5, 9)))).toThrow(IllegalTransition);
  });
});

describe('reminder and overdue', () => {
  it('are due at appointment start minus the lead and at the window end, only while scheduled', () => {
    expect(reminderAt(planned(), 60)).toBeNull();
    expect(overdueAt(planned())).toBeNull();
    expect(reminderAt(scheduled(), 60)).toEqual(new Date('2026-11-05T07:00:00.000Z'));
    expect(reminderAt(scheduled(), 15)).toEqual(new Date('2026-11-05T07:45:00.000Z'));
    expect(overdueAt(scheduled())).toEqual(new Date(window.to));
    expect(reminderAt(inProgress(), 60)).toBeNull();
    expect(overdueAt(inProgress())).toBeNull();
  });

  it('remind is a system step, once per window', () => {
    const { record, event } = remind(scheduled(), at(5, 7));
    expect(record.details.reminded).toBe(true);
    expect(event).toMatchObject({ type: 'reminder_sent', actor: { id: 'system' }, payload: { technicianId: 't1', appointment: window } });
    expect(reminderAt(record, 60)).toBeNull();
    expect(() => remind(record, at(5, 7))).toThrow(IllegalTransition);
    expect(() => remind(planned(), at(5, 7))).toThrow(IllegalTransition);
  });

  it('markOverdue is a system step, once per window; it drops a pending reminder', () => {
    const { record, event } = markOverdue(scheduled(), at(5, 10));
    expect(record.state).toBe('scheduled');
    expect(record.details.overdue).toBe(true);
    expect(event).toMatchObject({ type: 'overdue', actor: { id: 'system' } });
    expect(overdueAt(record)).toBeNull();
    expect(reminderAt(record, 60)).toBeNull();
    expect(() => markOverdue(record, at(5, 10))).toThrow(IllegalTransition);
    expect(() => markOverdue(inProgress(), at(5, 10))).toThrow(IllegalTransition);
  });

  it('nextSystemStep and dueSystemStep walk reminder then overdue', () => {
    const s = scheduled();
    expect(nextSystemStep(s, 60)).toEqual({ kind: 'reminder', at: new Date('2026-11-05T07:00:00.000Z') });
    expect(dueSystemStep(s, 60, new Date('2026-11-05T06:59:59.999Z'))).toBeNull();
    const reminded = dueSystemStep(s, 60, new Date('2026-11-05T07:00:00.000Z'))!;
    expect(reminded.event.type).toBe('reminder_sent');
    expect(nextSystemStep(reminded.record, 60)).toEqual({ kind: 'overdue', at: new Date(window.to) });
    expect(dueSystemStep(reminded.record, 60, new Date('2026-11-05T09:59:59.999Z'))).toBeNull();
    const overdue = dueSystemStep(reminded.record, 60, new Date(window.to))!;
    expect(overdue.event.type).toBe('overdue');
    expect(nextSystemStep(overdue.record, 60)).toBeNull();
    expect(nextSystemStep(planned(), 60)).toBeNull();
  });

  it('a reminder owed late goes out at once; past the window only the overdue step is due', () => {
    expect(dueSystemStep(scheduled(), 60, at(5, 7, 30))?.event.type).toBe('reminder_sent');
    expect(dueSystemStep(scheduled(), 60, at(5, 11))?.event.type).toBe('overdue');
  });

  it('notices tell the technician of the window and dispatch of the overdue order', () => {
    const reminder = noticeOf(remind(scheduled(), at(5, 7)).record, 'reminder_sent')!;
    expect(reminder.subject).toContain('Replace fuser unit (incident INC-2026-000123)');
    expect(reminder.body).toContain(`${window.from} - ${window.to}`);
    expect(reminder.body).toContain('on site');
    const overdue = noticeOf(markOverdue(scheduled(), at(5, 10)).record, 'overdue')!;
    expect(overdue.subject).toMatch(/^Overdue/);
    expect(overdue.body).toContain('Tim Technician (t1)');
    expect(noticeOf(scheduled(), 'scheduled')).toBeNull();
  });
});
