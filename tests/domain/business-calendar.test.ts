import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMillis,
  addBusinessMinutes,
  businessCalendar,
  type BusinessCalendar,
  businessMillisBetween,
  businessMinutesBetween,
  nextBusinessInstant,
  validateCalendar,
  type CalendarDefinition,
  type Span,
} from '../../src/domain/business-calendar.js';
import { ValidationError } from '../../src/domain/errors.js';

const officeHours: DayIntervals = [['08:00', '17:00']];
type DayIntervals = [string, string][];
const nrw: CalendarDefinition = {
  timezone: 'Europe/Berlin',
  week: { mon: officeHours, tue: officeHours, wed: officeHours, thu: officeHours, fri: officeHours },
  holidays: { region: 'DE-NW' },
  closedDates: ['2026-12-31'],
  specialDays: { '2026-12-24': [['08:00', '12:00']] },
};
const allDay: DayIntervals = [['00:00', '24:00']];
const twentyFourSeven: CalendarDefinition = {
  timezone: 'Europe/Berlin',
  week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay },
};
const withLunch: CalendarDefinition = {
  timezone: 'Europe/Berlin',
  week: { mon: [['08:00', '12:00'], ['13:00', '17:00']], tue: [['08:00', '12:00'], ['13:00', '17:00']] },
};

const cal = businessCalendar(nrw);
const ms = (iso: string) => new Date(iso).getTime();
const iso = (t: number) => new Date(t).toISOString();
/** Adds minutes and answers in UTC ISO. */
const add = (c: BusinessCalendar, start: string, minutes: number, pauses: Span[] = []) => iso(addBusinessMinutes(c, ms(start), minutes, pauses));

describe('adding business minutes (Mon-Fri 08-17 Europe/Berlin, DE-NW)', () => {
  it.each([
    ['inside hours', '2026-11-25T09:00:00Z', 60, '2026-11-25T10:00:00.000Z'],
    ['landing exactly on the end of the day gives that end', '2026-11-25T15:00:00Z', 60, '2026-11-25T16:00:00.000Z'],
    ['one minute more goes to the next morning', '2026-11-25T15:00:00Z', 61, '2026-11-26T07:01:00.000Z'],
    ['received in the evening starts next morning', '2026-11-25T17:00:00Z', 30, '2026-11-26T07:30:00.000Z'],
    ['received before opening starts at opening', '2026-11-25T05:00:00Z', 30, '2026-11-25T07:30:00.000Z'],
    ['over the weekend', '2026-11-27T15:30:00Z', 60, '2026-11-30T07:30:00.000Z'],
    ['Good Friday and Easter Monday', '2026-04-02T14:30:00Z', 60, '2026-04-07T06:30:00.000Z'],
    ['Corpus Christi (NW)', '2026-06-03T14:00:00Z', 120, '2026-06-05T07:00:00.000Z'],
    ['All Saints (NW) and the October DST switch', '2027-10-29T14:00:00Z', 120, '2027-11-02T08:00:00.000Z'],
    ['the March DST switch over a weekend', '2026-03-27T15:00:00Z', 120, '2026-03-30T07:00:00.000Z'],
    ['Christmas Eve is a half day', '2026-12-23T15:00:00Z', 180, '2026-12-24T09:00:00.000Z'],
    ['from Christmas Eve over the holidays', '2026-12-24T10:00:00Z', 120, '2026-12-28T08:00:00.000Z'],
    ['over a closed New Year\'s Eve and New Year', '2026-12-30T15:00:00Z', 120, '2027-01-04T08:00:00.000Z'],
    ['keeps milliseconds exact', '2026-11-25T09:00:00.123Z', 1, '2026-11-25T09:01:00.123Z'],
  ])('%s', (_name, start, minutes, due) => {
    expect(add(cal, start, minutes)).toBe(due);
  });

  it('zero minutes is the next business instant', () => {
    expect(add(cal, '2026-11-27T18:00:00Z', 0)).toBe('2026-11-30T07:00:00.000Z');
    expect(add(cal, '2026-11-25T09:00:00Z', 0)).toBe('2026-11-25T09:00:00.000Z');
    expect(iso(nextBusinessInstant(cal, ms('2026-12-24T11:00:00Z')))).toBe('2026-12-28T07:00:00.000Z');
  });

  it('skips pauses, and a pause outside business time changes nothing', () => {
    const pause = { from: ms('2026-11-25T09:15:00Z'), to: ms('2026-11-25T09:45:00Z') };
    expect(add(cal, '2026-11-25T09:00:00Z', 60, [pause])).toBe('2026-11-25T10:30:00.000Z');
    const night = { from: ms('2026-11-25T18:00:00Z'), to: ms('2026-11-26T06:00:00Z') };
    expect(add(cal, '2026-11-25T15:30:00Z', 60, [night])).toBe('2026-11-26T07:30:00.000Z');
    const overlapping = [pause, { from: ms('2026-11-25T09:30:00Z'), to: ms('2026-11-25T10:00:00Z') }];
    expect(add(cal, '2026-11-25T09:00:00Z', 60, overlapping)).toBe('2026-11-25T10:45:00.000Z');
  });
});

describe('measuring business time', () => {
  it('counts only business time between two instants', () => {
    expect(businessMinutesBetween(cal, ms('2026-11-27T15:00:00Z'), ms('2026-11-30T08:00:00Z'))).toBe(120);
    expect(businessMinutesBetween(cal, ms('2026-12-23T15:00:00Z'), ms('2027-01-04T08:00:00Z'))).toBe(60 + 240 + 3 * 9 * 60 + 60); // 23rd, Christmas Eve, 28th-30th, 4 Jan
    expect(businessMinutesBetween(cal, ms('2026-11-25T10:00:00Z'), ms('2026-11-25T09:00:00Z'))).toBe(0);
  });

  it('excludes paused time', () => {
    const pauses = [{ from: ms('2026-11-25T09:00:00Z'), to: ms('2026-11-25T10:00:00Z') }];
    expect(businessMinutesBetween(cal, ms('2026-11-25T08:00:00Z'), ms('2026-11-25T12:00:00Z'), pauses)).toBe(180);
    const open = [{ from: ms('2026-11-25T10:00:00Z'), to: Infinity }];
    expect(businessMinutesBetween(cal, ms('2026-11-25T08:00:00Z'), ms('2026-11-26T12:00:00Z'), open)).toBe(120);
  });
});

describe('24x7 calendars count real time on DST days', () => {
  const c = businessCalendar(twentyFourSeven);
  it('has 23 hours on the March switch day and 25 on the October one', () => {
    expect(businessMinutesBetween(c, ms('2026-03-28T23:00:00Z'), ms('2026-03-29T22:00:00Z'))).toBe(23 * 60);
    expect(businessMinutesBetween(c, ms('2026-10-24T22:00:00Z'), ms('2026-10-25T23:00:00Z'))).toBe(25 * 60);
  });
  it('adds elapsed time across the switches', () => {
    expect(add(c, '2026-03-28T11:00:00Z', 24 * 60)).toBe('2026-03-29T11:00:00.000Z');
    expect(add(c, '2026-10-24T11:00:00Z', 48 * 60)).toBe('2026-10-26T11:00:00.000Z');
  });
});

describe('lunch breaks and intervals ending at 24:00', () => {
  it('skips the lunch break', () => {
    const c = businessCalendar(withLunch);
    expect(add(c, '2026-11-23T10:30:00Z', 60)).toBe('2026-11-23T12:30:00.000Z');
    expect(add(c, '2026-11-23T10:00:00Z', 60)).toBe('2026-11-23T11:00:00.000Z');
    expect(businessMinutesBetween(c, ms('2026-11-23T07:00:00Z'), ms('2026-11-23T16:00:00Z'))).toBe(8 * 60);
  });
  it('runs on from 24:00 into the next day without a gap', () => {
    const c = businessCalendar({ timezone: 'Europe/Berlin', week: { mon: [['20:00', '24:00']], tue: [['00:00', '02:00']] } });
    expect(add(c, '2026-11-23T22:30:00Z', 60)).toBe('2026-11-23T23:30:00.000Z');
    expect(add(c, '2026-11-23T22:30:00Z', 90)).toBe('2026-11-24T00:00:00.000Z');
    expect(add(c, '2026-11-23T22:30:00Z', 151)).toBe('2026-11-30T19:01:00.000Z');
  });
});

describe('holiday regions', () => {
  it('knows regional holidays: Corpus Christi in NW and BY, not in BE', () => {
    const region = (r: string) => businessCalendar({ ...nrw, holidays: { region: r } });
    expect(region('DE-NW').isHoliday('2026-06-04')).toBe(true);
    expect(region('DE-BY').isHoliday('2026-06-04')).toBe(true);
    expect(region('DE-BE').isHoliday('2026-06-04')).toBe(false);
    expect(region('DE-NW').isHoliday('2026-04-06')).toBe(true); // Easter Monday
    expect(region('DE-NW').isHoliday('2027-11-01')).toBe(true); // All Saints
    expect(region('DE-NW').isHoliday('2026-12-25')).toBe(true);
    expect(region('DE-NW').isHoliday('2026-12-24')).toBe(false);
  });
});

describe('calendar validation', () => {
  it.each<[string, Partial<CalendarDefinition>, RegExp]>([
    ['an unknown zone', { timezone: 'Europe/Atlantis' }, /timezone: "Europe\/Atlantis" is not an IANA time zone/],
    ['an unknown region', { holidays: { region: 'DE-XX' } }, /"DE" has no region "XX"/],
    ['an unknown country', { holidays: { region: 'QQ' } }, /unknown region "QQ"/],
    ['overlapping intervals', { week: { mon: [['08:00', '12:00'], ['11:00', '17:00']] } }, /week\.mon\[1\]: 11:00-17:00 overlaps/],
    ['an end before the start', { week: { tue: [['17:00', '08:00']] } }, /week\.tue\[0\]: the end 08:00 is not after the start 17:00/],
    ['a start at 24:00', { week: { tue: [['24:00', '24:00']] } }, /not a start time/],
    ['a bad time', { week: { wed: [['8:00', '17:00']] } }, /"8:00" is not a start time/],
    ['an unknown weekday', { week: { xyz: officeHours } as never }, /"xyz" is not a weekday/],
    ['a bad closed date', { closedDates: ['2026-02-30'] }, /closedDates: "2026-02-30" is not a date/],
    ['a bad special day', { specialDays: { '2026-12-24': [['12:00', '08:00']] } }, /specialDays\.2026-12-24\[0\]/],
  ])('rejects %s', (_name, change, reason) => {
    expect(() => validateCalendar({ ...nrw, ...change })).toThrow(ValidationError);
    expect(() => validateCalendar({ ...nrw, ...change })).toThrow(reason);
  });

  it('refuses a calendar without business hours, and bounds how far it computes', () => {
    expect(() => businessCalendar({ timezone: 'UTC', week: {} })).toThrow(/no business hours on any weekday/);
    expect(() => businessCalendar({ timezone: 'UTC', week: { mon: [] } })).toThrow(ValidationError);
    // One minute a week: a million minutes would be ~19,000 years; the arithmetic stops at ten.
    const sparse = businessCalendar({ timezone: 'UTC', week: { mon: [['08:00', '08:01']] } });
    expect(() => addBusinessMinutes(sparse, 0, 1_000_000)).toThrow(/more than 3660 days/);
    expect(addBusinessMinutes(sparse, Date.UTC(2026, 10, 23), 2)).toBe(Date.UTC(2026, 10, 30, 8, 1));
  });

  it('closes every day of a multi-day public holiday', () => {
    // Eid al-Adha in the UAE spans several days.
    const uae = businessCalendar({ timezone: 'Asia/Dubai', week: { mon: officeHours, tue: officeHours, wed: officeHours, thu: officeHours, fri: officeHours }, holidays: { region: 'AE' } });
    const days = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)).filter((d) => uae.isHoliday(d));
    const consecutive = days.filter((d, i) => i > 0 && Date.parse(d) - Date.parse(days[i - 1]!) === 86_400_000);
    expect(consecutive.length).toBeGreaterThan(0);
  });

  it('measures correctly where DST skips midnight (America/Santiago)', () => {
    const c = businessCalendar({ ...twentyFourSeven, timezone: 'America/Santiago' });
    const start = ms('2022-09-10T12:00:00Z');
    const due = addBusinessMinutes(c, start, 40 * 60);
    expect(businessMinutesBetween(c, start, due)).toBe(40 * 60);
  });
});

describe('properties', () => {
  const calendars = [cal, businessCalendar(twentyFourSeven), businessCalendar(withLunch), businessCalendar({ ...nrw, holidays: { region: 'DE-BY' }, timezone: 'America/New_York' })];
  const instant = fc.integer({ min: ms('2025-01-01T00:00:00Z'), max: ms('2028-12-31T00:00:00Z') });
  const duration = fc.integer({ min: 1, max: 6000 * 60_000 });
  const pause = fc.record({ from: instant, length: fc.integer({ min: 1, max: 5 * 24 * 3_600_000 }) }).map((p) => ({ from: p.from, to: p.from + p.length }));
  const calendarIndex = fc.integer({ min: 0, max: calendars.length - 1 });
  const params = { numRuns: 300 };

  it('adding N and measuring from start to the due instant gives back N, to the millisecond', () => {
    fc.assert(
      fc.property(calendarIndex, instant, duration, fc.array(pause, { maxLength: 3 }), (i, start, n, pauses) => {
        const c = calendars[i]!;
        const due = addBusinessMillis(c, start, n, pauses);
        expect(businessMillisBetween(c, start, due, pauses)).toBe(n);
        // and one millisecond earlier is not enough
        expect(businessMillisBetween(c, start, due - 1, pauses)).toBe(n - 1);
      }),
      params,
    );
  });

  it('is monotonic in N and in the start', () => {
    fc.assert(
      fc.property(calendarIndex, instant, duration, duration, (i, start, a, b) => {
        const c = calendars[i]!;
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(addBusinessMillis(c, start, lo)).toBeLessThanOrEqual(addBusinessMillis(c, start, hi));
        expect(addBusinessMillis(c, start, lo)).toBeLessThanOrEqual(addBusinessMillis(c, start + hi, lo));
      }),
      params,
    );
  });

  it('pauses only ever delay', () => {
    fc.assert(
      fc.property(calendarIndex, instant, duration, fc.array(pause, { minLength: 1, maxLength: 3 }), (i, start, n, pauses) => {
        const c = calendars[i]!;
        expect(addBusinessMillis(c, start, n, pauses)).toBeGreaterThanOrEqual(addBusinessMillis(c, start, n));
      }),
      params,
    );
  });

  it('adding in two steps equals adding at once', () => {
    fc.assert(
      fc.property(calendarIndex, instant, duration, duration, (i, start, a, b) => {
        const c = calendars[i]!;
        expect(addBusinessMillis(c, addBusinessMillis(c, start, a), b)).toBe(addBusinessMillis(c, start, a + b));
      }),
      params,
    );
  });

  it('measured time is additive over a split point', () => {
    fc.assert(
      fc.property(calendarIndex, instant, fc.integer({ min: 0, max: 30 * 86_400_000 }), fc.integer({ min: 0, max: 30 * 86_400_000 }), (i, from, x, y) => {
        const c = calendars[i]!;
        expect(businessMillisBetween(c, from, from + x) + businessMillisBetween(c, from + x, from + x + y)).toBe(businessMillisBetween(c, from, from + x + y));
      }),
      params,
    );
  });
});
