// The escalation report: the incidents that reached a level in the period, each level with its
// exact instant (also one passed while the worker was busy), the time spent at it, who was
// notified and the breach cause; and per customer and group, how many incidents (not level
// changes) reached levels 2 and 3.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { ContractTier, IncidentStatus, Priority } from '../../domain/enums.js';
import { levelNames, type EscalationLevel } from '../../domain/sla.js';
import { periodEnd, periodStart, type ReportPeriod } from './period.js';

export interface EscalationFilter extends ReportPeriod {
  customerNumber?: string | undefined;
  /** The lowest level that makes an incident escalated (default 1, the warning). */
  minLevel: number;
}

export interface EscalationLevelReached {
  level: number;
  name: string;
  reachedAt: string;
  /** The next level change, or null while the incident is still at it. */
  until: string | null;
  /** Minutes at the level (until the next change, or until now). */
  minutesAtLevel: number;
  target: string | null;
  /** The addresses the notification reached (sent outbox rows). */
  notified: string[];
  recipients: string[];
}

export interface EscalatedIncident {
  number: string;
  title: string;
  customerNumber: string | null;
  customerName: string | null;
  group: string | null;
  tier: ContractTier | null;
  priority: Priority;
  status: IncidentStatus;
  highestLevel: number;
  levels: EscalationLevelReached[];
  breachCause: { cause: string; note: string | null } | null;
}

export interface EscalationCounts {
  key: string;
  label: string;
  /** Incidents that reached level 2 (breach) or higher in the period. */
  level2Incidents: number;
  /** Incidents that reached level 3 (management). */
  level3Incidents: number;
}

export interface EscalationReport extends ReportPeriod {
  customerNumber: string | null;
  minLevel: number;
  /** Escalated incidents in all (the list is paged). */
  total: number;
  incidents: EscalatedIncident[];
  byCustomer: EscalationCounts[];
  byGroup: EscalationCounts[];
}

/** Incidents with a level fact ≥ minLevel in the period (and of the customer, if named). */
function escalatedIncidents(f: EscalationFilter): SQL {
  // A level is reached going up: a step down from 3 to 2 does not reach level 2 again.
  return sql`
    select r.incident_number, max(r.level)::int as highest, min(r.at) as first_at from (
      select l.incident_number, l.level, l.at, lag(l.level, 1, 0) over (partition by l.incident_number order by l.at, l.seq) as before
      from sla_facts l
      where l.kind = 'level' and l.incident_number in (
        select m.incident_number from sla_facts m join incidents i on i.number = m.incident_number
        where m.kind = 'level' and m.level >= ${f.minLevel} and m.at >= ${periodStart(f)} and m.at < ${periodEnd(f)}
          ${f.customerNumber ? sql`and i.customer_number = ${f.customerNumber}` : sql``})
    ) r
    where r.level > r.before and r.level >= ${f.minLevel} and r.at >= ${periodStart(f)} and r.at < ${periodEnd(f)}
    group by r.incident_number`;
}

interface IncidentRow extends Record<string, unknown> {
  first_at: string;
  number: string;
  title: string;
  customer_number: string | null;
  customer_name: string | null;
  assigned_group: string | null;
  contract_tier: ContractTier | null;
  priority: Priority;
  status: IncidentStatus;
  highest: number;
  cause: string | null;
  note: string | null;
}

interface LevelRow extends Record<string, unknown> {
  incident_number: string;
  seq: number;
  level: number;
  at: string;
  until: string | null;
  target: string;
  recipients: string[] | null;
  notified: string[] | null;
}

/** One page of escalated incidents (ordered by their first escalation in the period), with their levels. */
export async function escalationPage(db: Db, f: EscalationFilter, page: { limit: number; offset: number }, now = new Date()): Promise<EscalatedIncident[]> {
  return (await escalationRows(db, f, page, now)).items;
}

/** Where a page ended, for the next one to start after (the order is first escalation, then number). */
interface PageEnd {
  firstAt: string;
  number: string;
}

async function escalationRows(db: Db, f: EscalationFilter, page: { limit: number; offset?: number; after?: PageEnd | undefined }, now: Date): Promise<{ items: EscalatedIncident[]; end: PageEnd | null }> {
  const rows = await db.execute<IncidentRow>(sql`
    select to_json(e.first_at) #>> '{}' as first_at, i.number, i.title, i.customer_number, c.name as customer_name, i.assigned_group, i.contract_tier, i.priority, i.status, e.highest, bc.cause, bc.note
    from (${escalatedIncidents(f)}) e
    join incidents i on i.number = e.incident_number
    left join customers c on c.id = i.customer_id
    left join lateral (select b.cause, b.note from incident_breach_causes b where b.incident_number = i.number order by b.recorded_at desc, b.id desc limit 1) bc on true
    ${page.after ? sql`where (e.first_at, i.number) > (${page.after.firstAt}::timestamptz, ${page.after.number})` : sql``}
    order by e.first_at, i.number
    limit ${page.limit} offset ${page.offset ?? 0}`);
  if (rows.length === 0) return { items: [], end: null };
  const numbers = rows.map((r) => r.number);
  const levels = await db.execute<LevelRow>(sql`
    select l.incident_number, l.seq, l.level, to_json(l.at) #>> '{}' as at,
      to_json(lead(l.at) over (partition by l.incident_number order by l.at, l.seq)) #>> '{}' as until,
      l.target, l.recipients,
      (select array_agg(o.recipient order by o.recipient) from outbox_messages o
        where o.incident_number = l.incident_number and o.template = 'escalation' and o.kind = 'email' and o.status = 'sent'
          and o.idempotency_key like l.incident_number || ':' || l.seq || ':mail:%') as notified
    from sla_facts l
    where l.kind = 'level' and l.incident_number in (${sql.join(
      numbers.map((n) => sql`${n}`),
      sql`, `,
    )})
    order by l.incident_number, l.at, l.seq`);
  const byIncident = new Map<string, EscalationLevelReached[]>();
  for (const l of levels) {
    const list = byIncident.get(l.incident_number) ?? [];
    const end = l.until ? Date.parse(l.until) : now.getTime();
    list.push({
      level: l.level,
      name: levelNames[l.level as EscalationLevel] ?? String(l.level),
      reachedAt: new Date(l.at).toISOString(),
      until: l.until ? new Date(l.until).toISOString() : null,
      minutesAtLevel: Math.max(0, Math.round((end - Date.parse(l.at)) / 60_000)),
      target: l.target === 'none' ? null : l.target,
      notified: l.notified ?? [],
      recipients: l.recipients ?? [],
    });
    byIncident.set(l.incident_number, list);
  }
  const last = rows[rows.length - 1]!;
  const items = rows.map((r) => ({
    number: r.number,
    title: r.title,
    customerNumber: r.customer_number,
    customerName: r.customer_name,
    group: r.assigned_group,
    tier: r.contract_tier,
    priority: r.priority,
    status: r.status,
    highestLevel: r.highest,
    // Level 0 (back on track) closes the level before it; the report lists the levels reached.
    levels: (byIncident.get(r.number) ?? []).filter((l) => l.level > 0),
    breachCause: r.cause ? { cause: r.cause, note: r.note } : null,
  }));
  return { items, end: { firstAt: last.first_at, number: last.number } };
}

/** Per customer and per group: incidents that reached level 2 and level 3 in the period. */
async function escalationCounts(db: Db, f: EscalationFilter, by: 'customer' | 'group'): Promise<EscalationCounts[]> {
  const key = by === 'customer' ? sql`coalesce(i.customer_number, 'none')` : sql`coalesce(i.assigned_group, 'none')`;
  const label = by === 'customer' ? sql`coalesce(c.name, i.customer_number, 'none')` : sql`coalesce(i.assigned_group, 'none')`;
  const rows = await db.execute<{ key: string; label: string; level2: number; level3: number }>(sql`
    select ${key} as key, ${label} as label,
      (count(*) filter (where e.highest >= 2))::int as level2, (count(*) filter (where e.highest >= 3))::int as level3
    from (${escalatedIncidents({ ...f, minLevel: Math.max(2, f.minLevel) })}) e
    join incidents i on i.number = e.incident_number left join customers c on c.id = i.customer_id
    group by 1, 2 order by level3 desc, level2 desc, 2`);
  return rows.map((r) => ({ key: r.key, label: r.label, level2Incidents: r.level2, level3Incidents: r.level3 }));
}

export async function escalationReport(db: Db, f: EscalationFilter, page: { limit: number; offset: number }, now = new Date()): Promise<EscalationReport> {
  const [incidents, [count], byCustomer, byGroup] = await Promise.all([
    escalationPage(db, f, page, now),
    db.execute<{ total: number }>(sql`select count(*)::int as total from (${escalatedIncidents(f)}) e`),
    escalationCounts(db, f, 'customer'),
    escalationCounts(db, f, 'group'),
  ]);
  return { from: f.from, to: f.to, timezone: f.timezone, customerNumber: f.customerNumber ?? null, minLevel: f.minLevel, total: count?.total ?? 0, incidents, byCustomer, byGroup };
}

export const escalationCsvColumns = ['incidentNumber', 'title', 'customerNumber', 'customerName', 'group', 'tier', 'priority', 'status', 'level', 'levelName', 'reachedAt', 'until', 'minutesAtLevel', 'target', 'notified', 'breachCause', 'breachNote'] as const;

/**
 * Every escalated incident of the filter, a level per row, in pages of `batch` (no row cap); each
 * page starts after the last incident of the one before, so one that escalates meanwhile shifts nothing.
 */
export async function* escalationCsvRows(db: Db, f: EscalationFilter, batch = 500, now = new Date()): AsyncGenerator<(string | number)[]> {
  let after: PageEnd | undefined;
  for (;;) {
    const { items: page, end } = await escalationRows(db, f, { limit: batch, after }, now);
    for (const i of page) {
      for (const l of i.levels) {
        yield [i.number, i.title, i.customerNumber ?? '', i.customerName ?? '', i.group ?? '', i.tier ?? '', i.priority, i.status, l.level, l.name, l.reachedAt, l.until ?? '', l.minutesAtLevel, l.target ?? '', l.notified.join(' '), i.breachCause?.cause ?? '', i.breachCause?.note ?? ''];
      }
    }
    if (page.length < batch || !end) return;
    after = end;
  }
}
