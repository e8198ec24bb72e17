// The rules for text that enters the house: well-formed Unicode without control characters.
// Postgres refuses NUL in text and JSON, and an unpaired surrogate in JSON; either would fail
// every write of the record that carries it, so such text is refused at the edge (or, for mail,
// repaired) and never reaches a workflow or an activity.
import { ValidationError } from './errors.js';

/** Control characters that text may not contain (tabs and line breaks are fine). */
export const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/** Control characters that a query-string value or a key may not contain: all of them. */
export const anyControlCharacter = /[\u0000-\u001F\u007F]/;

/** Why a string is not acceptable text, or undefined when it is. */
export function textProblem(value: string, controls: RegExp = controlCharacters): string | undefined {
  if (!value.isWellFormed()) return 'must be well-formed Unicode (it contains an unpaired surrogate)';
  if (controls.test(value)) return 'must not contain control characters';
  return undefined;
}

/** A non-empty trimmed text of at most `max` characters, or a ValidationError naming the field. */
export function nonBlank(value: string | undefined | null, field: string, max: number): string {
  const trimmed = (value ?? '').trim();
  if (trimmed === '') throw new ValidationError(`${field} must not be empty.`, field);
  if (trimmed.length > max) throw new ValidationError(`${field} is longer than ${max} characters.`, field);
  const problem = textProblem(trimmed);
  if (problem) throw new ValidationError(`${field} ${problem}.`, field);
  return trimmed;
}

const strippedControls = new RegExp(controlCharacters.source, 'g');

/** The text as Postgres can store it: unpaired surrogates become U+FFFD, control characters go. */
export function writableText(value: string): string {
  return value.toWellFormed().replace(strippedControls, '');
}

/** A JSON-like value with every string (and key) made writable; the same object when nothing changes. */
export function writableCopy<T>(value: T): T {
  if (typeof value === 'string') return writableText(value) as T;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => writableCopy(item));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const entries = Object.entries(value).map(([key, item]) => {
      const [k, v] = [writableText(key), writableCopy(item as unknown)];
      if (k !== key || v !== item) changed = true;
      return [k, v] as const;
    });
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}

/**
 * The first string in a parsed JSON value (keys included) that is not acceptable text, with
 * its path (`contacts.2.name`), or undefined.
 */
export function findTextProblem(value: unknown, path: string[] = []): { field: string; message: string } | undefined {
  const at = (p: string[]) => p.join('.') || 'body';
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { field: at(path), message } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findTextProblem(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const keyProblem = textProblem(key, anyControlCharacter);
      if (keyProblem) return { field: at([...path, key.toWellFormed()]), message: `the field name ${keyProblem}` };
      const found = findTextProblem(item, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}
