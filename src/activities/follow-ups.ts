// Side effects of the follow-up workflows (service orders, changes, callbacks): the timeline and
// projection in one transaction, and notifications through the outbox. Both are idempotent: the
// event is keyed by (workflow id, seq), the projection only moves forward, and each mail is
// keyed by (workflow id, seq, recipient), so a retry never writes or sends twice. Master data
// and billing updates at a follow-up's end (asset register, a service order's work report) are
// keyed by the follow-up's workflow id.
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { followUpEvents, followUps, outboxMessages, users } from '../db/schema/index.js';
import type { FollowUpEvent, FollowUpRecord } from '../domain/follow-ups.js';
import { newMessageId, type Mailer } from '../mail/outbound.js';
import { createOutboxSender } from '../mail/outbox.js';
import { ApplicationFailure } from '@temporalio/common';
import { DomainError } from '../domain/errors.js';
import type { Logger } from 'pino';
import type { Rates } from '../domain/entitlement.js';
import type { ServiceOrderReportBooking, WorkBooking } from '../domain/service-order.js';
import { businessDate, defaultBusinessTimezone } from '../domain/ticket-number.js';
import { applyHardwareChange, type HardwareChangeApplied, type HardwareChangeItem } from '../services/asset-register.js';
import { bookServiceOrderReport } from '../services/service-order-billing.js';

export interface FollowUpStepInput {
  record: FollowUpRecord;
  event: FollowUpEvent;
}

/** A notification of a follow-up step. Recipients: "user:<id>", "managers" or a literal address. */
export interface FollowUpNotice {
  workflowId: string;
  seq: number;
  recipients: string[];
  subject: string;
  body: string;
  incidentNumber?: string | null;
}

export interface FollowUpActivityDeps {
  db: Db;
  mailer?: Mailer | undefined;
  mailFrom: string;
  /** The house time zone: the day a hardware change takes devices out of service, "today" for booked work. */
  timezone?: string | undefined;
  /** Rates for work not under a contract with its own, when a service order's report is booked. */
  defaultRates?: Rates | undefined;
  logger?: Logger | undefined;
}

export interface HardwareChangeInput {
  customerNumber: string;
  changeId: string;
  /** When the change was closed; its business day is the day devices change. */
  at: string;
  items: HardwareChangeItem[];
}

async function resolveRecipients(db: Db, recipients: string[]): Promise<string[]> {
  const addresses = new Set<string>();
  const userIds = recipients.filter((r) => r.startsWith('user:')).map((r) => r.slice(5));
  if (userIds.length > 0) for (const u of await db.select({ email: users.email }).from(users).where(inArray(users.id, userIds))) addresses.add(u.email);
  if (recipients.includes('managers')) for (const u of await db.select({ email: users.email }).from(users).where(eq(users.role, 'manager'))) addresses.add(u.email);
  for (const r of recipients) if (r.includes('@') && !r.startsWith('user:')) addresses.add(r);
  return [...addresses].sort();
}

/** Domain refusals are permanent: the workflow records them instead of retrying for ever. */
async function permanentOnDomainError<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof DomainError) throw ApplicationFailure.nonRetryable(err.message, err.kind);
    throw err;
  }
}

export function createFollowUpActivities(deps: FollowUpActivityDeps) {
  const outbox = createOutboxSender(deps);
  const timezone = deps.timezone ?? defaultBusinessTimezone;
  return {
    /** Writes the follow-up's timeline event and projection row; safe to retry. */
    recordFollowUpEvent: async ({ record, event }: FollowUpStepInput): Promise<void> => {
      const row = {
        workflowId: record.workflowId,
        kind: record.kind,
        incidentNumber: record.incidentNumber,
        customerNumber: record.customerNumber,
        title: record.title,
        state: record.state,
        ended: record.ended,
        assigneeId: record.assigneeId,
        dueAt: record.dueAt ? new Date(record.dueAt) : null,
        details: record.details,
        version: record.seq,
        updatedAt: new Date(record.updatedAt),
      };
      const { workflowId: _id, ...changes } = row;
      await deps.db.transaction(async (tx) => {
        await tx.insert(followUps).values(row).onConflictDoUpdate({ target: followUps.workflowId, set: changes, setWhere: sql`${followUps.version} < ${row.version}` });
        await tx
          .insert(followUpEvents)
          .values({ workflowId: record.workflowId, seq: event.seq, type: event.type, actor: event.actor.id, actorName: event.actor.name, payload: event.payload, occurredAt: new Date(event.at) })
          .onConflictDoNothing({ target: [followUpEvents.workflowId, followUpEvents.seq] });
      });
    },

    /**
     * Applies a closed hardware change to the asset register; safe to repeat. Master data that
     * does not allow it (a serial of another customer) fails for good, for a person to sort out.
     */
    applyHardwareChange: async (input: HardwareChangeInput): Promise<HardwareChangeApplied> =>
      permanentOnDomainError(() => applyHardwareChange(deps.db, { customerNumber: input.customerNumber, changeId: input.changeId, day: businessDate(new Date(input.at), timezone), items: input.items })),

    /**
     * Books a done service order's work report under its incident (time priced like logged time,
     * material billable); safe to repeat: a retry returns what the first attempt booked. A report
     * the billing refuses (unknown incident, technician not a user) fails for good.
     */
    bookServiceOrderReport: async (report: ServiceOrderReportBooking): Promise<WorkBooking> =>
      permanentOnDomainError(async () => {
        const { replayed: _replayed, ...booked } = await bookServiceOrderReport({ db: deps.db, timezone, defaultRates: deps.defaultRates, mailFrom: deps.mailFrom, mailer: deps.mailer, logger: deps.logger }, report);
        return booked;
      }),

    /** Writes one outbox mail per recipient of the step, then delivers what is unsent; safe to retry. */
    notifyFollowUp: async (notice: FollowUpNotice): Promise<{ recipients: string[] }> => {
      const recipients = await resolveRecipients(deps.db, notice.recipients);
      const rows = recipients.map((to) => ({
        idempotencyKey: `${notice.workflowId}:${notice.seq}:mail:${to}`,
        kind: 'email' as const,
        incidentNumber: notice.incidentNumber ?? null,
        recipient: to,
        messageId: newMessageId(deps.mailFrom),
        template: 'follow-up',
        subject: notice.subject,
        body: notice.body,
        payload: { type: 'follow_up', workflowId: notice.workflowId, seq: notice.seq },
      }));
      if (rows.length > 0) await deps.db.insert(outboxMessages).values(rows).onConflictDoNothing({ target: outboxMessages.idempotencyKey });
      await outbox.deliverKeys(rows.map((r) => r.idempotencyKey));
      return { recipients };
    },
  };
}
