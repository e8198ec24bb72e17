import { bigint, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { inboundMailStatuses } from '../../domain/enums.js';
import type { Classification } from '../../domain/mail-rules.js';

/** Raw bytes (the mail as received, attachments); postgres.js hands them over as Buffers. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Every mail that reached us, raw and parsed, with what became of it. */
export const inboundMails = pgTable(
  'inbound_mails',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** "mid:<Message-ID>" or "sha256:<hash of the raw mail>": a second delivery is the same row. */
    dedupeKey: text().notNull().unique(),
    messageId: text(),
    /** "mailgate" or "imap:<mailbox>". */
    source: text().notNull(),
    /** The IMAP UID in its mailbox, when it came that way. */
    mailboxUid: bigint({ mode: 'number' }),
    /** When the mail reached the mailbox (IMAP INTERNALDATE) or the mailgate: the SLA clock's start. */
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    storedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    raw: bytea().notNull(),
    sizeBytes: integer().notNull(),
    /** Larger than MAIL_MAX_BYTES: kept whole, attachments not extracted, the sender told so. */
    oversized: boolean().notNull().default(false),
    fromAddress: text(),
    fromName: text(),
    toAddresses: text().array().notNull().default([]),
    ccAddresses: text().array().notNull().default([]),
    subject: text().notNull().default(''),
    inReplyTo: text(),
    references: text().array().notNull().default([]),
    /** The Outlook conversation (first 22 bytes of Thread-Index, hex): the last threading rule. */
    outlookConversation: text(),
    headers: jsonb().$type<Record<string, string | string[]>>().notNull(),
    contentType: text().notNull(),
    textBody: text().notNull().default(''),
    htmlBody: text(),
    tnef: boolean().notNull().default(false),
    deliveryReport: jsonb().$type<Record<string, unknown>>(),
    parseError: text(),
    status: text({ enum: inboundMailStatuses }).notNull().default('received'),
    classification: jsonb().$type<Classification>(),
    /** What processing did, in words ("opened INC-…", "appended to INC-…", the review reason). */
    outcome: text(),
    incidentNumber: text(),
    /** Status callback: the workflow id of the callback the mail asked for (`callback-<uuid>`). */
    callbackWorkflowId: text(),
    /** For review: the incident the mail points at, if any. */
    candidateIncident: text(),
    attempts: integer().notNull().default(0),
    lastError: text(),
    claimedAt: timestamp({ withTimezone: true }),
    processedAt: timestamp({ withTimezone: true }),
    /** Who decided a review ("user:<id>"), and when. */
    reviewedBy: text(),
    reviewedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.messageId), index().on(t.incidentNumber), index().on(t.status), index().on(t.fromAddress, t.receivedAt), index().on(t.outlookConversation)],
);

export const mailAttachments = pgTable(
  'mail_attachments',
  {
    id: uuid().primaryKey().defaultRandom(),
    mailId: uuid()
      .notNull()
      .references(() => inboundMails.id),
    position: integer().notNull(),
    filename: text(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    contentId: text(),
    inline: boolean().notNull().default(false),
    content: bytea().notNull(),
  },
  (t) => [unique().on(t.mailId, t.position)],
);

/** Where each IMAP mailbox's ingestion stands: resume after the last stored UID of this UIDVALIDITY. */
export const mailboxStates = pgTable('mailbox_states', {
  mailbox: text().primaryKey(),
  uidValidity: text().notNull(),
  lastUid: bigint({ mode: 'number' }).notNull(),
  lastPollAt: timestamp({ withTimezone: true }),
  lastError: text(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
