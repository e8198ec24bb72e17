// One error path: every failure becomes RFC 9457 application/problem+json.
import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { DomainError, IllegalTransition, Unavailable, ValidationError } from '../domain/errors.js';
import { isDatabaseUnavailable } from '../db/pg-errors.js';
import type { AppEnv } from './context.js';
import { describeIssues, describeProblems, type InputTarget } from './messages.js';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
  /** Not serialised: the Retry-After header of a 503. */
  retryAfterSeconds?: number;
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problem(c: Context<AppEnv>, status: ContentfulStatusCode, detail: string, extra: Partial<Problem> = {}): Response {
  const { retryAfterSeconds: _retryAfter, ...fields } = extra;
  const body: Problem = {
    type: 'about:blank',
    title: titles[status] ?? 'Error',
    status,
    detail,
    instance: c.req.path,
    requestId: c.get('requestId'),
    ...fields,
  };
  if (status === 401) c.header('WWW-Authenticate', 'Bearer');
  // Every 503 says when to try again (a backing service away, a workflow that did not answer in time).
  if (status === 503) c.header('Retry-After', String(extra.retryAfterSeconds ?? 5));
  return c.body(JSON.stringify(body), status, { 'Content-Type': 'application/problem+json' });
}

/** A 400 for input that failed its schema: every issue as `{ field, message }`, the sentences in `detail`. */
export function validationProblem(c: Context<AppEnv>, error: ZodError, target: InputTarget, input?: unknown): Response {
  const errors = describeIssues(error, target, input);
  return problem(c, 400, describeProblems(errors, target), { errors });
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  if (err instanceof DomainError) {
    const extra: Partial<Problem> = (err instanceof ValidationError || err instanceof IllegalTransition) && err.field ? { errors: [{ field: err.field, message: err.message }] } : {};
    if (err instanceof Unavailable) extra.retryAfterSeconds = err.retryAfterSeconds;
    return problem(c, err.status, err.message, extra);
  }
  if (err instanceof HTTPException) {
    const message = err.message || titles[err.status] || 'Error';
    return problem(c, err.status, message);
  }
  if (isDatabaseUnavailable(err)) {
    c.get('logger')?.warn({ err }, 'Postgres is not reachable: answered 503');
    return problem(c, 503, 'The database is not reachable at the moment; try again shortly.', { retryAfterSeconds: 5 });
  }
  c.get('logger')?.error({ err }, 'unhandled error');
  return problem(c, 500, 'An unexpected error occurred; it has been logged with the request id.');
};
