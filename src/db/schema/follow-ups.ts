import { bigserial, boolean, index, integer, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { followUpKinds } from '../../domain/enums.js';

/** Projection of a follow-up workflow (service order, change, callback), written only by its activities. */
export const followUps = pgTable(
  'follow_ups',
  {
    workflowId: text().primaryKey(),
    kind: text({ enum: followUpKinds }).notNull(),
    incidentNumber: text(),
    customerNumber: text(),
    title: text().notNull(),
    state: text().notNull(),
    ended: boolean().notNull().default(false),
    assigneeId: uuid(),
    dueAt: timestamp({ withTimezone: true }),
    details: jsonb().$type<Record<string, unknown>>().notNull(),
    /** Sequence number of the last event applied; guards against out-of-order writes. */
    version: integer().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index().on(t.incidentNumber), index().on(t.kind, t.ended), index().on(t.dueAt)],
);

/** The timeline of a follow-up, in order of `seq`. */
export const followUpEvents = pgTable(
  'follow_up_events',
  {
    id: bigserial({ mode: 'number' }).primaryKey(),
    workflowId: text()
      .notNull()
      .references(() => followUps.workflowId),
    seq: integer().notNull(),
    type: text().notNull(),
    actor: text().notNull(),
    actorName: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [unique().on(t.workflowId, t.seq)],
);
