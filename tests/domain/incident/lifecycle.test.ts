import { describe, expect, it } from 'vitest';
import { IllegalTransition } from '../../../src/domain/errors.js';
import { assign, openIncident, reply, resolve, type IncidentState } from '../../../src/domain/incident/state.js';
import type { CommandContext } from '../../../src/domain/kernel.js';
import { testIntake } from '../../support/intake.js';
import { reassessEscalation } from '../../../src/domain/incident/sla.js';
import { autoCloseAt, changeContract, changePriority, customerMessage, reopen, resume, setPending } from '../../../src/domain/incident/lifecycle.js';
import { goldPolicy } from '../../support/policies.js';

// Tuesday 24 Nov 2026, 09:00 CET (08:00Z); Gold P2: first response 120, next 240, resolution 960.
const intake = testIntake({
  number: 'INC-2026-000077',
  title: 'VPN down',
  channel: 'phone',
  impact: 'high',
  urgency: 'medium',
  priority: 'P2',
  receivedAt: '2026-11-24T08:00:00.000Z',
  openedBy: { id: 'user:a', name: 'Anna' },
  customer: { id: 'c1', number: 'K-1', name: 'C' },
  contract: { id: 'k1', number: 'V-1', tier: 'gold' },
  slaPolicyId: 'gold',
  sla: goldPolicy,
});
const at = (iso: string): CommandContext => ({ actor: { id: 'user:b', name: 'Bob' }, at: new Date(iso) });
const opened = () => openIncident(intake).state;

describe('opening with an SLA', () => {
  it('starts first-response and resolution clocks at receipt and shows their due instants', () => {
    const s = opened();
    expect(s.due).toEqual({ firstResponse: '2026-11-24T10:00:00.000Z', nextResponse: null, resolution: '2026-11-25T15:00:00.000Z' });
    expect(s.nextSlaDeadline).toBe('2026-11-24T10:00:00.000Z');
  });
});

describe('waiting on the customer', () => {
  it('pauses resolution (not first response) and moves its due instant by the pending business time', () => {
    const pending = setPending(opened(), { reason: 'Need logs' }, at('2026-11-24T09:00:00Z')).state;
    expect(pending).toMatchObject({ status: 'pending_customer', statusBeforePending: 'new' });
    expect(pending.due.resolution).toBeNull(); // paused: depends on when it ends
    expect(pending.due.firstResponse).toBe('2026-11-24T10:00:00.000Z');
    const resumed = resume(pending, {}, at('2026-11-24T12:00:00Z')).state;
    expect(resumed.status).toBe('new');
    expect(resumed.due.resolution).toBe('2026-11-26T09:00:00.000Z'); // three business hours later
  });

  it('ends on a customer message, which also starts the next-response clock once we had answered', () => {
    let s = reply(opened(), { text: 'Please send logs' }, at('2026-11-24T08:30:00Z')).state;
    s = setPending(s, { reason: 'Waiting for logs' }, at('2026-11-24T08:31:00Z')).state;
    const { state, event } = customerMessage(s, { text: 'Here are the logs', from: 'x@example.com' }, at('2026-11-24T10:31:00Z'));
    expect(state).toMatchObject({ status: 'in_progress', statusBeforePending: null });
    expect(event.payload).toMatchObject({ effect: 'resumed', previousStatus: 'pending_customer' });
    expect(state.clocks!.nextResponse).toMatchObject({ startedAt: '2026-11-24T10:31:00.000Z', stoppedAt: null });
    expect(state.due.nextResponse).toBe('2026-11-24T14:31:00.000Z');
    // The next reply meets it.
    const answered = reply(state, { text: 'Found it' }, at('2026-11-24T11:00:00Z')).state;
    expect(answered.clocks!.nextResponse!.stoppedAt).toBe('2026-11-24T11:00:00.000Z');
  });

  it('does not start a next-response clock before the first response, and logs automatic replies only', () => {
    const s = customerMessage(opened(), { text: 'Any news?' }, at('2026-11-24T08:20:00Z')).state;
    expect(s.clocks!.nextResponse).toBeUndefined();
    const pending = setPending(opened(), { reason: 'x' }, at('2026-11-24T08:30:00Z')).state;
    const ooo = customerMessage(pending, { text: 'I am out of office', automatic: true }, at('2026-11-24T09:00:00Z'));
    expect(ooo.state.status).toBe('pending_customer');
    expect(ooo.state.clocks).toEqual(pending.clocks);
    expect(ooo.event.payload).toMatchObject({ effect: 'logged', automatic: true });
  });

  it('refuses to pend twice or to resume what is not pending', () => {
    const pending = setPending(opened(), { reason: 'x' }, at('2026-11-24T09:00:00Z')).state;
    expect(() => setPending(pending, { reason: 'y' }, at('2026-11-24T09:10:00Z'))).toThrow(IllegalTransition);
    expect(() => resume(opened(), {}, at('2026-11-24T09:10:00Z'))).toThrow(/not waiting on the customer/);
  });
});

describe('priority and contract changes', () => {
  it('recompute against the original start and keep the elapsed business time', () => {
    const { state, event } = changePriority(opened(), { priority: 'P1', reason: 'Production down' }, at('2026-11-24T08:30:00Z'));
    // P1: first response 60, resolution 480, both from 09:00 CET
    expect(state.due).toMatchObject({ firstResponse: '2026-11-24T09:00:00.000Z', resolution: '2026-11-24T16:00:00.000Z' });
    expect(event.payload).toMatchObject({ from: 'P2', to: 'P1' });
    expect(() => changePriority(state, { priority: 'P1', reason: 'again' }, at('2026-11-24T08:31:00Z'))).toThrow(/already has priority P1/);
  });

  it('switch policy and calendar with the contract', () => {
    const allDay: [string, string][] = [['00:00', '24:00']];
    const platinum = { ...goldPolicy, id: 'plat', name: 'Platinum 24x7', calendar: { timezone: 'Europe/Berlin', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } } };
    const { state } = changeContract(opened(), { contract: { id: 'k2', number: 'V-2', tier: 'platinum' }, slaPolicyId: 'plat', sla: platinum, reason: 'Upgrade' }, at('2026-11-24T08:30:00Z'));
    expect(state.contract!.number).toBe('V-2');
    expect(state.due.resolution).toBe('2026-11-25T00:00:00.000Z'); // 960 minutes of real time from 08:00Z
  });
});

describe('edge cases', () => {
  it('goes back to level 0 when the incident moves to no contract at all', () => {
    const overdue = { ...opened(), escalationLevel: 2 };
    const { state } = changeContract(overdue, { contract: null, slaPolicyId: null, sla: null, reason: 'Contract ended' }, at('2026-11-24T12:00:00Z'));
    expect(state.due).toEqual({ firstResponse: null, nextResponse: null, resolution: null });
    const down = reassessEscalation(state, at('2026-11-24T12:00:01Z'));
    expect(down!.state.escalationLevel).toBe(0);
    expect(down!.event.payload).toMatchObject({ from: 2, to: 0, direction: 'down' });
    expect(reassessEscalation(down!.state, at('2026-11-24T12:00:02Z'))).toBeUndefined();
  });

  it('resumes to the status the work reached while pending', () => {
    let s = setPending(opened(), { reason: 'Need logs' }, at('2026-11-24T08:10:00Z')).state;
    s = assign(s, { group: '2nd-level' }, at('2026-11-24T08:20:00Z')).state;
    expect(resume(s, {}, at('2026-11-24T08:30:00Z')).state.status).toBe('assigned');
    s = reply(s, { text: 'Still need the logs' }, at('2026-11-24T08:40:00Z')).state;
    expect(s.status).toBe('pending_customer');
    expect(resume(s, {}, at('2026-11-24T08:50:00Z')).state.status).toBe('in_progress');
  });
});

describe('resolve, reopen and auto-close', () => {
  it('reopens with the resolution clock running on and the resolved period not counted', () => {
    const resolved = resolve(opened(), { resolution: 'Rebooted' }, at('2026-11-24T09:00:00Z')).state;
    expect(resolved.clocks!.resolution!.stoppedAt).toBe('2026-11-24T09:00:00.000Z');
    expect(autoCloseAt(resolved)!.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    const reopened = reopen(resolved, { reason: 'Down again' }, at('2026-11-24T13:00:00Z')).state;
    expect(reopened).toMatchObject({ status: 'new', resolvedAt: null, resolution: null });
    expect(reopened.clocks!.resolution).toMatchObject({ stoppedAt: null, pauses: [{ from: '2026-11-24T09:00:00.000Z', to: '2026-11-24T13:00:00.000Z' }] });
    expect(reopened.due.resolution).toBe('2026-11-26T10:00:00.000Z'); // four business hours later than the original Wed 16:00 CET
    expect(autoCloseAt(reopened)).toBeUndefined();
    expect(() => reopen(reopened, { reason: 'again' }, at('2026-11-24T14:00:00Z'))).toThrow(/only a resolved incident can be reopened/);
  });

  it('closes after the number of days the incident was opened with', () => {
    const resolved = resolve(openIncident({ ...intake, autoCloseDays: 3 }).state, { resolution: 'Rebooted' }, at('2026-11-24T09:00:00Z')).state;
    expect(autoCloseAt(resolved)!.toISOString()).toBe('2026-11-27T09:00:00.000Z');
  });

  it('reopens on a customer message to a resolved incident', () => {
    const resolved = resolve(opened(), { resolution: 'Rebooted' }, at('2026-11-24T09:00:00Z')).state;
    const { state, event } = customerMessage(resolved, { text: 'Still broken' }, at('2026-11-24T10:00:00Z'));
    expect(state.status).toBe('new');
    expect(event.payload).toMatchObject({ effect: 'reopened' });
    expect(state.clocks!.nextResponse).toMatchObject({ startedAt: '2026-11-24T10:00:00.000Z' });
  });

  it('refuses messages on a closed incident', () => {
    const closed: IncidentState = { ...opened(), status: 'closed' };
    expect(() => customerMessage(closed, { text: 'hello' }, at('2026-11-24T10:00:00Z'))).toThrow(/closed; a new message needs a new incident/);
  });
});
