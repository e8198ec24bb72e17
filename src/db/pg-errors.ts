// Recognising Postgres constraint violations behind drizzle's wrapped errors, so services can
// answer a race that a constraint caught with a clear domain error instead of a 500.

/** The Postgres error behind a failed query (drizzle wraps it in `cause`). */
export function pgError(err: unknown): { code?: string; constraint_name?: string } {
  const e = err as { code?: string; cause?: unknown };
  return e.code ? e : ((e.cause as { code?: string; constraint_name?: string } | undefined) ?? {});
}

export const uniqueViolation = (err: unknown) => pgError(err).code === '23505';
export const fkViolation = (err: unknown) => pgError(err).code === '23503';
