import { describe, expect, it } from 'vitest';
import {
  assess,
  close,
  decide,
  escalateApproval,
  implement,
  outstandingApprovers,
  requestChange,
  review,
  rollBack,
  schedule,
  submitForApproval,
  type AssessChangeInput,
  type ChangeRecord,
  type ChangeRequest,
  type DecideChangeInput,
} from '../../src/domain/change.js';
import { Forbidden, IllegalTransition, ValidationError } from '../../src/domain/errors.js';
import type { CommandContext } from '../../src/domain/kernel.js';

const t0 = new Date(Date.UTC(2026, 10, 26, 9, 0));
const request = (overrides: Partial<ChangeRequest> = {}): ChangeRequest => ({
  workflowId: 'incident-INC-2026-000123/software-change-1',
  kind: 'software_change',
  incidentNumber: 'INC-2026-000123',
  customerNumber: 'K-1',
  title: 'Upgrade the ERP database',
  description: 'Security fix for the database server',
  changeType: 'normal',
  approvers: ['alice', 'bob'],
  changeManagerId: 'carol',
  openedBy: { id: 'user:dave', name: 'Dave' },
  ...overrides,
});
const as = (userId: string, minutes = 10): CommandContext => ({ actor: { id: `user:${userId}`, name: userId }, at: new Date(t0.getTime() + minutes * 60_000) });
const plans = { risk: 'medium', impact: 'ERP down for 30 minutes', implementationPlan: 'Stop, upgrade, start', rollbackPlan: 'Restore the snapshot' } as const;
const softwareAssessment: AssessChangeInput = { ...plans, software: { systems: [{ name: 'PostgreSQL', fromVersion: '15.4', toVersion: '15.8' }] } };
const hardwareAssessment: AssessChangeInput = {
  ...plans,
  hardware: { items: [{ action: 'replace', serialNumber: 'SN-NEW-1', replacesSerialNumber: 'SN-OLD-1', product: 'ThinkPad T14' }, { action: 'retire', serialNumber: 'SN-OLD-2' }] },
};

const requested = (overrides: Partial<ChangeRequest> = {}) => requestChange(request(overrides), t0).record;
const assessed = (overrides: Partial<ChangeRequest> = {}) => {
  const r = requested(overrides);
  return assess(r, r.kind === 'software_change' ? softwareAssessment : hardwareAssessment, as('dave', 5)).record;
};
const awaiting = () => submitForApproval(assessed(), as('dave', 10)).record;
const approved = () => decide(decide(awaiting(), { decision: 'approved' }, as('alice', 20)).record, { decision: 'approved' }, as('bob', 30)).record;
const window = { from: '2026-11-28T20:00:00.000Z', to: '2026-11-28T22:00:00.000Z' };
const scheduled = () => schedule(approved(), window, as('dave', 40)).record;
const implemented = () => implement(scheduled(), { notes: 'Went fine' }, as('dave', 50)).record;
const reviewed = () => review(implemented(), { outcome: 'successful' }, as('carol', 60)).record;

describe('request', () => {
  it('opens a requested change as event 1 with the change manager as owner', () => {
    const { record, event } = requestChange(request(), t0);
    expect(record).toMatchObject({ state: 'requested', ended: false, seq: 1, assigneeId: 'carol', dueAt: null, kind: 'software_change' });
    expect(record.details).toMatchObject({ changeType: 'normal', approvers: ['alice', 'bob'], approvalHours: 24, escalated: false, assessment: null });
    expect(event).toMatchObject({ seq: 1, type: 'created', actor: { id: 'user:dave' }, at: t0.toISOString(), payload: { changeType: 'normal', changeManagerId: 'carol' } });
  });

  it('rejects a normal change without approvers, duplicate approvers, bad hours, kind or type', () => {
    expect(() => requestChange(request({ approvers: [] }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ approvers: ['a', 'a'] }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ approvalHours: 0 }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ approvalHours: 1.5 }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ kind: 'service_order' as never }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ changeType: 'emergency' as never }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ title: ' ' }), t0)).toThrow(ValidationError);
    expect(() => requestChange(request({ changeManagerId: '' }), t0)).toThrow(ValidationError);
  });

  it('lets a standard change go without approvers', () => {
    expect(requested({ changeType: 'standard', approvers: [] }).details.approvers).toEqual([]);
  });
});

describe('assess', () => {
  it('records risk, plans and the affected software systems', () => {
    const { record, event } = assess(requested(), softwareAssessment, as('dave', 5));
    expect(record).toMatchObject({ state: 'assessed', seq: 2 });
    expect(record.details.assessment).toEqual(softwareAssessment);
    expect(event).toMatchObject({ seq: 2, type: 'assessed', actor: { id: 'user:dave' }, payload: { risk: 'medium', reassessed: false } });
  });

  it('records the hardware items of a hardware change, replacements with the serial number they replace', () => {
    const record = assessed({ kind: 'hardware_change', workflowId: 'incident-INC-2026-000123/hardware-change-1' });
    expect(record.details.assessment?.hardware?.items[0]).toEqual({ action: 'replace', serialNumber: 'SN-NEW-1', replacesSerialNumber: 'SN-OLD-1', product: 'ThinkPad T14' });
  });

  it('allows a re-assessment before submission, not after', () => {
    const { record, event } = assess(assessed(), { ...softwareAssessment, risk: 'high' }, as('dave', 6));
    expect(record.details.assessment?.risk).toBe('high');
    expect(event.payload.reassessed).toBe(true);
    expect(() => assess(awaiting(), softwareAssessment, as('dave', 11))).toThrow(IllegalTransition);
  });

  it('needs plans, a valid risk and the kind-specific scope', () => {
    const r = requested();
    expect(() => assess(r, { ...softwareAssessment, rollbackPlan: '' }, as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, { ...softwareAssessment, risk: 'extreme' as never }, as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, { ...plans }, as('dave'))).toThrow(/at least one affected system/);
    expect(() => assess(r, { ...plans, software: { systems: [] } }, as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, { ...plans, software: { systems: [{ name: 'ERP', fromVersion: '1', toVersion: '' }] } }, as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, hardwareAssessment, as('dave'))).toThrow(ValidationError);
    // A first installation has no previous version.
    expect(assess(r, { ...plans, software: { systems: [{ name: 'ERP', fromVersion: null, toVersion: '2.0' }] } }, as('dave')).record.state).toBe('assessed');
  });

  it('checks the hardware items', () => {
    const r = requested({ kind: 'hardware_change' });
    const items = (list: unknown[]): AssessChangeInput => ({ ...plans, hardware: { items: list as never } });
    expect(() => assess(r, { ...plans }, as('dave'))).toThrow(/at least one asset/);
    expect(() => assess(r, items([{ action: 'replace', serialNumber: 'SN-1' }]), as('dave'))).toThrow(/must name the serial number it replaces/);
    expect(() => assess(r, items([{ action: 'replace', serialNumber: 'SN-1', replacesSerialNumber: 'SN-1' }]), as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, items([{ action: 'add', serialNumber: 'SN-1', replacesSerialNumber: 'SN-0' }]), as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, items([{ action: 'move', serialNumber: 'SN-1' }]), as('dave'))).toThrow(ValidationError);
    expect(() => assess(r, items([{ action: 'add', serialNumber: 'SN-1' }, { action: 'retire', serialNumber: 'SN-1' }]), as('dave'))).toThrow(/twice/);
    expect(() => assess(r, softwareAssessment, as('dave'))).toThrow(ValidationError);
    expect(assess(r, items([{ action: 'add', serialNumber: ' SN-9 ' }]), as('dave')).record.details.assessment?.hardware?.items).toEqual([{ action: 'add', serialNumber: 'SN-9' }]);
  });
});

describe('approval', () => {
  it('sends a normal change to its approvers with a deadline approvalHours ahead', () => {
    const { record, event } = submitForApproval(assessed({ approvalHours: 8 }), as('dave', 10));
    const deadline = new Date(t0.getTime() + 10 * 60_000 + 8 * 3_600_000).toISOString();
    expect(record).toMatchObject({ state: 'awaiting_approval', dueAt: deadline, details: { approvalDeadline: deadline } });
    expect(event).toMatchObject({ type: 'approval_requested', payload: { approvers: ['alice', 'bob'], deadline } });
  });

  it('approves a standard change at once, recorded as pre-approved', () => {
    const { record, event } = submitForApproval(assessed({ changeType: 'standard', approvers: [] }), as('dave', 10));
    expect(record).toMatchObject({ state: 'approved', dueAt: null, details: { approvalDeadline: null } });
    expect(event).toMatchObject({ type: 'approved', actor: { id: 'user:dave' }, payload: { preApproved: true } });
  });

  it('cannot submit before the assessment', () => {
    expect(() => submitForApproval(requested(), as('dave'))).toThrow(IllegalTransition);
  });

  it('approves once every approver approved', () => {
    const first = decide(awaiting(), { decision: 'approved', comment: 'ok' }, as('alice', 20));
    expect(first.record).toMatchObject({ state: 'awaiting_approval' });
    expect(first.event).toMatchObject({ type: 'approval_recorded', actor: { id: 'user:alice' }, payload: { approverId: 'alice', decision: 'approved', comment: 'ok', outstanding: ['bob'] } });
    const second = decide(first.record, { decision: 'approved' }, as('bob', 30));
    expect(second.record).toMatchObject({ state: 'approved', dueAt: null, ended: false });
    expect(second.record.details.approvals.map((a) => a.approverId)).toEqual(['alice', 'bob']);
    expect(second.event).toMatchObject({ type: 'approved', payload: { outstanding: [] } });
  });

  it('rejects (and ends) the change on any rejection, which needs a comment', () => {
    expect(() => decide(awaiting(), { decision: 'rejected' }, as('bob'))).toThrow(ValidationError);
    const { record, event } = decide(awaiting(), { decision: 'rejected', comment: 'Not during year-end' }, as('bob', 20));
    expect(record).toMatchObject({ state: 'rejected', ended: true, dueAt: null });
    expect(event).toMatchObject({ type: 'rejected', payload: { approverId: 'bob', comment: 'Not during year-end', outstanding: ['alice'] } });
  });

  it('refuses a non-approver, a second decision and a decision outside the approval', () => {
    expect(() => decide(awaiting(), { decision: 'approved' }, as('mallory'))).toThrow(Forbidden);
    expect(() => decide(awaiting(), { decision: 'approved' }, { actor: { id: 'system', name: 'Helpdesk' }, at: t0 })).toThrow(Forbidden);
    const once = decide(awaiting(), { decision: 'approved' }, as('alice')).record;
    expect(() => decide(once, { decision: 'approved' }, as('alice'))).toThrow(IllegalTransition);
    expect(() => decide(assessed(), { decision: 'approved' }, as('alice'))).toThrow(IllegalTransition);
    expect(() => decide(awaiting(), { decision: 'maybe' as never }, as('alice'))).toThrow(ValidationError);
  });

  it('escalates once at the deadline and stays awaiting approval', () => {
    const record = awaiting();
    const deadline = new Date(record.details.approvalDeadline!);
    expect(() => escalateApproval(record, { actor: { id: 'system', name: 'Helpdesk' }, at: new Date(deadline.getTime() - 1) })).toThrow(IllegalTransition);
    const { record: escalated, event } = escalateApproval(record, { actor: { id: 'system', name: 'Helpdesk' }, at: deadline });
    expect(escalated).toMatchObject({ state: 'awaiting_approval', details: { escalated: true } });
    expect(event).toMatchObject({ type: 'approval_escalated', actor: { id: 'system' }, payload: { to: 'carol', outstanding: ['alice', 'bob'] } });
    expect(() => escalateApproval(escalated, { actor: { id: 'system', name: 'Helpdesk' }, at: deadline })).toThrow(IllegalTransition);
    // Approval is still possible after the escalation.
    expect(decide(decide(escalated, { decision: 'approved' }, as('alice')).record, { decision: 'approved' }, as('bob')).record.state).toBe('approved');
    expect(outstandingApprovers(escalated)).toEqual(['alice', 'bob']);
  });
});

describe('the change manager decides for the approvers (override)', () => {
  const system = { id: 'system', name: 'Helpdesk' };
  const escalatedAt = (record: ChangeRecord) => escalateApproval(record, { actor: system, at: new Date(record.details.approvalDeadline!) }).record;

  it('approves at once, marking the outstanding approvers as overridden, not as having approved', () => {
    const alice = decide(awaiting(), { decision: 'approved', comment: 'ok' }, as('alice', 20)).record;
    const { record, event } = decide(alice, { decision: 'approved', comment: ' Security fix cannot wait ' }, as('carol', 30));
    const at = new Date(t0.getTime() + 30 * 60_000).toISOString();
    expect(record).toMatchObject({ state: 'approved', ended: false, dueAt: null });
    expect(record.details.approvals).toEqual([
      { approverId: 'alice', decision: 'approved', comment: 'ok', at: new Date(t0.getTime() + 20 * 60_000).toISOString() },
      { approverId: 'bob', decision: 'overridden', comment: null, at, overriddenBy: 'carol' },
    ]);
    expect(record.details.override).toEqual({ by: 'carol', decision: 'approved', reason: 'Security fix cannot wait', at, skipped: ['bob'], afterEscalation: false });
    expect(outstandingApprovers(record)).toEqual([]);
    expect(event).toMatchObject({
      type: 'approved',
      actor: { id: 'user:carol' },
      payload: { override: true, changeManagerId: 'carol', decision: 'approved', reason: 'Security fix cannot wait', skipped: ['bob'], afterEscalation: false },
    });
    // The approved change goes on as any other.
    expect(schedule(record, window, as('dave', 40)).record.state).toBe('scheduled');
  });

  it('rejects (and ends) the change, before any approver answered and after the escalation', () => {
    const { record, event } = decide(escalatedAt(awaiting()), { decision: 'rejected', comment: 'Too risky before year-end' }, as('carol', 25 * 60));
    expect(record).toMatchObject({ state: 'rejected', ended: true, dueAt: null, details: { escalated: true } });
    expect(record.details.approvals.map((a) => [a.approverId, a.decision, a.overriddenBy])).toEqual([
      ['alice', 'overridden', 'carol'],
      ['bob', 'overridden', 'carol'],
    ]);
    expect(event).toMatchObject({ type: 'rejected', payload: { override: true, decision: 'rejected', reason: 'Too risky before year-end', skipped: ['alice', 'bob'], afterEscalation: true } });
  });

  it('needs a reason for an override, approval or rejection', () => {
    const refusal = (input: DecideChangeInput) => {
      try {
        decide(awaiting(), input, as('carol'));
      } catch (err) {
        return err;
      }
      throw new Error('expected the override to be refused');
    };
    for (const decision of ['approved', 'rejected'] as const) {
      for (const comment of [undefined, null, '   ']) {
        const err = refusal({ decision, comment });
        expect(err).toBeInstanceOf(ValidationError);
        expect(err).toMatchObject({ field: 'comment', message: expect.stringMatching(/only with a reason/) });
      }
    }
  });

  it('lets an approver who is also the change manager decide as an approver only', () => {
    const record = submitForApproval(assessed({ approvers: ['alice', 'carol'] }), as('dave', 10)).record;
    // Approving without a reason is fine: it is carol's own approval, alice still has to answer.
    const { record: decided, event } = decide(record, { decision: 'approved' }, as('carol', 20));
    expect(decided).toMatchObject({ state: 'awaiting_approval', details: { override: null } });
    expect(decided.details.approvals).toEqual([expect.objectContaining({ approverId: 'carol', decision: 'approved' })]);
    expect(event).toMatchObject({ type: 'approval_recorded', payload: { outstanding: ['alice'] } });
    expect(event.payload).not.toHaveProperty('override');
    // A second word from carol is a second decision, not an override.
    expect(() => decide(decided, { decision: 'approved', comment: 'as change manager' }, as('carol', 30))).toThrow(IllegalTransition);
  });

  it('refuses anyone else and any decision when the change is not awaiting approval', () => {
    expect(() => decide(awaiting(), { decision: 'approved', comment: 'I am the boss' }, as('mallory'))).toThrow(Forbidden);
    expect(() => decide(awaiting(), { decision: 'approved', comment: 'x' }, { actor: { id: 'contact:carol', name: 'carol' }, at: t0 })).toThrow(Forbidden);
    expect(() => decide(awaiting(), { decision: 'approved', comment: 'x' }, { actor: { id: 'system', name: 'Helpdesk' }, at: t0 })).toThrow(Forbidden);
    expect(() => decide(assessed(), { decision: 'approved', comment: 'urgent' }, as('carol'))).toThrow(IllegalTransition);
    expect(() => decide(approved(), { decision: 'rejected', comment: 'changed my mind' }, as('carol'))).toThrow(IllegalTransition);
    const rejected = decide(awaiting(), { decision: 'rejected', comment: 'no' }, as('carol')).record;
    expect(() => decide(rejected, { decision: 'approved', comment: 'yes after all' }, as('carol'))).toThrow(IllegalTransition);
    expect(() => decide(awaiting(), { decision: 'maybe' as never, comment: 'x' }, as('carol'))).toThrow(ValidationError);
  });
});

describe('schedule, implement, review, close', () => {
  it('walks the approved change to closed, each step an event with its actor', () => {
    const s = schedule(approved(), window, as('dave', 40));
    expect(s.record).toMatchObject({ state: 'scheduled', dueAt: window.to, details: { schedule: window } });
    expect(s.event).toMatchObject({ type: 'scheduled', payload: { ...window, previous: null } });
    const i = implement(s.record, { notes: ' Went fine ' }, as('dave', 50));
    expect(i.record).toMatchObject({ state: 'implemented', dueAt: null, details: { implementationNotes: 'Went fine' } });
    const r = review(i.record, { outcome: 'successful' }, as('carol', 60));
    expect(r.record).toMatchObject({ state: 'reviewed', details: { review: { outcome: 'successful', notes: null } } });
    expect(r.event).toMatchObject({ type: 'reviewed', actor: { id: 'user:carol' } });
    const c = close(r.record, as('carol', 70));
    expect(c.record).toMatchObject({ state: 'closed', ended: true });
    expect(c.event).toMatchObject({ type: 'closed', payload: { outcome: 'successful' } });
    expect(c.record.seq).toBe(9);
  });

  it('reschedules a scheduled change and checks the window', () => {
    const later = { from: '2026-11-29T20:00:00.000Z', to: '2026-11-29T21:00:00.000Z' };
    expect(schedule(scheduled(), later, as('dave', 45)).event.payload).toMatchObject({ previous: window });
    expect(() => schedule(approved(), { from: window.to, to: window.from }, as('dave'))).toThrow(ValidationError);
    expect(() => schedule(approved(), { from: 'tomorrow', to: window.to }, as('dave'))).toThrow(ValidationError);
    expect(() => schedule(awaiting(), window, as('dave'))).toThrow(IllegalTransition);
  });

  it('keeps the order of the steps', () => {
    expect(() => implement(approved(), {}, as('dave'))).toThrow(IllegalTransition);
    expect(() => review(scheduled(), { outcome: 'successful' }, as('dave'))).toThrow(IllegalTransition);
    expect(() => close(implemented(), as('dave'))).toThrow(IllegalTransition);
    expect(() => review(implemented(), { outcome: 'failed' }, as('dave'))).toThrow(/needs notes/);
    expect(() => review(implemented(), { outcome: 'meh' as never }, as('dave'))).toThrow(ValidationError);
  });
});

describe('roll back', () => {
  it('rolls back an implemented or reviewed change with a reason and ends it', () => {
    for (const record of [implemented(), reviewed()] as ChangeRecord[]) {
      const { record: rolledBack, event } = rollBack(record, { reason: 'ERP reports fail' }, as('dave', 80));
      expect(rolledBack).toMatchObject({ state: 'rolled_back', ended: true, details: { rollbackReason: 'ERP reports fail' } });
      expect(event).toMatchObject({ type: 'rolled_back', actor: { id: 'user:dave' }, payload: { reason: 'ERP reports fail' } });
    }
  });

  it('needs a reason and an implementation to roll back', () => {
    expect(() => rollBack(implemented(), { reason: ' ' }, as('dave'))).toThrow(ValidationError);
    expect(() => rollBack(scheduled(), { reason: 'x' }, as('dave'))).toThrow(IllegalTransition);
    const closed = close(reviewed(), as('carol')).record;
    expect(() => rollBack(closed, { reason: 'x' }, as('dave'))).toThrow(IllegalTransition);
  });
});
