import { describe, expect, it } from 'vitest';
import { clockPicture, defaultEscalationLadder, pauseClock, resumeClock, slaPicture, startClock, stopClock } from '../../src/domain/sla.js';
import { goldPolicy } from '../support/policies.js';
import { businessCalendar } from '../../src/domain/business-calendar.js';

const calendar = businessCalendar(goldPolicy.calendar);
const at = (iso: string) => new Date(iso);
// Friday 22 May 2026, 16:30 CEST; Monday 25 May is Whit Monday (DE-NW).
const received = at('2026-05-22T14:30:00Z');

describe('a Gold P2 first-response clock received Friday 16:30 before a holiday Monday', () => {
  const clock = startClock('firstResponse', received);

  it('has exact thresholds: warning at 75 %, breach at 100 %, management at 150 %', () => {
    const p = clockPicture(calendar, clock, 120, defaultEscalationLadder, received);
    expect(p).toMatchObject({ state: 'running', level: 0, dueAt: '2026-05-26T07:30:00.000Z', elapsedMinutes: 0, remainingMinutes: 120 });
    expect(p.thresholds).toEqual({
      warning: '2026-05-26T07:00:00.000Z', // 30 min Friday + 60 min Tuesday
      breach: '2026-05-26T07:30:00.000Z',
      management: '2026-05-26T08:30:00.000Z',
    });
  });

  it.each([
    ['2026-05-25T10:00:00Z', 0, 'running', 30], // Whit Monday counts nothing
    ['2026-05-26T06:59:59.999Z', 0, 'running', 89.99998333333333],
    ['2026-05-26T07:00:00Z', 1, 'running', 90],
    ['2026-05-26T07:30:00Z', 2, 'breached', 120],
    ['2026-05-26T08:29:00Z', 2, 'breached', 179],
    ['2026-05-26T08:30:00Z', 3, 'breached', 180],
  ] as const)('at %s is on level %i (%s, %f minutes used)', (now, level, state, elapsed) => {
    const p = clockPicture(calendar, clock, 120, defaultEscalationLadder, at(now));
    expect(p).toMatchObject({ level, state, elapsedMinutes: elapsed });
  });

  it('is met, and escalates nothing, when stopped before the due instant', () => {
    const stopped = stopClock(clock, at('2026-05-26T06:10:00Z'));
    const p = clockPicture(calendar, stopped, 120, defaultEscalationLadder, at('2026-05-27T12:00:00Z'));
    expect(p).toMatchObject({ state: 'met', level: 0, elapsedMinutes: 40, remainingMinutes: 80, thresholds: { warning: null, breach: null, management: null } });
  });

  it('stays breached when stopped after the due instant', () => {
    const p = clockPicture(calendar, stopClock(clock, at('2026-05-26T07:31:00Z')), 120, defaultEscalationLadder, at('2026-05-26T09:00:00Z'));
    expect(p).toMatchObject({ state: 'breached', level: 0, elapsedMinutes: 121 });
  });
});

describe('pauses', () => {
  it('exclude their business time and move every threshold', () => {
    let clock = startClock('resolution', at('2026-11-24T08:00:00Z')); // Tue 09:00 CET
    clock = pauseClock(clock, at('2026-11-24T09:00:00Z'));
    const paused = clockPicture(calendar, clock, 960, defaultEscalationLadder, at('2026-11-24T12:00:00Z'));
    expect(paused).toMatchObject({ state: 'paused', dueAt: null, level: 0, elapsedMinutes: 60, pausedMinutes: 180 });
    clock = resumeClock(clock, at('2026-11-24T12:00:00Z'));
    const resumed = clockPicture(calendar, clock, 960, defaultEscalationLadder, at('2026-11-24T12:00:00Z'));
    // 60 used; 900 left: Tue 13:00-17:00 CET (240), Wed (540), Thu 08:00-10:00 (120)
    expect(resumed).toMatchObject({ state: 'running', elapsedMinutes: 60, pausedMinutes: 180, dueAt: '2026-11-26T09:00:00.000Z' });
  });

  it('are idempotent and ignored on a stopped clock', () => {
    const clock = startClock('resolution', at('2026-11-24T08:00:00Z'));
    const once = pauseClock(clock, at('2026-11-24T09:00:00Z'));
    expect(pauseClock(once, at('2026-11-24T10:00:00Z'))).toBe(once);
    expect(resumeClock(clock, at('2026-11-24T10:00:00Z'))).toBe(clock);
    const stopped = stopClock(once, at('2026-11-24T11:00:00Z'));
    expect(stopped.pauses).toEqual([{ from: '2026-11-24T09:00:00.000Z', to: '2026-11-24T11:00:00.000Z' }]);
    expect(pauseClock(stopped, at('2026-11-24T12:00:00Z'))).toBe(stopped);
  });
});

describe('the incident picture', () => {
  it('takes the highest level of the running clocks and the next threshold of all', () => {
    const clocks = { firstResponse: startClock('firstResponse', received), resolution: startClock('resolution', received) };
    const before = slaPicture(goldPolicy, 'P2', clocks, received, calendar);
    expect(before).toMatchObject({ level: 0, nextThreshold: { at: '2026-05-26T07:00:00.000Z', target: 'firstResponse', level: 1 }, nextDeadline: '2026-05-26T07:30:00.000Z', breached: false });
    const later = slaPicture(goldPolicy, 'P2', clocks, at('2026-05-26T07:45:00Z'), calendar);
    expect(later).toMatchObject({ level: 2, nextThreshold: { at: '2026-05-26T08:30:00.000Z', target: 'firstResponse', level: 3 }, breached: true });
    // Resolution: 960 min from Friday 16:30 -> warning at 720 used, Wednesday 10:30 CEST
    const answered = { ...clocks, firstResponse: stopClock(clocks.firstResponse, at('2026-05-26T07:10:00Z')) };
    const quiet = slaPicture(goldPolicy, 'P2', answered, at('2026-05-26T07:45:00Z'), calendar);
    expect(quiet).toMatchObject({ level: 0, nextThreshold: { at: '2026-05-27T08:30:00.000Z', target: 'resolution', level: 1 }, nextDeadline: '2026-05-27T12:30:00.000Z', breached: false });
  });
});

describe('threshold instants and levels agree for every ladder', () => {
  it('reaches each level exactly at its instant, for odd percentages too', () => {
    const allDay: [string, string][] = [['00:00', '24:00']];
    const c = businessCalendar({ timezone: 'UTC', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } });
    const clock = startClock('resolution', at('2026-11-23T00:00:00Z'));
    for (const budget of [1, 7, 480, 481, 2700]) {
      for (const [warningPercent, managementOverduePercent] of [[75, 50], [33, 10], [99, 7], [1, 1000], [67, 34]] as const) {
        const ladder = { ...defaultEscalationLadder, warningPercent, managementOverduePercent };
        const { thresholds } = clockPicture(c, clock, budget, ladder, at('2026-11-23T00:00:00Z'));
        for (const [level, instant] of [[1, thresholds.warning], [2, thresholds.breach], [3, thresholds.management]] as const) {
          const t = Date.parse(instant!);
          expect(clockPicture(c, clock, budget, ladder, new Date(t)).level, `${budget} min ${warningPercent}/${managementOverduePercent} level ${level}`).toBeGreaterThanOrEqual(level);
          expect(clockPicture(c, clock, budget, ladder, new Date(t - 1)).level).toBeLessThan(level);
        }
      }
    }
  });
});
