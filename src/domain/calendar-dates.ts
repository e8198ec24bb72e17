// Plain calendar dates ("YYYY-MM-DD"): periods, months and day counts for contracts and billing.
// No time zone here: callers turn instants into business dates first (`businessDate`).
import { ValidationError } from './errors.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The days the business deals in: Postgres refuses year 0, and nothing here predates 1900. */
export const firstDay = '1900-01-01';
export const lastDay = '9999-12-31';

/** A real calendar day "YYYY-MM-DD" (no 30 February) between 1900 and 9999. */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || value < firstDay || value > lastDay) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export const isoDate = (year: number, month: number, day: number): string => `${pad(year, 4)}-${pad(month)}-${pad(day)}`;

export function parts(day: string): { year: number; month: number; day: number } {
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return { year, month, day: d };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function monthStart(day: string): string {
  const p = parts(day);
  return isoDate(p.year, p.month, 1);
}

export function monthEnd(day: string): string {
  const p = parts(day);
  return isoDate(p.year, p.month, daysInMonth(p.year, p.month));
}

/** Whole days from `from` to `to`, counting both ends; 0 when `to` is before `from`. */
export function daysInclusive(from: string, to: string): number {
  const ms = Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`);
  return Math.max(0, Math.round(ms / 86_400_000) + 1);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The first day of every month that [from, to] touches. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let { year, month } = parts(from);
  const last = monthStart(to);
  for (let current = isoDate(year, month, 1); current <= last; current = isoDate(year, month, 1)) {
    months.push(current);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}

export const maxDate = (a: string, b: string) => (a > b ? a : b);
export const minDate = (a: string, b: string) => (a < b ? a : b);

/** "45 min", "10 h", "1 h 30 min" for sentences people read. */
export function spokenMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return rest === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${rest} min`;
}

/** "12 Nov 2026" for sentences people read. */
export function spokenDate(day: string): string {
  const { year, month, day: d } = parts(day);
  const names = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${d} ${names[month - 1]} ${year}`;
}

/** A period of whole days for a run or a report: `from` not after `to`, and shorter than `maxYears` years. */
export function checkPeriod(period: { from: string; to: string }, maxYears: number): void {
  if (period.from > period.to) throw new ValidationError(`The period starts (${period.from}) after it ends (${period.to}).`, 'to');
  const { year, month, day } = parts(period.from);
  const limit = isoDate(year + maxYears, month, day);
  if (period.to >= limit) {
    throw new ValidationError(`A period spans at most ${maxYears === 1 ? 'one year' : `${maxYears} years`}: from ${period.from}, "to" must be before ${limit}.`, 'to');
  }
}
