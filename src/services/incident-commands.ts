// Sends commands to an incident's workflow as updates and maps their failures to domain errors.
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { domainErrorFromKind, IllegalTransition, NotFound, Unavailable } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident/state.js';
import { incidentWorkflowId } from '../domain/workflow-ids.js';
import { defaultUpdateTimeoutMs, withWorkflowDeadline, type Temporal } from '../temporal/client.js';
import { getStateQuery } from '../workflows/incident/messages.js';

function handleOf(temporal: Temporal, number: string): WorkflowHandle {
  return temporal.client.workflow.getHandle(incidentWorkflowId(number));
}

const grpc = { notFound: 5, deadlineExceeded: 4, resourceExhausted: 8, unavailable: 14 } as const;
/** The gRPC status behind an error: the client wraps it in `cause` once or twice. */
function codeOf(err: unknown): unknown {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

/** The workflow does not exist, or has ended and takes no more updates. */
export function isNotFound(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  // Updates and queries on a completed workflow fail with gRPC NOT_FOUND or this message.
  return codeOf(err) === grpc.notFound || (err instanceof Error && /workflow execution already completed/i.test(err.message));
}

/** The wait passed its deadline. */
function isTimedOut(err: unknown): boolean {
  const code = codeOf(err);
  return err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || code === grpc.deadlineExceeded;
}

/** Temporal could not be reached: worth a retry, not a 500. */
function isUnavailable(err: unknown): boolean {
  return codeOf(err) === grpc.unavailable || (err instanceof Error && /ECONNREFUSED|Connection dropped|UNAVAILABLE/i.test(err.message));
}

function fieldOf(failure: ApplicationFailure): string | undefined {
  const detail = failure.details?.[0] as { field?: unknown } | undefined;
  return typeof detail?.field === 'string' ? detail.field : undefined;
}

export async function sendIncidentCommand<Input>(
  temporal: Temporal,
  number: string,
  update: UpdateDefinition<IncidentState, [Input]>,
  input: Input,
  options: { updateId?: string } = {},
): Promise<IncidentState> {
  try {
    // With an updateId, Temporal runs a repeated update only once and answers with the first result.
    return await withWorkflowDeadline(temporal, () =>
      handleOf(temporal, number).executeUpdate(update, { args: [input], ...(options.updateId ? { updateId: options.updateId } : {}) }),
    );
  } catch (err) {
    throw commandError(err, `incident ${number}`, temporal);
  }
}

/**
 * Hands a command to the workflow and returns once it is accepted (validated and in the history),
 * without waiting for the timeline write: for callers that need no result, such as mail ingestion.
 */
export async function submitIncidentCommand<Input>(temporal: Temporal, number: string, update: UpdateDefinition<IncidentState, [Input]>, input: Input, options: { updateId: string }): Promise<void> {
  try {
    await withWorkflowDeadline(temporal, () => handleOf(temporal, number).startUpdate(update, { args: [input], updateId: options.updateId, waitForStage: WorkflowUpdateStage.ACCEPTED }));
  } catch (err) {
    throw commandError(err, `incident ${number}`, temporal);
  }
}

/** A failed update as a domain error: the workflow's own refusal, an ended workflow, or Temporal away. `what`: "incident INC-…". */
export function commandError(err: unknown, what: string, temporal?: Temporal): unknown {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const mapped = domainErrorFromKind(err.cause.type, err.cause.message, fieldOf(err.cause));
    if (mapped) return mapped;
  }
  if (isNotFound(err)) return new IllegalTransition(`${capitalised(what)} is no longer open for changes (its workflow has ended).`);
  if (codeOf(err) === grpc.resourceExhausted) return new Unavailable(`${capitalised(what)} has too many steps in flight; this one was not taken. Try again shortly.`, 5);
  if (isTimedOut(err)) {
    const seconds = Math.round((temporal?.updateTimeoutMs ?? defaultUpdateTimeoutMs) / 1000);
    return new Unavailable(`${capitalised(what)} did not answer within ${seconds} s; the step may still be taken when its workflow gets to it. Send it again with the same Idempotency-Key to have it taken once, or look at the incident first.`, 5);
  }
  if (isUnavailable(err)) return new Unavailable(`Temporal is not reachable; ${what} was not changed. Try again shortly.`);
  return err;
}

const capitalised = (what: string) => `${what.charAt(0).toUpperCase()}${what.slice(1)}`;

/** The live state from the workflow, for incidents whose projection is not written yet. */
export async function queryIncidentState(temporal: Temporal, number: string): Promise<IncidentState> {
  try {
    return await withWorkflowDeadline(temporal, () => handleOf(temporal, number).query(getStateQuery));
  } catch (err) {
    if (isNotFound(err)) throw new NotFound(`Incident ${number} does not exist.`);
    // Whatever else Temporal answers a query with (its own query timeout with no worker to ask, a
    // cancelled call) is a read to try again, not a 500.
    if (isUnavailable(err) || isTimedOut(err) || err instanceof ServiceError) throw new Unavailable(`The workflow of incident ${number} could not be read (Temporal away, or no worker answered in time). Try again shortly.`);
    throw err;
  }
}
