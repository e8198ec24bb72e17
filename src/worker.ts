// The Temporal worker: runs incident workflows and their activities.
// Standalone entry (`node dist/worker.js`) and a factory that `main.ts` and tests reuse.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { isEntryPoint, runEntryPoint } from './infra/run.js';

// In dist/ the compiled workflows are .js; from source (tsx, tests) they are .ts.
const workflowsPath = fileURLToPath(new URL(`./workflows/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export interface HelpdeskWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build it once per file). */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createHelpdeskWorker(options: HelpdeskWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
  });
}

export { workflowsPath };

if (isEntryPoint(import.meta.url)) {
  runEntryPoint(async () => {
    const { loadConfig } = await import('./config.js');
    const { createDatabase } = await import('./db/client.js');
    const { createLogger } = await import('./logger.js');
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL);
    if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for the standalone worker (npm start runs everything embedded).');
    const database = createDatabase(config.DATABASE_URL);
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    const worker = await createHelpdeskWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: { db: database.db },
    });
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE }, 'worker started');
    // The Temporal runtime shuts the worker down on SIGINT/SIGTERM; run() then resolves.
    await worker.run();
    await connection.close();
    await database.close();
  });
}
