import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { userRoles } from '../../domain/enums.js';

export const users = pgTable('users', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  email: text().notNull().unique(),
  role: text({ enum: userRoles }).notNull(),
  /** Support group, e.g. "1st-level". */
  groupName: text(),
  /** Internal cost per hour in cents for profitability; null: the role's default cost rate. */
  costRateCents: integer(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/**
 * Bearer tokens; only the SHA-256 of the (high-entropy) token is stored. The role is the user's
 * (users.role, read at each request), never the token's, so a role change cannot leave a token behind.
 */
export const apiTokens = pgTable('api_tokens', {
  id: uuid().primaryKey().defaultRandom(),
  userId: uuid()
    .notNull()
    .references(() => users.id),
  name: text().notNull(),
  tokenHash: text().notNull().unique(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  lastUsedAt: timestamp({ withTimezone: true }),
  revokedAt: timestamp({ withTimezone: true }),
});
