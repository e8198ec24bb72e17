import { integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contractTiers, type Priority, type Weekday } from '../../domain/enums.js';

/** Local wall-clock intervals, `[start, end)`, e.g. [["08:00", "12:00"], ["13:00", "17:00"]]. */
export type DayIntervals = [string, string][];

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

/** Business minutes per target. */
export interface SlaTargets {
  firstResponse: number;
  nextResponse: number;
  resolution: number;
}

export interface EscalationLadder {
  /** Level 1 when a running target has used this share of its time (percent). */
  warningPercent: number;
  /** Level 3 when a target is overdue by this share of the target (percent). */
  managementOverduePercent: number;
  recipients: { level1: string[]; level2: string[]; level3: string[] };
}

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
  version: integer().notNull().default(1),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
