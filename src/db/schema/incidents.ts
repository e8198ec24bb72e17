import { sql } from 'drizzle-orm';
import { bigserial, boolean, customType, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
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

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** A running target's due instant: the target's clock exists and is neither stopped (met) nor paused. */
const runningDue = (target: string, column: string) =>
  `case when sla_clocks->'${target}'->>'stoppedAt' is null and sla_clocks->'${target}'->>'pausedSince' is null then ${column} end`;

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
    /**
     * The list's "due" order: the earliest due instant of a running target (overdue ones included,
     * so they come first); null when no target runs (all met, paused, or no SLA).
     */
    nextDueAt: timestamp({ withTimezone: true }).generatedAlwaysAs(
      sql.raw(`least(${runningDue('firstResponse', 'first_response_due_at')}, ${runningDue('nextResponse', 'next_response_due_at')}, ${runningDue('resolution', 'resolution_due_at')})`),
    ),
    /** Full text of number, title and description in German and English (immutable_unaccent: see migration 0017). */
    search: tsvector().generatedAlwaysAs(
      sql.raw(
        `to_tsvector('german'::regconfig, immutable_unaccent(number || ' ' || title || ' ' || description)) || to_tsvector('english'::regconfig, immutable_unaccent(number || ' ' || title || ' ' || description))`,
      ),
    ),
  },
  // The list's orders, each ending in the number so they are total, alone and after each filter.
  (t) => [
    index().on(t.parentNumber),
    index('incidents_received_idx').on(t.receivedAt.desc(), t.number.desc()),
    index('incidents_status_received_idx').on(t.status, t.receivedAt.desc(), t.number.desc()),
    index('incidents_customer_received_idx').on(t.customerNumber, t.receivedAt.desc(), t.number.desc()),
    // The portal's "my requests" of a contact who sees only their own.
    index('incidents_contact_received_idx').on(t.contactId, t.receivedAt.desc(), t.number.desc()),
    index('incidents_priority_received_idx').on(t.priority, t.receivedAt.desc(), t.number.desc()),
    index('incidents_assignee_received_idx').on(t.assigneeId, t.receivedAt.desc(), t.number.desc()),
    index('incidents_group_received_idx').on(t.assignedGroup, t.receivedAt.desc(), t.number.desc()),
    index('incidents_escalated_received_idx').on(t.receivedAt.desc(), t.number.desc()).where(sql`${t.escalationLevel} > 0`),
    // Both ways: `breached=false` matches most rows, and its count reads this index alone.
    index('incidents_breached_received_idx').on(t.slaBreached, t.receivedAt.desc(), t.number.desc()),
    // No running target sorts last: the expression keeps the key non-null, so a keyset row comparison uses the index.
    index('incidents_due_idx').on(sql`coalesce(${t.nextDueAt}, 'infinity'::timestamptz)`, t.number.asc()),
    index('incidents_level_idx').on(t.escalationLevel.desc(), t.number.desc()),
    index('incidents_search_idx').using('gin', t.search),
  ],
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
  // The volume report counts resolves and reopens per period.
  (t) => [unique().on(t.incidentNumber, t.seq), index('incident_events_type_occurred_idx').on(t.type, t.occurredAt)],
);
