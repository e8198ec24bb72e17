// The edge of every route: a body limit, and text that is well-formed Unicode without control
// characters in the query string, the path and every string of a JSON body (its keys too). Checked
// here once, before any router, so no route (including one added later) can let such text through
// to Postgres or into a workflow's history, where it would fail every write of its record.
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { every, except } from 'hono/combine';
import { anyControlCharacter, findTextProblem, textProblem } from '../domain/text.js';
import type { AppEnv } from './context.js';
import { targetLabel } from './messages.js';
import { problem } from './problem.js';

/** The default limit of a JSON body: 1 MiB (API_BODY_LIMIT_BYTES). */
export const defaultBodyLimitBytes = 1024 * 1024;

/** Routes with a limit of their own: raw mail (the mailgate), the imports and the knowledge base's attachments. They take no JSON, and read the raw body themselves. */
const ownLimits = ['/api/inbound/*', '/api/import/*', '/api/kb/articles/:id/attachments'];

export function apiBodyLimit(maxBytes = defaultBodyLimitBytes): MiddlewareHandler<AppEnv> {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => problem(c as Context<AppEnv>, 413, `The request body is larger than ${formatBytes(maxBytes)}.`),
  });
  // The portal's forms carry files: it sets its own limit (PORTAL_UPLOAD_LIMIT_BYTES).
  return except([...ownLimits, '/portal/*'], limit);
}

const formatBytes = (bytes: number) => (bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

/** A 400 in the words of every validation problem (src/api/messages.ts): "Invalid query: q must not contain control characters". */
function refused(c: Context<AppEnv>, where: 'param' | 'query' | 'json', field: string, message: string): Response {
  const sentence = message.startsWith('the ') ? `${message} (${field})` : `${field} ${message}`;
  return problem(c, 400, `Invalid ${targetLabel(where)}: ${sentence}`, { errors: [{ field, message: sentence }] });
}

/** The path and the query string: no control character at all, and well-formed Unicode. */
const wellFormedAddress: MiddlewareHandler<AppEnv> = async (c, next) => {
  for (const segment of new URL(c.req.url).pathname.split('/')) {
    const message = textProblem(decodedAsTheRouterDoes(segment), anyControlCharacter);
    if (message) return refused(c, 'param', 'path', message);
  }
  for (const [key, values] of Object.entries(c.req.queries())) {
    const keyProblem = textProblem(key, anyControlCharacter);
    if (keyProblem) return refused(c, 'query', key.toWellFormed(), `the parameter name ${keyProblem}`);
    for (const value of values) {
      const message = textProblem(value, anyControlCharacter);
      if (message) return refused(c, 'query', key, message);
    }
  }
  return next();
};

/** A path segment decoded as Hono's router decodes it: each run of valid %XX groups, the rest as it is. */
const decodedAsTheRouterDoes = (segment: string) =>
  segment.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });

/** Every string and key of a JSON body: well-formed Unicode, no control characters but tabs and line breaks. */
const wellFormedJson: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!isJson(c.req.header('content-type'))) return next();
  let body: unknown;
  try {
    // Read as text (which Hono keeps), so a later reader still gets the text of a malformed body.
    body = JSON.parse(await c.req.text());
  } catch {
    return next(); // Not JSON after all: the route's validator names that.
  }
  const found = findTextProblem(body);
  if (found) return refused(c, 'json', found.field, found.message);
  return next();
};

/** The check of every request; the mailgate and the CSV import read and check their raw bodies themselves. */
export const wellFormedInput = every(wellFormedAddress, except(ownLimits, wellFormedJson));

const isJson = (type: string | undefined) => type !== undefined && /^application\/([\w.+-]*\+)?json\b/i.test(type);

/** A media type the JSON validator reads: `application/json` or `application/<x>+json`, parameters allowed. */
export const isJsonType = (type: string) => /^application\/([\w.-]+\+)?json$/i.test(type.split(';')[0]!.trim());

const sendJson = 'send it as JSON with Content-Type: application/json';

/**
 * The body of a route that takes JSON: sent with a JSON Content-Type (else 415, also when the header
 * is missing, where the validator would quietly read `{}`), not empty and parseable (else 400).
 */
export function jsonBodyGate(required: boolean): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type');
    // An optional body left out: no body at all, or (over HTTP, as `curl -X POST` sends it) an empty one.
    if (!required && type === undefined && (c.req.raw.body === null || (await c.req.text()) === '')) return next();
    if (type === undefined || !isJsonType(type)) {
      const message = type === undefined ? `the request body has no Content-Type; ${sendJson}` : `the request body is ${type.split(';')[0]!.trim() || 'of no type'}; ${sendJson}`;
      return problem(c as Context<AppEnv>, 415, `${message.charAt(0).toUpperCase()}${message.slice(1)}.`, { errors: [{ field: 'Content-Type', message }] });
    }
    const raw = await c.req.text();
    if (raw.trim() === '') return problem(c as Context<AppEnv>, 400, 'The request body is empty; send a JSON object.', { errors: [{ field: 'body', message: 'the request body is empty' }] });
    try {
      JSON.parse(raw);
    } catch (err) {
      const message = `the request body is not valid JSON (${(err as Error).message})`;
      return problem(c as Context<AppEnv>, 400, `${message.charAt(0).toUpperCase()}${message.slice(1)}.`, { errors: [{ field: 'body', message }] });
    }
    return next();
  };
}
