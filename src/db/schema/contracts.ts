import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contractTiers, projectKinds, quotaPeriods, type ActivityType } from '../../domain/enums.js';
import { customers } from './customers.js';
import { slaPolicies } from './sla.js';

/** Hourly rates in cents per activity type. */
export type HourlyRates = Partial<Record<ActivityType, number>>;

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
    /** Covers every asset of the customer, not only the assets listed in `contract_assets`. */
    coversAllAssets: boolean().notNull().default(false),
    /** A contract-specific policy; otherwise the tier's default policy applies. */
    slaPolicyId: uuid().references(() => slaPolicies.id),
    /** Net fee per month in cents; prorated by day for partial months. */
    monthlyFeeCents: integer().notNull().default(0),
    /** Net hourly rates in cents for billable work under this contract (falls back to the house defaults). */
    hourlyRates: jsonb().$type<HourlyRates>().notNull().default({}),
    /** Included minutes per quota period; null for a contract without quota (fully covered). */
    quotaMinutes: integer(),
    quotaPeriod: text({ enum: quotaPeriods }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
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
    /** The day the asset went out of service (a hardware change replaced or retired it); no contract covers it from then on. */
    retiredOn: date(),
    /** What retired it, e.g. the hardware change's workflow id. */
    retiredBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.customerId)],
);

/** Which assets a contract covers by name; a renewal lists the same asset with a later validity. */
export const contractAssets = pgTable(
  'contract_assets',
  {
    contractId: uuid()
      .notNull()
      .references(() => contracts.id, { onDelete: 'cascade' }),
    assetId: uuid()
      .notNull()
      .references(() => assets.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.contractId, t.assetId] }), index().on(t.assetId)],
);

/** The support or maintenance project of a contract: incidents and their time link to it. */
export const projects = pgTable('projects', {
  id: uuid().primaryKey().defaultRandom(),
  projectNumber: text().notNull().unique(),
  contractId: uuid()
    .notNull()
    .unique()
    .references(() => contracts.id, { onDelete: 'cascade' }),
  customerId: uuid()
    .notNull()
    .references(() => customers.id),
  kind: text({ enum: projectKinds }).notNull(),
  name: text().notNull(),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
