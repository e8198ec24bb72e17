// JSON views of incidents, from the projection row or the workflow's live state.
import { projectionRow } from '../../db/projection.js';
import type { IncidentState } from '../../domain/incident/state.js';
import { businessCalendar, BusinessCalendar, resolvedHolidayLookup } from '../../domain/business-calendar.js';
import { levelNames, slaPicture, type SlaPolicySnapshot } from '../../domain/sla.js';
import type { IncidentEventRow, IncidentRow } from '../../services/incident-queries.js';
import { entitlementView } from '../entitlement/schemas.js';
import type { FollowUpLink } from '../../domain/incident/follow-ups.js';
import type { Incident } from './schemas.js';
import { DateTime } from 'luxon';
import { isTimeZone, zoneOffsetMinutes } from '../../domain/business-time.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** A timeline event as the API shows it, on an incident's, a follow-up's and a callback's timeline alike. */
export const timelineEventView = (e: Pick<IncidentEventRow, 'seq' | 'type' | 'actor' | 'actorName' | 'occurredAt' | 'payload'>) => ({
  seq: e.seq,
  type: e.type,
  actor: { id: e.actor, name: e.actorName },
  at: e.occurredAt.toISOString(),
  payload: e.payload,
});

// Compiled calendars per policy version and holiday years, kept across requests: a list computes a
// picture per row, and with the calendar's days and running totals kept, each one is O(log days).
const calendars = new Map<string, BusinessCalendar>();
function calendarOf(policy: SlaPolicySnapshot): BusinessCalendar {
  const holidays = policy.publicHolidays;
  const key = `${policy.id}:${policy.version}:${holidays ? `${holidays.fromYear}-${holidays.toYear}` : 'rules'}:${policy.zoneOffsets ? policy.zoneOffsets.from : 'intl'}:${JSON.stringify(policy.calendar)}`;
  let calendar = calendars.get(key);
  if (!calendar) {
    if (calendars.size > 500) calendars.clear();
    // A snapshot from before snapshots carried their holidays: the region's rules.
    calendar = holidays || !policy.calendar.holidays ? new BusinessCalendar(policy.calendar, resolvedHolidayLookup(holidays), policy.zoneOffsets) : businessCalendar(policy.calendar);
    calendars.set(key, calendar);
  }
  return calendar;
}

const zones = new Map<string, boolean>();
const knownZone = (zone: string) => {
  let known = zones.get(zone);
  if (known === undefined) {
    if (zones.size > 1000) zones.clear();
    known = isTimeZone(zone);
    zones.set(zone, known);
  }
  return known;
};

/**
 * An instant's wall-clock time in `zone`, ISO 8601 with offset and the zone in brackets (RFC 9557),
 * to the minute when it falls on one, else to the second (milliseconds dropped): "2026-12-02T16:00+01:00[Europe/Berlin]".
 */
export function localTime(iso: string | null, zone: string | null): string | null {
  if (!iso || !zone || !knownZone(zone)) return null;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  // The wall clock is the UTC fields of the instant moved by the zone's offset.
  const offset = zoneOffsetMinutes(zone, at);
  const wall = new Date(at + offset * 60_000).toISOString();
  const seconds = wall.slice(17, 19);
  const abs = Math.abs(offset);
  return `${wall.slice(0, 16)}${seconds === '00' ? '' : `:${seconds}`}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}[${zone}]`;
}

/** A list's `receivedFrom`/`receivedTo`: an instant as given, a calendar day as its start in `zone`. */
export function instantOrDayStart(value: string, zone: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone }).startOf('day').toJSDate() : new Date(value);
}

type EscalationChange = { at: string; reachedAt: string | null; from: number; to: number; name: string; target: string | null };

/** The level changes with their local times in the policy's zone. */
export function escalationViews(changes: EscalationChange[], zone: string | null): NonNullable<NonNullable<Incident['sla']>['escalations']> {
  return changes.map((e) => ({ ...e, atLocal: localTime(e.at, zone), reachedAtLocal: localTime(e.reachedAt, zone) }));
}

/**
 * The live SLA picture, computed now from the policy snapshot and the clocks. Minutes are whole:
 * business time used and paused rounded down, the budget left rounded up (used + left = budget
 * while a target runs), no budget left once a target is met (null).
 */
export function slaView(row: Pick<IncidentRow, 'slaPolicy' | 'slaClocks' | 'priority' | 'slaBreached'>, now = new Date()): Incident['sla'] {
  if (!row.slaPolicy || !row.slaClocks) return null;
  const picture = slaPicture(row.slaPolicy, row.priority, row.slaClocks, now, calendarOf(row.slaPolicy));
  const zone = row.slaPolicy.calendar.timezone;
  const asOf = now.toISOString();
  return {
    policy: { name: row.slaPolicy.name, version: row.slaPolicy.version, tier: row.slaPolicy.tier },
    zone,
    level: picture.level,
    levelName: levelNames[picture.level],
    breached: row.slaBreached || picture.breached,
    asOf,
    asOfLocal: localTime(asOf, zone),
    targets: picture.clocks.map((c) => {
      const metAt = c.state === 'met' ? (row.slaClocks?.[c.target]?.stoppedAt ?? null) : null;
      return {
        target: c.target,
        state: c.state,
        budgetMinutes: c.budgetMinutes,
        dueAt: c.dueAt,
        dueAtLocal: localTime(c.dueAt, zone),
        metAt,
        metAtLocal: localTime(metAt, zone),
        elapsedMinutes: Math.floor(c.elapsedMinutes),
        remainingMinutes: c.state === 'met' ? null : Math.ceil(c.remainingMinutes),
        pausedMinutes: Math.floor(c.pausedMinutes),
        level: c.level,
      };
    }),
  };
}

export function incidentView(row: IncidentRow): Incident {
  return {
    number: row.number,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: row.priority,
    impact: row.impact,
    urgency: row.urgency,
    channel: row.channel,
    customerNumber: row.customerNumber,
    contactEmail: row.contactEmail,
    serialNumber: row.serialNumber,
    contractTier: row.contractTier,
    entitlement: row.entitlement ? entitlementView(row.entitlement) : null,
    assignee: row.assigneeId && row.assigneeName ? { id: row.assigneeId, name: row.assigneeName } : null,
    assignedGroup: row.assignedGroup,
    resolution: row.resolution,
    due: {
      firstResponse: iso(row.firstResponseDueAt),
      nextResponse: iso(row.nextResponseDueAt),
      resolution: iso(row.resolutionDueAt),
    },
    dueLocal: {
      firstResponse: localTime(iso(row.firstResponseDueAt), row.slaPolicy?.calendar.timezone ?? null),
      nextResponse: localTime(iso(row.nextResponseDueAt), row.slaPolicy?.calendar.timezone ?? null),
      resolution: localTime(iso(row.resolutionDueAt), row.slaPolicy?.calendar.timezone ?? null),
    },
    escalationLevel: row.escalationLevel,
    slaBreached: row.slaBreached,
    sla: slaView(row),
    receivedAt: row.receivedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    resolvedAt: iso(row.resolvedAt),
    closedAt: iso(row.closedAt),
    parentNumber: row.parentNumber ?? null,
    followUps: (row.followUps ?? []).map(followUpLinkView),
  };
}

/** A follow-up link as the incident shows it: where to read it (a child ticket is an incident of its own). */
function followUpLinkView(link: FollowUpLink): Incident['followUps'][number] {
  return {
    ref: link.ref,
    kind: link.kind,
    title: link.title,
    status: link.status,
    waitFor: link.waitFor,
    workflowId: link.workflowId,
    number: link.number ?? null,
    result: link.result ?? null,
    createdAt: link.createdAt,
    endedAt: link.endedAt ?? null,
  };
}

export function incidentViewOfState(state: IncidentState): Incident {
  const row = projectionRow(state);
  return incidentView({ ...row, escalationLevel: state.escalationLevel, slaBreached: state.slaBreached } as IncidentRow);
}
