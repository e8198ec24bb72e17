// The Temporal worker: runs incident workflows and their activities.
// Standalone entry (`node dist/worker.js`) and a factory that `main.ts` and tests reuse.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker, type RuntimeOptions, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from './activities/index.js';
import { isEntryPoint, runEntryPoint } from './infra/run.js';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import { createSmtpMailer, type Mailer } from './mail/outbound.js';
import { startOutboxSweeper } from './mail/outbox.js';
import { startMailboxWorkflows } from './services/mail/intake.js';
import { ensureWeeklyReportSchedule } from './services/reports/weekly-report-schedule.js';
import { connectTemporal, type Temporal } from './temporal/client.js';

// In dist/ the compiled workflows are .js; from source (tsx, tests) they are .ts.
const workflowsPath = fileURLToPath(new URL(`./workflows/index${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url));

export interface HelpdeskWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build it once per file). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Bound of the sticky workflow cache (0: no cache); unset: the SDK's default, which assumes a heap we do not have (give WORKER_MAX_CACHED_WORKFLOWS). */
  maxCachedWorkflows?: number | undefined;
  /** Workflow tasks run at once; unset: the SDK's default. */
  maxConcurrentWorkflowTasks?: number | undefined;
  /** Activities run at once; unset: the SDK's default. */
  maxConcurrentActivities?: number | undefined;
}

export function createHelpdeskWorker(options: HelpdeskWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath }),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
    ...(options.maxConcurrentWorkflowTasks !== undefined ? { maxConcurrentWorkflowTaskExecutions: options.maxConcurrentWorkflowTasks } : {}),
    ...(options.maxConcurrentActivities !== undefined ? { maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities } : {}),
  });
}

/** The worker's limits as the configuration sets them. */
export function workerLimits(config: Config): Pick<HelpdeskWorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTasks' | 'maxConcurrentActivities'> {
  return {
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTasks: config.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivities: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
  };
}

/**
 * The SDK runtime's telemetry as the configuration sets it: with WORKER_METRICS_ADDRESS, a
 * Prometheus exporter of the SDK's own metrics (temporal_workflow_task_execution_latency,
 * temporal_sticky_cache_*, temporal_activity_execution_failed, …; durations in milliseconds)
 * served under /metrics there. Runtime.install takes it once per process, before any worker.
 */
export function workerTelemetry(config: Pick<Config, 'WORKER_METRICS_ADDRESS'>): Pick<RuntimeOptions, 'telemetryOptions'> {
  const bindAddress = config.WORKER_METRICS_ADDRESS;
  return bindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress } } } } : {};
}

/** Where the worker's metrics are served, for the start-up log line (undefined: not served). */
export function workerMetricsUrl(config: Pick<Config, 'WORKER_METRICS_ADDRESS'>): string | undefined {
  return config.WORKER_METRICS_ADDRESS ? `http://${config.WORKER_METRICS_ADDRESS}/metrics` : undefined;
}

export { workflowsPath };

/** The activities' services as the configuration describes them. */
export function activityDeps(config: Config, services: { db: Db; logger: Logger; temporal: Temporal; mailer?: Mailer | undefined; portalUrl?: string | undefined }): ActivityDeps {
  return {
    ...services,
    mailFrom: config.MAIL_FROM,
    webhookUrl: config.NOTIFY_WEBHOOK_URL,
    timezone: config.BUSINESS_TIMEZONE,
    autoCloseDays: config.AUTO_CLOSE_DAYS,
    defaultRates: config.DEFAULT_HOURLY_RATES,
    portalUrl: services.portalUrl ?? config.PUBLIC_URL,
    weeklyReport: { breachCauses: config.BREACH_CAUSES, targets: config.SLA_COMPLIANCE_TARGETS },
    mail: {
      ownAddresses: config.MAIL_ADDRESSES,
      maxMailBytes: config.MAIL_MAX_BYTES,
      acknowledgementsPerHour: config.MAIL_ACK_LIMIT_PER_HOUR,
      oversizedNoticesPerHour: config.MAIL_OVERSIZED_NOTICES_PER_HOUR,
      mailboxes: config.IMAP_MAILBOXES,
    },
  };
}

if (isEntryPoint(import.meta.url)) {
  runEntryPoint(async (lifecycle) => {
    const { loadConfig } = await import('./config.js');
    const { createDatabase } = await import('./db/client.js');
    const { createLogger } = await import('./logger.js');
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL);
    lifecycle.log = (m) => logger.info(m);
    if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for the standalone worker (npm start runs everything embedded).');
    // Our lifecycle handles the signals, so the worker drains before the connections close.
    Runtime.install({ shutdownSignals: [], ...workerTelemetry(config) });
    const database = createDatabase(config.DATABASE_URL);
    lifecycle.started('database', () => database.close());
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    lifecycle.started('Temporal connection', () => connection.close());
    const temporal = await connectTemporal({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, updateTimeoutMs: config.TEMPORAL_UPDATE_TIMEOUT_MS });
    lifecycle.started('Temporal client', () => temporal.close());
    const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : undefined;
    if (mailer) {
      lifecycle.started('SMTP transport', () => Promise.resolve(mailer.close()));
      const sweeper = startOutboxSweeper({ db: database.db, mailer, mailFrom: config.MAIL_FROM, logger });
      lifecycle.started('outbox sweeper', () => Promise.resolve(sweeper.stop()));
    }
    const worker = await createHelpdeskWorker({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      deps: activityDeps(config, { db: database.db, mailer, logger, temporal }),
      ...workerLimits(config),
    });
    const running = worker.run();
    lifecycle.started('worker', async () => {
      worker.shutdown();
      await running;
    });
    logger.info({ taskQueue: config.TEMPORAL_TASK_QUEUE, ...workerLimits(config), metrics: workerMetricsUrl(config) ?? 'off (WORKER_METRICS_ADDRESS unset)' }, 'worker started');
    await startMailboxWorkflows(temporal, config.IMAP_MAILBOXES);
    await ensureWeeklyReportSchedule(temporal, { enabled: config.WEEKLY_REPORT_SCHEDULE === 'on', timezone: config.BUSINESS_TIMEZONE });
    running.catch((err: unknown) => {
      logger.fatal({ err }, 'the worker failed');
      void lifecycle.shutdown('worker failed: shutting down…', 1);
    });
  });
}
