// The weekly report mail's activities: the week's subscribers, and one subscriber's mail. The mail
// is one outbox row keyed `weekly-report:<userId>:<week>`, written once; a retry or a second run of
// the week finds the row and sends it only if it is not sent yet.
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { outboxMessages } from '../db/schema/index.js';
import { isoWeekDays } from '../domain/iso-week.js';
import { defaultBusinessTimezone } from '../domain/ticket-number.js';
import { newMessageId, type Mailer } from '../mail/outbound.js';
import { createOutboxSender } from '../mail/outbox.js';
import { dashboard, type ComplianceTargets } from '../services/reports/dashboard.js';
import type { ReportPeriod } from '../services/reports/period.js';
import { slaReport } from '../services/reports/sla-report.js';
import { activeReportSubscribers } from '../services/reports/subscriptions.js';
import { weeklyReportMail } from '../services/reports/weekly-report-mail.js';

export interface WeeklyReportDeps {
  db: Db;
  mailer?: Mailer | undefined;
  mailFrom: string;
  timezone?: string | undefined;
  logger?: Logger | undefined;
  targets?: ComplianceTargets | undefined;
  breachCauses?: readonly string[] | undefined;
  /** Tests: runs after the outbox row is written and before it is sent (a throw fails the attempt there). */
  afterOutboxWrite?: ((key: string) => void | Promise<void>) | undefined;
}

export const weeklyReportKey = (userId: string, week: string) => `weekly-report:${userId}:${week}`;

export function createWeeklyReportActivities(deps: WeeklyReportDeps) {
  const outbox = createOutboxSender(deps);
  const timezone = deps.timezone ?? defaultBusinessTimezone;

  return {
    listReportSubscribers: async (): Promise<{ userId: string; name: string }[]> =>
      (await activeReportSubscribers(deps.db)).map(({ userId, name }) => ({ userId, name })),

    /** Writes (once) and sends (if unsent) one subscriber's mail of the week. */
    sendWeeklyReport: async (input: { userId: string; week: string }): Promise<{ status: 'written' | 'existing' | 'unsubscribed' }> => {
      const key = weeklyReportKey(input.userId, input.week);
      const [existing] = await deps.db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.idempotencyKey, key));
      if (!existing) {
        const subscriber = (await activeReportSubscribers(deps.db)).find((s) => s.userId === input.userId);
        if (!subscriber) return { status: 'unsubscribed' };
        const period: ReportPeriod = { ...isoWeekDays(input.week), timezone };
        const now = new Date();
        const [board, sla] = await Promise.all([
          dashboard(deps.db, period, { ...(deps.targets ? { targets: deps.targets } : {}), ...(deps.breachCauses ? { breachCauses: deps.breachCauses } : {}), now }),
          slaReport(deps.db, period, 'tier', now),
        ]);
        const mail = weeklyReportMail({ week: input.week, language: subscriber.language, dashboard: board, sla });
        await deps.db
          .insert(outboxMessages)
          .values({
            idempotencyKey: key,
            kind: 'email',
            template: 'weekly-report',
            recipient: subscriber.email,
            messageId: newMessageId(deps.mailFrom),
            subject: mail.subject,
            body: mail.text,
            html: mail.html,
            attachments: mail.attachments,
            payload: { type: 'weekly_report', week: input.week, userId: input.userId },
          })
          .onConflictDoNothing({ target: outboxMessages.idempotencyKey });
        await deps.afterOutboxWrite?.(key);
      }
      await outbox.deliverKeys([key]);
      return { status: existing ? 'existing' : 'written' };
    },
  };
}
