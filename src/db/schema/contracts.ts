import { boolean, date, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contractTiers } from '../../domain/enums.js';
import { customers } from './customers.js';
import { slaPolicies } from './sla.js';

export const contracts = pgTable(
  'contracts',
  {
    id: uuid().primaryKey().defaultRandom(),
    contractNumber: text().notNull().unique(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    tier: text({ enum: contractTiers }).notNull(),
    validFrom: date().notNull(),
    /** Inclusive last day; null for an open-ended contract. */
    validTo: date(),
    /** Covers every asset of the customer, not only the assets that point to it. */
    coversAllAssets: boolean().notNull().default(false),
    /** A contract-specific policy; otherwise the tier's default policy applies. */
    slaPolicyId: uuid().references(() => slaPolicies.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.customerId)],
);

export const assets = pgTable(
  'assets',
  {
    id: uuid().primaryKey().defaultRandom(),
    serialNumber: text().notNull().unique(),
    identNumber: text().unique(),
    product: text().notNull(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    /** The contract that covers this asset, if any. */
    contractId: uuid().references(() => contracts.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.customerId)],
);
