import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { userRoles } from '../../domain/enums.js';

/** Support groups ("1st-level", "network"): the teams incidents, callbacks and follow-ups are assigned to. */
export const staffGroups = pgTable('staff_groups', {
  name: text().primaryKey(),
  description: text().notNull().default(''),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const users = pgTable(
  'users',
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    email: text().notNull().unique(),
    role: text({ enum: userRoles }).notNull(),
    /** Support group, e.g. "1st-level". */
    groupName: text().references(() => staffGroups.name, { onUpdate: 'cascade' }),
    /** Internal cost per hour in cents for profitability; null: the role's default cost rate. */
    costRateCents: integer(),
    /** Set when an admin deactivated the user: their tokens stop working, and nobody can name them for new work. */
    deactivatedAt: timestamp({ withTimezone: true }),
    /** scrypt hash of the web-page password ("scrypt$N$r$p$salt$key"); null: none set yet (set by a mailed link). */
    passwordHash: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`), index('users_group_idx').on(t.groupName)],
);

/**
 * Bearer tokens; only the SHA-256 of the (high-entropy) token is stored. The role is the user's
 * (users.role, read at each request), never the token's, so a role change cannot leave a token behind.
 */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => users.id),
    name: text().notNull(),
    tokenHash: text().notNull().unique(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Who issued it: "user:<id>", or "admin-cli" for the bootstrap command. */
    createdBy: text(),
    /** After this instant the token no longer opens the API; null: until revoked. */
    expiresAt: timestamp({ withTimezone: true }),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);
