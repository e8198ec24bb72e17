// One Temporal connection per process, built at start-up and shared.
import { Client, Connection } from '@temporalio/client';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** How long a call waits for a workflow to take and answer an update or a query (ms). */
  updateTimeoutMs?: number;
}

/** The default of TEMPORAL_UPDATE_TIMEOUT_MS. */
export const defaultUpdateTimeoutMs = 10_000;

export interface Temporal {
  client: Client;
  connection: Connection;
  taskQueue: string;
  updateTimeoutMs?: number;
  close(): Promise<void>;
}

export async function connectTemporal(settings: TemporalSettings): Promise<Temporal> {
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({ connection, namespace: settings.namespace });
  return {
    client,
    connection,
    taskQueue: settings.taskQueue,
    ...(settings.updateTimeoutMs ? { updateTimeoutMs: settings.updateTimeoutMs } : {}),
    close: () => connection.close(),
  };
}

/**
 * Runs a wait on a workflow (an update, a query) with a deadline, so that a workflow that does not
 * answer (its worker down, a step stuck, Temporal's limit of updates in flight reached) never holds
 * an API request open: every gRPC call inside fails with DEADLINE_EXCEEDED once it has passed.
 */
export function withWorkflowDeadline<T>(temporal: Temporal, wait: () => Promise<T>): Promise<T> {
  const ms = temporal.updateTimeoutMs ?? defaultUpdateTimeoutMs;
  return temporal.connection ? temporal.connection.withDeadline(Date.now() + ms, wait) : wait();
}
