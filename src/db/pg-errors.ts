// Recognising Postgres constraint violations behind drizzle's wrapped errors, so services can
// answer a race that a constraint caught with a clear domain error instead of a 500.

/** The Postgres error behind a failed query (drizzle wraps it in `cause`). */
export function pgError(err: unknown): { code?: string; constraint_name?: string } {
  const e = err as { code?: string; cause?: unknown };
  return e.code ? e : ((e.cause as { code?: string; constraint_name?: string } | undefined) ?? {});
}

export const uniqueViolation = (err: unknown) => pgError(err).code === '23505';
export const fkViolation = (err: unknown) => pgError(err).code === '23503';

/*
 * Whether an error means Postgres cannot be reached right now (down, restarting, refusing new
 * connections), as opposed to a query that failed on its data: the API answers the first with 503
 * and Retry-After, so clients and proxies try again, not with a 500.
 */
const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  // postgres.js' own codes for a connection that went away or never came
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);
// SQLSTATE: 08 connection exception; 57P01-57P03 admin/crash shutdown, cannot connect now; 53300 too many connections.
const unavailableStates = /^(08...|57P0[123]|53300)$/;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (connectionCodes.has(code) || unavailableStates.test(code))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
  }
  return false;
}
