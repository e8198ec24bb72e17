// An activity that fails on its data fails for good: a retry of the same input meets the same
// refusal, forever, and holds up everything behind it (an incident's updates queue behind a
// timeline write that Postgres refuses). Such a failure is non-retryable, of type DataError, so
// the workflow sees it at once and can record it.
import { ApplicationFailure } from '@temporalio/common';
import { pgError } from '../db/pg-errors.js';
import { dataErrorType } from '../domain/errors.js';

/**
 * SQLSTATE classes of refusals that depend on the data alone: class 22 (data exception: bad JSON,
 * an unpaired surrogate, NUL, a value out of range) and the constraint checks no retry can pass
 * (not null, check). A unique or foreign-key violation can come from a race that a retry resolves.
 */
function isDataRefusal(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('22') || code === '23502' || code === '23514');
}

/** Postgres' refusal of the data, as a non-retryable failure; any other error as it is. */
export function asDataFailure(err: unknown): unknown {
  const pg = pgError(err) as { code?: string; message?: string };
  if (!isDataRefusal(pg.code)) return err;
  const message = `Postgres refused the data (SQLSTATE ${pg.code}): ${pg.message ?? (err instanceof Error ? err.message : String(err))}`;
  return ApplicationFailure.create({ type: dataErrorType, message, nonRetryable: true, cause: err instanceof Error ? err : undefined });
}

type Activity = (...args: never[]) => Promise<unknown>;

/**
 * Every activity of the object, with Postgres' refusals of its data made non-retryable, except
 * `keepRetrying`: an IMAP session (pollMailbox) stores many mails, and one refused mail must not
 * end the mailbox's workflow; the session is retried with backoff as before.
 */
export function failingOnDataForGood<T extends Record<string, Activity>>(activities: T, keepRetrying: readonly (keyof T)[] = []): T {
  const wrapped: Record<string, Activity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    if (keepRetrying.includes(name)) {
      wrapped[name] = activity;
      continue;
    }
    wrapped[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (err) {
        throw asDataFailure(err);
      }
    };
  }
  return wrapped as T;
}
