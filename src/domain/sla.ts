// SLA clocks and the escalation ladder. A clock counts business time from its start, minus
// its pauses, against a budget; the ladder's levels are exact instants on that count, so the
// workflow can sleep until the next one instead of polling.
import { addBusinessMillis, BusinessCalendar, businessMillisBetween, resolvedHolidayLookup, type CalendarDefinition, type ResolvedHolidays, type ResolvedZone, type Span } from './business-time.js';
import type { ContractTier, Priority } from './enums.js';

export const slaTargets = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type SlaTarget = (typeof slaTargets)[number];

export type SlaTargetMinutes = Record<SlaTarget, number>;

export interface EscalationLadder {
  /** Level 1 when a running target has used this share of its budget (percent). */
  warningPercent: number;
  /** Level 3 when a target is overdue by this share of its budget (percent). */
  managementOverduePercent: number;
  recipients: { level1: string[]; level2: string[]; level3: string[] };
}

export const defaultEscalationLadder: EscalationLadder = {
  warningPercent: 75,
  managementOverduePercent: 50,
  recipients: { level1: ['assignee', 'group'], level2: ['group-lead'], level3: ['service-manager', 'account-manager'] },
};

/** The policy as the incident was opened with it; later policy edits do not move its clocks. */
export interface SlaPolicySnapshot {
  id: string;
  name: string;
  version: number;
  tier: ContractTier | null;
  calendar: CalendarDefinition;
  /**
   * The calendar's public holidays as dates, resolved when the snapshot was taken, so the
   * workflow needs no holiday rules. Absent in incidents opened before it existed.
   */
  publicHolidays?: ResolvedHolidays | null;
  /** The calendar zone's UTC offsets for the same years, so replays do not depend on the time-zone database. */
  zoneOffsets?: ResolvedZone | null;
  targets: Record<Priority, SlaTargetMinutes>;
  escalation: EscalationLadder;
  /** Waiting for follow-up work pauses resolution and next response (default true; absent in incidents opened before it existed). */
  pauseOnPendingChange?: boolean;
  /** Callback SLA in business minutes; null or absent is the tier's default. */
  callbackMinutes?: number | null;
}

/** Instants are ISO strings so the state stays plain JSON across workflow history. */
export interface SlaClock {
  target: SlaTarget;
  /** When the clock started counting (the raw instant; business time starts at the next business instant). */
  startedAt: string;
  /** Closed pauses. */
  pauses: { from: string; to: string }[];
  pausedSince: string | null;
  /** When the target was met or the clock otherwise stopped. */
  stoppedAt: string | null;
}

export type ClockState = 'running' | 'paused' | 'met' | 'breached';
export type EscalationLevel = 0 | 1 | 2 | 3;

export interface ClockPicture {
  target: SlaTarget;
  state: ClockState;
  budgetMinutes: number;
  /** Null while paused: the due instant depends on when the pause ends. */
  dueAt: string | null;
  elapsedMinutes: number;
  remainingMinutes: number;
  pausedMinutes: number;
  /** The level this clock alone puts the incident on. */
  level: EscalationLevel;
  /** The instants at which it reaches levels 1, 2 and 3 (null while paused or stopped). */
  thresholds: { warning: string | null; breach: string | null; management: string | null };
}

const minuteMs = 60_000;
const ms = (iso: string) => Date.parse(iso);

export function startClock(target: SlaTarget, at: Date): SlaClock {
  return { target, startedAt: at.toISOString(), pauses: [], pausedSince: null, stoppedAt: null };
}

export function pauseClock(clock: SlaClock, at: Date): SlaClock {
  if (clock.pausedSince || clock.stoppedAt) return clock;
  return { ...clock, pausedSince: at.toISOString() };
}

export function resumeClock(clock: SlaClock, at: Date): SlaClock {
  if (!clock.pausedSince) return clock;
  return { ...clock, pauses: [...clock.pauses, { from: clock.pausedSince, to: at.toISOString() }], pausedSince: null };
}

export function stopClock(clock: SlaClock, at: Date): SlaClock {
  if (clock.stoppedAt) return clock;
  const resumed = resumeClock(clock, at);
  return { ...resumed, stoppedAt: at.toISOString() };
}

/** Runs a stopped clock on; the time it stood still counts as a pause (reopen after resolve). */
export function restartClock(clock: SlaClock, at: Date): SlaClock {
  if (!clock.stoppedAt) return resumeClock(clock, at);
  return { ...clock, pauses: [...clock.pauses, { from: clock.stoppedAt, to: at.toISOString() }], stoppedAt: null };
}

function spans(clock: SlaClock, openEnd: number): Span[] {
  const closed = clock.pauses.map((p) => ({ from: ms(p.from), to: ms(p.to) }));
  return clock.pausedSince ? [...closed, { from: ms(clock.pausedSince), to: openEnd }] : closed;
}

/**
 * The business time (ms) at which a budget reaches levels 1, 2 and 3. Whole milliseconds, and
 * the same numbers serve the timer instants and the level check, so a timer always finds its level.
 */
function thresholdMillis(budgetMs: number, ladder: EscalationLadder): [number, number, number] {
  return [Math.round((budgetMs * ladder.warningPercent) / 100), budgetMs, Math.round((budgetMs * (100 + ladder.managementOverduePercent)) / 100)];
}

/** Escalation level at `usedMs` of business time against the thresholds. */
function levelFor(usedMs: number, thresholds: [number, number, number]): EscalationLevel {
  if (usedMs >= thresholds[2]) return 3;
  if (usedMs >= thresholds[1]) return 2;
  if (usedMs >= thresholds[0]) return 1;
  return 0;
}

/** Everything about one clock at `now`: state, due instant, elapsed and remaining time, level. */
export function clockPicture(calendar: BusinessCalendar, clock: SlaClock, budgetMinutes: number, ladder: EscalationLadder, now: Date): ClockPicture {
  const start = ms(clock.startedAt);
  const end = clock.stoppedAt ? ms(clock.stoppedAt) : now.getTime();
  const pauses = spans(clock, Infinity);
  const budgetMs = budgetMinutes * minuteMs;
  const usedMs = businessMillisBetween(calendar, start, end, pauses);
  const pausedMs = businessMillisBetween(calendar, start, end) - usedMs;
  const paused = clock.pausedSince !== null && !clock.stoppedAt;
  const dueAt = paused ? null : addBusinessMillis(calendar, start, budgetMs, pauses);
  const overdue = usedMs >= budgetMs && budgetMs >= 0 && dueAt !== null && end >= dueAt;
  const state: ClockState = clock.stoppedAt ? (overdue && end > dueAt ? 'breached' : 'met') : paused ? 'paused' : overdue ? 'breached' : 'running';
  const running = !clock.stoppedAt && !paused;
  const levels = thresholdMillis(budgetMs, ladder);
  const at = (usedAt: number) => (running ? new Date(addBusinessMillis(calendar, start, usedAt, pauses)).toISOString() : null);
  return {
    target: clock.target,
    state,
    budgetMinutes,
    dueAt: dueAt === null ? null : new Date(dueAt).toISOString(),
    elapsedMinutes: usedMs / minuteMs,
    remainingMinutes: Math.max(0, budgetMs - usedMs) / minuteMs,
    pausedMinutes: pausedMs / minuteMs,
    // A stopped or paused clock puts nothing at risk; only running targets escalate.
    level: running ? levelFor(usedMs, levels) : 0,
    thresholds: { warning: at(levels[0]), breach: at(levels[1]), management: at(levels[2]) },
  };
}

export interface SlaPicture {
  clocks: ClockPicture[];
  level: EscalationLevel;
  /** The earliest threshold still ahead of `now` among running clocks: when to wake up next. */
  nextThreshold: { at: string; target: SlaTarget; level: EscalationLevel } | null;
  /** The earliest due instant of a running clock. */
  nextDeadline: string | null;
  breached: boolean;
}

const calendars = new WeakMap<SlaPolicySnapshot, BusinessCalendar>();

/**
 * The snapshot's calendar with the holidays it carries, compiled once per snapshot object (its
 * days and running totals are kept inside, so every later picture of the incident is cheap).
 */
export function policyCalendar(policy: SlaPolicySnapshot): BusinessCalendar {
  let calendar = calendars.get(policy);
  if (!calendar) {
    calendar = new BusinessCalendar(policy.calendar, resolvedHolidayLookup(policy.publicHolidays), policy.zoneOffsets);
    calendars.set(policy, calendar);
  }
  return calendar;
}

export function slaPicture(
  policy: SlaPolicySnapshot,
  priority: Priority,
  clocks: Partial<Record<SlaTarget, SlaClock>>,
  now: Date,
  calendar = policyCalendar(policy),
): SlaPicture {
  const pictures = slaTargets.flatMap((target) => {
    const clock = clocks[target];
    return clock ? [clockPicture(calendar, clock, policy.targets[priority][target], policy.escalation, now)] : [];
  });
  let next: SlaPicture['nextThreshold'] = null;
  for (const p of pictures) {
    const candidates: [string | null, EscalationLevel][] = [
      [p.thresholds.warning, 1],
      [p.thresholds.breach, 2],
      [p.thresholds.management, 3],
    ];
    for (const [at, level] of candidates) {
      if (at && ms(at) > now.getTime() && (!next || ms(at) < ms(next.at))) next = { at, target: p.target, level };
    }
  }
  // Only running targets not yet overdue have a deadline ahead (a running clock has thresholds).
  const runningDues = pictures.flatMap((p) => (p.thresholds.breach && p.level < 2 && p.dueAt ? [p.dueAt] : []));
  return {
    clocks: pictures,
    level: Math.max(0, ...pictures.map((p) => p.level)) as EscalationLevel,
    nextThreshold: next,
    nextDeadline: runningDues.sort()[0] ?? null,
    breached: pictures.some((p) => p.state === 'breached'),
  };
}

export const levelNames: Record<EscalationLevel, string> = { 0: 'on track', 1: 'warning', 2: 'breach', 3: 'management' };
