import { z } from '@hono/zod-openapi';
import { isCalendarDay } from '../domain/calendar-dates.js';
import { anyControlCharacter, textProblem } from '../domain/text.js';

/** A JSON body or response of the schema, as route specs write their `content`. */
export const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

/** Refuses what text may not be: ill-formed Unicode (an unpaired surrogate) or control characters. */
const acceptableText = (controls?: RegExp) => (value: string, ctx: z.RefinementCtx) => {
  const problem = textProblem(value, controls);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
};

/** Text: well-formed Unicode without NUL and other control characters (tabs and line breaks are fine). */
export const text = (max: number) => z.string().trim().max(max).superRefine(acceptableText());
export const line = (max: number) => text(max).min(1);

/** A text filter in a query string: no control character at all (no line breaks either). */
export const queryText = (max: number) => z.string().trim().max(max).superRefine(acceptableText(anyControlCharacter));

/** A whole number in a query string: digits only, so `?offset=` is refused rather than read as 0. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .openapi({ type: 'integer', minimum: min, maximum: max });

/** The paging of a list: `limit` (default `fallback`, at most `maxLimit`) and `offset`. */
export const paging = (fallback: number, maxLimit: number, maxOffset = 10_000_000) => ({
  limit: queryInt(1, maxLimit).default(fallback),
  offset: queryInt(0, maxOffset).default(0),
});

/** A PATCH body: the fields to change, at least one of them. */
export const changes = <T extends z.ZodRawShape>(fields: T) =>
  z
    .strictObject(fields)
    .partial()
    .refine((body) => Object.values(body).some((v) => v !== undefined), { message: 'give at least one field to change' })
    .openapi({ minProperties: 1 });

/** The document's way to say "give at least one of these fields" (a refine it cannot see). */
export const anyOfRequired = (...fields: (string | string[])[]) => ({ anyOf: fields.map((f) => ({ required: Array.isArray(f) ? f : [f] })) });

/** A calendar day "YYYY-MM-DD": a real date (no 30 February) between 1900 and 9999 (the document says `format: date` and the years). */
export const calendarDay = z
  .string()
  .refine(isCalendarDay, 'expected a date YYYY-MM-DD between 1900 and 9999')
  .openapi({ format: 'date', pattern: '^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$', example: '2026-12-02' });

/** What the document states of an incident number checked by a refine: `INC-<year>-<6 digits>`, not 000000. */
export const incidentNumberDoc = { pattern: '^INC-[0-9]{4}-(?!0{6})[0-9]{6}$', example: 'INC-2026-000123' } as const;

/** The optional `Idempotency-Key` header of a create: a retry with the same key gets the first result. */
export const idempotencyHeader = (what: string) =>
  z.object({
    'idempotency-key': z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
      .optional()
      .openapi({ description: `Any unique string per intended ${what} (e.g. a UUID). A retry with the same key gets the same ${what} instead of a second one.` }),
  });

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

const descriptions = {
  400: 'Invalid input; `errors` names the fields.',
  401: 'Missing or invalid bearer token.',
  403: 'The token\'s role may not do this.',
  404: 'Not found.',
  409: 'Not allowed in the current state.',
  413: 'The request body is larger than the limit (API_BODY_LIMIT_BYTES).',
  422: 'The step was taken but its record was refused for its data; the timeline shows it as recording_failed.',
  503: 'A backing service is unavailable, or the workflow did not answer in time; `Retry-After` says when to try again.',
} as const;

/** OpenAPI response entries for the given problem statuses. */
export function problemResponses<S extends keyof typeof descriptions>(...statuses: S[]) {
  return Object.fromEntries(statuses.map((s) => [s, { description: descriptions[s], content: problemContent }])) as unknown as Record<
    S,
    { description: string; content: typeof problemContent }
  >;
}

/** One value or several: `?status=new&status=in_progress`, `?status=new,in_progress`, or both. */
export const oneOrSeveral = <T extends readonly [string, ...string[]]>(values: T, example: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((given, ctx) => {
      const parts = (Array.isArray(given) ? given : [given]).flatMap((part) => part.split(',')).map((part) => part.trim());
      const unknown = parts.filter((part) => !values.includes(part));
      if (unknown.length > 0 || parts.length > values.length * 4) {
        ctx.addIssue({ code: 'custom', message: `expected one or more of ${values.join(', ')}${unknown.length > 0 ? ` (not ${unknown.map((u) => JSON.stringify(u)).join(', ')})` : ''}` });
        return z.NEVER;
      }
      return [...new Set(parts)] as T[number][];
    })
    .openapi({ type: 'array', items: { type: 'string', enum: [...values] }, example, description: 'Repeat the parameter or separate values by commas; any of them matches.' });
