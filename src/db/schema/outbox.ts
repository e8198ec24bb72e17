import { index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const outboxKinds = ['email', 'webhook'] as const;
export const outboxStatuses = ['pending', 'sending', 'sent', 'failed'] as const;

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
    subject: text().notNull(),
    body: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>(),
    status: text({ enum: outboxStatuses }).notNull().default('pending'),
    attempts: integer().notNull().default(0),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.status), index().on(t.incidentNumber)],
);
