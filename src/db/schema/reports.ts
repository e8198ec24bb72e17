// The reports' facts: what the SLA clocks and the escalation ladder did, as the workflows'
// activities recorded it. Append-only (a trigger refuses UPDATE and DELETE; see migration 0021).
import { sql } from 'drizzle-orm';
import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { languages } from '../../domain/enums.js';
import { slaFactKinds, slaFactTargets } from '../../domain/sla-facts.js';
import { users } from './users.js';

/**
 * One row per thing an SLA target or the escalation ladder did, keyed by the timeline step that
 * recorded it (incident, seq) and what it was, so a retried step writes nothing twice.
 * A target's cycle is named by the instant its clock started (next response starts anew after each
 * reply it waits for). `at` is the exact instant, also for a level the workflow passed while busy.
 */
export const slaFacts = pgTable(
  'sla_facts',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    incidentNumber: text().notNull(),
    /** The timeline step that recorded it. */
    seq: integer().notNull(),
    kind: text({ enum: slaFactKinds }).notNull(),
    /** The SLA target; for a level fact, the target that decided it ('none' when none did). */
    target: text({ enum: slaFactTargets }).notNull(),
    /** The clock's start: the cycle of the target this fact belongs to (null for a level fact). */
    cycleStartedAt: timestamp({ withTimezone: true }),
    at: timestamp({ withTimezone: true }).notNull(),
    /** The level reached (level facts). */
    level: integer(),
    /** The target's budget in business minutes, as the incident's priority and policy give it at `at`. */
    budgetMinutes: integer(),
    /** Business minutes used up to `at` (end facts: met and breached). */
    usedMinutes: doublePrecision(),
    dueAt: timestamp({ withTimezone: true }),
    priority: text(),
    /** The policy's id as its snapshot carries it. */
    policyId: text(),
    policyName: text(),
    policyVersion: integer(),
    /** The ladder's recipients of a level (role names or addresses, as the policy names them). */
    recipients: jsonb().$type<string[]>(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('sla_facts_step_key').on(t.incidentNumber, t.seq, t.kind, t.target, t.at),
    index('sla_facts_kind_at_idx').on(t.kind, t.at),
    // Also sla_facts_ends_idx and sla_facts_cycle_kind_idx (covering, hand-written in migration 0024).
    index('sla_facts_level_idx').on(t.at).where(sql`${t.kind} = 'level'`),
  ],
);

/**
 * Why an incident's SLA was breached: given at the resolve, corrected later by an agent. Every
 * giving and correction is a row; the latest per incident is the cause.
 */
export const incidentBreachCauses = pgTable(
  'incident_breach_causes',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    incidentNumber: text().notNull(),
    /** The resolve step that gave it; null for a correction. */
    seq: integer(),
    cause: text().notNull(),
    /** Free text, required for "other". */
    note: text(),
    /** "user:<id>" or "system". */
    actor: text().notNull(),
    actorName: text().notNull(),
    recordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('incident_breach_causes_step_key').on(t.incidentNumber, t.seq), index('incident_breach_causes_incident_idx').on(t.incidentNumber, t.id)],
);

/** Managers who get the weekly report mail: one row per user, in their language; unsubscribing clears `active`. */
export const reportSubscriptions = pgTable(
  'report_subscriptions',
  {
    userId: uuid()
      .primaryKey()
      .references(() => users.id, { onDelete: 'cascade' }),
    language: text({ enum: languages }).notNull().default('de'),
    active: boolean().notNull().default(true),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('report_subscriptions_active_idx').on(t.active)],
);
