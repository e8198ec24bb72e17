// The report pages' request plumbing: their context, the page context, rendering, and the
// period, which every report page reads from its query (?from&to, whole days, both inclusive).
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { addDays, isCalendarDay, monthStart } from '../../domain/calendar-dates.js';
import type { Language } from '../../domain/enums.js';
import { ValidationError } from '../../domain/errors.js';
import { businessDate, defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { checkReportPeriod, type ReportPeriod } from '../../services/reports/period.js';
import type { StaffEnv } from '../staff/index.js';
import type { PageContext } from './components.js';
import type { ReportMessages } from './messages.js';

export interface ReportsEnv {
  Variables: StaffEnv['Variables'] & { language: Language; t: ReportMessages };
}

export type ReportsContext = Context<ReportsEnv>;

export const zoneOf = (c: ReportsContext) => c.var.services.timezone ?? defaultBusinessTimezone;

export function pageContext(c: ReportsContext): PageContext {
  const url = new URL(c.req.url);
  return { t: c.var.t, language: c.var.language, zone: zoneOf(c), member: c.var.staff ?? null, csrfToken: c.var.staff?.csrfToken ?? '', path: `${url.pathname}${url.search}` };
}

/** The HTML of an element (hono/jsx renders on toString; our components are synchronous). */
const htmlOf = async (element: JSX.Element) => (element as unknown as { toString(): string | Promise<string> }).toString();

export async function render(c: ReportsContext, page: JSX.Element, status: 200 | 400 | 403 | 404 | 500 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${await htmlOf(page)}`, status);
}

/** The quick choices of the period picker, each a period in the house's zone relative to today. */
export const quickPeriods = ['lastMonth', 'thisMonth', 'last30Days', 'thisQuarter'] as const;
export type QuickPeriod = (typeof quickPeriods)[number];

export function quickPeriod(kind: QuickPeriod, today: string): { from: string; to: string } {
  switch (kind) {
    case 'lastMonth': {
      const end = addDays(monthStart(today), -1);
      return { from: monthStart(end), to: end };
    }
    case 'thisMonth':
      return { from: monthStart(today), to: today };
    case 'last30Days':
      return { from: addDays(today, -29), to: today };
    case 'thisQuarter': {
      const month = Number(today.slice(5, 7));
      const first = `${today.slice(0, 4)}-${String(month - ((month - 1) % 3)).padStart(2, '0')}-01`;
      return { from: first, to: today };
    }
  }
}

/** Today in the house's zone. */
export const todayOf = (c: ReportsContext) => businessDate(new Date(), zoneOf(c));

export interface PeriodInput {
  /** What the form shows (the query as given, or the default). */
  from: string;
  to: string;
  /** The checked period, or the reason it is refused (the page says it, with a 400). */
  period: ReportPeriod | null;
  problem: string | null;
}

/**
 * The period of the query: `from` and `to` as calendar days (default: the last full month), at
 * most two years. A bad one is not thrown: the page renders its form again with the message.
 */
export function periodOf(c: ReportsContext): PeriodInput {
  const fallback = quickPeriod('lastMonth', todayOf(c));
  const from = (c.req.query('from') ?? '').trim() || fallback.from;
  const to = (c.req.query('to') ?? '').trim() || fallback.to;
  const t = c.var.t.period;
  if (!isCalendarDay(from) || !isCalendarDay(to)) return { from, to, period: null, problem: t.badDate };
  try {
    checkReportPeriod({ from, to });
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return { from, to, period: null, problem: from > to ? t.reversed : t.tooLong };
  }
  return { from, to, period: { from, to, timezone: zoneOf(c) }, problem: null };
}

/** A query string of the given values, leaving out the empty ones. */
export function query(values: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
