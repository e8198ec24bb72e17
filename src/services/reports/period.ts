// A report's period: whole days in the house's time zone, both ends inclusive.
import { sql, type SQL } from 'drizzle-orm';
import { addDays, checkPeriod, daysInclusive } from '../../domain/calendar-dates.js';

export interface ReportPeriod {
  /** First day (YYYY-MM-DD, inclusive). */
  from: string;
  /** Last day (YYYY-MM-DD, inclusive). */
  to: string;
  /** IANA zone the days are counted in (BUSINESS_TIMEZONE). */
  timezone: string;
}

/** At most this many years per report (the year report and a little more). */
export const maxReportYears = 2;

export function checkReportPeriod(period: { from: string; to: string }): void {
  checkPeriod(period, maxReportYears);
}

/** The period's first instant: midnight of `from` in the zone. */
export const periodStart = (p: ReportPeriod): SQL => sql`((${p.from}::date)::timestamp at time zone ${p.timezone})`;
/** The instant after the period: midnight after `to` in the zone. */
export const periodEnd = (p: ReportPeriod): SQL => sql`((${p.to}::date + 1)::timestamp at time zone ${p.timezone})`;

/** The period of the same length just before (for "change since the previous period"). */
export function previousPeriod(p: ReportPeriod): ReportPeriod {
  const days = daysInclusive(p.from, p.to);
  return { from: addDays(p.from, -days), to: addDays(p.from, -1), timezone: p.timezone };
}
