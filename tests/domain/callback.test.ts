import { describe, expect, it } from 'vitest';
import {
  assign,
  attachToIncident,
  cancel,
  logCall,
  markOverdue,
  nextWakeUp,
  normalisePhone,
  remind,
  refusedPhoneRanges,
  remindRetry,
  requestCallback,
  requireCallablePhone,
  validateRequest,
  wakeUpStep,
  type CallbackRecord,
  type CallbackRequest,
} from '../../src/domain/callback.js';
import { IllegalTransition, ValidationError } from '../../src/domain/errors.js';
import { systemActor, type CommandContext } from '../../src/domain/kernel.js';

const anna = { id: 'user:a', name: 'Anna' };
const t = (hour: number, minute = 0) => new Date(Date.UTC(2026, 10, 26, hour, minute));
const ctx = (at: Date, actor = anna): CommandContext => ({ actor, at });
const system = (at: Date): CommandContext => ({ actor: systemActor, at });
const request = (changes: Partial<CallbackRequest> = {}): CallbackRequest => ({
  workflowId: 'incident-INC-2026-000123/callback-1',
  incidentNumber: 'INC-2026-000123',
  customerNumber: 'K-1',
  phone: '+49 221 123 45 67',
  topic: 'VPN drops every hour',
  contactName: 'Carla Kunde',
  window: { from: t(10).toISOString(), to: t(12).toISOString() },
  requestedBy: 'portal',
  ...changes,
});
const requested = (changes: Partial<CallbackRequest> = {}) => requestCallback(request(changes), ctx(t(9))).record;
const assigned = () => assign(requested(), { assigneeId: 'u1', assigneeName: 'Uma' }, ctx(t(9, 5))).record;
const loggedNotReached = (r: CallbackRecord, at: Date) => logCall(r, { outcome: 'not_reached' }, ctx(at)).record;

describe('requesting a callback', () => {
  it('starts requested, due at the window end, with the phone normalised and the defaults', () => {
    const { record, event } = requestCallback(request(), ctx(t(9)));
    expect(record).toMatchObject({
      kind: 'callback',
      state: 'requested',
      ended: false,
      seq: 1,
      dueAt: t(12).toISOString(),
      incidentNumber: 'INC-2026-000123',
      assigneeId: null,
      title: 'Callback to Carla Kunde: VPN drops every hour',
    });
    expect(record.details).toMatchObject({ phone: '+492211234567', maxAttempts: 3, retryMinutes: 60, attempts: [], assignee: null, group: null, needsIncident: false });
    expect(event).toMatchObject({ seq: 1, type: 'created', actor: anna, at: t(9).toISOString(), payload: { phone: '+492211234567', requestedBy: 'portal' } });
  });

  it.each([
    ['0221 1234567', 'phone'],
    ['+49-221-1234567', 'phone'],
    ['+12345', 'phone'],
    ['+1234567890123456', 'phone'],
  ])('refuses the phone number %s', (phone, field) => {
    expect(() => requestCallback(request({ phone }), ctx(t(9)))).toThrow(expect.objectContaining({ field }));
  });

  it.each([
    ['+49 900 1234567', 'German premium-rate number (0900)'],
    ['+49 0900 1234567', 'German premium-rate number (0900)'],
    ['+49 137 1234567', 'German mass-call number (0137)'],
    ['+49 138 1234567', 'German mass-call number (0138)'],
    ['+49 180 5 123456', 'German shared-cost service number (0180)'],
    ['+49 11833', 'German directory enquiry number (118xy)'],
    ['+49 116 117', 'European harmonised service number (116xxx)'],
    ['+43 900 123456', 'Austrian premium-rate number (0900)'],
    ['+43 930 123456', 'Austrian premium-rate number (0930)'],
    ['+43 939 123456', 'Austrian premium-rate number (0939)'],
    ['+41 900 123456', 'Swiss premium-rate number (0900)'],
    ['+41 901 123456', 'Swiss premium-rate number (0901)'],
    ['+41 906 123456', 'Swiss premium-rate number (0906)'],
    ['+44 909 8790000', 'UK premium-rate number (09)'],
    ['+33 8 99 12 34 56', 'French premium-rate number (089)'],
  ])('never calls the premium-rate or service number %s', (phone, range) => {
    let error: unknown;
    try {
      requestCallback(request({ phone }), ctx(t(9)));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'phone', message: expect.stringContaining(range) });
    expect(() => validateRequest(request({ phone }), t(9))).toThrow(ValidationError);
  });

  it('lists the refused ranges in one place, and calls ordinary numbers of those countries', () => {
    expect(refusedPhoneRanges.map((r) => `+${r.country} ${r.prefix}`)).toEqual(
      expect.arrayContaining(['+49 900', '+49 137', '+49 138', '+49 180', '+49 118', '+49 116', '+43 900', '+43 930', '+43 939', '+41 900', '+41 901', '+41 906']),
    );
    for (const phone of ['+49 221 5550201', '+49 171 1234567', '+49 911 123456', '+43 1 5125555', '+41 44 6681800', '+44 20 7946 0958', '+33 1 42 68 53 00']) {
      expect(requireCallablePhone(phone)).toBe(phone.replace(/\s/g, ''));
    }
    // "00" written after the "+": no country code starts with 0.
    expect(() => requireCallablePhone('+0049 221 5550201')).toThrow(/country code/);
  });

  it('records where a number by mail came from, and the contact\'s number when it differs', () => {
    const { record, event } = requestCallback(request({ requestedBy: 'mail', phoneSource: 'mail', contactPhone: '+49 211 555 0101' }), ctx(t(9)));
    expect(record.details).toMatchObject({ phone: '+492211234567', phoneSource: 'mail', contactPhone: '+492115550101' });
    expect(event.payload).toMatchObject({ phoneSource: 'mail', contactPhone: '+492115550101' });
    expect(requested({ phoneSource: 'contact' }).details).toMatchObject({ phoneSource: 'contact' });
    expect(requested().details).not.toHaveProperty('phoneSource');
    expect(requested().details).not.toHaveProperty('contactPhone');
    expect(() => requested({ phoneSource: 'crm' as never })).toThrow(expect.objectContaining({ field: 'phoneSource' }));
    expect(() => requested({ contactPhone: '0211 5550101' })).toThrow(expect.objectContaining({ field: 'phone' }));
  });

  it('accepts + and 6 to 15 digits, spaces anywhere', () => {
    expect(normalisePhone(' +49 221  1234 ')).toBe('+492211234');
    expect(normalisePhone('+123456')).toBe('+123456');
    expect(normalisePhone('+123456789012345')).toBe('+123456789012345');
  });

  it('refuses a window that ends before it starts, an empty one, one over 14 days, and one already over', () => {
    const window = (from: Date, to: Date) => ({ from: from.toISOString(), to: to.toISOString() });
    expect(() => requestCallback(request({ window: window(t(12), t(10)) }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ window: window(t(10), t(10)) }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ window: window(t(10), new Date(t(10).getTime() + 14 * 86_400_000 + 1)) }), ctx(t(9)))).toThrow(/14 days/);
    expect(() => requestCallback(request({ window: window(t(10), new Date(t(10).getTime() + 14 * 86_400_000)) }), ctx(t(9)))).not.toThrow();
    expect(() => requestCallback(request(), ctx(t(12)))).toThrow(/already ended/);
    expect(() => requestCallback(request({ window: { from: 'soon', to: t(12).toISOString() } }), ctx(t(9)))).toThrow(ValidationError);
  });

  it('refuses blank topic or contact, an unknown channel, a malformed incident number, and odd retry settings', () => {
    expect(() => requestCallback(request({ topic: '  ' }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ contactName: '' }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ requestedBy: 'fax' as never }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ incidentNumber: 'INC-26-1' }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ maxAttempts: 0 }), ctx(t(9)))).toThrow(ValidationError);
    expect(() => requestCallback(request({ retryMinutes: 2.5 }), ctx(t(9)))).toThrow(ValidationError);
  });
});

describe('assigning', () => {
  it('moves a request to assigned with the agent and keeps the group', () => {
    const withGroup = assign(requested(), { group: 'service-desk' }, ctx(t(9, 1))).record;
    expect(withGroup).toMatchObject({ state: 'assigned', assigneeId: null, details: { group: 'service-desk', assignee: null } });
    const { record, event } = assign(withGroup, { assigneeId: 'u1', assigneeName: 'Uma' }, ctx(t(9, 2)));
    expect(record).toMatchObject({ state: 'assigned', assigneeId: 'u1', seq: 3, details: { assignee: { id: 'u1', name: 'Uma' }, group: 'service-desk' } });
    expect(event).toMatchObject({ type: 'assigned', payload: { assigneeId: 'u1', group: 'service-desk', previousAssigneeId: null, previousGroup: 'service-desk' } });
  });

  it('keeps reminded and overdue when reassigned', () => {
    const reminded = remind(assigned(), system(t(10))).record;
    expect(assign(reminded, { assigneeId: 'u2', assigneeName: 'Udo' }, ctx(t(10, 5))).record.state).toBe('reminded');
    const overdue = markOverdue(reminded, system(t(12))).record;
    expect(assign(overdue, { assigneeId: 'u2', assigneeName: 'Udo' }, ctx(t(12, 5))).record.state).toBe('overdue');
  });

  it('refuses nothing to assign, an agent without a name, the same assignment, and a finished callback', () => {
    expect(() => assign(requested(), {}, ctx(t(9)))).toThrow(ValidationError);
    expect(() => assign(requested(), { assigneeId: 'u1' }, ctx(t(9)))).toThrow(ValidationError);
    expect(() => assign(assigned(), { assigneeId: 'u1', assigneeName: 'Uma' }, ctx(t(9)))).toThrow(IllegalTransition);
    const done = logCall(assigned(), { outcome: 'reached' }, ctx(t(10))).record;
    expect(() => assign(done, { assigneeId: 'u2', assigneeName: 'Udo' }, ctx(t(10)))).toThrow(IllegalTransition);
  });
});

describe('logging calls', () => {
  it('reached ends the callback with the attempt recorded', () => {
    const { record, event } = logCall(assigned(), { outcome: 'reached', note: ' Fixed the MTU. ' }, ctx(t(10, 30)));
    expect(record).toMatchObject({ state: 'done', ended: true, dueAt: null, details: { unreachable: false, retryAt: null } });
    expect(record.details.attempts).toEqual([{ at: t(10, 30).toISOString(), outcome: 'reached', note: 'Fixed the MTU.', by: anna }]);
    expect(event).toMatchObject({ type: 'call_logged', actor: anna, payload: { attempt: 1, outcome: 'reached', done: true } });
  });

  it('voicemail ends the callback too', () => {
    expect(logCall(assigned(), { outcome: 'voicemail' }, ctx(t(10, 30))).record).toMatchObject({ state: 'done', ended: true });
  });

  it('not reached stays open and schedules a retry after retryMinutes', () => {
    const { record, event } = logCall(assigned(), { outcome: 'not_reached' }, ctx(t(10, 30)));
    expect(record).toMatchObject({ state: 'assigned', ended: false, dueAt: t(11, 30).toISOString(), details: { retryAt: t(11, 30).toISOString() } });
    expect(event.payload).toMatchObject({ outcome: 'not_reached', retryAt: t(11, 30).toISOString(), done: false });
  });

  it('gives up as unreachable once the attempts run out', () => {
    let r = requested({ maxAttempts: 2, retryMinutes: 15 });
    r = loggedNotReached(r, t(10));
    expect(r.details.retryAt).toBe(t(10, 15).toISOString());
    const { record, event } = logCall(r, { outcome: 'not_reached' }, ctx(t(10, 20)));
    expect(record).toMatchObject({ state: 'done', ended: true, details: { unreachable: true, retryAt: null } });
    expect(record.details.attempts).toHaveLength(2);
    expect(event.payload).toMatchObject({ unreachable: true, done: true });
  });

  it('refuses logging on a done or cancelled callback, and an unknown outcome', () => {
    const done = logCall(assigned(), { outcome: 'reached' }, ctx(t(10))).record;
    expect(() => logCall(done, { outcome: 'reached' }, ctx(t(10, 1)))).toThrow(IllegalTransition);
    const cancelled = cancel(assigned(), { reason: 'Customer solved it' }, ctx(t(9, 30))).record;
    expect(() => logCall(cancelled, { outcome: 'reached' }, ctx(t(10)))).toThrow(IllegalTransition);
    expect(() => logCall(assigned(), { outcome: 'busy' as never }, ctx(t(10)))).toThrow(ValidationError);
  });

  it('asks for an incident only when none is attached', () => {
    const loose = requested({ incidentNumber: null, workflowId: 'callback-0b6c' });
    expect(logCall(loose, { outcome: 'reached', needsIncident: true }, ctx(t(10))).record.details.needsIncident).toBe(true);
    expect(logCall(loose, { outcome: 'reached' }, ctx(t(10))).record.details.needsIncident).toBe(false);
    expect(logCall(assigned(), { outcome: 'reached', needsIncident: true }, ctx(t(10))).record.details.needsIncident).toBe(false);
  });
});

describe('cancel and attach', () => {
  it('cancels with a reason, once', () => {
    const { record, event } = cancel(assigned(), { reason: ' Customer solved it ' }, ctx(t(9, 30)));
    expect(record).toMatchObject({ state: 'cancelled', ended: true, dueAt: null, details: { cancelReason: 'Customer solved it' } });
    expect(event).toMatchObject({ type: 'cancelled', payload: { reason: 'Customer solved it' } });
    expect(() => cancel(record, { reason: 'again' }, ctx(t(9, 31)))).toThrow(IllegalTransition);
    expect(() => cancel(assigned(), { reason: ' ' }, ctx(t(9, 31)))).toThrow(ValidationError);
  });

  it('attaches to an incident, which settles a need for one', () => {
    const loose = requested({ incidentNumber: null, workflowId: 'callback-0b6c' });
    const retry = logCall(loose, { outcome: 'not_reached', needsIncident: true }, ctx(t(10))).record;
    expect(retry.details.needsIncident).toBe(true);
    const { record, event } = attachToIncident(retry, { incidentNumber: 'INC-2026-000777' }, ctx(t(10, 5)));
    expect(record).toMatchObject({ incidentNumber: 'INC-2026-000777', details: { incidentNumber: 'INC-2026-000777', needsIncident: false } });
    expect(event).toMatchObject({ type: 'attached', payload: { incidentNumber: 'INC-2026-000777' } });
    expect(() => attachToIncident(record, { incidentNumber: 'INC-2026-000778' }, ctx(t(10, 6)))).toThrow(/already attached/);
    expect(() => attachToIncident(loose, { incidentNumber: 'nope' }, ctx(t(10, 6)))).toThrow(ValidationError);
  });
});

describe('system steps and wake-ups', () => {
  it('waits for the window start, then its end, each once', () => {
    const r = assigned();
    expect(nextWakeUp(r)).toEqual({ step: 'remind', at: t(10).toISOString() });
    expect(() => remind(r, system(t(9, 59)))).toThrow(/not opened/);
    const reminded = remind(r, system(t(10)));
    expect(reminded.record).toMatchObject({ state: 'reminded', details: { remindedAt: t(10).toISOString() } });
    expect(reminded.event).toMatchObject({ type: 'reminded', actor: systemActor, payload: { assigneeId: 'u1' } });
    expect(() => remind(reminded.record, system(t(10, 1)))).toThrow(/already reminded/);
    expect(nextWakeUp(reminded.record)).toEqual({ step: 'overdue', at: t(12).toISOString() });
    expect(() => markOverdue(reminded.record, system(t(11, 59)))).toThrow(/still open/);
    const overdue = markOverdue(reminded.record, system(t(12)));
    expect(overdue.record).toMatchObject({ state: 'overdue', ended: false, details: { overdueAt: t(12).toISOString() } });
    expect(() => markOverdue(overdue.record, system(t(12, 1)))).toThrow(/already overdue/);
    expect(nextWakeUp(overdue.record)).toBeNull();
    // Overdue, but a call may still be logged and end it.
    expect(logCall(overdue.record, { outcome: 'reached' }, ctx(t(13))).record.state).toBe('done');
  });

  it('neither reminds nor escalates once a call is logged; a retry reminds once instead', () => {
    const r = loggedNotReached(assigned(), t(9, 30));
    expect(() => remind(r, system(t(10)))).toThrow(/logged call/);
    expect(() => markOverdue(r, system(t(12)))).toThrow(/logged call/);
    expect(nextWakeUp(r)).toEqual({ step: 'retry', at: t(10, 30).toISOString() });
    expect(() => remindRetry(r, system(t(10, 29)))).toThrow(/not due/);
    const retried = wakeUpStep(r, nextWakeUp(r)!, system(t(10, 30)));
    expect(retried.event).toMatchObject({ type: 'retry_reminded', payload: { attempt: 2, maxAttempts: 3 } });
    expect(retried.record.details.retryAt).toBeNull();
    expect(nextWakeUp(retried.record)).toBeNull();
    expect(() => remindRetry(retried.record, system(t(10, 31)))).toThrow(/no retry/);
  });

  it('has nothing to wait for once ended, and reminds at once when the window is already open', () => {
    expect(nextWakeUp(logCall(assigned(), { outcome: 'reached' }, ctx(t(10))).record)).toBeNull();
    const late = requestCallback(request(), ctx(t(11))).record;
    expect(nextWakeUp(late)).toEqual({ step: 'remind', at: t(10).toISOString() });
    expect(remind(late, system(t(11))).record.state).toBe('reminded');
  });
});
