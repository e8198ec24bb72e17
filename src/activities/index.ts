// Activities are built by a factory so tests can inject real or fake services.
import { createFollowUpActivities } from './follow-ups.js';
import { pino, type Logger } from 'pino';
import type { Rates } from '../domain/entitlement.js';
import type { ImapMailbox } from '../config.js';
import type { Db } from '../db/client.js';
import { defaultMailFrom, type Mailer } from '../mail/outbound.js';
import type { Temporal } from '../temporal/client.js';
import { createCalendarActivities } from './calendar.js';
import { failingOnDataForGood } from './data-errors.js';
import { createCustomerMailActivities } from './customer-mail.js';
import { createIncidentProjectionActivities } from './incident-projection.js';
import { createMailActivities } from './mail.js';
import { createNotificationActivities } from './notifications.js';
import { createWeeklyReportActivities, type WeeklyReportDeps } from './weekly-report.js';

export interface ActivityDeps {
  db: Db;
  /** SMTP; without it, mail waits in the outbox. */
  mailer?: Mailer | undefined;
  mailFrom?: string;
  webhookUrl?: string | undefined;
  logger?: Logger;
  /** A Temporal client, for mail ingestion (it opens incidents and sends them updates). */
  temporal?: Temporal | undefined;
  mail?: {
    ownAddresses?: string[];
    maxMailBytes?: number;
    acknowledgementsPerHour?: number;
    oversizedNoticesPerHour?: number;
    mailboxes?: ImapMailbox[];
    sessionMs?: number;
  };
  timezone?: string;
  autoCloseDays?: number;
  defaultRates?: Rates | undefined;
  /** The portal's public base URL (PUBLIC_URL): customer mails link to the request there. */
  portalUrl?: string | undefined;
  /** The weekly report mail: compliance targets, breach causes, and a test's fault after the outbox write. */
  weeklyReport?: Pick<WeeklyReportDeps, 'targets' | 'breachCauses' | 'afterOutboxWrite'>;
}

const silentLogger = pino({ level: 'silent' });

export function createActivities(deps: ActivityDeps) {
  const mailFrom = deps.mailFrom ?? defaultMailFrom;
  const mail = deps.mail ?? {};
  return failingOnDataForGood({
    ...createIncidentProjectionActivities(deps),
    ...createCalendarActivities(),
    ...createFollowUpActivities({ db: deps.db, mailer: deps.mailer, mailFrom, timezone: deps.timezone, defaultRates: deps.defaultRates, logger: deps.logger }),
    ...createNotificationActivities({ ...deps, mailFrom }),
    ...createWeeklyReportActivities({ db: deps.db, mailer: deps.mailer, mailFrom, timezone: deps.timezone, logger: deps.logger, ...deps.weeklyReport }),
    ...createCustomerMailActivities({
      db: deps.db,
      mailer: deps.mailer,
      mailFrom,
      logger: deps.logger,
      ...(mail.ownAddresses ? { ownAddresses: mail.ownAddresses } : {}),
      ...(mail.acknowledgementsPerHour !== undefined ? { acknowledgementsPerHour: mail.acknowledgementsPerHour } : {}),
      ...(deps.timezone ? { timezone: deps.timezone } : {}),
      ...(deps.portalUrl ? { portalUrl: deps.portalUrl } : {}),
    }),
    ...createMailActivities({
      ingest: deps.temporal
        ? {
            db: deps.db,
            temporal: deps.temporal,
            logger: deps.logger ?? silentLogger,
            mailFrom,
            mailer: deps.mailer,
            ...(mail.ownAddresses ? { ownAddresses: mail.ownAddresses } : {}),
            ...(mail.maxMailBytes ? { maxMailBytes: mail.maxMailBytes } : {}),
            ...(mail.oversizedNoticesPerHour !== undefined ? { oversizedNoticesPerHour: mail.oversizedNoticesPerHour } : {}),
            ...(deps.timezone ? { timezone: deps.timezone } : {}),
            ...(deps.autoCloseDays ? { autoCloseDays: deps.autoCloseDays } : {}),
            defaultRates: deps.defaultRates,
          }
        : undefined,
      ...(mail.mailboxes ? { mailboxes: mail.mailboxes } : {}),
      ...(mail.sessionMs ? { sessionMs: mail.sessionMs } : {}),
    }),
  }, ['pollMailbox']);
}

export type Activities = ReturnType<typeof createActivities>;
