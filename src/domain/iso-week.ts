// ISO 8601 weeks ("2026-W49": Monday to Sunday, week 1 holds the year's first Thursday). Pure, so
// the weekly report workflow can name its week without the calendar code.
import { ValidationError } from './errors.js';

const dayMs = 86_400_000;
const pad = (n: number) => String(n).padStart(2, '0');

/** The ISO week a UTC calendar day falls in. */
export function isoWeekOf(instant: Date): string {
  const day = Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(day + (3 - weekday) * dayMs);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * dayMs));
  return `${year}-W${pad(week)}`;
}

/** The week a run starting at `start` reports on: the last whole week before it. */
export const reportedWeekOf = (start: Date): string => isoWeekOf(new Date(start.getTime() - 7 * dayMs));

/** Monday and Sunday ("YYYY-MM-DD") of an ISO week. */
export function isoWeekDays(week: string): { from: string; to: string } {
  const match = /^(\d{4})-W(\d{2})$/.exec(week);
  const year = Number(match?.[1]);
  const n = Number(match?.[2]);
  if (!match || n < 1 || n > 53) throw new ValidationError(`"${week}" is not an ISO week such as 2026-W49.`);
  const jan4 = Date.UTC(year, 0, 4);
  const monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * dayMs + (n - 1) * 7 * dayMs;
  if (isoWeekOf(new Date(monday)) !== week) throw new ValidationError(`${year} has no week ${n}.`);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(monday), to: day(monday + 6 * dayMs) };
}
