import { describe, expect, it } from 'vitest';
import { isoWeekDays, isoWeekOf, reportedWeekOf } from '../../src/domain/iso-week.js';

describe('ISO weeks', () => {
  it.each([
    ['2026-12-04T12:00:00Z', '2026-W49'],
    ['2026-12-07T06:00:00Z', '2026-W50'],
    ['2021-01-03T12:00:00Z', '2020-W53'],
    ['2024-12-30T12:00:00Z', '2025-W01'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
  ])('%s falls in %s', (instant, week) => {
    expect(isoWeekOf(new Date(instant))).toBe(week);
  });

  it('gives a week\'s Monday and Sunday, and refuses a week the year does not have', () => {
    expect(isoWeekDays('2026-W49')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(isoWeekDays('2020-W53')).toEqual({ from: '2020-12-28', to: '2021-01-03' });
    expect(isoWeekDays('2026-W53')).toEqual({ from: '2026-12-28', to: '2027-01-03' });
    expect(() => isoWeekDays('2025-W53')).toThrow(/no week 53/);
    expect(() => isoWeekDays('2026-49')).toThrow(/not an ISO week/);
  });

  it('reports on the week before the Monday-morning run', () => {
    expect(reportedWeekOf(new Date('2026-12-07T06:00:00Z'))).toBe('2026-W49');
  });
});
