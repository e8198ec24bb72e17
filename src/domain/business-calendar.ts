// Calendars with their public holidays, for the API and the services: the holiday rules of a
// date-holidays region, resolved into plain dates for an incident's SLA snapshot, and the full
// validation of a calendar definition. The arithmetic itself is in `business-time.ts`, which
// the workflows import without the holiday rules (and without their moment and zone data).
import Holidays from 'date-holidays';
import { addDays } from './calendar-dates.js';
import { ValidationError } from './errors.js';
import { BusinessCalendar, resolveZone, snapshotHolidayYears, validateCalendarDays, validateCalendarShape, type CalendarDefinition, type HolidayLookup, type ResolvedHolidays, type ResolvedZone } from './business-time.js';

export * from './business-time.js';

interface Holiday {
  date: string;
  start: Date;
  end: Date;
  type: string;
}

const rulesByRegion = new Map<string, Holidays>();
const datesByRegionYear = new Map<string, Set<string>>();

function parseRegion(region: string): { country: string; state?: string } {
  const [country, state, ...rest] = region.split('-');
  const holidays = new Holidays();
  const countries = holidays.getCountries() as Record<string, string> | undefined;
  // Own keys only: "__proto__" or "constructor" are no region even though every object answers to them.
  if (!country || rest.length > 0 || !countries || !Object.hasOwn(countries, country)) {
    throw new ValidationError(`holidays.region: unknown region "${region}" (expected e.g. "DE" or "DE-NW").`, 'holidays.region');
  }
  if (state !== undefined) {
    const states = (holidays.getStates(country) ?? {}) as Record<string, string>;
    if (!Object.hasOwn(states, state)) throw new ValidationError(`holidays.region: "${country}" has no region "${state}".`, 'holidays.region');
  }
  return state === undefined ? { country } : { country, state };
}

function rulesOf(region: string): Holidays {
  let rules = rulesByRegion.get(region);
  if (!rules) {
    const { country, state } = parseRegion(region);
    rules = state ? new Holidays(country, state, { types: ['public'] }) : new Holidays(country, { types: ['public'] });
    rulesByRegion.set(region, rules);
  }
  return rules;
}

/** The public holiday dates of a region in one year (a holiday can last several days, and a year's list may run into the next). */
function holidayDatesOf(region: string, year: number): Set<string> {
  const key = `${region}:${year}`;
  let dates = datesByRegionYear.get(key);
  if (!dates) {
    const rules = rulesOf(region);
    const list = [...((rules.getHolidays(year - 1) || []) as Holiday[]), ...((rules.getHolidays(year) || []) as Holiday[])];
    dates = new Set();
    for (const h of list.filter((x) => x.type === 'public')) {
      const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / 86_400_000));
      for (let d = 0; d < days; d++) {
        const date = addDays(h.date.slice(0, 10), d);
        if (date.startsWith(String(year))) dates.add(date);
      }
    }
    datesByRegionYear.set(key, dates);
  }
  return dates;
}

/** The public holidays of a region as a lookup for any year (the rules are kept per region, the dates per year). */
export function publicHolidays(region: string): HolidayLookup {
  rulesOf(region);
  return (date) => holidayDatesOf(region, Number(date.slice(0, 4))).has(date);
}

/** A region's public holidays as plain dates for the years `fromYear..toYear`. */
export function resolveHolidays(region: string, fromYear: number, toYear: number): ResolvedHolidays {
  const dates: string[] = [];
  for (let year = fromYear; year <= toYear; year++) dates.push(...[...holidayDatesOf(region, year)].sort());
  return { region, fromYear, toYear, dates };
}

/** The holidays an SLA snapshot taken at `at` carries, or null for a calendar without a region. */
export function snapshotHolidays(calendar: CalendarDefinition, at: Date): ResolvedHolidays | null {
  if (!calendar.holidays) return null;
  const { fromYear, toYear } = snapshotHolidayYears(at);
  return resolveHolidays(calendar.holidays.region, fromYear, toYear);
}

/** The zone offsets an SLA snapshot taken at `at` carries, for the same years as its holidays. */
export function snapshotZone(calendar: CalendarDefinition, at: Date): ResolvedZone {
  const { fromYear, toYear } = snapshotHolidayYears(at);
  return resolveZone(calendar.timezone, fromYear, toYear);
}

/** Checks a calendar definition; throws a ValidationError that names the field and the reason. */
export function validateCalendar(def: CalendarDefinition): void {
  validateCalendarShape(def);
  if (def.holidays) parseRegion(def.holidays.region);
  validateCalendarDays(def);
}

/** A calendar with its region's public holidays for any year. */
export function businessCalendar(def: CalendarDefinition): BusinessCalendar {
  validateCalendar(def);
  return new BusinessCalendar(def, def.holidays ? publicHolidays(def.holidays.region) : undefined);
}
