// Billing arithmetic in integer cents: what a time entry costs the customer, quota draw-down,
// quota thresholds, prorated contract fees, internal effort and what a material entry may hold.
// No floating-point money.
import { daysInMonth, daysInclusive, maxDate, minDate, monthEnd, monthsBetween, parts } from './calendar-dates.js';
import type { ActivityType, EntitlementDecision } from './enums.js';
import type { Rates } from './entitlement.js';

/** The most one material entry can hold: its amount_cents column is a 32-bit integer. */
export const maxMaterialAmountCents = 2_147_483_647;

/** quantity × unit price in exact cents; null when the amount does not fit one material entry. */
export function materialAmountCents(quantity: number, unitPriceCents: number): number | null {
  const amount = quantity * unitPriceCents;
  return Number.isSafeInteger(amount) && amount <= maxMaterialAmountCents ? amount : null;
}

/** minutes × hourly rate, rounded half up to whole cents. */
export function amountCents(minutes: number, hourlyRateCents: number): number {
  return Math.floor((minutes * hourlyRateCents + 30) / 60);
}

export interface EntryTerms {
  minutes: number;
  activityType: ActivityType;
  /** The entitlement decision for the work date (quota means: covered with a quota). */
  decision: EntitlementDecision;
  /** Quota minutes still left in the period before this entry; only for `quota`. */
  quotaRemainingMinutes: number;
  rates: Rates;
  /** A manager's override: true bills every minute, false bills none; neither draws quota. */
  override: { billable: boolean; reason: string } | null;
}

export interface EntryBilling {
  quotaMinutes: number;
  billableMinutes: number;
  rateCents: number | null;
  amountCents: number;
  reason: string;
}

/** Splits an entry into quota and billable minutes and prices the billable part. */
export function billEntry(terms: EntryTerms): EntryBilling {
  const rate = terms.rates[terms.activityType];
  const priced = (billableMinutes: number, quotaMinutes: number, reason: string): EntryBilling => ({
    quotaMinutes,
    billableMinutes,
    rateCents: billableMinutes > 0 ? rate : null,
    amountCents: billableMinutes > 0 ? amountCents(billableMinutes, rate) : 0,
    reason,
  });
  if (terms.override) {
    return terms.override.billable
      ? priced(terms.minutes, 0, `Billable by manager decision: ${terms.override.reason}`)
      : priced(0, 0, `Not billable by manager decision: ${terms.override.reason}`);
  }
  switch (terms.decision) {
    case 'covered':
      return priced(0, 0, 'Covered by the contract.');
    case 'quota': {
      const fromQuota = Math.min(terms.minutes, Math.max(0, terms.quotaRemainingMinutes));
      const over = terms.minutes - fromQuota;
      if (over === 0) return priced(0, fromQuota, `Drawn from the quota (${terms.quotaRemainingMinutes - fromQuota} min left).`);
      return priced(over, fromQuota, fromQuota > 0 ? `${fromQuota} min from the quota, ${over} min over it are billable.` : 'The quota is used up: billable.');
    }
    case 'billable':
      return priced(terms.minutes, 0, 'Not covered: time and material.');
    case 'blocked':
      return priced(terms.minutes, 0, 'Customer on credit hold: time and material.');
  }
}

export const quotaThresholds = [80, 100] as const;

/** The thresholds (percent of the quota) that usage crosses going from `before` to `after` minutes. */
export function thresholdsCrossed(quotaMinutes: number, before: number, after: number): number[] {
  if (quotaMinutes <= 0) return [];
  return quotaThresholds.filter((t) => before * 100 < t * quotaMinutes && after * 100 >= t * quotaMinutes);
}

/**
 * A monthly fee for the days of [from, to] the contract was in force: per calendar month,
 * fee × days in force ÷ days of the month, rounded half up per month.
 */
export function proratedFeeCents(monthlyFeeCents: number, contract: { validFrom: string; validTo: string | null }, from: string, to: string): number {
  if (monthlyFeeCents === 0) return 0;
  const start = maxDate(from, contract.validFrom);
  const end = contract.validTo ? minDate(to, contract.validTo) : to;
  if (end < start) return 0;
  let total = 0;
  for (const month of monthsBetween(start, end)) {
    const { year, month: m } = parts(month);
    const days = daysInclusive(maxDate(start, month), minDate(end, monthEnd(month)));
    const monthDays = daysInMonth(year, m);
    total += Math.floor((monthlyFeeCents * days * 2 + monthDays) / (2 * monthDays));
  }
  return total;
}
