import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { staffLinkPurposes } from '../../domain/staff.js';
import { users } from './users.js';

/**
 * Signed-in staff (agents, managers, admins) on the web pages. Only the SHA-256 of the random
 * session id is stored, so a copy of this table opens no session; the synchronizer token of the
 * session's forms is kept beside it.
 */
export const staffSessions = pgTable(
  'staff_sessions',
  {
    idHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text().notNull(),
    /** How the identity was verified: "password" (later e.g. "oidc"). */
    method: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** The absolute end, however active the session is. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index('staff_sessions_user_idx').on(t.userId)],
);

/** Single-use links to set a password, mailed to a staff member; only the token's SHA-256 is stored. */
export const staffPasswordLinks = pgTable(
  'staff_password_links',
  {
    tokenHash: text().primaryKey(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text({ enum: staffLinkPurposes }).notNull(),
    /** Who asked for it: "user:<admin id>", or "self" from the forgot-password page. */
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    usedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('staff_password_links_user_idx').on(t.userId)],
);

/** Staff sign-in attempts and reset requests per address and per client, over a sliding window (shared by every API process). */
export const staffAttempts = pgTable(
  'staff_attempts',
  {
    id: uuid().primaryKey().defaultRandom(),
    /** "address:<lower-case e-mail>" or "client:<ip>". */
    key: text().notNull(),
    at: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('staff_attempts_key_at_idx').on(t.key, t.at)],
);
