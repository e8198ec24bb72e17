import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { languages } from '../../domain/enums.js';

/** A debtor: the customer account that contracts, contacts and assets belong to. */
export const customers = pgTable('customers', {
  id: uuid().primaryKey().defaultRandom(),
  customerNumber: text().notNull().unique(),
  name: text().notNull(),
  mailDomains: text().array().notNull().default([]),
  language: text({ enum: languages }).notNull().default('de'),
  creditHold: boolean().notNull().default(false),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
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
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.customerId)],
);
