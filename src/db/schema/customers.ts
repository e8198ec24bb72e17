import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { languages, portalSharingModes } from '../../domain/enums.js';
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
  /** Which of the organisation's requests its contacts see in the portal (a customer admin contact sees all). */
  portalSharing: text({ enum: portalSharingModes }).notNull().default('own'),
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
    /** Sees and answers all of the customer's requests in the portal, and the contracts' quota use. */
    portalAdmin: boolean().notNull().default(false),
    /** scrypt hash of the portal password ("scrypt$N$r$p$salt$key"); null: sign-in by mailed link only. */
    passwordHash: text(),
    /** False: agents' replies are not mailed as well; the contact reads them in the portal. */
    replyMails: boolean().notNull().default(true),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  // Addresses are compared without regard to case (intake and threading do so too).
  (t) => [index().on(t.customerId), uniqueIndex('contacts_email_lower_key').on(sql`lower(${t.email})`)],
);
