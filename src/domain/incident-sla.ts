// The incident's SLA picture: due instants, the sticky breach flag and escalation level changes.
import type { BusinessCalendar } from './business-calendar.js';
import type { CommandContext, IncidentState, Transition } from './incident.js';
import { levelNames, slaPicture, type EscalationLevel, type SlaPicture } from './sla.js';

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
 * event naming the new level, its recipients and the target that decides it.
 */
export function reassessEscalation(state: IncidentState, ctx: CommandContext, calendar?: BusinessCalendar): Transition | undefined {
  const picture = incidentSlaPicture(state, ctx.at, calendar);
  if (!picture) {
    // No SLA any more (moved to time and material): nothing can be at risk.
    if (state.escalationLevel === 0) return undefined;
    const cleared = { ...state, due: { firstResponse: null, nextResponse: null, resolution: null }, nextSlaDeadline: null };
    return levelChange(state, cleared, 0, ctx, { target: null, dueAt: null, reachedAt: null, recipients: [], policy: 'none' });
  }
  if (picture.level === state.escalationLevel) return undefined;
  const level: EscalationLevel = picture.level;
  const decisive = picture.clocks.filter((c) => c.level === level).sort((a, b) => (a.dueAt ?? '').localeCompare(b.dueAt ?? ''))[0];
  const reachedAt = decisive ? ({ 1: decisive.thresholds.warning, 2: decisive.thresholds.breach, 3: decisive.thresholds.management } as Record<number, string | null>)[level] : null;
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
