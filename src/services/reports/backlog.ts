// The backlog: the incidents open at an instant, by age (business and calendar days), status,
// priority, group and tier, and the open count at the end of each of the 12 weeks before.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { addDays } from '../../domain/calendar-dates.js';
import { openStatuses } from '../../domain/incident/state.js';
import { policyCalendar, type SlaPolicySnapshot } from '../../domain/sla.js';
import { businessDate } from '../../domain/ticket-number.js';
import type { BusinessCalendar } from '../../domain/business-time.js';

export const businessAgeBuckets = ['0-1', '2-4', '5-9', '10-19', '20+'] as const;
export const calendarAgeBuckets = ['0-1', '2-7', '8-14', '15-30', '31+'] as const;

export interface Count {
  key: string;
  count: number;
}

export interface BacklogReport {
  at: string;
  timezone: string;
  open: number;
  byBusinessAge: Count[];
  byCalendarAge: Count[];
  byStatus: Count[];
  byPriority: Count[];
  byGroup: Count[];
  byTier: Count[];
  /** Open incidents at the end of each of the last 12 weeks (Sunday 24:00 in the zone), oldest first, and at `at`. */
  trend: { at: string; open: number }[];
  /** The incidents behind one bar, when asked for (`list`). */
  incidents?: BacklogIncident[];
}

export const backlogDimensions = ['businessAge', 'calendarAge', 'status', 'priority', 'group', 'tier'] as const;
export type BacklogDimension = (typeof backlogDimensions)[number];

export interface BacklogIncident {
  number: string;
  title: string;
  receivedAt: string;
  status: string;
  priority: string;
  group: string | null;
  tier: string | null;
  businessDays: number;
  calendarDays: number;
}

const open = sql.join(
  openStatuses.map((s) => sql`${s}`),
  sql`, `,
);

/**
 * The incidents open at `at`: received by then, not closed by then, and not resolved then (the
 * last resolve, reopen or reopening customer message before `at` is not a resolve).
 */
const openAt = (at: string) => sql`
  select i.* from incidents i
  where i.received_at <= ${at}::timestamptz and (i.closed_at is null or i.closed_at > ${at}::timestamptz)
    and coalesce((
      select e.type from incident_events e
      where e.incident_number = i.number and e.occurred_at <= ${at}::timestamptz
        and (e.type in ('resolved', 'reopened', 'closed') or (e.type = 'customer_message' and e.payload ->> 'effect' = 'reopened'))
      order by e.seq desc limit 1), 'reopened') in ('reopened', 'customer_message')`;

function bucketOf(days: number, buckets: readonly string[], bounds: number[]): string {
  const i = bounds.findIndex((b) => days <= b);
  return buckets[i === -1 ? buckets.length - 1 : i]!;
}

/**
 * Business days between two local dates (the days after `from` up to `to` that have business
 * hours), counted once per calendar: the number of business days from each date to `to`.
 */
function businessDayCounter(calendar: BusinessCalendar, to: string): (from: string) => number {
  const counts = new Map<string, number>();
  let reached = to;
  let count = 0;
  counts.set(to, 0);
  return (from) => {
    if (from >= to) return 0;
    // Walk back from the earliest date seen so far; each date is looked at once per calendar.
    while (reached > from) {
      if (calendar.wallIntervalsOn(reached).length > 0) count += 1;
      reached = addDays(reached, -1);
      counts.set(reached, count);
    }
    return counts.get(from)!;
  };
}

export async function backlogReport(db: Db, at: Date, timezone: string, options: { defaultCalendar?: BusinessCalendar | undefined; list?: { dimension: BacklogDimension; key: string } | undefined; trend?: boolean; everything?: boolean } = {}): Promise<BacklogReport> {
  const { defaultCalendar, list } = options;
  const now = at.toISOString();
  const isNow = Math.abs(Date.now() - at.getTime()) < 60_000;
  // Now, the projection's status says it; before, the timeline does.
  const source = isNow ? sql`select i.* from incidents i where i.status in (${open})` : openAt(now);
  const rows = await db.execute<{ number: string; title: string; received_at: string; status: string; priority: string; grp: string | null; tier: string | null; policy_key: string | null }>(sql`
    select o.number, o.title, to_json(o.received_at) #>> '{}' as received_at, o.status, o.priority, o.assigned_group as grp, o.contract_tier as tier,
      (o.sla_policy ->> 'id') || ':' || (o.sla_policy ->> 'version') as policy_key
    from (${source}) o`);
  // One calendar per policy version the open incidents use, its snapshot read from one of them.
  const keys = [...new Set(rows.flatMap((r) => (r.policy_key ? [r.policy_key] : [])))];
  const calendars = new Map<string, BusinessCalendar>();
  if (keys.length > 0) {
    const first = new Map<string, string>();
    for (const r of rows) if (r.policy_key && !first.has(r.policy_key)) first.set(r.policy_key, r.number);
    const snapshots = await db.execute<{ policy_key: string; sla_policy: SlaPolicySnapshot }>(sql`
      select (sla_policy ->> 'id') || ':' || (sla_policy ->> 'version') as policy_key, sla_policy from incidents
      where number in (${sql.join(
        [...first.values()].map((n) => sql`${n}`),
        sql`, `,
      )})`);
    for (const s of snapshots) calendars.set(s.policy_key, policyCalendar(s.sla_policy));
  }
  const today = businessDate(at, timezone);
  const tally = (into: Map<string, number>, key: string) => into.set(key, (into.get(key) ?? 0) + 1);
  const business = new Map<string, number>(businessAgeBuckets.map((b) => [b, 0]));
  const calendar = new Map<string, number>(calendarAgeBuckets.map((b) => [b, 0]));
  const byStatus = new Map<string, number>();
  const byPriority = new Map<string, number>();
  const byGroup = new Map<string, number>();
  const byTier = new Map<string, number>();
  const listed: BacklogIncident[] = [];
  const counters = new Map<string, (from: string) => number>();
  for (const r of rows) {
    const received = businessDate(new Date(r.received_at), timezone);
    const calendarDays = Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${received}T00:00:00Z`)) / 86_400_000);
    const key = r.policy_key && calendars.has(r.policy_key) ? r.policy_key : '';
    let counter = counters.get(key);
    if (!counter) {
      const cal = calendars.get(key) ?? defaultCalendar;
      counter = cal ? businessDayCounter(cal, today) : (from: string) => Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
      counters.set(key, counter);
    }
    const businessDays = counter(received);
    const keys: Record<BacklogDimension, string> = {
      businessAge: bucketOf(businessDays, businessAgeBuckets, [1, 4, 9, 19]),
      calendarAge: bucketOf(calendarDays, calendarAgeBuckets, [1, 7, 14, 30]),
      status: r.status,
      priority: r.priority,
      group: r.grp ?? 'none',
      tier: r.tier ?? 'none',
    };
    if (options.everything || (list && keys[list.dimension] === list.key)) {
      listed.push({ number: r.number, title: r.title, receivedAt: new Date(r.received_at).toISOString(), status: r.status, priority: r.priority, group: r.grp, tier: r.tier, businessDays, calendarDays });
    }
    tally(business, keys.businessAge);
    tally(calendar, keys.calendarAge);
    tally(byStatus, r.status);
    tally(byPriority, r.priority);
    tally(byGroup, r.grp ?? 'none');
    tally(byTier, r.tier ?? 'none');
  }
  const counts = (m: Map<string, number>, sorted = true) => {
    const list = [...m].map(([key, count]) => ({ key, count }));
    return sorted ? list.sort((a, b) => a.key.localeCompare(b.key)) : list;
  };
  return {
    at: now,
    timezone,
    open: rows.length,
    byBusinessAge: counts(business, false),
    byCalendarAge: counts(calendar, false),
    byStatus: counts(byStatus),
    byPriority: counts(byPriority),
    byGroup: counts(byGroup),
    byTier: counts(byTier),
    trend: options.trend === false ? [] : [...(await weeklyOpen(db, at, timezone)), { at: now, open: rows.length }],
    ...(list || options.everything ? { incidents: listed.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.number.localeCompare(b.number)) } : {}),
  };
}

/** The open count at the end of each of the 12 full weeks before `at` (Monday 00:00 in the zone). */
async function weeklyOpen(db: Db, at: Date, timezone: string): Promise<{ at: string; open: number }[]> {
  const points = await db.execute<{ at: string }>(sql`
    select to_json(w at time zone ${timezone}) #>> '{}' as at from generate_series(
      date_trunc('week', ${at.toISOString()}::timestamptz at time zone ${timezone}) - interval '11 weeks',
      date_trunc('week', ${at.toISOString()}::timestamptz at time zone ${timezone}),
      interval '1 week') w`);
  const result: { at: string; open: number }[] = [];
  for (const p of points) {
    const instant = new Date(p.at).toISOString();
    if (Date.parse(instant) >= at.getTime()) continue;
    const [row] = await db.execute<{ open: number }>(sql`select count(*)::int as open from (${openAt(instant)}) o`);
    result.push({ at: instant, open: row?.open ?? 0 });
  }
  return result;
}
