// Business-time arithmetic: which instants count as business time, and how to add or measure
// business time with pauses. Pure, deterministic and free of libraries, because the workflows
// run it: the zone's offsets come from the runtime's own `Intl`, and public holidays are dates
// resolved before (see `business-calendar.ts`), not computed here.
//
// A day's intervals are local wall-clock `[start, end)` pairs turned into real instants in the
// calendar's zone, so a 00:00-24:00 day lasts 23 or 25 real hours on daylight-saving days.
// All arithmetic is in epoch milliseconds, over a running total of business time per local day
// (a prefix sum built once per calendar): measuring is O(1) per pause, adding is a binary search,
// and nothing walks the days between a clock's start and now.
import { weekdays, type Weekday } from './enums.js';
import { ValidationError } from './errors.js';

export type DayIntervals = [string, string][];

/** A calendar as stored and as sent to `POST /api/sla/preview`. */
export interface CalendarDefinition {
  timezone: string;
  week: Partial<Record<Weekday, DayIntervals>>;
  /** Public holidays of a date-holidays region, e.g. "DE-NW" (country, or country-state). */
  holidays?: { region: string } | null;
  closedDates?: string[];
  /** Days with their own intervals, overriding weekday, holiday and closed date. */
  specialDays?: Record<string, DayIntervals>;
}

/** A half-open span of real time `[from, to)` in epoch ms; `to` may be Infinity (open pause). */
export interface Span {
  from: number;
  to: number;
}

/** Whether a local date (YYYY-MM-DD) is a public holiday of the calendar's region. */
export type HolidayLookup = (date: string) => boolean;

const noHolidays: HolidayLookup = () => false;
const minuteMs = 60_000;
const dayMs = 86_400_000;
/** The local days the arithmetic knows: the dates it can write as YYYY-MM-DD. */
const firstDayNumber = Date.parse('0000-01-01T00:00:00Z') / dayMs;
const lastDayNumber = Date.UTC(9999, 11, 31) / dayMs;
/** How far the arithmetic looks for business time before it calls a calendar empty. */
const maxDaysWithoutBusinessTime = 366 * 3;
/** How far any computation may look ahead at all; bounds the work of a sparse calendar or a huge target. */
const maxDaysAhead = 366 * 10;
const timePattern = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const datePattern = /^\d{4}-\d{2}-\d{2}$/;

function minutesOf(time: string): number {
  return time === '24:00' ? 24 * 60 : Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

function validateDate(date: string, field: string): void {
  const parsed = datePattern.test(date) ? new Date(`${date}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new ValidationError(`${field}: "${date}" is not a date (YYYY-MM-DD).`, field);
  }
}

function validateIntervals(intervals: unknown, field: string): void {
  if (!Array.isArray(intervals)) throw new ValidationError(`${field}: expected a list of ["HH:MM", "HH:MM"] intervals.`, field);
  let previousEnd = -1;
  for (const [i, interval] of (intervals as unknown[]).entries()) {
    const [start, end] = Array.isArray(interval) ? (interval as unknown[]) : [];
    if (typeof start !== 'string' || typeof end !== 'string' || (interval as unknown[]).length !== 2) {
      throw new ValidationError(`${field}[${i}]: expected ["HH:MM", "HH:MM"].`, field);
    }
    if (!timePattern.test(start) || start === '24:00') throw new ValidationError(`${field}[${i}]: "${start}" is not a start time (00:00-23:59).`, field);
    if (!timePattern.test(end)) throw new ValidationError(`${field}[${i}]: "${end}" is not an end time (00:01-24:00).`, field);
    const [s, e] = [minutesOf(start), minutesOf(end)];
    if (e <= s) throw new ValidationError(`${field}[${i}]: the end ${end} is not after the start ${start}.`, field);
    if (s < previousEnd) throw new ValidationError(`${field}[${i}]: ${start}-${end} overlaps the interval before it (intervals must be sorted and must not overlap).`, field);
    previousEnd = e;
  }
}

/** True when the runtime knows the IANA zone. */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    zoneFormatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks everything of a calendar definition but whether its holiday region exists (that needs
 * the holiday rules; `validateCalendar` in `business-calendar.ts` checks it too). Throws a
 * ValidationError that names the field and the reason.
 */
export function validateCalendarShape(def: CalendarDefinition, options: { zoneKnown?: boolean } = {}): void {
  if (!options.zoneKnown && !isTimeZone(def.timezone)) {
    throw new ValidationError(`timezone: "${String(def.timezone)}" is not an IANA time zone (e.g. "Europe/Berlin").`, 'timezone');
  }
  for (const [day, intervals] of Object.entries(def.week ?? {})) {
    if (!(weekdays as readonly string[]).includes(day)) throw new ValidationError(`week: "${day}" is not a weekday (mon..sun).`, 'week');
    validateIntervals(intervals, `week.${day}`);
  }
}

/** The rest of the shape, after the region: hours on some weekday, closed and special dates. */
export function validateCalendarDays(def: CalendarDefinition): void {
  if (!Object.values(def.week ?? {}).some((intervals) => intervals.length > 0)) {
    throw new ValidationError('week: the calendar has no business hours on any weekday.', 'week');
  }
  for (const date of def.closedDates ?? []) validateDate(date, 'closedDates');
  for (const [date, intervals] of Object.entries(def.specialDays ?? {})) {
    validateDate(date, 'specialDays');
    validateIntervals(intervals, `specialDays.${date}`);
  }
}

// ---- the zone: UTC offsets from Intl, with luxon's rules for wall-clock times ------------------

const formatters = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      hourCycle: 'h23',
      timeZone: zone,
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset from UTC in minutes at an instant, as Intl tells it (whole seconds, as luxon reads it). */
function intlOffsetMinutes(formatter: Intl.DateTimeFormat, at: number): number {
  const fields: Record<string, number> = {};
  let bc = false;
  for (const part of formatter.formatToParts(new Date(at))) {
    if (part.type === 'era') bc = part.value === 'BC' || part.value === 'B';
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = bc ? 1 - fields.year! : fields.year!;
  const local = new Date(Date.UTC(2000, fields.month! - 1, fields.day, fields.hour === 24 ? 0 : fields.hour!, fields.minute, fields.second));
  local.setUTCFullYear(year);
  const wholeSecond = at - (((at % 1000) + 1000) % 1000);
  return (local.getTime() - wholeSecond) / minuteMs;
}

/**
 * A zone's UTC offsets over `[from, to)` (epoch ms): `initial` at `from`, then `[at, offset]` for
 * each switch. Resolved when an SLA snapshot is taken, so the workflow computes its instants
 * from data in its history, not from the time-zone database of whichever Node replays it.
 */
export interface ResolvedZone {
  zone: string;
  from: number;
  to: number;
  initial: number;
  switches: [number, number][];
}

type DayOffsets = number | { switchAt: number; before: number; after: number };

/**
 * A zone's offsets: from its resolved switches where it has them, else per UTC day from Intl,
 * one call per day boundary, and on the rare day whose two boundaries differ, the switch found
 * to the second by bisection (Intl is slow, about 17 µs a call; zones switch at most once a day).
 */
class ZoneOffsets {
  private readonly edges = new Map<number, number>();
  private readonly days = new Map<number, DayOffsets>();
  private formatter: Intl.DateTimeFormat | undefined;

  constructor(
    private readonly zone: string,
    private readonly resolved?: ResolvedZone | null,
  ) {}

  at(at: number): number {
    const resolved = this.resolved;
    if (resolved && at >= resolved.from && at < resolved.to) {
      let offset = resolved.initial;
      for (const [switchAt, after] of resolved.switches) {
        if (at < switchAt) break;
        offset = after;
      }
      return offset;
    }
    const day = this.dayOf(Math.floor(at / dayMs));
    if (typeof day === 'number') return day;
    return at < day.switchAt ? day.before : day.after;
  }

  /** The offsets of the UTC day `k`, from Intl. */
  dayOf(k: number): DayOffsets {
    let day = this.days.get(k);
    if (day === undefined) {
      // Shared by a long-lived API process: kept to about 270 years of days per zone.
      if (this.days.size > 100_000) {
        this.days.clear();
        this.edges.clear();
      }
      day = this.intlDay(k);
      this.days.set(k, day);
    }
    return day;
  }

  private intl(at: number): number {
    this.formatter ??= zoneFormatter(this.zone);
    return intlOffsetMinutes(this.formatter, at);
  }

  private edge(k: number): number {
    let offset = this.edges.get(k);
    if (offset === undefined) {
      offset = this.intl(k * dayMs);
      this.edges.set(k, offset);
    }
    return offset;
  }

  private intlDay(k: number): DayOffsets {
    const before = this.edge(k);
    const after = this.edge(k + 1);
    if (before === after) return before;
    let lo = k * dayMs;
    let hi = (k + 1) * dayMs;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.intl(mid) === before) lo = mid;
      else hi = mid;
    }
    return { switchAt: hi, before, after };
  }
}

/** Intl's offsets per zone, shared by every calendar of the zone that has no resolved ones. */
const zoneOffsets = new Map<string, ZoneOffsets>();
function offsetsOf(zone: string): ZoneOffsets {
  let offsets = zoneOffsets.get(zone);
  if (!offsets) {
    offsets = new ZoneOffsets(zone);
    zoneOffsets.set(zone, offsets);
  }
  return offsets;
}

/** The UTC offset (minutes) of `zone` at `at` (epoch ms), from the shared per-day cache: cheap enough for every instant a list shows. */
export function zoneOffsetMinutes(zone: string, at: number): number {
  return offsetsOf(zone).at(at);
}

const resolvedZones = new Map<string, ResolvedZone>();

/** A zone's offsets over the UTC years `fromYear..toYear`, from Intl (kept per process). */
export function resolveZone(zone: string, fromYear: number, toYear: number): ResolvedZone {
  const key = `${zone}:${fromYear}:${toYear}`;
  let resolved = resolvedZones.get(key);
  if (!resolved) {
    const offsets = offsetsOf(zone);
    const from = Date.UTC(fromYear, 0, 1);
    const to = Date.UTC(toYear + 1, 0, 1);
    const switches: [number, number][] = [];
    for (let k = from / dayMs; k < to / dayMs; k++) {
      const day = offsets.dayOf(k);
      if (typeof day !== 'number') switches.push([day.switchAt, day.after]);
    }
    resolved = { zone, from, to, initial: offsets.at(from), switches };
    resolvedZones.set(key, resolved);
  }
  return resolved;
}

/**
 * The instant of a local wall-clock time, from a first guess of the offset (as luxon does it): a
 * time repeated by a DST switch takes the occurrence the guess points at, and a time skipped by
 * one moves forward with the switch.
 */
function instantOfWallTime(offsets: ZoneOffsets, wall: number, guess: number): number {
  let at = wall - guess * minuteMs;
  const o2 = offsets.at(at);
  if (o2 === guess) return at;
  at -= (o2 - guess) * minuteMs;
  const o3 = offsets.at(at);
  if (o2 === o3) return at;
  return wall - Math.min(o2, o3) * minuteMs;
}

// ---- the calendar --------------------------------------------------------------------------------

/** One local day: when it starts, its business spans, and their length. */
interface Day {
  date: string;
  midnight: number;
  spans: Span[];
  total: number;
}

/** A validated calendar; days, their spans and the running totals are computed once and kept. */
export class BusinessCalendar {
  private readonly offsets: ZoneOffsets;
  private readonly closed: Set<string>;
  private readonly days = new Map<number, Day>();
  private readonly midnights = new Map<number, number>();
  /** `totals[i]`: business ms of the days `base .. base + i - 1` (so `totals[0]` is 0). */
  private totals: number[] = [0];
  private base: number | undefined;

  /**
   * `zone`: the calendar zone's offsets resolved before (an SLA snapshot's); without them, or
   * outside them, the offsets come from Intl.
   */
  constructor(
    readonly definition: CalendarDefinition,
    private readonly holidays: HolidayLookup = noHolidays,
    zone?: ResolvedZone | null,
  ) {
    const resolved = zone?.zone === definition.timezone ? zone : undefined;
    // A zone that was resolved is one Intl knows; checking it again would cost a formatter.
    validateCalendarShape(definition, { zoneKnown: resolved !== undefined });
    validateCalendarDays(definition);
    this.offsets = resolved ? new ZoneOffsets(definition.timezone, resolved) : offsetsOf(definition.timezone);
    this.closed = new Set(definition.closedDates ?? []);
  }

  /** True when the whole local date is a public holiday of the calendar's region. */
  isHoliday(date: string): boolean {
    return this.holidays(date);
  }

  /** The local wall-clock intervals that apply on a local date. */
  wallIntervalsOn(date: string): DayIntervals {
    const special = this.definition.specialDays?.[date];
    if (special) return special;
    if (this.closed.has(date) || this.isHoliday(date)) return [];
    const weekday = weekdays[(new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7]!;
    return this.definition.week[weekday] ?? [];
  }

  /** The business spans of a local date, as real instants. */
  spansOn(date: string): Span[] {
    return this.day(Date.parse(`${date}T00:00:00Z`) / dayMs).spans;
  }

  /** The local date (YYYY-MM-DD) of an instant in the calendar's zone. */
  localDate(at: number): string {
    return this.day(this.dayNumberOf(at)).date;
  }

  /** Business time in `[from, to)` without pauses, in ms; both within the computed range. */
  private between(from: number, to: number): number {
    if (to <= from) return 0;
    // `from` first: it may move the base of the running totals back, the later instant never does.
    const start = this.totalUpTo(from);
    return this.totalUpTo(to) - start;
  }

  /** Business ms from the start of day `base` up to the instant `at`. */
  private totalUpTo(at: number): number {
    const n = this.dayNumberOf(at);
    let within = 0;
    for (const span of this.day(n).spans) {
      if (span.from >= at) break;
      within += Math.min(span.to, at) - span.from;
    }
    return this.totalBefore(n) + within;
  }

  /** Business ms of the days from `base` up to, not including, day `n`. */
  private totalBefore(n: number): number {
    if (this.base === undefined || n < this.base) this.rebase(this.base === undefined ? n : Math.min(n, this.base - 31));
    const base = this.base!;
    while (base + this.totals.length - 1 < n) {
      const last = base + this.totals.length - 1;
      this.totals.push(this.totals[this.totals.length - 1]! + this.day(last).total);
    }
    return this.totals[n - base]!;
  }

  private rebase(base: number): void {
    this.base = base;
    this.totals = [0];
  }

  /**
   * The first instant at or after `from`, and before `until`, at which `amount` ms of business
   * time counted from `from` is used up (`amount` 0: the first business instant). Undefined when
   * `until` comes first. `origin` is where the whole computation began, for its bounds.
   */
  reach(from: number, amount: number, until: number, origin: number): number | undefined {
    const startDay = this.dayNumberOf(from);
    const originDay = this.dayNumberOf(origin);
    const target = this.totalUpTo(from) + amount;
    // The day on which the running total reaches the target (for 0: passes it).
    const reached = (n: number) => (amount === 0 ? this.totalBefore(n + 1) > target : this.totalBefore(n + 1) >= target);
    const untilDay = until === Infinity ? Infinity : this.dayNumberOf(until);
    const lastDay = originDay + maxDaysAhead - 1;
    let lo = startDay;
    let hi = startDay;
    // Find a day that reaches the target, doubling the step, then search between: the running
    // totals make each probe O(1), and each day is computed once per calendar.
    for (let step = 1; !reached(hi); step *= 2) {
      if (hi >= untilDay) return undefined;
      if (hi >= lastDay) {
        throw new ValidationError(`The computation reaches more than ${maxDaysAhead} days past ${new Date(origin).toISOString()}.`, 'calendar');
      }
      const emptySince = hi - maxDaysWithoutBusinessTime;
      if (emptySince >= startDay && this.totalBefore(hi + 1) === this.totalBefore(emptySince)) {
        throw new ValidationError(`The calendar has no business time in ${maxDaysWithoutBusinessTime} days after ${new Date(origin).toISOString()}.`, 'calendar');
      }
      lo = hi + 1;
      hi = Math.min(hi + step, untilDay, lastDay);
    }
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (reached(mid)) hi = mid;
      else lo = mid + 1;
    }
    let total = this.totalBefore(lo);
    for (const span of this.day(lo).spans) {
      const length = span.to - span.from;
      if (amount === 0 ? total + length > target : total + length >= target) {
        if (amount === 0) {
          const at = Math.max(span.from, from);
          return at < until ? at : undefined;
        }
        // Used up exactly where a pause begins is that instant, as at the end of an interval.
        const at = span.from + (target - total);
        return at <= until ? at : undefined;
      }
      total += length;
    }
    throw new Error('unreachable: the day reaches the running total');
  }

  /** Business time in `[from, to)` without the merged pauses; checks the horizon like `reach`. */
  measure(from: number, to: number, pauses: Span[]): number {
    if (to <= from) return 0;
    if (this.midnight(this.dayNumberOf(from) + maxDaysAhead) < to) {
      throw new ValidationError(`The computation reaches more than ${maxDaysAhead} days past ${new Date(from).toISOString()}.`, 'calendar');
    }
    let total = this.between(from, to);
    for (const p of pauses) {
      if (p.to <= from) continue;
      if (p.from >= to) break;
      total -= this.between(Math.max(p.from, from), Math.min(p.to, to));
    }
    return total;
  }

  /** The local day number (days since 1970-01-01 in the zone) that contains an instant. */
  private dayNumberOf(at: number): number {
    let n = Math.floor((at + this.offsets.at(at) * minuteMs) / dayMs);
    while (at < this.midnight(n)) n -= 1;
    while (at >= this.midnight(n + 1)) n += 1;
    return n;
  }

  private midnight(n: number): number {
    let at = this.midnights.get(n);
    if (at === undefined) {
      const wall = n * dayMs;
      // Guessing the offset of the evening before takes the first of two midnights a switch repeats.
      at = instantOfWallTime(this.offsets, wall, this.offsets.at(wall - dayMs / 2));
      this.midnights.set(n, at);
    }
    return at;
  }

  private day(n: number): Day {
    let day = this.days.get(n);
    if (!day) {
      if (n < firstDayNumber || n > lastDayNumber) throw new ValidationError('The computation reaches beyond the years 0000 to 9999.', 'calendar');
      const date = new Date(n * dayMs).toISOString().slice(0, 10);
      const midnight = this.midnight(n);
      const next = this.midnight(n + 1);
      const guess = this.offsets.at(midnight);
      const instant = (time: string) => (time === '24:00' ? next : instantOfWallTime(this.offsets, n * dayMs + minutesOf(time) * minuteMs, guess));
      // Clipped to the day: a date the zone skipped (Pacific/Apia, 30 Dec 2011) has no time at all.
      const spans = this.wallIntervalsOn(date)
        .map(([start, end]) => ({ from: Math.max(instant(start), midnight), to: Math.min(instant(end), next) }))
        .filter((s) => s.to > s.from);
      day = { date, midnight, spans, total: spans.reduce((sum, s) => sum + s.to - s.from, 0) };
      this.days.set(n, day);
    }
    return day;
  }
}

export function mergeSpans(spans: Span[]): Span[] {
  const sorted = spans.filter((s) => s.to > s.from).sort((a, b) => a.from - b.from);
  const merged: Span[] = [];
  for (const s of sorted) {
    const last = merged[merged.length - 1];
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to);
    else merged.push({ ...s });
  }
  return merged;
}

/** The first instant at or after `at` that is business time and not paused. */
export function nextBusinessInstant(calendar: BusinessCalendar, at: number, pauses: Span[] = []): number {
  return addBusinessMillis(calendar, at, 0, pauses);
}

/**
 * The instant at which `ms` of business time, counted from `start` and skipping pauses, is
 * used up. Landing exactly on the end of an interval gives that end, not the next morning.
 */
export function addBusinessMillis(calendar: BusinessCalendar, start: number, ms: number, pauses: Span[] = []): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`business time to add must be >= 0, got ${ms}`);
  let remaining = ms;
  let from = start;
  // Between the pauses in turn: each stretch gives what it has, the last one is open-ended.
  for (const pause of mergeSpans(pauses)) {
    if (pause.to <= from) continue;
    if (pause.from > from) {
      const at = calendar.reach(from, remaining, pause.from, start);
      if (at !== undefined) return at;
      remaining -= calendar.measure(from, pause.from, []);
    }
    if (pause.to === Infinity) {
      // Paused for good: the time can never be used up, however far one looks.
      throw new ValidationError(`The computation reaches more than ${maxDaysAhead} days past ${new Date(start).toISOString()}.`, 'calendar');
    }
    from = Math.max(from, pause.to);
  }
  return calendar.reach(from, remaining, Infinity, start)!;
}

export function addBusinessMinutes(calendar: BusinessCalendar, start: number, minutes: number, pauses: Span[] = []): number {
  return addBusinessMillis(calendar, start, minutes * minuteMs, pauses);
}

/** Business time in `[from, to)`, without the pauses, in milliseconds (0 when to <= from). */
export function businessMillisBetween(calendar: BusinessCalendar, from: number, to: number, pauses: Span[] = []): number {
  return calendar.measure(from, to, mergeSpans(pauses));
}

export function businessMinutesBetween(calendar: BusinessCalendar, from: number, to: number, pauses: Span[] = []): number {
  return businessMillisBetween(calendar, from, to, pauses) / minuteMs;
}

/** A region's public holidays resolved into dates for a range of years (in an incident's SLA snapshot). */
export interface ResolvedHolidays {
  region: string;
  fromYear: number;
  toYear: number;
  dates: string[];
}

/** The years of holidays an SLA snapshot taken at `at` carries: the year before (zones west of UTC) and four ahead. */
export function snapshotHolidayYears(at: Date): { fromYear: number; toYear: number } {
  const year = at.getUTCFullYear();
  return { fromYear: year - 1, toYear: year + 4 };
}

/** The lookup of resolved holidays; a date outside their years is no holiday (none were resolved for it). */
export function resolvedHolidayLookup(resolved: ResolvedHolidays | null | undefined): HolidayLookup {
  if (!resolved) return noHolidays;
  const dates = new Set(resolved.dates);
  return (date) => dates.has(date);
}
