// Sends commands to an incident's workflow as updates and maps their failures to domain errors.
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import { domainErrorFromKind, IllegalTransition, NotFound } from '../domain/errors.js';
import type { IncidentState } from '../domain/incident.js';
import { incidentWorkflowId } from '../domain/ticket-number.js';
import type { Temporal } from '../temporal/client.js';
import { getStateQuery } from '../workflows/incident/messages.js';

function handleOf(temporal: Temporal, number: string): WorkflowHandle {
  return temporal.client.workflow.getHandle(incidentWorkflowId(number));
}

function isNotFound(err: unknown): boolean {
  if (err instanceof WorkflowNotFoundError) return true;
  // Updates and queries on a completed workflow fail with gRPC NOT_FOUND (5) or FAILED_PRECONDITION (9).
  const code = (err as { code?: unknown }).code;
  return code === 5 || (err instanceof Error && /workflow execution already completed/i.test(err.message));
}

export async function sendIncidentCommand<Input>(
  temporal: Temporal,
  number: string,
  update: UpdateDefinition<IncidentState, [Input]>,
  input: Input,
): Promise<IncidentState> {
  try {
    return await handleOf(temporal, number).executeUpdate(update, { args: [input] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const mapped = domainErrorFromKind(err.cause.type, err.cause.message);
      if (mapped) throw mapped;
    }
    if (isNotFound(err)) {
      throw new IllegalTransition(`Incident ${number} is no longer open for changes (its workflow has ended).`);
    }
    throw err;
  }
}

/** The live state from the workflow, for incidents whose projection is not written yet. */
export async function queryIncidentState(temporal: Temporal, number: string): Promise<IncidentState> {
  try {
    return await handleOf(temporal, number).query(getStateQuery);
  } catch (err) {
    if (isNotFound(err)) throw new NotFound(`Incident ${number} does not exist.`);
    throw err;
  }
}
