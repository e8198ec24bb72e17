import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { channels, contractTiers, entitlementDecisions, impacts, incidentStatuses, priorities, urgencies } from '../../domain/enums.js';
import type { Entitlement } from '../../domain/entitlement.js';
import type { FollowUpLink } from '../../domain/incident/follow-ups.js';
import type { SlaClock, SlaPolicySnapshot, SlaTarget } from '../../domain/sla.js';

/** Per-year counter behind INC-<year>-<6 digits>; a row lock serialises allocation. */
export const incidentNumberCounters = pgTable('incident_number_counters', {
  year: integer().primaryKey(),
  lastValue: integer().notNull(),
});

/**
 * The durable intake: a number is allocated and the request stored in one transaction,
 * then the workflow is started. An intake whose start failed is started again later, so
 * no number is ever lost.
 */
export const incidentIntakes = pgTable('incident_intakes', {
  number: text().primaryKey(),
  request: jsonb().notNull(),
  receivedAt: timestamp({ withTimezone: true }).notNull(),
  workflowStartedAt: timestamp({ withTimezone: true }),
  /** The caller's Idempotency-Key, scoped to the caller ("user:<id>:<key>"): a retry gets the same incident. */
  idempotencyKey: text().unique(),
});

/** Projection of the incident workflow's state, written only by its activities. */
export const incidents = pgTable(
  'incidents',
  {
    number: text().primaryKey(),
    customerId: uuid(),
    customerNumber: text(),
    contactId: uuid(),
    contactEmail: text(),
    assetId: uuid(),
    serialNumber: text(),
    contractId: uuid(),
    contractTier: text({ enum: contractTiers }),
    slaPolicyId: uuid(),
    projectId: uuid(),
    /** The entitlement decision at intake (or the last contract change), and its details. */
    entitlementDecision: text({ enum: entitlementDecisions }),
    entitlement: jsonb().$type<Entitlement>(),
    title: text().notNull(),
    description: text().notNull(),
    channel: text({ enum: channels }).notNull(),
    impact: text({ enum: impacts }),
    urgency: text({ enum: urgencies }),
    priority: text({ enum: priorities }).notNull(),
    status: text({ enum: incidentStatuses }).notNull(),
    assigneeId: uuid(),
    assigneeName: text(),
    assignedGroup: text(),
    resolution: text(),
    firstResponseDueAt: timestamp({ withTimezone: true }),
    nextResponseDueAt: timestamp({ withTimezone: true }),
    resolutionDueAt: timestamp({ withTimezone: true }),
    /** The SLA policy as the incident uses it, and its clocks: the read model computes the live picture from these. */
    slaPolicy: jsonb().$type<SlaPolicySnapshot>(),
    slaClocks: jsonb().$type<Partial<Record<SlaTarget, SlaClock>>>(),
    escalationLevel: integer().notNull().default(0),
    slaBreached: boolean().notNull().default(false),
    receivedAt: timestamp({ withTimezone: true }).notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
    resolvedAt: timestamp({ withTimezone: true }),
    closedAt: timestamp({ withTimezone: true }),
    /** Sequence number of the last event applied; guards against out-of-order writes. */
    version: integer().notNull(),
    /** The incident this one was split from (a child ticket), if any. */
    parentNumber: text(),
    /** Links to its follow-up work (service orders, changes, child tickets, callbacks) as the workflow keeps them. */
    followUps: jsonb().$type<FollowUpLink[]>().notNull().default([]),
  },
  (t) => [index().on(t.parentNumber), index().on(t.status), index().on(t.customerNumber), index().on(t.priority), index().on(t.receivedAt)],
);

/** The timeline: every step of an incident, in order of `seq`. */
export const incidentEvents = pgTable(
  'incident_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    incidentNumber: text()
      .notNull()
      .references(() => incidents.number),
    seq: integer().notNull(),
    type: text().notNull(),
    /** Who did it: "user:<id>", "contact:<email>" or "system". */
    actor: text().notNull(),
    actorName: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [unique().on(t.incidentNumber, t.seq)],
);
