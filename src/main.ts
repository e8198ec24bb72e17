// `npm start`: the whole service on one machine. Temporal dev server (with Web UI), embedded
// Postgres, migrations, demo data on first start, the worker and the API, in one process tree.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { loadConfig } from './config.js';
import { createDatabase, runMigrations } from './db/client.js';
import { isEmpty, seedDemoData, seedDemoPortal, type DemoPortalSignIn, type DemoToken } from './infra/demo-seed.js';
import { openDemoIncidents } from './infra/demo-incidents.js';
import { demoStaffPassword, demoStaffWithPassword } from './infra/demo-data.js';
import { startEmbeddedPostgres, type RunningPostgres } from './infra/embedded-postgres.js';
import { runEntryPoint } from './infra/run.js';
import { resolveTemporalCli, startTemporalDevServer } from './infra/temporal-dev-server.js';
import { createLogger } from './logger.js';
import { createSmtpMailer } from './mail/outbound.js';
import { publicUrl, startApiServer } from './server.js';
import { connectTemporal } from './temporal/client.js';
import { ensureSearchAttributes } from './temporal/namespace-setup.js';
import { startOutboxSweeper } from './mail/outbox.js';
import { startMailboxWorkflows } from './services/mail/intake.js';
import { ensureWeeklyReportSchedule } from './services/reports/weekly-report-schedule.js';
import { activityDeps, createHelpdeskWorker, workerLimits, workerMetricsUrl, workerTelemetry } from './worker.js';

runEntryPoint(async (lifecycle) => {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  lifecycle.log = (m) => logger.info(m);
  const dataDir = resolve(config.DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  // Each part registers how to stop it as it starts; they stop in reverse order.
  const started = (name: string, run: () => Promise<unknown>) => lifecycle.started(name, run);

  // 1. Postgres: DATABASE_URL, or a real server from embedded-postgres under DATA_DIR.
  let databaseUrl = config.DATABASE_URL;
  let embeddedPg: RunningPostgres | undefined;
  if (!databaseUrl) {
    logger.info({ port: config.EMBEDDED_PG_PORT }, 'starting embedded Postgres');
    embeddedPg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT, database: 'helpdesk', persistent: true });
    started('Postgres', () => embeddedPg!.stop());
    databaseUrl = embeddedPg.url;
  }
  const database = createDatabase(databaseUrl);
  started('database pool', () => database.close());
  await runMigrations(database);

  // 2. Temporal dev server with Web UI, persisted in a SQLite file under DATA_DIR.
  const [host, portText] = config.TEMPORAL_ADDRESS.split(':') as [string, string];
  const cli = resolveTemporalCli(config.TEMPORAL_CLI);
  logger.info({ cli, address: config.TEMPORAL_ADDRESS }, 'starting Temporal dev server');
  const devServer = await startTemporalDevServer({
    cli,
    host,
    port: Number(portText),
    uiPort: config.TEMPORAL_UI_PORT,
    dbFile: join(dataDir, 'temporal.db'),
    namespace: config.TEMPORAL_NAMESPACE,
    onLog: (line) => logger.debug({ temporal: line }),
  });
  started('Temporal dev server', () => devServer.stop());

  const temporal = await connectTemporal({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, updateTimeoutMs: config.TEMPORAL_UPDATE_TIMEOUT_MS });
  started('Temporal client', () => temporal.close());
  const added = await ensureSearchAttributes(temporal.connection, config.TEMPORAL_NAMESPACE);
  if (added.length > 0) logger.info({ added }, 'registered search attributes');

  // 3. The worker, in this process; we handle the signals ourselves to stop in order.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger(config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'DEBUG' : 'WARN'), ...workerTelemetry(config) });
  const workerMetrics = workerMetricsUrl(config);
  if (workerMetrics) logger.info({ url: workerMetrics }, 'worker metrics (Prometheus) served');
  const workerConnection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : undefined;
  if (mailer) {
    started('SMTP transport', () => Promise.resolve(mailer.close()));
    const sweeper = startOutboxSweeper({ db: database.db, mailer, mailFrom: config.MAIL_FROM, logger });
    started('outbox sweeper', () => Promise.resolve(sweeper.stop()));
  }
  const worker = await createHelpdeskWorker({
    connection: workerConnection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    deps: activityDeps(config, { db: database.db, mailer, logger, temporal, portalUrl: publicUrl(config) }),
    ...workerLimits(config),
  });
  const workerRun = worker.run();
  workerRun.catch((err: unknown) => {
    logger.fatal({ err }, 'the worker failed');
    void lifecycle.shutdown('worker failed: shutting down…', 1);
  });
  started('worker', async () => {
    worker.shutdown();
    await workerRun;
    await workerConnection.close();
  });

  await startMailboxWorkflows(temporal, config.IMAP_MAILBOXES);
  await ensureWeeklyReportSchedule(temporal, { enabled: config.WEEKLY_REPORT_SCHEDULE === 'on', timezone: config.BUSINESS_TIMEZONE });

  // 4. Demo data on the first start of an empty database.
  const tokensFile = join(dataDir, 'demo-tokens.json');
  const portalFile = join(dataDir, 'demo-portal.json');
  let tokens: DemoToken[] = [];
  let portalDemo: DemoPortalSignIn | undefined;
  if (config.SEED_DEMO_DATA && (await isEmpty(database.db))) {
    tokens = await seedDemoData(database.db);
    await writeFile(tokensFile, JSON.stringify(tokens, null, 2), { mode: 0o600 });
    portalDemo = await seedDemoPortal(database.db);
    await writeFile(portalFile, JSON.stringify(portalDemo, null, 2), { mode: 0o600 });
    const numbers = await openDemoIncidents({ db: database.db, temporal, logger, timezone: config.BUSINESS_TIMEZONE, autoCloseDays: config.AUTO_CLOSE_DAYS, defaultRates: config.DEFAULT_HOURLY_RATES });
    logger.info({ incidents: numbers }, 'seeded demo data');
  } else {
    tokens = await readFile(tokensFile, 'utf8').then((t) => JSON.parse(t) as DemoToken[], () => []);
    portalDemo = await readFile(portalFile, 'utf8').then((t) => JSON.parse(t) as DemoPortalSignIn, () => undefined);
  }

  // 5. The API.
  // Without SMTP the sign-in mail waits in the outbox, so its link is logged for development.
  const api = await startApiServer({ config, database, temporal, logger, logPortalLinks: !config.SMTP_URL, processMetrics: true });
  started('API', () => api.close());

  const uiUrl = `http://${host === '0.0.0.0' ? 'localhost' : host}:${config.TEMPORAL_UI_PORT}`;
  const lines = [
    '',
    'Helpdesk is running.',
    `  API          ${api.url}/api/incidents`,
    `  API docs     ${api.url}/docs   (OpenAPI: ${api.url}/openapi.json)`,
    `  Portal       ${api.url}/portal   (customers' web portal)`,
    `  Staff        ${api.url}/staff   (sign-in of agents, managers and admins to the web pages)`,
    `  Temporal UI  ${uiUrl}/namespaces/${config.TEMPORAL_NAMESPACE}/workflows`,
    `  Postgres     ${embeddedPg ? `embedded on port ${config.EMBEDDED_PG_PORT}, data in ${join(dataDir, 'postgres')}` : 'DATABASE_URL'}`,
    `  Metrics      ${api.url}/metrics (API${config.METRICS_TOKEN ? ', METRICS_TOKEN' : ''})${workerMetrics ? `, ${workerMetrics} (worker)` : ''}`,
    '',
    'Authenticate with a bearer token:  curl -H "Authorization: Bearer <token>" ' + `${api.url}/api/incidents`,
    ...(tokens.length > 0
      ? tokens.map((t) => `  ${t.role.padEnd(8)} ${t.name.padEnd(12)} ${t.token}`)
      : ['  (no demo tokens: the database was not seeded by npm start)']),
    ...(tokens.length > 0 ? [`  (also in ${tokensFile})`] : []),
    '',
    ...(portalDemo
      ? [`Sign in to the portal as ${portalDemo.name}:  ${portalDemo.email}  password ${portalDemo.password}`, `  (or ask for a sign-in link: ${config.SMTP_URL ? 'it is mailed' : 'without SMTP_URL it is written to this log'}; also in ${portalFile})`]
      : ['  (no demo portal contact: the database was not seeded by npm start)']),
    ...(tokens.length > 0 ? [`Sign in to the staff pages as ${demoStaffWithPassword.join(' or ')}:  password ${demoStaffPassword}`] : []),
    '',
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
});
