// The real stack for one integration test file: its own Temporal dev server, a fresh
// database, a worker on a unique task queue, and the Hono app (called in-process).
import { randomUUID } from 'node:crypto';
import type { Worker} from '@temporalio/worker';
import { NativeConnection, bundleWorkflowCode } from '@temporalio/worker';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { ActivityDeps } from '../../src/activities/index.js';
import { createApp } from '../../src/api/app.js';
import type { ApiServices } from '../../src/api/context.js';
import type { Database } from '../../src/db/client.js';
import { startTemporalDevServer, type RunningDevServer } from '../../src/infra/temporal-dev-server.js';
import { connectTemporal, type Temporal } from '../../src/temporal/client.js';
import { ensureSearchAttributes } from '../../src/temporal/namespace-setup.js';
import { createHelpdeskWorker, workflowsPath } from '../../src/worker.js';
import { createTestDatabase } from './database.js';
import { ensureGroups } from './users.js';
import { freePort } from './ports.js';

/** A Response whose JSON body is untyped, for terse assertions. */
 
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestStack {
  /** host:port of this file's Temporal dev server. */
  temporalAddress: string;
  database: Database;
  temporal: Temporal;
  app: ReturnType<typeof createApp>;
  /** Calls the app in-process with an optional bearer token and JSON body. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; rawBody?: string | Uint8Array; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Stops the worker (its cached workflows go with it), as a worker process that dies would. */
  stopWorker(): Promise<void>;
  /** Starts a new worker on the same task queue. */
  startWorker(): Promise<void>;
  stop(): Promise<void>;
}

export const silentLogger = pino({ level: 'silent' });

export async function startTemporal(dynamicConfig?: Record<string, string | number | boolean>): Promise<{ server: RunningDevServer; address: string }> {
  const port = await freePort();
  const server = await startTemporalDevServer({ cli: inject('temporalCli'), host: '127.0.0.1', port, namespace: 'default', ...(dynamicConfig ? { dynamicConfig } : {}) });
  return { server, address: server.address };
}

export interface StackOptions {
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Extra activity services (mailer, mail settings); the database and Temporal client are always given. */
  worker?: Partial<ActivityDeps>;
  /** Extra API services (mail settings). */
  api?: Partial<ApiServices>;
}

/** The support groups the stack knows from the start (work may be assigned only to known groups). */
export const stackGroups = ['1st-level', '2nd-level', 'network', 'service-desk', 'night-shift', 'other'];

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const [database, { server, address }, workflowBundle] = await Promise.all([
    createTestDatabase(),
    startTemporal(options.dynamicConfig),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
  ]);
  await ensureGroups(database.db, stackGroups);
  const taskQueue = `test-${randomUUID()}`;
  const temporal = await connectTemporal({ address, namespace: 'default', taskQueue });
  await ensureSearchAttributes(temporal.connection, 'default');
  const connection = await NativeConnection.connect({ address });
  const newWorker = () => createHelpdeskWorker({ connection, namespace: 'default', taskQueue, deps: { db: database.db, temporal, logger: silentLogger, ...options.worker }, workflowBundle });
  let worker: Worker | undefined = await newWorker();
  let running = worker.run();
  const stopWorker = async () => {
    worker?.shutdown();
    await running;
    worker = undefined;
  };
  const app = createApp({
    db: database.db,
    temporal,
    logger: silentLogger,
    pingDatabase: async () => {
      await database.sql`select 1`;
    },
    ...options.api,
  });

  return {
    temporalAddress: address,
    database,
    temporal,
    app,
    request: (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.Authorization = `Bearer ${options.token}`;
      let body: string | Uint8Array | undefined;
      if (options.rawBody !== undefined) body = options.rawBody;
      else if (options.body !== undefined) {
        body = JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
      return Promise.resolve(app.request(path, { method, headers, body }));
    },
    stopWorker,
    async startWorker() {
      if (worker) return;
      worker = await newWorker();
      running = worker.run();
    },
    async stop() {
      await stopWorker();
      await connection.close();
      await temporal.close();
      await server.stop();
      await database.close();
    },
  };
}

/** Polls until the check returns a value other than undefined, or fails after the timeout. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
