// The business-calendar arithmetic as it was before it left luxon and date-holidays (a day-by-day
// walk in luxon), kept as the oracle that tests/domain/business-time.test.ts checks the running
// totals against. Test code only.
//
// A day's intervals are local wall-clock `[start, end)` pairs turned into real instants in the
// calendar's zone, so a 00:00-24:00 day lasts 23 or 25 real hours on daylight-saving days.
// All arithmetic is in epoch milliseconds; business minutes are a view on top.
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { mergeSpans, validateCalendar, type CalendarDefinition, type Span } from '../../src/domain/business-calendar.js';
import { weekdays } from '../../src/domain/enums.js';
import { ValidationError } from '../../src/domain/errors.js';

export type DayIntervals = [string, string][];

interface Holiday {
  date: string;
  start: Date;
  end: Date;
  type: string;
}

const minuteMs = 60_000;
/** How far the arithmetic looks for business time before it calls a calendar empty. */
const maxDaysWithoutBusinessTime = 366 * 3;
/** How far any computation may look ahead at all; bounds the work of a sparse calendar or a huge target. */
const maxDaysAhead = 366 * 10;

/** A validated calendar with its day schedule cached. */
export class ReferenceCalendar {
  private readonly zone: string;
  private readonly holidays: Holidays | undefined;
  private readonly holidayYears = new Map<number, Set<string>>();
  private readonly days = new Map<string, Span[]>();
  private readonly closed: Set<string>;

  constructor(readonly definition: CalendarDefinition) {
    validateCalendar(definition); // today's validation: the oracle is about the arithmetic
    this.zone = definition.timezone;
    this.closed = new Set(definition.closedDates ?? []);
    if (definition.holidays) {
      const [country, state] = definition.holidays.region.split('-') as [string, string | undefined];
      this.holidays = state ? new Holidays(country, state, { types: ['public'] }) : new Holidays(country, { types: ['public'] });
    }
  }

  /** True when the whole local date is a public holiday of the calendar's region. */
  isHoliday(date: string): boolean {
    if (!this.holidays) return false;
    const year = Number(date.slice(0, 4));
    let dates = this.holidayYears.get(year);
    if (!dates) {
      // A holiday can last several days (start to end); a year's list may run into the next year.
      const list = [...((this.holidays.getHolidays(year - 1) || []) as Holiday[]), ...((this.holidays.getHolidays(year) || []) as Holiday[])];
      dates = new Set();
      for (const h of list.filter((x) => x.type === 'public')) {
        const first = DateTime.fromISO(h.date.slice(0, 10), { zone: 'UTC' });
        const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
        for (let d = 0; d < days; d++) {
          const date = first.plus({ days: d }).toISODate()!;
          if (date.startsWith(String(year))) dates.add(date);
        }
      }
      this.holidayYears.set(year, dates);
    }
    return dates.has(date);
  }

  /** The local wall-clock intervals that apply on a local date. */
  wallIntervalsOn(date: string): DayIntervals {
    const special = this.definition.specialDays?.[date];
    if (special) return special;
    if (this.closed.has(date) || this.isHoliday(date)) return [];
    const weekday = weekdays[DateTime.fromISO(date, { zone: 'UTC' }).weekday - 1]!;
    return this.definition.week[weekday] ?? [];
  }

  /** The business spans of a local date, as real instants. */
  spansOn(date: string): Span[] {
    let spans = this.days.get(date);
    if (!spans) {
      const midnight = DateTime.fromISO(date, { zone: this.zone }).startOf('day');
      spans = this.wallIntervalsOn(date)
        .map(([start, end]) => ({ from: this.instant(midnight, start), to: this.instant(midnight, end) }))
        .filter((s) => s.to > s.from);
      this.days.set(date, spans);
    }
    return spans;
  }

  private instant(midnight: DateTime, time: string): number {
    if (time === '24:00') return midnight.plus({ days: 1 }).startOf('day').toMillis();
    // Wall-clock time of that day; a time skipped by a DST switch moves forward with it.
    return midnight.set({ hour: Number(time.slice(0, 2)), minute: Number(time.slice(3, 5)) }).toMillis();
  }

  /** The local date (YYYY-MM-DD) of an instant in the calendar's zone. */
  localDate(at: number): string {
    return DateTime.fromMillis(at, { zone: this.zone }).toISODate()!;
  }

  /**
   * Business spans, without the pauses, from `from` onwards in order, up to the local day
   * that contains `until`. Throws when years pass without any business time.
   */
  *spansFrom(from: number, pauses: Span[] = [], until = Infinity): Generator<Span> {
    const merged = mergeSpans(pauses);
    let day = DateTime.fromMillis(from, { zone: this.zone }).startOf('day');
    const horizon = day.plus({ days: maxDaysAhead }).toMillis();
    let emptyDays = 0;
    while (emptyDays <= maxDaysWithoutBusinessTime) {
      if (day.toMillis() >= until) return;
      if (day.toMillis() >= horizon) {
        throw new ValidationError(`The computation reaches more than ${maxDaysAhead} days past ${new Date(from).toISOString()}.`, 'calendar');
      }
      const spans = this.spansOn(day.toISODate()!);
      emptyDays = spans.length === 0 ? emptyDays + 1 : 0;
      for (const span of spans) {
        for (const piece of subtract(span, merged)) {
          if (piece.to > from) yield { from: Math.max(piece.from, from), to: piece.to };
        }
      }
      // startOf('day'): where a DST switch skips midnight, the day starts at 01:00, not the next days too.
      day = day.plus({ days: 1 }).startOf('day');
    }
    throw new ValidationError(`The calendar has no business time in ${maxDaysWithoutBusinessTime} days after ${new Date(from).toISOString()}.`, 'calendar');
  }
}

/** `span` minus the (merged, sorted) pauses. */
function subtract(span: Span, pauses: Span[]): Span[] {
  const pieces: Span[] = [];
  let cursor = span.from;
  for (const p of pauses) {
    if (p.to <= cursor) continue;
    if (p.from >= span.to) break;
    if (p.from > cursor) pieces.push({ from: cursor, to: Math.min(p.from, span.to) });
    cursor = Math.max(cursor, p.to);
    if (cursor >= span.to) break;
  }
  if (cursor < span.to) pieces.push({ from: cursor, to: span.to });
  return pieces;
}

/** The first instant at or after `at` that is business time and not paused. */
export function nextBusinessInstant(calendar: ReferenceCalendar, at: number, pauses: Span[] = []): number {
  for (const span of calendar.spansFrom(at, pauses)) return span.from;
  throw new Error('unreachable: spansFrom throws when it finds no business time');
}

/**
 * The instant at which `ms` of business time, counted from `start` and skipping pauses, is
 * used up. Landing exactly on the end of an interval gives that end, not the next morning.
 */
export function addBusinessMillis(calendar: ReferenceCalendar, start: number, ms: number, pauses: Span[] = []): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`business time to add must be >= 0, got ${ms}`);
  if (ms === 0) return nextBusinessInstant(calendar, start, pauses);
  let remaining = ms;
  for (const span of calendar.spansFrom(start, pauses)) {
    const length = span.to - span.from;
    if (length >= remaining) return span.from + remaining;
    remaining -= length;
  }
  throw new Error('unreachable: spansFrom throws when it finds no business time');
}

export function addBusinessMinutes(calendar: ReferenceCalendar, start: number, minutes: number, pauses: Span[] = []): number {
  return addBusinessMillis(calendar, start, minutes * minuteMs, pauses);
}

/** Business time in `[from, to)`, without the pauses, in milliseconds (0 when to <= from). */
export function businessMillisBetween(calendar: ReferenceCalendar, from: number, to: number, pauses: Span[] = []): number {
  if (to <= from) return 0;
  let total = 0;
  for (const span of calendar.spansFrom(from, pauses, to)) {
    if (span.from >= to) break;
    total += Math.min(span.to, to) - span.from;
  }
  return total;
}

export function businessMinutesBetween(calendar: ReferenceCalendar, from: number, to: number, pauses: Span[] = []): number {
  return businessMillisBetween(calendar, from, to, pauses) / minuteMs;
}
