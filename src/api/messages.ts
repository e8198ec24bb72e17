// The one place that turns zod issues into sentences people understand: "title is required",
// "priority must be one of P1, P2, P3, P4", `unknown field "priorty"; did you mean "priority"?`.
// A message a schema sets itself (a refine, `.regex(re, 'expected ...')`) is kept as it is, led by
// the field it is about where it does not name it already. Used by the routers' validation hook
// (createRouter) and by every handler that checks a body with a schema of its own.
import { z } from '@hono/zod-openapi';
import type { ZodError } from 'zod';

type Issue = z.core.$ZodIssue;

/** One refused field: its dotted path (the unknown key's own path for an unknown field) and a sentence naming it. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** Where the input came from, as the validators name it; `json` is the request body. */
export type InputTarget = 'json' | 'query' | 'param' | 'header' | 'cookie' | 'form' | (string & {});

const targetNames: Record<string, { label: string; field: string }> = {
  json: { label: 'request body', field: 'body' },
  form: { label: 'form', field: 'body' },
  query: { label: 'query', field: 'query' },
  param: { label: 'path', field: 'path' },
  header: { label: 'headers', field: 'headers' },
  cookie: { label: 'cookies', field: 'cookies' },
};

/** "request body", "query", "path", ... for the start of a detail: "Invalid request body: ...". */
export const targetLabel = (target: InputTarget) => targetNames[target]?.label ?? target;

// An unknown-field issue carries only the unknown keys; the object schema that refused them (and so
// its known keys, for "did you mean") is seen only while zod builds the issue. It is remembered here,
// by the issue's `keys` array (the built issue keeps that very array), and the default message kept.
const knownKeysOf = new WeakMap<readonly PropertyKey[], string[]>();
const previous = z.config().customError;
z.config({
  customError: (issue) => {
    if (issue.code === 'unrecognized_keys') {
      // An object knows its shape; a record keyed by an enum (targets per priority) its key values.
      const def = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown>; keyType?: { _zod?: { values?: Set<unknown> } } } } } | undefined)?._zod?.def;
      const known = def?.shape ? Object.keys(def.shape) : [...(def?.keyType?._zod?.values ?? [])].map(String);
      knownKeysOf.set(issue.keys, known);
    }
    return previous?.(issue);
  },
});

/**
 * Each issue of `error` as a field and a sentence, unknown fields first; `input` (what was validated)
 * tells a missing field from a wrong one. An object with an unknown field does not also complain
 * through its own refines about a field that is missing or about itself (zod runs them anyway): a
 * misspelled `serialnumber` is named as such, not as "give customerNumber, serialNumber, ...".
 */
export function describeIssues(error: ZodError | { issues: readonly Issue[] }, target: InputTarget, input?: unknown): FieldProblem[] {
  const issues = error.issues as readonly Issue[];
  const withUnknownKeys = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => i.path.map(String).join('.')));
  const consequence = (issue: Issue) => {
    if (issue.code !== 'custom' || withUnknownKeys.size === 0) return false;
    const path = issue.path.map(String);
    if (withUnknownKeys.has(path.join('.'))) return true;
    return withUnknownKeys.has(path.slice(0, -1).join('.')) && valueAt(input, issue.path) === undefined;
  };
  const kept = issues.filter((issue) => !consequence(issue));
  const ordered = [...kept.filter((i) => i.code === 'unrecognized_keys'), ...kept.filter((i) => i.code !== 'unrecognized_keys')];
  return ordered.flatMap((issue) => describeIssue(issue, target, input));
}

/** "Invalid request body: title is required; priority must be one of P1, P2, P3, P4". */
export function describeProblems(problems: readonly FieldProblem[], target: InputTarget): string {
  return `Invalid ${targetLabel(target)}: ${problems.map((p) => p.message).join('; ')}`;
}

function describeIssue(issue: Issue, target: InputTarget, input: unknown): FieldProblem[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysOf.get(issue.keys) ?? [];
    return issue.keys.map((key) => {
      const field = [...path, key].join('.');
      const suggestion = closest(key, known);
      const message = suggestion ? `unknown field "${field}"; did you mean "${[...path, suggestion].join('.')}"?` : `unknown field "${field}"`;
      return { field, message };
    });
  }
  const field = path.length > 0 ? path.join('.') : (targetNames[target]?.field ?? target);
  const subject = path.length > 0 ? field : `the ${targetLabel(target)}`;
  const value = valueAt(input, issue.path);
  if (!isDefaultMessage(issue, value)) return [{ field, message: withField(issue.message, field, subject) }];
  return [{ field, message: `${subject} ${predicate(issue, value, target)}` }];
}

/** A schema's own message, led by the field unless it names it: "offset: expected a whole number". */
function withField(message: string, field: string, subject: string): string {
  if (subject.startsWith('the ')) return message; // about the whole input: "give at least one field to change"
  // It names the field when it starts with it, or holds it where it cannot be a plain word (customerNumber, not number).
  const last = field.split('.').at(-1)!;
  const named = message.startsWith(`${field} `) || message.startsWith(`${last} `) || (/[A-Z0-9_]/.test(last) && new RegExp(`(^|[^\\w])${escapeRegExp(last)}([^\\w]|$)`).test(message));
  if (named) return message;
  return /^(must|is|has|should|may|cannot|can't)\b/.test(message) ? `${subject} ${message}` : `${subject}: ${message}`;
}

/** Whether zod wrote the message itself (its locale), not the schema. */
function isDefaultMessage(issue: Issue, input: unknown): boolean {
  const locale = z.config().localeError;
  if (!locale) return issue.message === 'Invalid input';
  const made = locale({ ...issue, input } as never);
  const text = typeof made === 'string' ? made : made?.message;
  if (text === issue.message) return true;
  // Without the input at hand an invalid_type message still reads "Invalid input: expected ...".
  return issue.code === 'invalid_type' && issue.message.startsWith(`Invalid input: expected ${issue.expected}`);
}

/** What a value of the issue must be, as the end of a sentence about the field. */
function predicate(issue: Issue, value: unknown, target: InputTarget): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'is required';
      if (target === 'query' && Array.isArray(value)) return 'must be given once';
      return `must be ${kindName(issue.expected)}${value === null ? ', not null' : ''}`;
    case 'too_small':
      return sizeRule(issue.origin, 'least', issue.minimum, issue.inclusive);
    case 'too_big':
      return sizeRule(issue.origin, 'most', issue.maximum, issue.inclusive);
    case 'invalid_format':
      return formatRule(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${show(issue.values[0])}` : `must be one of ${issue.values.map(show).join(', ')}`;
    case 'invalid_union': {
      const withOptions = issue as Issue & { options?: unknown[] };
      if (withOptions.options?.length) return `must be one of ${withOptions.options.map(show).join(', ')}`;
      const alternatives = issue.errors.map((branch) => (branch.length === 1 && branch[0]!.path.length === 0 ? predicate(branch[0]!, value, target).replace(/^must be /, '') : null));
      if (alternatives.length > 0 && alternatives.every((a) => a !== null)) return `must be ${[...new Set(alternatives)].join(' or ')}`;
      return 'does not match any of the allowed forms';
    }
    case 'invalid_key':
      return `has an invalid key (${issue.issues.map((i) => predicate(i, undefined, target)).join('; ')})`;
    case 'invalid_element':
      return `has an invalid entry (${issue.issues.map((i) => predicate(i, undefined, target)).join('; ')})`;
    case 'unrecognized_keys':
      return `has unknown fields ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'custom':
      return 'is invalid';
    default:
      return 'is invalid';
  }
}

const kindNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  date: 'a date',
  symbol: 'a symbol',
  undefined: 'left out',
  never: 'left out',
};
const kindName = (expected: string) => kindNames[expected] ?? `a ${expected}`;

function sizeRule(origin: string, bound: 'least' | 'most', limit: number | bigint | Date, inclusive: boolean | undefined): string {
  const n = Number(limit);
  switch (origin) {
    case 'string':
      if (bound === 'least' && n === 1 && inclusive !== false) return 'must not be empty';
      return `must be at ${bound} ${plural(inclusive === false ? (bound === 'least' ? n + 1 : n - 1) : n, 'character')} long`;
    case 'array':
    case 'set':
    case 'file':
      if (bound === 'least' && n === 1 && inclusive !== false) return 'must not be empty';
      return `must have at ${bound} ${plural(inclusive === false ? (bound === 'least' ? n + 1 : n - 1) : n, origin === 'file' ? 'byte' : 'entry', 'entries')}`;
    case 'date':
      return `must be ${bound === 'least' ? 'on or after' : 'on or before'} ${new Date(n).toISOString()}`;
    default:
      if (inclusive === false) return `must be ${bound === 'least' ? 'greater' : 'less'} than ${String(limit)}`;
      return `must be at ${bound} ${String(limit)}`;
  }
}
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const formats: Record<string, string> = {
  email: 'an e-mail address such as name@example.com',
  uuid: 'a UUID such as 3f1c2a9e-8b4d-4c6e-9a7f-1d2e3f4a5b6c',
  guid: 'a UUID such as 3f1c2a9e-8b4d-4c6e-9a7f-1d2e3f4a5b6c',
  datetime: 'an ISO 8601 date-time such as 2026-12-02T09:00:00Z',
  date: 'a date such as 2026-12-02',
  time: 'a time such as 09:00',
  duration: 'an ISO 8601 duration such as PT1H30M',
  url: 'a URL such as https://example.com',
  ipv4: 'an IPv4 address',
  ipv6: 'an IPv6 address',
  cidrv4: 'an IPv4 range such as 10.0.0.0/8',
  cidrv6: 'an IPv6 range',
  base64: 'base64 text',
  base64url: 'base64url text',
  json_string: 'a JSON text',
  e164: 'a phone number such as +4922112345',
  jwt: 'a JSON Web Token',
  emoji: 'an emoji',
  lowercase: 'lower case',
  uppercase: 'upper case',
};

function formatRule(issue: z.core.$ZodIssueInvalidStringFormat): string {
  const withText = issue as typeof issue & { prefix?: string; suffix?: string; includes?: string };
  switch (issue.format) {
    case 'starts_with':
      return `must start with "${withText.prefix ?? ''}"`;
    case 'ends_with':
      return `must end with "${withText.suffix ?? ''}"`;
    case 'includes':
      return `must contain "${withText.includes ?? ''}"`;
    case 'regex':
      return `must match the pattern ${issue.pattern ?? ''}`.trimEnd();
    default:
      return `must be ${formats[issue.format] ?? `a valid ${issue.format}`}`;
  }
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The known name `name` most likely meant: the same but for case, or within a small edit distance. */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameButCase = known.find((k) => k.toLowerCase() === lower);
  if (sameButCase) return sameButCase;
  // Short names only by case: "p5" is not a misspelt "P1".
  const allowed = name.length < 4 ? 0 : Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(lower, key.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) best = { key, distance };
  }
  return best?.key;
}

/** Damerau-Levenshtein (optimal string alignment): a swap of two neighbours counts once. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}
