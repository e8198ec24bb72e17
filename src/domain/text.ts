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
  // Control characters only: this runs in workflow handlers too, and a history from before the
  // well-formedness check (requireWellFormedText, in the validators) must replay as it ran.
  if (controlCharacters.test(trimmed)) throw new ValidationError(`${field} must not contain control characters.`, field);
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

/** How deep a JSON body may nest: no form of ours goes beyond a handful of levels. */
export const maxJsonDepth = 64;

/**
 * The first string in a parsed JSON value (keys included) that is not acceptable text, with its
 * path (`contacts.2.name`), or undefined. `controls: null` checks well-formedness only. Walked
 * with a stack of its own, so a body nested 300,000 deep is a 400, not a stack overflow.
 */
export function findTextProblem(value: unknown, controls: RegExp | null = controlCharacters): { field: string; message: string } | undefined {
  const at = (p: string[]) => p.join('.') || 'body';
  const check = (text: string, keys: RegExp | null) => (controls === null ? (text.isWellFormed() ? undefined : textProblem(text)) : textProblem(text, keys ?? controls));
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: item, path } = stack.pop()!;
    if (path.length > maxJsonDepth) return { field: at(path.slice(0, maxJsonDepth)), message: `nests deeper than ${maxJsonDepth} levels` };
    if (typeof item === 'string') {
      const message = check(item, null);
      if (message) return { field: at(path), message };
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], path: [...path, String(i)] });
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (const [key] of entries) {
        const keyProblem = check(key, anyControlCharacter);
        if (keyProblem) return { field: at([...path, key.toWellFormed()]), message: `the field name ${keyProblem}` };
      }
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
  }
  return undefined;
}

/**
 * Refuses a command whose text is not well-formed Unicode, naming the field. For workflow update
 * validators: they run before a command enters history and never on replay, so histories from
 * before this check (a note with an unpaired surrogate) replay as they ran.
 */
export function requireWellFormedText(value: unknown): void {
  const found = findTextProblem(value, null);
  if (found) throw new ValidationError(`${found.field} ${found.message}.`, found.field);
}
