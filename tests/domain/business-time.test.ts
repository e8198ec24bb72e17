// The running-totals arithmetic against the day-by-day walk in luxon it replaced: the same
// instants and durations, to the millisecond, for random calendars in zones with every kind of
// daylight-saving rule, holidays, closed and special days, and pauses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addBusinessMillis,
  BusinessCalendar,
  businessMillisBetween,
  nextBusinessInstant,
  resolvedHolidayLookup,
  resolveZone,
  type CalendarDefinition,
  type DayIntervals,
  type Span,
} from '../../src/domain/business-time.js';
import { businessCalendar, publicHolidays, resolveHolidays, snapshotHolidays } from '../../src/domain/business-calendar.js';
import { weekdays } from '../../src/domain/enums.js';
import * as reference from '../support/reference-calendar.js';

const zones = [
  'Europe/Berlin',
  'America/New_York',
  'America/Santiago', // DST switches at midnight
  'Australia/Lord_Howe', // a 30-minute switch
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/St_Johns',
  'UTC',
];
const ms = (iso: string) => Date.parse(iso);

/** Sorted, non-overlapping intervals of a day (possibly none), ends up to 24:00. */
const dayIntervals: fc.Arbitrary<DayIntervals> = fc.uniqueArray(fc.integer({ min: 0, max: 24 * 4 }), { maxLength: 6 }).map((points) => {
  const sorted = [...points].sort((a, b) => a - b);
  const label = (q: number) => (q === 96 ? '24:00' : `${String(Math.floor(q / 4)).padStart(2, '0')}:${String((q % 4) * 15).padStart(2, '0')}`);
  const intervals: DayIntervals = [];
  for (let i = 0; i + 1 < sorted.length; i += 2) if (sorted[i]! < 96) intervals.push([label(sorted[i]!), label(sorted[i + 1]!)]);
  return intervals;
});

const someDate = fc.integer({ min: 0, max: 3 * 365 }).map((d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10));
const definition: fc.Arbitrary<CalendarDefinition> = fc
  .record({
    timezone: fc.constantFrom(...zones),
    week: fc.tuple(...weekdays.map(() => dayIntervals)),
    holidays: fc.constantFrom(null, { region: 'DE-NW' }, { region: 'US' }, { region: 'CL' }),
    closedDates: fc.uniqueArray(someDate, { maxLength: 5 }),
    specialDays: fc.dictionary(someDate, dayIntervals, { maxKeys: 4 }),
  })
  .map(({ week, ...rest }) => ({ ...rest, week: Object.fromEntries(weekdays.map((d, i) => [d, week[i]!])) }))
  .filter((def) => Object.values(def.week).some((intervals) => intervals.length > 0));

const instant = fc.integer({ min: ms('2025-01-01T00:00:00Z'), max: ms('2027-12-31T00:00:00Z') });
const duration = fc.integer({ min: 0, max: 4000 * 60_000 });
const pause = fc.record({ from: instant, length: fc.integer({ min: 1, max: 5 * 86_400_000 }) }).map((p) => ({ from: p.from, to: p.from + p.length }));

/** True where the zone's clocks go back over midnight, so that 00:00 of the date happens twice. */
function midnightOccursTwice(zone: string, date: string): boolean {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
  const wall = Date.parse(`${date}T00:00:00Z`);
  let count = 0;
  for (let offset = -14 * 60; offset <= 14 * 60; offset += 15) {
    const parts = Object.fromEntries(format.formatToParts(new Date(wall - offset * 60_000)).map((p) => [p.type, p.value]));
    if (`${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}` === `${date}T00:00`) count += 1;
  }
  return count > 1;
}

function both(def: CalendarDefinition) {
  return { calendar: businessCalendar(def), oracle: new reference.ReferenceCalendar(def) };
}

describe('running totals agree with the day-by-day walk', () => {
  const params = { numRuns: 200 };

  it('adds business time to the same instant', () => {
    fc.assert(
      fc.property(definition, instant, duration, fc.array(pause, { maxLength: 3 }), (def, start, amount, pauses) => {
        const { calendar, oracle } = both(def);
        expect(addBusinessMillis(calendar, start, amount, pauses)).toBe(reference.addBusinessMillis(oracle, start, amount, pauses));
      }),
      params,
    );
  });

  it('measures the same business time', () => {
    fc.assert(
      fc.property(definition, instant, fc.integer({ min: 0, max: 60 * 86_400_000 }), fc.array(pause, { maxLength: 3 }), (def, from, length, pauses) => {
        const { calendar, oracle } = both(def);
        expect(businessMillisBetween(calendar, from, from + length, pauses)).toBe(reference.businessMillisBetween(oracle, from, from + length, pauses));
      }),
      params,
    );
  });

  it('finds the same next business instant and local dates and spans', () => {
    fc.assert(
      fc.property(definition, instant, (def, at) => {
        const { calendar, oracle } = both(def);
        expect(nextBusinessInstant(calendar, at)).toBe(reference.nextBusinessInstant(oracle, at));
        expect(calendar.localDate(at)).toBe(oracle.localDate(at));
        const date = oracle.localDate(at);
        expect(calendar.spansOn(date)).toEqual(oracle.spansOn(date));
      }),
      params,
    );
  });

  it('agrees on every day around the daylight-saving switches of each zone', () => {
    const allDay: DayIntervals = [['00:00', '24:00']];
    const odd: DayIntervals = [['00:00', '00:30'], ['01:30', '02:30'], ['03:00', '24:00']];
    for (const timezone of [...zones, 'America/Havana']) {
      for (const intervals of [allDay, odd]) {
        const def = { timezone, week: Object.fromEntries(weekdays.map((d) => [d, intervals])) };
        const { calendar, oracle } = both(def);
        for (let day = 0; day < 2 * 366; day++) {
          const date = new Date(Date.UTC(2025, 0, 1 + day)).toISOString().slice(0, 10);
          const next = new Date(Date.UTC(2025, 0, 2 + day)).toISOString().slice(0, 10);
          // Each day starts where the one before ended, also where a switch repeats midnight.
          if (intervals === allDay) expect(calendar.spansOn(date)[0]!.to, `${timezone} ${date}`).toBe(calendar.spansOn(next)[0]!.from);
          const [ours, luxons] = [calendar.spansOn(date), oracle.spansOn(date)];
          // Where 00:00 happens twice, luxon took the midnight of the season it ran in; we take the first.
          if (JSON.stringify(ours) !== JSON.stringify(luxons)) expect(midnightOccursTwice(timezone, date), `${timezone} ${date}: ${JSON.stringify({ ours, luxons })}`).toBe(true);
        }
      }
    }
    expect(midnightOccursTwice('America/Havana', '2025-11-02')).toBe(true);
    expect(businessCalendar({ timezone: 'America/Havana', week: { sun: allDay } }).spansOn('2025-11-02')[0]!.from).toBe(ms('2025-11-02T04:00:00Z'));
  });

  it('agrees at the bounds: a huge target, an open pause', () => {
    const sparse = { timezone: 'UTC', week: { mon: [['08:00', '08:01']] as DayIntervals } };
    const { calendar, oracle } = both(sparse);
    expect(() => reference.addBusinessMillis(oracle, 0, 60_000_000_000)).toThrow(/more than 3660 days/);
    expect(() => addBusinessMillis(calendar, 0, 60_000_000_000)).toThrow(/more than 3660 days/);
    const open: Span[] = [{ from: ms('2026-01-05T08:00:30Z'), to: Infinity }];
    expect(() => reference.addBusinessMillis(oracle, ms('2026-01-05T08:00:00Z'), 60_000, open)).toThrow(/more than 3660 days/);
    expect(() => addBusinessMillis(calendar, ms('2026-01-05T08:00:00Z'), 60_000, open)).toThrow(/more than 3660 days/);
    expect(addBusinessMillis(calendar, ms('2026-01-05T08:00:00Z'), 30_000, open)).toBe(ms('2026-01-05T08:00:30Z'));
  });
});

describe('holidays resolved into a snapshot', () => {
  it('carries the dates the region rules give, for the years around the snapshot', () => {
    const resolved = snapshotHolidays({ timezone: 'Europe/Berlin', week: { mon: [['08:00', '17:00']] }, holidays: { region: 'DE-NW' } }, new Date('2026-11-20T10:00:00Z'))!;
    expect([resolved.fromYear, resolved.toYear]).toEqual([2025, 2030]);
    expect(resolved.dates).toEqual(expect.arrayContaining(['2025-12-25', '2026-06-04', '2026-12-26', '2030-11-01']));
    expect(resolved.dates).not.toContain('2026-12-24');
    const rules = publicHolidays('DE-NW');
    const lookup = resolvedHolidayLookup(resolved);
    for (let day = 0; day < 6 * 366; day++) {
      const date = new Date(Date.UTC(2025, 0, 1 + day)).toISOString().slice(0, 10);
      if (date <= '2030-12-31') expect(lookup(date), date).toBe(rules(date));
    }
  });

  it('gives the same instants as the region rules inside the resolved years', () => {
    const def: CalendarDefinition = { timezone: 'Europe/Berlin', week: { mon: [['08:00', '17:00']], tue: [['08:00', '17:00']], wed: [['08:00', '17:00']], thu: [['08:00', '17:00']], fri: [['08:00', '17:00']] }, holidays: { region: 'DE-NW' } };
    const snapshot = new BusinessCalendar(def, resolvedHolidayLookup(resolveHolidays('DE-NW', 2025, 2030)));
    const rules = businessCalendar(def);
    fc.assert(
      fc.property(instant, duration, (start, amount) => {
        expect(addBusinessMillis(snapshot, start, amount)).toBe(addBusinessMillis(rules, start, amount));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an unknown region by name', () => {
    expect(() => resolveHolidays('QQ', 2026, 2026)).toThrow(/unknown region "QQ"/);
  });
});

describe('zone offsets resolved into a snapshot', () => {
  it('switches where Intl switches: twice a year in Berlin, never in Kolkata, at the second', () => {
    const berlin = resolveZone('Europe/Berlin', 2026, 2026);
    expect(berlin).toEqual({ zone: 'Europe/Berlin', from: ms('2026-01-01T00:00:00Z'), to: ms('2027-01-01T00:00:00Z'), initial: 60, switches: [[ms('2026-03-29T01:00:00Z'), 120], [ms('2026-10-25T01:00:00Z'), 60]] });
    expect(resolveZone('Asia/Kolkata', 2025, 2027)).toMatchObject({ initial: 330, switches: [] });
    expect(resolveZone('Australia/Lord_Howe', 2026, 2026).switches.map(([, offset]) => offset)).toEqual([630, 660]);
  });

  it('gives the same instants as Intl, inside the resolved years and past them', () => {
    fc.assert(
      fc.property(definition, instant, duration, fc.array(pause, { maxLength: 2 }), (def, start, amount, pauses) => {
        const resolved = new BusinessCalendar(def, undefined, resolveZone(def.timezone, 2026, 2026));
        const intl = new BusinessCalendar(def);
        expect(addBusinessMillis(resolved, start, amount, pauses)).toBe(addBusinessMillis(intl, start, amount, pauses));
        expect(businessMillisBetween(resolved, start, start + amount, pauses)).toBe(businessMillisBetween(intl, start, start + amount, pauses));
        expect(resolved.localDate(start)).toBe(intl.localDate(start));
      }),
      { numRuns: 300 },
    );
  });

  it('is ignored for a calendar in another zone', () => {
    const def = { timezone: 'America/New_York', week: { mon: [['08:00', '17:00']] as DayIntervals } };
    const wrong = new BusinessCalendar(def, undefined, resolveZone('Europe/Berlin', 2026, 2026));
    expect(wrong.spansOn('2026-06-01')).toEqual([{ from: ms('2026-06-01T12:00:00Z'), to: ms('2026-06-01T21:00:00Z') }]);
  });
});

describe('the edges of the calendar', () => {
  const allDay: DayIntervals = [['00:00', '24:00']];
  const week = Object.fromEntries(weekdays.map((d) => [d, allDay]));
  it('has no time on a date the zone skipped (Samoa, 30 December 2011)', () => {
    const apia = new BusinessCalendar({ timezone: 'Pacific/Apia', week });
    expect(apia.spansOn('2011-12-30')).toEqual([]);
    expect(businessMillisBetween(apia, ms('2011-12-29T09:00:00Z'), ms('2011-12-31T09:00:00Z'))).toBe(48 * 3_600_000);
  });

  it('refuses to compute past the year 9999 instead of answering wrong', () => {
    const office = new BusinessCalendar({ timezone: 'UTC', week: { mon: [['08:00', '17:00']] } });
    expect(() => nextBusinessInstant(office, ms('9999-12-31T18:00:00Z'))).toThrow(/beyond the years 0000 to 9999/);
  });
});
