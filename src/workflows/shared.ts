// What every workflow here shares: domain errors as Temporal failures, the activity proxies of the
// follow-up workflows grouped by timeout profile, and how a follow-up records and notifies (commands: commands.ts).
import { ActivityFailure, ApplicationFailure, log, proxyActivities, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { dataErrorType, DomainError, IllegalTransition, ValidationError } from '../domain/errors.js';
import { standInEvent } from '../domain/incident/recording.js';
import { writableCopy } from '../domain/text.js';
import type { FollowUpRecord, FollowUpStep } from '../domain/follow-ups.js';
import type { Actor } from '../domain/kernel.js';
import { followUpSearchAttributes } from '../temporal/search-attributes.js';

/**
 * Runs domain code (a validator or a step). A domain error becomes a non-retryable failure of
 * the same type, with the field in its details, so the API can answer 400/403/409.
 */
export function validated<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof DomainError) {
      const field = err instanceof ValidationError || err instanceof IllegalTransition ? err.field : undefined;
      throw ApplicationFailure.create({ type: err.kind, message: err.message, nonRetryable: true, details: field ? [{ field }] : [] });
    }
    throw err;
  }
}

/** Why Postgres refused an activity's data (it failed non-retryably as a DataError), or undefined for any other failure. */
export function dataRefusal(err: unknown): string | undefined {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === dataErrorType ? err.cause.message : undefined;
}

/** What every follow-up workflow is started with beside its domain request. */
export type FollowUpStart = {
  /** The incident workflow that started this as its child; told when it ends. */
  parentWorkflowId?: string | undefined;
  openedBy: Actor;
};

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

/**
 * How a follow-up workflow records its steps and sends its notices: each step updates the search
 * attributes and the UI's current details, then goes to the timeline; notices run beside the
 * workflow's own timers, and `idle()` says none is in flight (the run may end).
 */
export function followUpRecorder<R extends FollowUpRecord>(describe: (record: R) => string) {
  let inFlight = 0;
  return {
    async record(s: FollowUpStep<R>): Promise<void> {
      upsertSearchAttributes(followUpSearchAttributes(s.record));
      setCurrentDetails(describe(s.record));
      try {
        await recordFollowUpEvent.executeWithOptions({ summary: `timeline: ${s.event.type}` }, [s]);
      } catch (err) {
        // Refused for its data: the step stays taken, the timeline says so, the follow-up goes on.
        const reason = dataRefusal(err);
        if (reason === undefined) throw err;
        log.error('follow-up timeline entry refused for its data; recorded as recording_failed', { workflowId: s.record.workflowId, seq: s.event.seq, reason });
        const standIn = { record: writableCopy(s.record), event: standInEvent(s.event, reason) };
        await recordFollowUpEvent.executeWithOptions({ summary: `timeline: recording_failed (${s.event.type})` }, [standIn]).catch((again: unknown) => {
          if (dataRefusal(again) === undefined) throw again;
          log.error('recording_failed entry refused as well', { workflowId: s.record.workflowId, seq: s.event.seq });
        });
      }
    },
    notify(s: FollowUpStep<R>, recipients: string[], subject: string, body: string): void {
      inFlight += 1;
      const notice = { workflowId: s.record.workflowId, seq: s.event.seq, recipients, subject, body, incidentNumber: s.record.incidentNumber };
      void notifyFollowUp
        .executeWithOptions({ summary: `notify ${recipients.join(', ')}: ${s.event.type}` }, [notice])
        .catch((err: unknown) => log.error('follow-up notification failed', { err, workflowId: s.record.workflowId, seq: s.event.seq }))
        .finally(() => (inFlight -= 1));
    },
    idle: () => inFlight === 0,
  };
}
