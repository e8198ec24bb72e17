// Time entries, material entries, quota events and outgoing invoices. Money is integer cents throughout.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, date, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { activityTypes, entitlementDecisions, invoiceLineKinds, invoiceStatuses, materialEntryEventTypes } from '../../domain/enums.js';
import { contracts, projects } from './contracts.js';
import { customers } from './customers.js';
import { users } from './users.js';

/**
 * Work logged on an incident. The billing columns are derived when the entry is written
 * (entitlement on the work date, quota left in that period) and frozen once invoiced.
 */
export const timeEntries = pgTable(
  'time_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    incidentNumber: text().notNull(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    /** The contract the work was done under (the incident's), if any. */
    contractId: uuid().references(() => contracts.id),
    projectId: uuid().references(() => projects.id),
    agentId: uuid()
      .notNull()
      .references(() => users.id),
    workDate: date().notNull(),
    minutes: integer().notNull(),
    activityType: text({ enum: activityTypes }).notNull(),
    description: text().notNull(),
    /** The entitlement decision for this work on its date. */
    decision: text({ enum: entitlementDecisions }).notNull(),
    /** Minutes drawn from the contract quota, and the first day of the quota period they were drawn from. */
    quotaMinutes: integer().notNull().default(0),
    quotaPeriodStart: date(),
    billableMinutes: integer().notNull().default(0),
    /** Hourly rate in cents applied to the billable minutes; null when nothing is billable. */
    rateCents: integer(),
    amountCents: integer().notNull().default(0),
    billingReason: text().notNull(),
    /** A manager's decision that overrides the derived billing, with the reason. */
    billableOverride: boolean(),
    overrideReason: text(),
    overrideBy: text(),
    /** Set when the invoice that holds this entry is finalised; the entry is frozen from then on. */
    invoicedAt: timestamp({ withTimezone: true }),
    /** The creator's Idempotency-Key, scoped to the creator: a retried POST gets the same entry. */
    idempotencyKey: text().unique(),
    /** The follow-up (service order) whose work report this entry was booked from, and its line there (0-based). */
    followUpWorkflowId: text(),
    followUpLineNo: integer(),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.incidentNumber),
    index().on(t.customerId, t.workDate),
    index().on(t.contractId, t.quotaPeriodStart),
    // Booking a work report twice (a retried activity) finds the lines it booked the first time.
    unique().on(t.followUpWorkflowId, t.followUpLineNo),
  ],
);

/**
 * Material (parts, hardware) used on an incident, booked from a service order's work report.
 * Billable at its unit price (a support contract's quota covers time, not parts) unless a
 * manager waived it. A manager may correct or delete it until it is invoiced, with a reason
 * recorded in material_entry_events; frozen once invoiced, like a time entry.
 */
export const materialEntries = pgTable(
  'material_entries',
  {
    id: uuid().primaryKey().defaultRandom(),
    incidentNumber: text().notNull(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    /** The contract and project the incident's work is priced under on that day, if any. */
    contractId: uuid().references(() => contracts.id),
    projectId: uuid().references(() => projects.id),
    /** The day the material was used (the service order's completion, house time zone). */
    workDate: date().notNull(),
    followUpWorkflowId: text().notNull(),
    /** The line of the work report's materials (0-based). */
    lineNo: integer().notNull(),
    articleNumber: text().notNull(),
    description: text().notNull(),
    quantity: integer().notNull(),
    unitPriceCents: integer().notNull(),
    /** quantity × unit price, exact (a line beyond the integer column's range is refused at booking and correction). */
    amountCents: integer().notNull(),
    /** False when a manager waived it: the value stays in amountCents, an invoice bills nothing of it. */
    billable: boolean().notNull().default(true),
    /** The manager's last billing decision (waive or bill again) and its reason; null while never decided. */
    overrideReason: text(),
    overrideBy: text(),
    /** Set when the invoice that holds this entry is finalised; the entry is frozen from then on. */
    invoicedAt: timestamp({ withTimezone: true }),
    createdBy: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Soft delete: the entry stays for its audit trail and is never billed. */
    deletedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.incidentNumber),
    index().on(t.customerId, t.workDate),
    unique().on(t.followUpWorkflowId, t.lineNo),
    check('material_entries_amount', sql`${t.quantity} > 0 and ${t.unitPriceCents} >= 0 and ${t.amountCents}::bigint = ${t.quantity}::bigint * ${t.unitPriceCents}`),
  ],
);

/** The audit trail of material entries: every correction, billing decision and delete, with reason, before and after. */
export const materialEntryEvents = pgTable(
  'material_entry_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    materialEntryId: uuid()
      .notNull()
      .references(() => materialEntries.id),
    incidentNumber: text().notNull(),
    type: text({ enum: materialEntryEventTypes }).notNull(),
    actor: text().notNull(),
    actorName: text().notNull(),
    reason: text().notNull(),
    before: jsonb().$type<Record<string, unknown>>().notNull(),
    after: jsonb().$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.materialEntryId), index().on(t.incidentNumber)],
);

/** The audit trail of time entries: every create, edit, override and delete, with before and after. */
export const timeEntryEvents = pgTable(
  'time_entry_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    timeEntryId: uuid()
      .notNull()
      .references(() => timeEntries.id),
    incidentNumber: text().notNull(),
    type: text({ enum: ['created', 'updated', 'billing_overridden', 'deleted'] }).notNull(),
    actor: text().notNull(),
    actorName: text().notNull(),
    reason: text(),
    before: jsonb().$type<Record<string, unknown>>(),
    after: jsonb().$type<Record<string, unknown>>(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.timeEntryId), index().on(t.incidentNumber)],
);

/** A quota threshold reached in a period: at most one row per contract, period and threshold. */
export const quotaEvents = pgTable(
  'quota_events',
  {
    id: uuid().primaryKey().defaultRandom(),
    contractId: uuid()
      .notNull()
      .references(() => contracts.id),
    periodStart: date().notNull(),
    /** Percent of the quota: 80 or 100. */
    threshold: integer().notNull(),
    usedMinutes: integer().notNull(),
    quotaMinutes: integer().notNull(),
    timeEntryId: uuid().references(() => timeEntries.id),
    /** Who was told (the account manager's address), or null when the customer has none. */
    notified: text(),
    occurredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique().on(t.contractId, t.periodStart, t.threshold)],
);

/** A request to invoice a period; repeating it (or running it twice at once) yields the same invoices. */
export const invoiceRuns = pgTable(
  'invoice_runs',
  {
    id: uuid().primaryKey().defaultRandom(),
    periodFrom: date().notNull(),
    periodTo: date().notNull(),
    startedBy: text().notNull(),
    startedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp({ withTimezone: true }),
    invoiceCount: integer().notNull().default(0),
  },
  (t) => [unique().on(t.periodFrom, t.periodTo)],
);

export const invoiceNumberCounters = pgTable('invoice_number_counters', {
  year: integer().primaryKey(),
  lastValue: integer().notNull(),
});

/** One outgoing invoice per customer and period; a number is given when it is finalised. */
export const invoices = pgTable(
  'invoices',
  {
    id: uuid().primaryKey().defaultRandom(),
    invoiceNumber: text().unique(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    periodFrom: date().notNull(),
    periodTo: date().notNull(),
    status: text({ enum: invoiceStatuses }).notNull().default('draft'),
    currency: text().notNull().default('EUR'),
    netCents: bigint({ mode: 'number' }).notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    finalisedAt: timestamp({ withTimezone: true }),
    finalisedBy: text(),
  },
  (t) => [unique().on(t.customerId, t.periodFrom, t.periodTo), index().on(t.status)],
);

/**
 * A billable time or material entry on an invoice. The unique entry ids are what make double
 * billing impossible; every line holds exactly one of them.
 */
export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: uuid().primaryKey().defaultRandom(),
    invoiceId: uuid()
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    timeEntryId: uuid()
      .unique()
      .references(() => timeEntries.id),
    materialEntryId: uuid()
      .unique()
      .references(() => materialEntries.id),
    kind: text({ enum: invoiceLineKinds }).notNull(),
    incidentNumber: text().notNull(),
    contractNumber: text(),
    projectNumber: text(),
    workDate: date().notNull(),
    /** Time lines only. */
    activityType: text({ enum: activityTypes }),
    description: text().notNull(),
    /** Billable minutes of a time line; 0 on a material line. */
    minutes: integer().notNull(),
    /** Hourly rate of a time line; null on a material line. */
    rateCents: integer(),
    /** Material lines only. */
    articleNumber: text(),
    quantity: integer(),
    unitPriceCents: integer(),
    amountCents: integer().notNull(),
  },
  (t) => [index().on(t.invoiceId), check('invoice_lines_one_entry', sql`num_nonnulls(${t.timeEntryId}, ${t.materialEntryId}) = 1`)],
);
