// One Temporal connection per process, built at start-up and shared.
import { Client, Connection } from '@temporalio/client';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export interface Temporal {
  client: Client;
  connection: Connection;
  taskQueue: string;
  close(): Promise<void>;
}

export async function connectTemporal(settings: TemporalSettings): Promise<Temporal> {
  const connection = await Connection.connect({ address: settings.address });
  const client = new Client({ connection, namespace: settings.namespace });
  return { client, connection, taskQueue: settings.taskQueue, close: () => connection.close() };
}
