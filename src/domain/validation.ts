// The field checks that every domain module shares; each throws a ValidationError naming the field.
import { ValidationError } from './errors.js';

export { nonBlank } from './text.js';

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO instant with an explicit offset or Z (a local time would be read in the server's zone), as epoch ms. */
export function instant(value: string | undefined, field: string): number {
  const ms = typeof value === 'string' && isoInstant.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) throw new ValidationError(`${field} must be an ISO instant with a time zone, e.g. 2026-11-12T08:00:00Z.`, field);
  return ms;
}

/** A whole number from `min` to `max` (unbounded above unless given). */
export function wholeNumber(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${field} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}.`, field);
  }
  return value;
}

/** One of the allowed values, e.g. of an `as const` enumeration. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) throw new ValidationError(`${field} must be one of ${allowed.join(', ')}.`, field);
  return value as T;
}
