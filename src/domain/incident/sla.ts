// The incident's SLA picture: due instants, the sticky breach flag and escalation level changes.
import { snapshotHolidayYears, type BusinessCalendar } from '../business-time.js';
import type { IncidentState, Transition } from './state.js';
import type { CommandContext } from '../kernel.js';
import { levelNames, slaPicture, type EscalationLevel, type SlaPicture } from '../sla.js';

export function incidentSlaPicture(state: IncidentState, now: Date, calendar?: BusinessCalendar): SlaPicture | undefined {
  if (!state.sla || !state.clocks) return undefined;
  return slaPicture(state.sla, state.priority, state.clocks, now, calendar);
}

/** Due instants and deadline as of `now`, without a timeline event (they follow from the clocks). */
export function withSlaDue(state: IncidentState, picture: SlaPicture): IncidentState {
  const dueOf = (target: 'firstResponse' | 'nextResponse' | 'resolution') => picture.clocks.find((c) => c.target === target)?.dueAt ?? null;
  return {
    ...state,
    due: { firstResponse: dueOf('firstResponse'), nextResponse: dueOf('nextResponse'), resolution: dueOf('resolution') },
    nextSlaDeadline: picture.nextDeadline,
    slaBreached: state.slaBreached || picture.breached,
  };
}

/**
 * Re-assesses the escalation level at `now`. A change of level, up or down, is a timeline
 * event naming the new level, its recipients and the target that decides it. A jump of more
 * than one level up is one event here; `escalationSteps` records every level passed.
 */
export function reassessEscalation(state: IncidentState, ctx: CommandContext, calendar?: BusinessCalendar, picture = incidentSlaPicture(state, ctx.at, calendar)): Transition | undefined {
  if (!picture) return clearedEscalation(state, ctx);
  if (picture.level === state.escalationLevel) return undefined;
  return levelReached(state, picture, picture.level, ctx);
}

/**
 * The level changes due at `now`, in order. A workflow that wakes late (a busy or stopped
 * worker) finds several levels passed: each one up to the current level is its own event with
 * the exact instant it was reached, so no warning goes missing from the timeline or the
 * search attribute's history. A step down is one event.
 */
export function escalationSteps(state: IncidentState, ctx: CommandContext, calendar?: BusinessCalendar, picture = incidentSlaPicture(state, ctx.at, calendar)): Transition[] {
  if (!picture) {
    const cleared = clearedEscalation(state, ctx);
    return cleared ? [cleared] : [];
  }
  if (picture.level <= state.escalationLevel) {
    const change = reassessEscalation(state, ctx, calendar, picture);
    return change ? [change] : [];
  }
  const steps: Transition[] = [];
  let current = state;
  for (let level = state.escalationLevel + 1; level <= picture.level; level++) {
    const step = levelReached(current, picture, level as EscalationLevel, ctx);
    steps.push(step);
    current = step.state;
  }
  return steps;
}

function clearedEscalation(state: IncidentState, ctx: CommandContext): Transition | undefined {
  // No SLA any more (moved to time and material): nothing can be at risk.
  if (state.escalationLevel === 0) return undefined;
  const cleared = { ...state, due: { firstResponse: null, nextResponse: null, resolution: null }, nextSlaDeadline: null };
  return levelChange(state, cleared, 0, ctx, { target: null, dueAt: null, reachedAt: null, recipients: [], policy: 'none' });
}

const thresholdOf = (clock: SlaPicture['clocks'][number], level: EscalationLevel) =>
  ({ 0: null, 1: clock.thresholds.warning, 2: clock.thresholds.breach, 3: clock.thresholds.management })[level];

/** The change to `level`, decided by the running target that reached it first. */
function levelReached(state: IncidentState, picture: SlaPicture, level: EscalationLevel, ctx: CommandContext): Transition {
  // The current level: the clock on it with the earliest due instant (as before); a level passed
  // on the way: the clock that reached it first.
  const decisive =
    level === picture.level
      ? picture.clocks.filter((c) => c.level === level).sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''))[0]
      : picture.clocks.filter((c) => c.level >= level && thresholdOf(c, level)).sort((a, b) => thresholdOf(a, level)!.localeCompare(thresholdOf(b, level)!))[0];
  const reachedAt = decisive ? thresholdOf(decisive, level) : null;
  return levelChange(state, withSlaDue(state, picture), level, ctx, {
    target: decisive?.target ?? null,
    dueAt: decisive?.dueAt ?? null,
    // The exact instant the level was reached (the event itself is written a moment later).
    reachedAt: reachedAt ?? null,
    recipients: level === 0 ? [] : state.sla!.escalation.recipients[`level${level}` as const],
    policy: `${state.sla!.name} ${state.priority}`,
  });
}

function levelChange(before: IncidentState, after: IncidentState, level: EscalationLevel, ctx: CommandContext, details: Record<string, unknown>): Transition {
  const updated: IncidentState = { ...after, escalationLevel: level, updatedAt: ctx.at.toISOString(), seq: before.seq + 1 };
  return {
    state: updated,
    event: {
      seq: updated.seq,
      type: 'escalation_changed',
      actor: ctx.actor,
      at: ctx.at.toISOString(),
      payload: { from: before.escalationLevel, to: level, name: levelNames[level], direction: level > before.escalationLevel ? 'up' : 'down', ...details },
    },
  };
}

/**
 * The public holidays an incident's snapshot still needs, or undefined: none when its calendar has
 * no region or its resolved years reach past this one; otherwise its region, from the year before
 * its receipt (keeping the years its clocks have run through) to four years past `now`.
 */
export function holidaysToResolve(state: IncidentState, now: Date): { region: string; fromYear: number; toYear: number } | undefined {
  const region = state.sla?.calendar.holidays?.region;
  const resolved = state.sla?.publicHolidays;
  if (!region || (resolved && resolved.toYear > now.getUTCFullYear())) return undefined;
  const ahead = snapshotHolidayYears(now);
  return { region, fromYear: Math.min(resolved?.fromYear ?? Infinity, new Date(state.receivedAt).getUTCFullYear() - 1, ahead.fromYear), toYear: ahead.toYear };
}
