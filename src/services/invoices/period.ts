// The billing period of an invoice run or export: an explicit from/to or a calendar month.
import { checkPeriod, isCalendarDay, isoDate, monthEnd } from '../../domain/calendar-dates.js';
import { ValidationError } from '../../domain/errors.js';

export interface BillingPeriod {
  from: string;
  to: string;
}

export interface PeriodInput {
  from?: string | undefined;
  to?: string | undefined;
  /** "YYYY-MM": shorthand for that calendar month. */
  period?: string | undefined;
}

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Exactly one of `period` or `from` + `to`. */
export function resolvePeriod(input: PeriodInput): BillingPeriod {
  if (input.period !== undefined) {
    if (input.from !== undefined || input.to !== undefined) throw new ValidationError('Give either period or from and to, not both.', 'period');
    const match = monthPattern.exec(input.period);
    if (!match) throw new ValidationError(`period must be a calendar month as YYYY-MM, e.g. 2026-11; got "${input.period}".`, 'period');
    const from = isoDate(Number(match[1]), Number(match[2]), 1);
    // The same range as every calendar day in the house (1900-9999), so "0000-01" is a 400, not a 500.
    if (!isCalendarDay(from)) throw new ValidationError(`period must be a month between 1900-01 and 9999-12; got "${input.period}".`, 'period');
    return { from, to: monthEnd(from) };
  }
  if (input.from === undefined || input.to === undefined) throw new ValidationError('Give a period (YYYY-MM) or both from and to (YYYY-MM-DD).', input.from === undefined ? 'from' : 'to');
  const period = { from: input.from, to: input.to };
  checkPeriod(period, 1);
  return period;
}
