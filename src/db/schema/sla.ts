import { boolean, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contractTiers, type Priority, type Weekday } from '../../domain/enums.js';
import type { DayIntervals } from '../../domain/business-calendar.js';
import type { EscalationLadder, SlaTargetMinutes } from '../../domain/sla.js';


export const businessCalendars = pgTable('business_calendars', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  timezone: text().notNull(),
  week: jsonb().$type<Partial<Record<Weekday, DayIntervals>>>().notNull(),
  /** date-holidays region code, e.g. "DE-NW"; public holidays only. */
  holidayRegion: text(),
  closedDates: jsonb().$type<string[]>().notNull().default([]),
  specialDays: jsonb().$type<Record<string, DayIntervals>>().notNull().default({}),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Business minutes per target; the shapes are the domain's. */
export type SlaTargets = SlaTargetMinutes;
export type { EscalationLadder };

export const slaPolicies = pgTable('sla_policies', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull().unique(),
  /** The tier this policy is the default for; null for a contract-specific policy. */
  tier: text({ enum: contractTiers }).unique(),
  calendarId: uuid()
    .notNull()
    .references(() => businessCalendars.id),
  targets: jsonb().$type<Record<Priority, SlaTargets>>().notNull(),
  escalation: jsonb().$type<EscalationLadder>().notNull(),
  /** Waiting for follow-up work (pending_change) pauses resolution and next response, like pending_customer. */
  pauseOnPendingChange: boolean().notNull().default(true),
  /** Callback SLA: business minutes from the request to the end of the call window; null is the tier's default. */
  callbackMinutes: integer(),
  version: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
