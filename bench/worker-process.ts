// A Temporal worker in a process of its own, for the benchmarks: its CPU time (process.cpuUsage,
// all threads: the main thread with the activities, the workflow thread, the SDK's Rust core) and
// its memory are then the worker's alone, apart from the API and the load generator.
//
// Started by bench/support.ts (startWorkerProcess) with fork(); never run by hand. The
// configuration comes in BENCH_WORKER (JSON). Kinds:
//   helpdesk: the real worker, createHelpdeskWorker with the activities' services and limits as
//             src/worker.ts builds them from the configuration (WORKER_* from the environment;
//             no SMTP: mail waits in the outbox; a webhook when one is given)
//   bare:     bench/bare-workflow.ts with its own bundle and one activity (a Postgres insert)
// Messages: parent -> { type: 'stats', id } | { type: 'shutdown' }; child -> { type: 'limits', … } | { type: 'ready' } |
// { type: 'stats', id, ... } | { type: 'failed', error }. When the parent goes away (IPC
// disconnect) the worker is shut down and the process exits.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createDatabase } from '../src/db/client.js';
import { connectTemporal, type Temporal } from '../src/temporal/client.js';
import { activityDeps, createHelpdeskWorker, workerLimits, workflowsPath } from '../src/worker.js';
import type { BareActivities } from './bare-workflow.js';

export interface WorkerProcessConfig {
  kind: 'helpdesk' | 'bare';
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  webhookUrl?: string;
}

export interface WorkerProcessStats {
  cpuUserMs: number;
  cpuSystemMs: number;
  rssMb: number;
  /** The main isolate's heap only; the workflow thread's heap is in the RSS. */
  heapUsedMb: number;
  vmHwmMb: number | null;
  cachedWorkflows: number | null;
  inFlightActivations: number | null;
  inFlightActivities: number | null;
}

const config = JSON.parse(process.env.BENCH_WORKER ?? 'null') as WorkerProcessConfig | null;
if (!config || !process.send) {
  process.stderr.write('bench/worker-process.ts is started by the benchmarks (BENCH_WORKER and an IPC channel are missing)\n');
  process.exit(2);
}
const send = (message: unknown) => {
  if (process.connected) process.send!(message);
};
const tag = `[worker ${config.kind} ${process.pid}]`;
const silentBundlerLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };

Runtime.install({
  shutdownSignals: [],
  logger: new DefaultLogger('WARN', (entry) => process.stderr.write(`${tag} ${entry.level} ${entry.message}\n`)),
});
// The parent decides when to stop; a Ctrl-C in the terminal reaches the parent, which asks us.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10;
function vmHwmMb(): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

const database = createDatabase(config.databaseUrl, { max: 20 });
const connection = await NativeConnection.connect({ address: config.temporalAddress });
let temporal: Temporal | undefined;
let worker: Worker;
if (config.kind === 'helpdesk') {
  temporal = await connectTemporal({ address: config.temporalAddress, namespace: config.namespace, taskQueue: config.taskQueue });
  // The worker's own settings (WORKER_MAX_CACHED_WORKFLOWS, …) pass through from the environment.
  const workerSettings = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('WORKER_')));
  const serviceConfig = loadConfig({ ...workerSettings, LOG_LEVEL: 'error', ...(config.webhookUrl ? { NOTIFY_WEBHOOK_URL: config.webhookUrl } : {}) });
  const logger = pino({ level: 'error' }, pino.destination(2));
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: silentBundlerLogger });
  worker = await createHelpdeskWorker({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    deps: activityDeps(serviceConfig, { db: database.db, logger, temporal }),
    workflowBundle,
    ...workerLimits(serviceConfig),
  });
  send({ type: 'limits', ...workerLimits(serviceConfig) });
} else {
  const activities: BareActivities = {
    async bareRecord(id) {
      await database.sql`insert into bench_bare (id) values (${id}) on conflict do nothing`;
    },
  };
  worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    activities,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./bare-workflow.ts', import.meta.url)), logger: silentBundlerLogger }),
  });
}

const running = worker.run();
let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  const timer = setTimeout(() => process.exit(code), 15_000);
  try {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    await temporal?.close();
    await database.close();
  } finally {
    clearTimeout(timer);
    process.exit(code);
  }
}
running.then(
  () => void stop(0),
  (err: unknown) => {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    process.stderr.write(`${tag} the worker failed: ${err instanceof Error ? (err.stack ?? error) : error}\n`);
    send({ type: 'failed', error });
    void stop(1);
  },
);

process.on('message', (message: { type: string; id?: number }) => {
  if (message.type === 'shutdown') void stop(0);
  else if (message.type === 'stats') {
    const cpu = process.cpuUsage();
    const memory = process.memoryUsage();
    let status: ReturnType<Worker['getStatus']> | undefined;
    try {
      status = worker.getStatus();
    } catch {
      status = undefined;
    }
    const stats: WorkerProcessStats = {
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rssMb: mb(memory.rss),
      heapUsedMb: mb(memory.heapUsed),
      vmHwmMb: vmHwmMb(),
      cachedWorkflows: status?.numCachedWorkflows ?? null,
      inFlightActivations: status?.numInFlightWorkflowActivations ?? null,
      inFlightActivities: status?.numInFlightActivities ?? null,
    };
    send({ type: 'stats', id: message.id, ...stats });
  }
});
process.on('disconnect', () => void stop(0));
send({ type: 'ready' });
