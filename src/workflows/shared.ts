// What every workflow here shares: domain errors as Temporal failures, and the activity proxies
// of the follow-up workflows grouped by timeout profile.
import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { DomainError, ValidationError } from '../domain/errors.js';

/**
 * Runs domain code (a validator or a step). A domain error becomes a non-retryable failure of
 * the same type, with the field in its details, so the API can answer 400/403/409.
 */
export function validated<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof DomainError) {
      const field = err instanceof ValidationError ? err.field : undefined;
      throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true, details: field ? [{ field }] : [] });
    }
    throw err;
  }
}

type Activities = ReturnType<typeof createActivities>;

/** The timeline and projection of a follow-up, and master data updates: quick, retried until the database answers. */
export const { recordFollowUpEvent, applyHardwareChange } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Mail can be down for a while: bounded retries (about a day) beside the follow-up's own timers. */
export const { notifyFollowUp } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 150 },
});
