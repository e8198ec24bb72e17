// Configuration is read once from the environment and validated here; a bad value
// stops the process with one line that names the variable.
import { z } from 'zod';
import { defaultBreachCauses } from './domain/breach-causes.js';
import { houseDefaultRates } from './domain/entitlement.js';
import { defaultBusinessTimezone } from './domain/ticket-number.js';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const imapMailboxSchema = z
  .object({
    /** A short name: the workflow id (mailbox-<name>) and the source of its mails. */
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lower-case letters, digits and dashes'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    /** Implicit TLS (993); false for plain or STARTTLS on 143. */
    secure: z.boolean().default(true),
    user: z.string().min(1),
    password: z.string().min(1).optional(),
    /** OAuth2 access token (XOAUTH2), instead of a password. */
    accessToken: z.string().min(1).optional(),
    folder: z.string().min(1).default('INBOX'),
    /** Move processed mail here; without it, processed mail is flagged \\Seen and stays. */
    processedFolder: z.string().min(1).optional(),
    /** Polling interval when the server has no IDLE, and the longest IDLE before a re-check. */
    pollSeconds: z.number().int().min(5).max(3600).default(60),
  })
  .refine((m) => Boolean(m.password) !== Boolean(m.accessToken), 'give either password or accessToken');
export type ImapMailbox = z.infer<typeof imapMailboxSchema>;

/** A JSON value in an environment variable, validated by `schema`. */
const jsonVariable = <T extends z.ZodType>(fallback: string, schema: T, expected: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
        return z.NEVER;
      }
    })
    .pipe(schema);

const cents = z.number().int().min(0).max(10_000_000);
/** Net hourly rates in cents per activity type, for work that no contract prices. */
export const defaultRatesSchema = z.object({ remote: cents, onsite: cents, travel: cents }).strict();
/** Internal cost per hour in cents by role, for users without their own cost rate. */
export const costRatesSchema = z.object({ sales: cents, agent: cents, manager: cents, admin: cents }).partial().strict();

/**
 * The default bound of the worker's sticky cache, from memory measured per cached incident
 * workflow (2026-12-02, 2 cores, Node 20, SDK 1.24: one worker, a cache larger than the test, 300
 * Gold incidents opened through the API and left open, memory read after gc() once every workflow
 * was cached and idle; deltas against 5 warm-up incidents):
 * - main at 5db158f (9.5 MB workflow bundle with date-holidays, moment and luxon): 2.4 MB of heap
 *   per cached workflow (workflows on the main thread, TEMPORAL_DEBUG=1, heapUsed) and 2.5 MB of
 *   RSS (the normal worker thread), as issue 12 saw (2.8 MB, out of memory at ~1,700).
 * - with the bundle slimmed to 0.8 MB of code (no holiday rules, moment or luxon): 0.2 MB of heap,
 *   0.3-0.5 MB RSS per cached workflow; bench/open-incidents.ts with a cache of 1,000 held the worker
 *   at 0.94-0.97 GB RSS from 15,000 to 50,000 open incidents, after peaks of 1.4-1.6 GB in the first
 *   10,000 (heap not yet collected).
 * 400 keeps the worker well under 1 GiB whatever the number of open incidents; a house with bursts
 * of more incidents than that at once can raise it (1,000 measured above). Workflows beyond the
 * bound are evicted and replayed from their history on their next task, which costs CPU, not memory.
 */
export const defaultMaxCachedWorkflows = 400;

export const configSchema = z.object({
  /** HTTP port of the API. */
  PORT: port.default(3000),
  /** Interface the API binds to. */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Public base URL used in links printed at start and in mails. */
  PUBLIC_URL: z.url().optional(),
  /** Folder for the embedded stack's data (Postgres cluster, Temporal SQLite file, demo tokens). */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Postgres connection string; when unset, `npm start` runs embedded Postgres. */
  DATABASE_URL: z.url().optional(),
  /** Port of the embedded Postgres server (only without DATABASE_URL). */
  EMBEDDED_PG_PORT: port.default(5433),
  /** host:port of the Temporal frontend; `npm start` starts a dev server there. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('helpdesk'),
  /** Port of the Temporal Web UI started by `npm start`. */
  TEMPORAL_UI_PORT: port.default(8233),
  /** Path of a Temporal CLI binary; otherwise `temporal` on PATH or the cached build. */
  TEMPORAL_CLI: z.string().min(1).optional(),
  /** SMTP server for outgoing mail, e.g. smtp://user:pass@mail.example.com:587; unset: mail waits in the outbox. */
  SMTP_URL: z.url().optional(),
  /** Sender of outgoing mail. */
  MAIL_FROM: z.string().min(3).default('Helpdesk <helpdesk@localhost>'),
  /** Further addresses of ours (comma-separated) besides MAIL_FROM: mail from them is never answered or threaded as a customer's. */
  MAIL_ADDRESSES: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean))
    .refine((list) => list.every((a) => /^[^\s@]+@[^\s@]+$/.test(a)), 'expected comma-separated mail addresses'),
  /** Incoming mail larger than this (bytes) is kept whole and flagged, its sender told politely; attachments are not extracted. */
  MAIL_MAX_BYTES: z.coerce.number().int().min(1024).default(25 * 1024 * 1024),
  /** Acknowledgements per sender and hour; more mails are taken in without one. */
  MAIL_ACK_LIMIT_PER_HOUR: z.coerce.number().int().min(0).max(1000).default(5),
  /** Notices that a mail was too large, per sender and hour; their own budget, so they go out when acknowledgements are used up. */
  MAIL_OVERSIZED_NOTICES_PER_HOUR: z.coerce.number().int().min(0).max(1000).default(20),
  /** IMAP mailboxes to ingest, as a JSON array; see the README ("E-mail"). */
  IMAP_MAILBOXES: jsonVariable(
    '[]',
    z.array(imapMailboxSchema).refine((list) => new Set(list.map((m) => m.name)).size === list.length, 'mailbox names must be unique'),
    'a JSON array of mailboxes',
  ),
  /** Optional URL that receives escalation notifications as JSON POSTs. */
  NOTIFY_WEBHOOK_URL: z.url().optional(),
  /** The house's time zone: the year of incident numbers and the day contracts are checked on. */
  BUSINESS_TIMEZONE: z
    .string()
    .default(defaultBusinessTimezone)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, 'expected an IANA time zone such as Europe/Berlin'),
  /** Net hourly rates in cents ({"remote":…,"onsite":…,"travel":…}) for billable work no contract prices. */
  DEFAULT_HOURLY_RATES: jsonVariable(JSON.stringify(houseDefaultRates), defaultRatesSchema, 'a JSON object {"remote":cents,"onsite":cents,"travel":cents}'),
  /** Internal cost per hour in cents by role, for profitability; a user's own cost rate wins. */
  INTERNAL_COST_RATES: jsonVariable('{"agent":5200,"manager":7000,"admin":7000,"sales":6000}', costRatesSchema, 'a JSON object of role to cents per hour'),
  /** Days after resolution without a customer reply until an incident closes by itself. */
  AUTO_CLOSE_DAYS: z.coerce.number().int().min(1).max(365).default(7),
  /**
   * Workflows the worker keeps in its sticky cache (0 disables the cache); an evicted incident is
   * replayed from its history on its next task. The SDK's own default (about 2,300 with Node's
   * 4 GiB heap) assumes 1.7 MB per cached workflow, more than ours costs, and ran the workflow
   * thread out of memory at about 1,700 open incidents (issue 12).
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(1_000_000).default(defaultMaxCachedWorkflows),
  /**
   * ip:port where the worker (standalone or in `npm start`) serves the Temporal SDK's Prometheus
   * metrics under /metrics (temporal_workflow_task_execution_latency, temporal_sticky_cache_*, …),
   * e.g. 0.0.0.0:9464 in a container; unset: no exporter. An IP, not a host name (the SDK binds it).
   */
  WORKER_METRICS_ADDRESS: z
    .string()
    .regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):\d{1,5}$/, 'expected ip:port, e.g. 0.0.0.0:9464')
    .refine((v) => {
      const p = Number(v.slice(v.lastIndexOf(':') + 1));
      return p >= 1 && p <= 65535;
    }, 'expected a port from 1 to 65535')
    .optional(),
  /** Workflow tasks the worker runs at once (at least 2: one for the sticky and one for the shared queue); unset: the SDK's default (40). */
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(10_000).optional(),
  /** Activities the worker runs at once; unset: the SDK's default (100). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(10_000).optional(),
  /** The largest request body in bytes outside the mailgate (MAIL_MAX_BYTES) and the CSV import (10 MB); larger ones get 413. */
  API_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
  /** A bearer token that GET /metrics (the API's Prometheus metrics) requires; unset: /metrics is open (keep it off the public network). */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** How long an API call waits for an incident's workflow to take and answer a step (ms); after that it answers 503 with Retry-After. */
  TEMPORAL_UPDATE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Minutes without a page view after which a portal session ends. */
  PORTAL_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(60),
  /** Hours after sign-in after which a portal session ends, however active. */
  PORTAL_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(12),
  /** Portal sign-in attempts (links asked for, passwords tried) per address in 15 minutes. */
  PORTAL_SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Portal sign-in attempts per client address in 15 minutes. */
  PORTAL_SIGN_IN_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Minutes without a page view after which a staff session (agents, managers, admins on /staff and the staff pages) ends. */
  STAFF_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(60),
  /** Hours after sign-in after which a staff session ends, however active. */
  STAFF_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(12),
  /** Staff sign-in attempts (passwords tried, reset links asked for) per address in 15 minutes. */
  STAFF_SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Staff sign-in attempts per client address in 15 minutes. */
  STAFF_SIGN_IN_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Hours a set-password link sent by an admin (POST /api/users/{id}/password-link) stays valid. */
  STAFF_PASSWORD_LINK_HOURS: z.coerce.number().int().min(1).max(30 * 24).default(72),
  /** The largest portal form in bytes, attached files included (each file at most 10 MiB). */
  PORTAL_UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(64 * 1024).max(1024 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Minutes after a customer opened a suggested article from an unsent New request form at which it counts as a deflection. */
  KB_DEFLECTION_WINDOW_MINUTES: z.coerce.number().int().min(0).max(7 * 24 * 60).default(30),
  /** "Not helpful" votes that put a knowledge-base article on the review list. */
  KB_REVIEW_NOT_HELPFUL: z.coerce.number().int().min(1).max(1000).default(3),
  /** The contracted SLA compliance per tier in percent, the dashboard's target lines ({"silver":…,"gold":…,"platinum":…}). */
  SLA_COMPLIANCE_TARGETS: jsonVariable(
    '{"silver":90,"gold":95,"platinum":98}',
    z.strictObject({ silver: z.number().min(0).max(100), gold: z.number().min(0).max(100), platinum: z.number().min(0).max(100) }),
    'a JSON object {"silver":percent,"gold":percent,"platinum":percent}',
  ),
  /** The breach causes an agent picks from when resolving a breached incident (comma-separated codes); "other" asks for a note. */
  BREACH_CAUSES: z
    .string()
    .default(defaultBreachCauses.join(','))
    .transform((v) => [...new Set(v.split(',').map((c) => c.trim()).filter(Boolean))])
    .refine((codes) => codes.length > 0 && codes.every((c) => /^[a-z][a-z0-9_]{0,39}$/.test(c)), 'expected comma-separated codes of lower-case letters, digits and underscores'),
  /** "on": the worker keeps the Temporal Schedule `weekly-report` (Mondays 07:00 in BUSINESS_TIMEZONE); "off": it deletes it. */
  WEEKLY_REPORT_SCHEDULE: z.enum(['on', 'off']).default('on'),
  /** Seed demo data on the first start of an empty database. */
  SEED_DEMO_DATA: bool.default(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

/** Every variable the service reads; docker-compose and the README are checked against it. */
export const configVariables = Object.keys(configSchema.shape) as (keyof Config)[];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(
    configVariables.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]),
  );
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`);
  }
  return parsed.data;
}
