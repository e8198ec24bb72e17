import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const outboxKinds = ['email', 'webhook'] as const;
/** `rejected`: the receiving side refused for good (e.g. SMTP 5xx); not retried. */
export const outboxStatuses = ['pending', 'sending', 'sent', 'failed', 'rejected'] as const;

export interface OutboxAttachment {
  filename: string;
  contentType: string;
  contentBase64: string;
  cid?: string;
}

/**
 * Every notification goes through a row here before it leaves: keyed by an idempotency key
 * (incident, event, recipient), with a Message-ID generated before the first attempt.
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    idempotencyKey: text().notNull().unique(),
    kind: text({ enum: outboxKinds }).notNull(),
    incidentNumber: text(),
    recipient: text().notNull(),
    messageId: text().notNull(),
    /** Customer mail: "acknowledgement", "reply", "resolution", "oversized"; internal: "escalation". */
    template: text(),
    cc: text().array().notNull().default([]),
    inReplyTo: text(),
    references: text().array().notNull().default([]),
    subject: text().notNull(),
    body: text().notNull(),
    /** An HTML alternative to `body` (the weekly report); null: plain text only. */
    html: text(),
    /** Files sent with the mail, base64; `cid` makes one inline, referenced from `html` as `cid:<cid>`. */
    attachments: jsonb().$type<OutboxAttachment[]>(),
    payload: jsonb().$type<Record<string, unknown>>(),
    status: text({ enum: outboxStatuses }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    /** When the current sender claimed the row; another sender takes over only after a lease. */
    claimedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.status), index().on(t.incidentNumber), index().on(t.messageId), index().on(t.recipient, t.template, t.createdAt)],
);
