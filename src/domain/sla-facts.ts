// The SLA fact log's words: what a target or the escalation ladder did.
import type { BusinessCalendar } from './business-time.js';
import type { Priority } from './enums.js';
import type { IncidentEvent, IncidentState } from './incident/state.js';
import { clockPicture, policyCalendar, slaTargets, type SlaClock, type SlaTarget } from './sla.js';

/**
 * started, paused, resumed: the clock. restarted: a stopped clock runs again (reopen).
 * overdue: a running target passed its due instant (at = the due instant). met, breached: the
 * target ended in time or late (at = the end); a priority or policy change re-judges an ended
 * target with a new fact. dropped: the incident lost its SLA. level: an escalation level reached.
 */
export const slaFactKinds = ['started', 'paused', 'resumed', 'restarted', 'overdue', 'met', 'breached', 'dropped', 'level'] as const;
export type SlaFactKind = (typeof slaFactKinds)[number];
export const slaFactTargets = [...slaTargets, 'none'] as const;
export type SlaFactTarget = (typeof slaFactTargets)[number];

/** One fact as the activity writes it (instants as ISO strings). */
export interface SlaFact {
  kind: SlaFactKind;
  target: SlaFactTarget;
  cycleStartedAt: string | null;
  at: string;
  level: number | null;
  budgetMinutes: number | null;
  usedMinutes: number | null;
  dueAt: string | null;
  priority: Priority | null;
  policyId: string | null;
  policyName: string | null;
  policyVersion: number | null;
  recipients: string[] | null;
}

/** What the projection held before this step: the clocks and what judged them. */
export interface FactsBefore {
  clocks: Partial<Record<SlaTarget, SlaClock>> | null;
  due: Partial<Record<SlaTarget, string | null>>;
  priority: Priority;
  policyId: string | null;
  policyVersion: number | null;
}

/** The key of a target's cycle, as `overdueRecorded` answers for it. */
export const cycleKey = (target: SlaTarget, cycleStartedAt: string) => `${target}@${new Date(cycleStartedAt).toISOString()}`;

const ms = (iso: string) => Date.parse(iso);

/**
 * The facts a timeline step adds: the difference between the clocks before it and after it, the
 * level it reached, and the overdue instants that passed (each once per cycle; `overdueRecorded`
 * names the cycles that have theirs). Pure: the same step gives the same facts, so a retry adds none.
 */
export function slaFactsOf(
  before: FactsBefore | null,
  state: Pick<IncidentState, 'sla' | 'clocks' | 'priority' | 'due'>,
  event: { type: IncidentEvent['type'] | 'backfill'; at: string; payload: Record<string, unknown> },
  overdueRecorded: ReadonlySet<string> = new Set(),
): SlaFact[] {
  const facts: SlaFact[] = [];
  const policy = state.sla ?? null;
  const base = {
    level: null,
    usedMinutes: null,
    priority: state.priority,
    policyId: policy?.id ?? null,
    policyName: policy?.name ?? null,
    policyVersion: policy?.version ?? null,
    recipients: null,
  };
  const budget = (target: SlaTarget) => (policy ? (policy.targets[state.priority]?.[target] ?? null) : null);

  if (event.type === 'escalation_changed') {
    const p = event.payload as { to?: number; reachedAt?: string | null; target?: SlaTarget | null; dueAt?: string | null; recipients?: string[] };
    const target = p.target ?? 'none';
    facts.push({
      ...base,
      kind: 'level',
      target,
      cycleStartedAt: p.target ? (state.clocks?.[p.target]?.startedAt ?? null) : null,
      at: p.reachedAt ?? event.at,
      level: p.to ?? 0,
      budgetMinutes: p.target ? budget(p.target) : null,
      dueAt: p.dueAt ?? null,
      recipients: p.recipients ?? [],
    });
  }

  const clocks = state.clocks ?? {};
  const hadPolicy = before ? before.policyId !== null : false;
  if (!policy) {
    // The incident lost its SLA (time and material): its unended cycles end without a verdict.
    if (hadPolicy) {
      for (const target of slaTargets) {
        const clock = before?.clocks?.[target];
        if (clock && !clock.stoppedAt) facts.push({ ...base, kind: 'dropped', target, cycleStartedAt: clock.startedAt, at: event.at, budgetMinutes: null, dueAt: null });
      }
    }
    return facts;
  }

  const rejudged = before !== null && (before.priority !== state.priority || before.policyId !== policy.id || before.policyVersion !== policy.version);
  let calendar: BusinessCalendar | undefined;
  const picture = (clock: SlaClock, at: Date) => clockPicture((calendar ??= policyCalendar(policy)), clock, budget(clock.target) ?? 0, policy.escalation, at);

  for (const target of slaTargets) {
    const clock = clocks[target];
    if (!clock) continue;
    const was = hadPolicy ? before?.clocks?.[target] : undefined;
    const sameCycle = was !== undefined && ms(was.startedAt) === ms(clock.startedAt);
    const cycle = { target, cycleStartedAt: clock.startedAt, budgetMinutes: budget(target) };
    const dueNow = state.due[target] ?? null;
    if (!sameCycle) facts.push({ ...base, ...cycle, kind: 'started', at: clock.startedAt, dueAt: dueNow });
    // Pauses closed by this step: a resume, or the restart of a stopped clock (reopen).
    const knownPauses = sameCycle ? was.pauses.length : 0;
    for (const pause of clock.pauses.slice(knownPauses)) {
      const restart = sameCycle && was.stoppedAt !== null && ms(was.stoppedAt) === ms(pause.from);
      if (restart) {
        facts.push({ ...base, ...cycle, kind: 'restarted', at: pause.to, dueAt: dueNow });
        continue;
      }
      if (!(sameCycle && was.pausedSince !== null && ms(was.pausedSince) === ms(pause.from))) facts.push({ ...base, ...cycle, kind: 'paused', at: pause.from, dueAt: null });
      facts.push({ ...base, ...cycle, kind: 'resumed', at: pause.to, dueAt: dueNow });
    }
    if (clock.pausedSince && !clock.stoppedAt && !(sameCycle && was.pausedSince !== null && ms(was.pausedSince) === ms(clock.pausedSince))) {
      facts.push({ ...base, ...cycle, kind: 'paused', at: clock.pausedSince, dueAt: null });
    }
    // Overdue: the due instant passed while it ran (before it stopped or paused, or by now).
    const recorded = overdueRecorded.has(cycleKey(target, clock.startedAt));
    let due = dueNow ?? (sameCycle ? (before?.due[target] ?? null) : null);
    if (!due && !recorded && clock.pausedSince && !clock.stoppedAt) {
      // Paused (no due instant): the one it had while it ran, if that passed before the pause.
      due = picture({ ...clock, pausedSince: null }, new Date(clock.pausedSince)).dueAt;
    }
    const runUntil = clock.stoppedAt ?? clock.pausedSince ?? event.at;
    if (due && ms(due) < ms(runUntil) && ms(due) <= ms(event.at) && !recorded) {
      facts.push({ ...base, ...cycle, kind: 'overdue', at: due, dueAt: due });
    }
    // Ended by this step, or judged again after a priority or policy change.
    const newlyStopped = clock.stoppedAt !== null && !(sameCycle && was.stoppedAt !== null && ms(was.stoppedAt) === ms(clock.stoppedAt));
    if (clock.stoppedAt && (newlyStopped || rejudged)) {
      const end = picture(clock, new Date(clock.stoppedAt));
      facts.push({ ...base, ...cycle, kind: end.state === 'breached' ? 'breached' : 'met', at: clock.stoppedAt, dueAt: end.dueAt, usedMinutes: end.elapsedMinutes });
    }
  }
  return facts;
}
