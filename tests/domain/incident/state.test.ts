import { describe, expect, it } from 'vitest';
import { IllegalTransition, ValidationError } from '../../../src/domain/errors.js';
import { addNote, assign, close, openIncident, resolve, type IncidentState } from '../../../src/domain/incident/state.js';
import type { CommandContext } from '../../../src/domain/kernel.js';
import { testIntake } from '../../support/intake.js';

const intake = testIntake({
  number: 'INC-2026-000042',
  title: 'Printer offline',
  description: 'Since 9:00',
  channel: 'phone',
  impact: 'medium',
  urgency: 'high',
  priority: 'P2',
  receivedAt: '2026-11-26T09:00:00.000Z',
  openedBy: { id: 'user:a', name: 'Anna' },
  customer: { id: 'c1', number: 'K-1', name: 'Customer' },
  contact: { id: null, email: 'x@example.com', name: null },
  contract: { id: 'k1', number: 'V-1', tier: 'gold' },
  slaPolicyId: 'p1',
});
const ctx = (minute: number): CommandContext => ({ actor: { id: 'user:b', name: 'Bob' }, at: new Date(Date.UTC(2026, 10, 26, 9, minute)) });
const opened = () => openIncident(intake).state;
const withStatus = (status: IncidentState['status']): IncidentState => ({ ...opened(), status });

describe('opening', () => {
  it('starts new, unassigned, at level 0, with the created event as seq 1', () => {
    const { state, event } = openIncident(intake);
    expect(state).toMatchObject({ status: 'new', assignee: null, escalationLevel: 0, seq: 1, updatedAt: intake.receivedAt });
    expect(event).toMatchObject({ seq: 1, type: 'created', actor: intake.openedBy, at: intake.receivedAt });
    expect(event.payload).toMatchObject({ customerNumber: 'K-1', contractNumber: 'V-1', priority: 'P2' });
  });
});

describe('assign', () => {
  it('moves a new incident to assigned and records who and what changed', () => {
    const { state, event } = assign(opened(), { assigneeId: 'u1', assigneeName: 'Uma', group: '1st-level' }, ctx(5));
    expect(state).toMatchObject({ status: 'assigned', assignee: { id: 'u1', name: 'Uma' }, assignedGroup: '1st-level', seq: 2 });
    expect(state.updatedAt).toBe('2026-11-26T09:05:00.000Z');
    expect(event).toMatchObject({ seq: 2, type: 'assigned', payload: { assigneeId: 'u1', group: '1st-level', previousAssigneeId: null } });
  });

  it('keeps the status of an incident already being worked and keeps the assignee on a group-only change', () => {
    const working = { ...assign(opened(), { assigneeId: 'u1', assigneeName: 'Uma' }, ctx(1)).state, status: 'in_progress' as const };
    const { state } = assign(working, { group: 'network' }, ctx(2));
    expect(state).toMatchObject({ status: 'in_progress', assignee: { id: 'u1' }, assignedGroup: 'network' });
  });

  it('rejects an empty or unchanged assignment', () => {
    expect(() => assign(opened(), {}, ctx(1))).toThrow(ValidationError);
    const assigned = assign(opened(), { assigneeId: 'u1', assigneeName: 'Uma', group: 'g' }, ctx(1)).state;
    expect(() => assign(assigned, { assigneeId: 'u1', assigneeName: 'Uma' }, ctx(2))).toThrow(/already assigned/);
  });

  it.each(['resolved', 'closed'] as const)('is illegal on a %s incident', (status) => {
    expect(() => assign(withStatus(status), { group: 'g' }, ctx(1))).toThrow(IllegalTransition);
  });
});

describe('notes', () => {
  it('are internal, change no status, and need text', () => {
    const { state, event } = addNote(opened(), { text: '  checked cable  ' }, ctx(3));
    expect(state.status).toBe('new');
    expect(event).toMatchObject({ type: 'note_added', payload: { text: 'checked cable', internal: true } });
    expect(() => addNote(opened(), { text: '   ' }, ctx(3))).toThrow(ValidationError);
  });

  it('can be added to a resolved incident but not to a closed one', () => {
    expect(addNote(withStatus('resolved'), { text: 'follow-up' }, ctx(1)).state.status).toBe('resolved');
    expect(() => addNote(withStatus('closed'), { text: 'late' }, ctx(1))).toThrow(IllegalTransition);
  });
});

describe('resolve and close', () => {
  it.each(['new', 'assigned', 'in_progress', 'pending_customer'] as const)('resolves from %s', (status) => {
    const { state, event } = resolve(withStatus(status), { resolution: 'Replaced fuser' }, ctx(30));
    expect(state).toMatchObject({ status: 'resolved', resolution: 'Replaced fuser', resolvedAt: '2026-11-26T09:30:00.000Z' });
    expect(event.payload).toEqual({ resolution: 'Replaced fuser', previousStatus: status });
  });

  it('refuses to resolve twice or without a resolution', () => {
    expect(() => resolve(withStatus('resolved'), { resolution: 'again' }, ctx(1))).toThrow(IllegalTransition);
    expect(() => resolve(opened(), { resolution: '' }, ctx(1))).toThrow(ValidationError);
  });

  it('closes only a resolved incident', () => {
    expect(close(withStatus('resolved'), ctx(40)).state).toMatchObject({ status: 'closed', closedAt: '2026-11-26T09:40:00.000Z' });
    for (const status of ['new', 'assigned', 'in_progress', 'pending_customer', 'closed'] as const) {
      expect(() => close(withStatus(status), ctx(1))).toThrow(IllegalTransition);
    }
  });

  it('numbers events consecutively across a whole life', () => {
    let s = opened();
    const seqs = [1];
    for (const step of [
      (x: IncidentState) => assign(x, { group: 'g' }, ctx(1)),
      (x: IncidentState) => addNote(x, { text: 'n' }, ctx(2)),
      (x: IncidentState) => resolve(x, { resolution: 'r' }, ctx(3)),
      (x: IncidentState) => close(x, ctx(4)),
    ]) {
      const t = step(s);
      s = t.state;
      seqs.push(t.event.seq);
      expect(t.state.seq).toBe(t.event.seq);
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });
});
