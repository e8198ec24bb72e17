import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { languages } from '../../domain/enums.js';
import { users } from './users.js';

/** A debtor: the customer account that contracts, contacts and assets belong to. */
export const customers = pgTable('customers', {
  id: uuid().primaryKey().defaultRandom(),
  customerNumber: text().notNull().unique(),
  name: text().notNull(),
  mailDomains: text().array().notNull().default([]),
  language: text({ enum: languages }).notNull().default('de'),
  creditHold: boolean().notNull().default(false),
  /** Gets quota notices and management escalations for this customer. */
  accountManagerId: uuid().references(() => users.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const contacts = pgTable(
  'contacts',
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    name: text().notNull(),
    email: text().notNull().unique(),
    phone: text(),
    language: text({ enum: languages }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // Addresses are compared without regard to case (intake and threading do so too).
  (t) => [index().on(t.customerId), uniqueIndex('contacts_email_lower_key').on(sql`lower(${t.email})`)],
);
