// Activities are built by a factory so tests can inject real or fake services.
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import type { Mailer } from '../mail/outbound.js';
import { createIncidentProjectionActivities } from './incident-projection.js';
import { createNotificationActivities } from './notifications.js';

export interface ActivityDeps {
  db: Db;
  /** SMTP; without it, notification mail waits in the outbox. */
  mailer?: Mailer | undefined;
  mailFrom?: string;
  webhookUrl?: string | undefined;
  logger?: Logger;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createIncidentProjectionActivities(deps),
    ...createNotificationActivities({ ...deps, mailFrom: deps.mailFrom ?? 'Helpdesk <helpdesk@localhost>' }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
