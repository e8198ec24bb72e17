// Pure rules of the master data: validity intervals, quotas, money and names. No database here,
// so the API, the CSV import and the demo seed share them and unit tests can call them directly.
import { ValidationError } from '../../domain/errors.js';
import type { QuotaPeriod } from '../../domain/enums.js';
import { isCalendarDay } from '../../domain/calendar-dates.js';

/** A contract's validity: inclusive days, `validTo` null for open-ended. */
export interface Validity {
  validFrom: string;
  validTo: string | null;
}

/** Validity must be real days, and end on or after its start. */
export function checkValidity(validity: Validity): void {
  if (!isCalendarDay(validity.validFrom)) throw new ValidationError(`validFrom: "${validity.validFrom}" is not a date (YYYY-MM-DD).`, 'validFrom');
  if (validity.validTo === null) return;
  if (!isCalendarDay(validity.validTo)) throw new ValidationError(`validTo: "${validity.validTo}" is not a date (YYYY-MM-DD).`, 'validTo');
  if (validity.validTo < validity.validFrom) {
    throw new ValidationError(`validTo: the validity ends (${validity.validTo}) before it starts (${validity.validFrom}).`, 'validTo');
  }
}

/** Two inclusive day intervals share at least one day; null ends are open. */
export function validitiesOverlap(a: Validity, b: Validity): boolean {
  const aEndsBeforeB = a.validTo !== null && a.validTo < b.validFrom;
  const bEndsBeforeA = b.validTo !== null && b.validTo < a.validFrom;
  return !aEndsBeforeB && !bEndsBeforeA;
}

/** "2026-01-01 to 2026-12-31" or "from 2026-01-01, open-ended". */
export function describeValidity(v: Validity): string {
  return v.validTo === null ? `from ${v.validFrom}, open-ended` : `${v.validFrom} to ${v.validTo}`;
}

/** A quota is minutes and a period together, or neither; the minutes are positive. */
export function checkQuota(quota: { quotaMinutes: number | null; quotaPeriod: QuotaPeriod | null }): void {
  if ((quota.quotaMinutes === null) !== (quota.quotaPeriod === null)) {
    const missing = quota.quotaMinutes === null ? 'quotaMinutes' : 'quotaPeriod';
    throw new ValidationError(`${missing}: give quotaMinutes and quotaPeriod together, or neither.`, missing);
  }
  if (quota.quotaMinutes !== null && !(Number.isInteger(quota.quotaMinutes) && quota.quotaMinutes > 0 && quota.quotaMinutes <= maxQuotaMinutes)) {
    throw new ValidationError(`quotaMinutes: must be a positive whole number of minutes up to ${maxQuotaMinutes}, got ${quota.quotaMinutes}.`, 'quotaMinutes');
  }
}

/**
 * A change of quota terms that re-labels quota periods, in words; null when the periods stay as they are.
 * Time entries keep the first day of the period they drew from, and usage is summed by that day, so a new
 * period type (or a prepaid block that starts on another day) would leave drawn minutes uncounted.
 * The quota's size is no such change.
 */
export function quotaRelabelling(
  current: { quotaPeriod: QuotaPeriod | null; validFrom: string },
  next: { quotaPeriod: QuotaPeriod | null; validFrom: string },
): string | null {
  if (current.quotaPeriod !== next.quotaPeriod) return `changing quotaPeriod from ${current.quotaPeriod ?? 'none'} to ${next.quotaPeriod ?? 'none'}`;
  if (current.quotaPeriod === 'prepaid' && current.validFrom !== next.validFrom) {
    return `moving validFrom, where its prepaid block starts, from ${current.validFrom} to ${next.validFrom}`;
  }
  return null;
}

/** The columns are Postgres integers; these bounds keep any input inside them (and inside reason). */
export const maxCents = 2_000_000_000;
export const maxQuotaMinutes = 10_000_000;

/** At most 100,000.00 an hour: a whole day's work (1,440 minutes) at that rate still fits a line amount. */
export const maxRateCents = 10_000_000;

/** Money is integer cents and never negative. */
export function checkCents(value: number, field: string, max = maxCents): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${field}: must be a non-negative whole number of cents up to ${max}, got ${value}.`, field);
  }
}

const domainPattern = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;

/** Mail domains as intake matches them: lower case, without "@", each once. */
export function normaliseMailDomains(domains: readonly string[]): string[] {
  const normalised = [...new Set(domains.map((d) => d.trim().toLowerCase().replace(/^@/, '')).filter((d) => d.length > 0))];
  const bad = normalised.find((d) => !domainPattern.test(d));
  if (bad !== undefined) throw new ValidationError(`mailDomains: "${bad}" is not a mail domain.`, 'mailDomains');
  return normalised;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function checkEmail(email: string, field: string): string {
  const trimmed = email.trim();
  if (!emailPattern.test(trimmed) || trimmed.length > 254) throw new ValidationError(`${field}: "${email}" is not an e-mail address.`, field);
  return trimmed;
}

/** A business number (customer, contract, serial, ident): printable, no spaces at the ends, no slash (it sits in URLs). */
export function checkBusinessNumber(value: string, field: string): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 64 || !/^[\p{L}\p{N}][\p{L}\p{N}._\-+#: ]*$/u.test(trimmed)) {
    throw new ValidationError(`${field}: "${value}" is not a valid number (letters, digits, . _ - + # : and spaces, at most 64 characters).`, field);
  }
  return trimmed;
}

export function checkName(value: string, field: string, max = 200): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max || /[\u0000-\u001f\u007f]/.test(trimmed)) {
    throw new ValidationError(`${field}: must be 1-${max} characters without control characters.`, field);
  }
  return trimmed;
}

/** The support project of a contract, as migration 0007 named the existing ones. */
export function projectFor(contractNumber: string, kind: 'support' | 'maintenance'): { projectNumber: string; name: string } {
  return { projectNumber: `P-${contractNumber}`, name: `${kind === 'support' ? 'Support' : 'Maintenance'} ${contractNumber}` };
}
