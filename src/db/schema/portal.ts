import { index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { portalLinkPurposes } from '../../domain/enums.js';
import { contacts } from './customers.js';
import { bytea } from './mail.js';

/**
 * Signed-in portal contacts. Only the SHA-256 of the random session id is stored, so a copy of this
 * table opens no session. The synchronizer token of the session's forms is kept beside it.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    idHash: text().primaryKey(),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    csrfToken: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The absolute end, however active the session is. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('portal_sessions_contact_idx').on(t.contactId)],
);

/** Single-use links mailed to a contact (sign-in, password reset); only the token's SHA-256 is stored. */
export const portalLinks = pgTable(
  'portal_links',
  {
    tokenHash: text().primaryKey(),
    contactId: uuid()
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    purpose: text({ enum: portalLinkPurposes }).notNull(),
    /** The portal page to continue to after sign-in. */
    next: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('portal_links_contact_idx').on(t.contactId)],
);

/** Sign-in attempts per address and per client, counted over a sliding window (rate limits shared by every API process). */
export const portalAttempts = pgTable(
  'portal_attempts',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** "address:<lower-case e-mail>" or "client:<ip>". */
    key: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('portal_attempts_key_at_idx').on(t.key, t.at)],
);

/** Files a contact attached to a request or a reply in the portal; the timeline's message names them by id. */
export const portalUploads = pgTable(
  'portal_uploads',
  {
    id: uuid().primaryKey().defaultRandom(),
    incidentNumber: text().notNull(),
    contactId: uuid().references(() => contacts.id, { onDelete: 'set null' }),
    /** The form submission it came with: a repeated submission stores its files once. */
    submissionId: text().notNull(),
    position: integer().notNull(),
    filename: text().notNull(),
    contentType: text().notNull(),
    sizeBytes: integer().notNull(),
    content: bytea().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('portal_uploads_incident_idx').on(t.incidentNumber), unique('portal_uploads_submission_key').on(t.submissionId, t.position)],
);
