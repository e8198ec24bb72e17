// The API process: Hono on Node, one Temporal client and one Postgres pool for its lifetime.
import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';
import { createApp } from './api/app.js';
import { createApiMetrics, metricsPath } from './api/metrics.js';
import type { PortalSettings, StaffSettings } from './api/context.js';
import { createSmtpMailer } from './mail/outbound.js';
import type { Config } from './config.js';
import { createDatabase, runMigrations, type Database } from './db/client.js';
import { isEntryPoint, runEntryPoint } from './infra/run.js';
import { createLogger } from './logger.js';
import { startPendingIntakes } from './services/incident-intake.js';
import { startPendingMailWorkflows } from './services/mail/intake.js';
import { connectTemporal, type Temporal } from './temporal/client.js';

export interface ApiServer {
  server: ServerType;
  url: string;
  close(): Promise<void>;
}

const pendingIntakeSweepMs = 60_000;

/** Where people reach the service: PUBLIC_URL, else this process's own address. */
export const publicUrl = (config: Config) => config.PUBLIC_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;

/** The portal's settings from the configuration. */
export function portalSettings(config: Config, options: { logLinks?: boolean } = {}): PortalSettings {
  return {
    // Always set: links in mails are never built from the request's Host header.
    baseUrl: publicUrl(config),
    secureCookies: config.PUBLIC_URL ? new URL(config.PUBLIC_URL).protocol === 'https:' : undefined,
    session: { idleMinutes: config.PORTAL_SESSION_IDLE_MINUTES, maxHours: config.PORTAL_SESSION_MAX_HOURS },
    signInLimits: { perAddress: config.PORTAL_SIGN_IN_LIMIT_PER_ADDRESS, perClient: config.PORTAL_SIGN_IN_LIMIT_PER_CLIENT, windowMinutes: 15 },
    uploadLimitBytes: config.PORTAL_UPLOAD_LIMIT_BYTES,
    logLinks: Boolean(options.logLinks),
  };
}

/** The staff pages' settings from the configuration. */
export function staffSettings(config: Config): StaffSettings {
  return {
    session: { idleMinutes: config.STAFF_SESSION_IDLE_MINUTES, maxHours: config.STAFF_SESSION_MAX_HOURS },
    signInLimits: { perAddress: config.STAFF_SIGN_IN_LIMIT_PER_ADDRESS, perClient: config.STAFF_SIGN_IN_LIMIT_PER_CLIENT, windowMinutes: 15 },
    setLinkValidHours: config.STAFF_PASSWORD_LINK_HOURS,
  };
}

/**
 * `processMetrics`: /metrics also reports Node's own metrics (heap, event loop lag, GC); they run
 * timers for the process's lifetime, so only a process's one real server turns them on.
 */
export async function startApiServer(opts: { config: Config; database: Database; temporal: Temporal; logger: Logger; logPortalLinks?: boolean; processMetrics?: boolean }): Promise<ApiServer> {
  const { config, database, temporal, logger } = opts;
  // The API sends the portal's sign-in mail itself, at once (not minutes later by the worker's sweeper).
  const mailer = config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : undefined;
  const services = {
    db: database.db,
    temporal,
    logger,
    autoCloseDays: config.AUTO_CLOSE_DAYS,
    timezone: config.BUSINESS_TIMEZONE,
    defaultRates: config.DEFAULT_HOURLY_RATES,
    costRates: config.INTERNAL_COST_RATES,
    kb: { deflectionWindowMinutes: config.KB_DEFLECTION_WINDOW_MINUTES, reviewNotHelpful: config.KB_REVIEW_NOT_HELPFUL },
    breachCauses: config.BREACH_CAUSES,
    complianceTargets: config.SLA_COMPLIANCE_TARGETS,
    mail: { mailFrom: config.MAIL_FROM, ownAddresses: config.MAIL_ADDRESSES, maxMailBytes: config.MAIL_MAX_BYTES, oversizedNoticesPerHour: config.MAIL_OVERSIZED_NOTICES_PER_HOUR, mailer },
    portal: portalSettings(config, { logLinks: opts.logPortalLinks }),
    staff: staffSettings(config),
    bodyLimitBytes: config.API_BODY_LIMIT_BYTES,
    pingDatabase: async () => {
      await database.sql`select 1`;
    },
    metrics: createApiMetrics({ processMetrics: opts.processMetrics }),
    metricsToken: config.METRICS_TOKEN,
  };
  const app = createApp(services);
  if (!config.PUBLIC_URL && !['127.0.0.1', 'localhost', '::1'].includes(config.HOST)) {
    logger.warn({ link: publicUrl(config) }, 'PUBLIC_URL is not set: portal sign-in mails and request links point at this address, which customers cannot reach; set PUBLIC_URL to the address they use');
  }
  // Intakes whose workflow start failed earlier (Temporal was down) are started again.
  // So is the processing of stored mail that nobody is processing (a crash, Temporal down).
  const sweep = async () => {
    await startPendingIntakes(services).catch((err: unknown) => logger.warn({ err }, 'could not start pending intakes yet'));
    await startPendingMailWorkflows(services).catch((err: unknown) => logger.warn({ err }, 'could not start processing of stored mail yet'));
  };
  await sweep();
  const timer = setInterval(() => void sweep(), pendingIntakeSweepMs);
  timer.unref();

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
    s.once('error', reject);
  });
  logger.info({ url: `${publicUrl(config)}${metricsPath}`, auth: config.METRICS_TOKEN ? 'METRICS_TOKEN' : 'none (set METRICS_TOKEN to require one)' }, 'API metrics (Prometheus) served');
  return {
    server,
    url: publicUrl(config),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        mailer?.close();
        server.close(() => resolve());
      }),
  };
}

if (isEntryPoint(import.meta.url)) {
  runEntryPoint(async (lifecycle) => {
    const { loadConfig } = await import('./config.js');
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL);
    lifecycle.log = (m) => logger.info(m);
    if (!config.DATABASE_URL) throw new Error('DATABASE_URL is required for the standalone API server (npm start runs everything embedded).');
    const database = createDatabase(config.DATABASE_URL);
    lifecycle.started('database', () => database.close());
    await runMigrations(database);
    const temporal = await connectTemporal({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue: config.TEMPORAL_TASK_QUEUE, updateTimeoutMs: config.TEMPORAL_UPDATE_TIMEOUT_MS });
    lifecycle.started('Temporal client', () => temporal.close());
    const api = await startApiServer({ config, database, temporal, logger, processMetrics: true });
    lifecycle.started('API', () => api.close());
    logger.info({ url: api.url }, 'API listening');
  });
}
