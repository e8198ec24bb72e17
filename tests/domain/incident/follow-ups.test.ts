// The incident's side of follow-up work as pure rules: links, waiting (pending_change) with or
// without paused clocks, what the incident goes back to, child tickets, and children that died.
import { describe, expect, it } from 'vitest';
import { IllegalTransition, ValidationError } from '../../../src/domain/errors.js';
import { assign, openIncident, reply, resolve, type IncidentState } from '../../../src/domain/incident/state.js';
import type { CommandContext } from '../../../src/domain/kernel.js';
import {
  createFollowUp,
  detachFollowUp,
  earlierLink,
  failedChild,
  followUpEnded,
  nextFollowUpLink,
  parentNoticeOf,
  repeatOf,
  validateChildTicketIntake,
  validateNewFollowUp,
} from '../../../src/domain/incident/follow-ups.js';
import { customerMessage, reopen, setPending } from '../../../src/domain/incident/lifecycle.js';
import { goldPolicy } from '../../support/policies.js';
import { testIntake } from '../../support/intake.js';

// Tuesday 24 Nov 2026, 09:00 CET (08:00Z); Gold P2: resolution 960 business minutes.
const intake = testIntake({
  number: 'INC-2026-000077',
  title: 'VPN down',
  priority: 'P2',
  receivedAt: '2026-11-24T08:00:00.000Z',
  customer: { id: 'c1', number: 'K-1', name: 'C' },
  contract: { id: 'k1', number: 'V-1', tier: 'gold' },
  slaPolicyId: 'gold',
  sla: goldPolicy,
});
const at = (iso: string): CommandContext => ({ actor: { id: 'user:b', name: 'Bob' }, at: new Date(iso) });
const opened = (policy = goldPolicy): IncidentState => openIncident({ ...intake, sla: policy }).state;
const order = { kind: 'service_order' as const, title: 'Swap the PSU', waitFor: true };
const orderId = 'incident-INC-2026-000077/service-order-1';

describe('waiting for follow-up work', () => {
  it('pauses resolution while it waits and moves its due instant by the business time waited', () => {
    const waiting = createFollowUp(opened(), order, at('2026-11-24T09:00:00Z'));
    expect(waiting.state).toMatchObject({ status: 'pending_change', statusBeforePending: 'new' });
    expect(waiting.state.due.resolution).toBeNull();
    expect(waiting.event.payload).toMatchObject({ ref: 'service-order-1', workflowId: orderId, clocksPaused: true });
    // Two business hours later the order is done: resolution is due two business hours later
    // than before. Before: 25 Nov 16:00 CET; now one hour to 17:00 that day and one from 08:00
    // on the 26th, so 26 Nov 09:00 CET.
    const ended = followUpEnded(waiting.state, { workflowId: orderId, outcome: 'completed', result: 'done' }, at('2026-11-24T11:00:00Z'));
    expect(ended.state.status).toBe('new');
    expect(ended.state.due.resolution).toBe('2026-11-26T08:00:00.000Z');
    expect(ended.event.payload).toMatchObject({ outcome: 'completed', resumed: 'new' });
  });

  it('keeps the clocks running when the policy says waiting does not pause them', () => {
    const waiting = createFollowUp(opened({ ...goldPolicy, pauseOnPendingChange: false }), order, at('2026-11-24T09:00:00Z'));
    expect(waiting.state.status).toBe('pending_change');
    expect(waiting.state.due.resolution).toBe('2026-11-25T15:00:00.000Z');
    expect(waiting.event.payload).toMatchObject({ clocksPaused: false });
    const ended = followUpEnded(waiting.state, { workflowId: orderId, outcome: 'completed', result: 'done' }, at('2026-11-24T11:00:00Z'));
    expect(ended.state.due.resolution).toBe('2026-11-25T15:00:00.000Z');
  });

  it('goes back to assigned, not new, when it was assigned while it waited', () => {
    const waiting = createFollowUp(opened(), order, at('2026-11-24T09:00:00Z')).state;
    const assigned = assign(waiting, { assigneeId: 'u1', assigneeName: 'Anna' }, at('2026-11-24T09:10:00Z')).state;
    expect(assigned).toMatchObject({ status: 'pending_change', statusBeforePending: 'assigned' });
    expect(followUpEnded(assigned, { workflowId: orderId, outcome: 'completed', result: 'done' }, at('2026-11-24T10:00:00Z')).state.status).toBe('assigned');
  });

  it('goes back to in progress when it was answered while it waited', () => {
    const waiting = createFollowUp(opened(), order, at('2026-11-24T09:00:00Z')).state;
    const answered = reply(waiting, { text: 'The technician is on his way.' }, at('2026-11-24T09:10:00Z')).state;
    expect(answered).toMatchObject({ status: 'pending_change', statusBeforePending: 'in_progress' });
  });

  it('keeps waiting, and what it goes back to, when the customer writes meanwhile', () => {
    const assigned = assign(opened(), { assigneeId: 'u1', assigneeName: 'Anna' }, at('2026-11-24T08:30:00Z')).state;
    const waiting = createFollowUp(assigned, order, at('2026-11-24T09:00:00Z')).state;
    const written = customerMessage(waiting, { text: 'Any news?' }, at('2026-11-24T09:30:00Z')).state;
    expect(written).toMatchObject({ status: 'pending_change', statusBeforePending: 'assigned' });
    expect(written.clocks?.resolution?.pausedSince).toBe('2026-11-24T09:00:00.000Z');
    expect(followUpEnded(written, { workflowId: orderId, outcome: 'completed', result: 'done' }, at('2026-11-24T10:00:00Z')).state.status).toBe('assigned');
  });

  it('resumes when the last follow-up it waits for is detached, not before', () => {
    const one = createFollowUp(opened(), order, at('2026-11-24T09:00:00Z')).state;
    const two = createFollowUp(one, { ...order, title: 'Second order' }, at('2026-11-24T09:05:00Z')).state;
    const first = detachFollowUp(two, { ref: 'service-order-1', reason: 'Runs on' }, at('2026-11-24T09:30:00Z')).state;
    expect(first.status).toBe('pending_change');
    expect(detachFollowUp(first, { ref: 'service-order-2', reason: 'Runs on' }, at('2026-11-24T09:40:00Z')).state.status).toBe('new');
  });

  it('records a child that died as failed, or cancelled, so the incident does not wait forever', () => {
    expect(failedChild(orderId, 'terminated')).toEqual({ workflowId: orderId, outcome: 'failed', result: 'terminated' });
    expect(failedChild(orderId, 'cancelled')).toEqual({ workflowId: orderId, outcome: 'cancelled', result: 'cancelled' });
    const waiting = createFollowUp(opened(), order, at('2026-11-24T09:00:00Z')).state;
    const ended = followUpEnded(waiting, failedChild(orderId, 'timed_out'), at('2026-11-24T10:00:00Z'));
    expect(ended.state.followUps?.[0]).toMatchObject({ status: 'failed', result: 'timed_out' });
    expect(ended.state.status).toBe('new');
  });

  it("finds the link a request with the same Idempotency-Key made, whatever came after it", () => {
    const keyed = { ...order, requestKey: 'user:b:retry-1' };
    const first = createFollowUp(opened(), keyed, at('2026-11-24T09:00:00Z')).state;
    const more = createFollowUp(first, { ...order, title: 'Another order' }, at('2026-11-24T09:05:00Z')).state;
    expect(earlierLink(more, keyed)).toMatchObject({ ref: 'service-order-1', requestKey: 'user:b:retry-1' });
    expect(earlierLink(more, { ...keyed, requestKey: 'user:b:other' })).toBeUndefined();
    expect(earlierLink(more, order)).toBeUndefined();
    // The same key for another request is refused, not answered with the wrong follow-up.
    expect(repeatOf(more, keyed)).toBe(more);
    expect(() => repeatOf(more, { ...keyed, title: 'Replace the fan' })).toThrow(/used for another request: service-order-1/);
    expect(() => repeatOf(more, { ...keyed, kind: 'hardware_change' })).toThrow(IllegalTransition);
  });

  it('refuses to wait while it waits on the customer', () => {
    const pending = setPending(opened(), { reason: 'Need logs' }, at('2026-11-24T09:00:00Z')).state;
    expect(() => validateNewFollowUp(pending, order)).toThrow(IllegalTransition);
    expect(() => validateNewFollowUp(pending, { ...order, waitFor: false })).not.toThrow();
  });
});

describe('child tickets', () => {
  it('tell their parent when they are resolved and when they are open again, and nothing else', () => {
    const own = 'incident-INC-2026-000078';
    const child = openIncident({ ...intake, number: 'INC-2026-000078', parent: { number: intake.number, workflowId: 'incident-INC-2026-000077' } }).state;
    const resolved = resolve(child, { resolution: 'Rebooted.' }, at('2026-11-24T09:00:00Z'));
    expect(parentNoticeOf(resolved, own)).toEqual({ ended: { workflowId: own, outcome: 'completed', result: 'resolved' } });
    expect(parentNoticeOf(reopen(resolved.state, { reason: 'Again' }, at('2026-11-24T10:00:00Z')), own)).toEqual({ reopened: { workflowId: own } });
    expect(parentNoticeOf(customerMessage(resolved.state, { text: 'Still broken' }, at('2026-11-24T10:00:00Z')), own)).toEqual({ reopened: { workflowId: own } });
    expect(parentNoticeOf(assign(child, { group: 'network' }, at('2026-11-24T09:00:00Z')), own)).toBeNull();
    // An incident without a parent tells nobody.
    expect(parentNoticeOf(resolve(opened(), { resolution: 'Rebooted.' }, at('2026-11-24T09:00:00Z')), 'incident-INC-2026-000077')).toBeNull();
  });

  const parent = { number: intake.number, workflowId: 'incident-INC-2026-000077' };
  const childIntake = testIntake({ number: 'INC-2026-000078', customer: intake.customer, parent });
  const command = { kind: 'child_ticket' as const, title: 'Network team', childNumber: childIntake.number };

  it("are linked under their own incident's workflow id, once", () => {
    const link = nextFollowUpLink(opened(), command, new Date('2026-11-24T09:00:00Z'));
    expect(link).toMatchObject({ ref: 'child-ticket-1', workflowId: 'incident-INC-2026-000078', number: 'INC-2026-000078' });
    const linked = createFollowUp(opened(), command, at('2026-11-24T09:00:00Z')).state;
    expect(Boolean(earlierLink(linked, command))).toBe(true);
    expect(Boolean(earlierLink(opened(), command))).toBe(false);
  });

  it('need their own number, this incident as parent and the same customer', () => {
    expect(() => createFollowUp(opened(), { ...command, childNumber: undefined }, at('2026-11-24T09:00:00Z'))).toThrow(ValidationError);
    expect(() => createFollowUp(opened(), { ...command, childNumber: intake.number }, at('2026-11-24T09:00:00Z'))).toThrow(/its own child ticket/);
    expect(() => validateChildTicketIntake(opened(), parent.workflowId, childIntake.number, childIntake)).not.toThrow();
    expect(() => validateChildTicketIntake(opened(), 'incident-INC-2026-000099', childIntake.number, childIntake)).toThrow(/another parent/);
    expect(() => validateChildTicketIntake(opened(), parent.workflowId, childIntake.number, { ...childIntake, customer: { id: 'c2', number: 'K-2', name: 'D' } })).toThrow(/another customer/);
    expect(() => validateChildTicketIntake(opened(), parent.workflowId, 'INC-2026-000079', childIntake)).toThrow(/missing/);
  });
});
