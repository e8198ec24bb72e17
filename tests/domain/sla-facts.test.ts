// The SLA fact log's derivation: what a step adds is the difference between the clocks before it
// and after it (Gold P3, Mon–Fri 08–17 Berlin with DE-NW holidays: first response 240, resolution
// 1620 business minutes; P1: first response 60).
import { describe, expect, it } from 'vitest';
import { openIncident, reply, resolve, type IncidentState } from '../../src/domain/incident/state.js';
import { changePriority, setPending } from '../../src/domain/incident/lifecycle.js';
import { slaFactsOf, type FactsBefore } from '../../src/domain/sla-facts.js';
import { testIntake } from '../support/intake.js';
import { goldPolicy as gold } from '../support/policies.js';

const agent = { id: 'user:a', name: 'A' };
const at = (iso: string) => ({ actor: agent, at: new Date(iso) });
const beforeOf = (s: IncidentState): FactsBefore => ({ clocks: s.clocks ?? null, due: s.due, priority: s.priority, policyId: s.sla?.id ?? null, policyVersion: s.sla?.version ?? null });
// Mon 7 Sep 2026 08:00 CEST.
const opened = openIncident(testIntake({ number: 'INC-2026-000301', sla: gold, slaPolicyId: gold.id, receivedAt: '2026-09-07T06:00:00Z' }));

describe('slaFactsOf', () => {
  it('the first step starts both targets; the same step again adds nothing', () => {
    const first = slaFactsOf(null, opened.state, opened.event);
    expect(first.map((f) => [f.kind, f.target, f.at])).toEqual([
      ['started', 'firstResponse', '2026-09-07T06:00:00.000Z'],
      ['started', 'resolution', '2026-09-07T06:00:00.000Z'],
    ]);
    expect(slaFactsOf(beforeOf(opened.state), opened.state, opened.event)).toEqual([]);
  });

  it('a reply ends the first response with its verdict and business minutes', () => {
    const replied = reply(opened.state, { text: 'On it.' }, at('2026-09-07T07:30:00Z'));
    const facts = slaFactsOf(beforeOf(opened.state), replied.state, replied.event);
    expect(facts.map((f) => [f.kind, f.target, f.usedMinutes, f.budgetMinutes, f.policyName, f.policyVersion])).toEqual([['met', 'firstResponse', 90, 240, 'Gold', 1]]);
  });

  it('a pause after the due instants passed records each overdue instant, also with no due instant to read (paused)', () => {
    // First response due Mon 12:00 CEST (10:00Z); resolution (27 h) due Wed 9 Sep 17:00 CEST (15:00Z).
    // Paused (waiting on the customer) Thu 10 Sep 12:00 CEST, never answered.
    const pending = setPending(opened.state, { reason: 'Logs, please.' }, at('2026-09-10T10:00:00Z'));
    const expected = [
      ['overdue', 'firstResponse', '2026-09-07T10:00:00.000Z'],
      ['paused', 'resolution', '2026-09-10T10:00:00.000Z'],
      ['overdue', 'resolution', '2026-09-09T15:00:00.000Z'],
    ];
    expect(slaFactsOf(beforeOf(opened.state), pending.state, pending.event).map((f) => [f.kind, f.target, f.at])).toEqual(expected);
    // From nothing (the backfill): the paused clock has no due instant; the one it ran to is worked out.
    expect(slaFactsOf(null, pending.state, pending.event).filter((f) => f.kind === 'overdue').map((f) => [f.kind, f.target, f.at])).toEqual([expected[0], expected[2]]);
    // Recorded already: not again.
    const recorded = new Set(['firstResponse@2026-09-07T06:00:00.000Z', 'resolution@2026-09-07T06:00:00.000Z']);
    expect(slaFactsOf(beforeOf(pending.state), pending.state, pending.event, recorded)).toEqual([]);
  });

  it('a priority change after an end judges the target again with the new budget', () => {
    // Replied after 200 minutes: met for P3 (240); P1's first response is 60 in the fixture's Gold.
    const replied = reply(opened.state, { text: 'On it.' }, at('2026-09-07T09:20:00Z'));
    const raised = changePriority(replied.state, { priority: 'P1', reason: 'Production down.' }, at('2026-09-07T09:30:00Z'));
    const facts = slaFactsOf(beforeOf(replied.state), raised.state, raised.event);
    const firstResponse = facts.find((f) => f.target === 'firstResponse' && (f.kind === 'met' || f.kind === 'breached'));
    expect([firstResponse?.kind, firstResponse?.budgetMinutes, firstResponse?.priority]).toEqual(['breached', gold.targets.P1.firstResponse, 'P1']);
    const ended = resolve(raised.state, { resolution: 'Done.' }, at('2026-09-07T10:00:00Z'));
    expect(slaFactsOf(beforeOf(raised.state), ended.state, ended.event).map((f) => [f.kind, f.target])).toContainEqual(['met', 'resolution']);
  });
});
