// SLA compliance: SQL over the fact log (src/db/schema/reports.ts) and the projection.
// A target counts in the period its final end falls in: the last met or breached fact of its
// cycle, with nothing after it (no restart by a reopen, no re-judging by a priority change), so
// the figures are what every incident's own view says of it, recalculated when it changes.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { openStatuses } from '../../domain/incident/state.js';
import { slaTargets, type SlaTarget } from '../../domain/sla.js';
import { periodEnd, periodStart, type ReportPeriod } from './period.js';

export const slaGroupings = ['tier', 'customer', 'group', 'priority', 'assignee', 'policy'] as const;
export type SlaGrouping = (typeof slaGroupings)[number];

export interface TargetFigures {
  /** Targets whose final end (met or breached) falls in the period. */
  ended: number;
  met: number;
  breached: number;
  /** met / ended in percent, one decimal; null when none ended. */
  compliancePercent: number | null;
  /** Business minutes used by the ended targets: median and 90th percentile (one decimal). */
  medianBusinessMinutes: number | null;
  p90BusinessMinutes: number | null;
  /** Open targets already past due now (running overdue, or paused after passing it). */
  openBreached: number;
}

export interface SlaReportGroup {
  key: string;
  label: string;
  targets: Record<SlaTarget, TargetFigures>;
}

export interface SlaReport extends ReportPeriod {
  groupBy: SlaGrouping;
  groups: SlaReportGroup[];
  totals: Record<SlaTarget, TargetFigures>;
}

/** The group key and label of an ended target (fact `f`, incident `i`, customer `c`). */
function endedKey(groupBy: SlaGrouping): { key: SQL; label: SQL } {
  switch (groupBy) {
    case 'tier':
      return { key: sql`coalesce(i.contract_tier, 'none')`, label: sql`coalesce(i.contract_tier, 'none')` };
    case 'customer':
      return { key: sql`coalesce(i.customer_number, 'none')`, label: sql`coalesce(c.name, i.customer_number, 'none')` };
    case 'group':
      return { key: sql`coalesce(i.assigned_group, 'none')`, label: sql`coalesce(i.assigned_group, 'none')` };
    case 'priority':
      return { key: sql`coalesce(f.priority, i.priority)`, label: sql`coalesce(f.priority, i.priority)` };
    case 'assignee':
      return { key: sql`coalesce(i.assignee_id::text, 'none')`, label: sql`coalesce(i.assignee_name, 'none')` };
    case 'policy':
      return { key: sql`coalesce(f.policy_id::text || ':' || f.policy_version, 'none')`, label: sql`coalesce(f.policy_name || ' v' || f.policy_version, 'none')` };
  }
}

/** The same for an open target of the projection (incident `i`, customer `c`). */
function openKey(groupBy: SlaGrouping): { key: SQL; label: SQL } {
  if (groupBy === 'priority') return { key: sql`i.priority`, label: sql`i.priority` };
  if (groupBy === 'policy') {
    return {
      key: sql`coalesce((i.sla_policy->>'id') || ':' || (i.sla_policy->>'version'), 'none')`,
      label: sql`coalesce((i.sla_policy->>'name') || ' v' || (i.sla_policy->>'version'), 'none')`,
    };
  }
  return endedKey(groupBy);
}

/** The final ends of target cycles in [start, end): one row per cycle, with `f` the fact. */
export const finalEnds = (start: SQL, end: SQL) => sql`
  select f.* from sla_facts f
  where f.kind in ('met', 'breached') and f.at >= ${start} and f.at < ${end}
    and not exists (
      select 1 from sla_facts g
      where g.incident_number = f.incident_number and g.target = f.target and g.cycle_started_at = f.cycle_started_at
        and g.seq > f.seq and g.kind in ('met', 'breached', 'restarted', 'dropped', 'started'))`;

/**
 * Open targets past due now: each target of an open incident whose clock has not stopped, and is
 * running past its due instant or carries an overdue fact for its cycle (paused after passing it).
 */
export const openBreachedTargets = (now: Date) => sql`
  select i.*, t.target from incidents i
  cross join lateral (values ('firstResponse', i.first_response_due_at), ('nextResponse', i.next_response_due_at), ('resolution', i.resolution_due_at)) as t(target, due)
  where i.status in (${sql.join(
    openStatuses.map((s) => sql`${s}`),
    sql`, `,
  )}) and i.sla_policy is not null
    and i.sla_clocks -> t.target is not null and i.sla_clocks -> t.target ->> 'stoppedAt' is null
    and ((i.sla_clocks -> t.target ->> 'pausedSince' is null and t.due <= ${now.toISOString()}::timestamptz)
      or exists (select 1 from sla_facts o where o.incident_number = i.number and o.kind = 'overdue' and o.target = t.target
                 and o.cycle_started_at = (i.sla_clocks -> t.target ->> 'startedAt')::timestamptz))`;

const emptyFigures = (): TargetFigures => ({ ended: 0, met: 0, breached: 0, compliancePercent: null, medianBusinessMinutes: null, p90BusinessMinutes: null, openBreached: 0 });
const emptyTargets = () => Object.fromEntries(slaTargets.map((t) => [t, emptyFigures()])) as Record<SlaTarget, TargetFigures>;
export const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part * 1000) / whole) / 10);
const oneDecimal = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

interface EndedRow extends Record<string, unknown> {
  key: string;
  label: string;
  target: SlaTarget;
  ended: number;
  met: number;
  breached: number;
  median: number | null;
  p90: number | null;
}

/** The SLA report of a period, grouped; `now` decides which open targets are past due. */
export async function slaReport(db: Db, period: ReportPeriod, groupBy: SlaGrouping, now = new Date()): Promise<SlaReport> {
  const ended = endedKey(groupBy);
  const open = openKey(groupBy);
  // Groups and totals in one pass each (grouping sets): the totals rows have no key.
  const figures = sql`
    select e.key, e.label, e.target, grouping(e.key) = 1 as total,
      count(*)::int as ended, (count(*) filter (where e.kind = 'met'))::int as met, (count(*) filter (where e.kind = 'breached'))::int as breached,
      percentile_cont(0.5) within group (order by e.used_minutes) as median, percentile_cont(0.9) within group (order by e.used_minutes) as p90
    from (
      select ${ended.key} as key, ${ended.label} as label, f.target, f.kind, f.used_minutes
      from (${finalEnds(periodStart(period), periodEnd(period))}) f
      join incidents i on i.number = f.incident_number
      left join customers c on c.id = i.customer_id) e
    group by grouping sets ((e.key, e.label, e.target), (e.target))`;
  const openFigures = sql`
    select o.key, o.label, o.target, grouping(o.key) = 1 as total, count(*)::int as open_breached
    from (select ${open.key} as key, ${open.label} as label, i.target from (${openBreachedTargets(now)}) i left join customers c on c.id = i.customer_id) o
    group by grouping sets ((o.key, o.label, o.target), (o.target))`;
  const [endedRows, openRows] = await Promise.all([db.execute<EndedRow & { total: boolean }>(figures), db.execute<{ key: string; label: string; target: SlaTarget; total: boolean; open_breached: number }>(openFigures)]);
  const groups = new Map<string, SlaReportGroup>();
  const groupOf = (key: string, label: string) => {
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, label, targets: emptyTargets() }));
    return g;
  };
  const fill = (into: TargetFigures, r: EndedRow) => {
    Object.assign(into, {
      ended: r.ended,
      met: r.met,
      breached: r.breached,
      compliancePercent: percent(r.met, r.ended),
      medianBusinessMinutes: oneDecimal(r.median === null ? null : Number(r.median)),
      p90BusinessMinutes: oneDecimal(r.p90 === null ? null : Number(r.p90)),
    });
  };
  const totals = emptyTargets();
  for (const r of endedRows) fill(r.total ? totals[r.target] : groupOf(r.key, r.label).targets[r.target], r);
  for (const r of openRows) (r.total ? totals[r.target] : groupOf(r.key, r.label).targets[r.target]).openBreached = r.open_breached;
  return { ...period, groupBy, groups: [...groups.values()].sort((a, b) => a.label.localeCompare(b.label) || a.key.localeCompare(b.key)), totals };
}

export const slaCsvColumns = ['groupKey', 'groupLabel', 'target', 'ended', 'met', 'breached', 'compliancePercent', 'medianBusinessMinutes', 'p90BusinessMinutes', 'openBreached'] as const;

/** The report as CSV rows (one per group and target, then the totals). */
export function* slaCsvRows(report: SlaReport): Generator<(string | number)[]> {
  const row = (key: string, label: string, target: SlaTarget, f: TargetFigures) => [key, label, target, f.ended, f.met, f.breached, f.compliancePercent ?? '', f.medianBusinessMinutes ?? '', f.p90BusinessMinutes ?? '', f.openBreached];
  for (const g of report.groups) for (const t of slaTargets) yield row(g.key, g.label, t, g.targets[t]);
  for (const t of slaTargets) yield row('total', 'total', t, report.totals[t]);
}

export interface SlaTargetEnd {
  incidentNumber: string;
  title: string;
  customerNumber: string | null;
  tier: string | null;
  priority: string;
  target: SlaTarget;
  outcome: 'met' | 'breached';
  endedAt: string;
  dueAt: string | null;
  budgetMinutes: number | null;
  usedBusinessMinutes: number | null;
}

/** The targets behind one figure of the report (a group, a target kind, an outcome): the drill-down. */
export async function slaTargetEnds(
  db: Db,
  period: ReportPeriod,
  filter: { groupBy: SlaGrouping; key?: string | undefined; target?: SlaTarget | undefined; outcome?: 'met' | 'breached' | undefined },
  page: { limit: number; offset: number },
): Promise<{ total: number; items: SlaTargetEnd[] }> {
  const { key } = endedKey(filter.groupBy);
  const where = sql.join(
    [
      sql`true`,
      ...(filter.key !== undefined ? [sql`${key} = ${filter.key}`] : []),
      ...(filter.target ? [sql`f.target = ${filter.target}`] : []),
      ...(filter.outcome ? [sql`f.kind = ${filter.outcome}`] : []),
    ],
    sql` and `,
  );
  const base = sql`from (${finalEnds(periodStart(period), periodEnd(period))}) f join incidents i on i.number = f.incident_number left join customers c on c.id = i.customer_id where ${where}`;
  const [count, rows] = await Promise.all([
    db.execute<{ total: number }>(sql`select count(*)::int as total ${base}`),
    db.execute<{ number: string; title: string; customer_number: string | null; tier: string | null; priority: string; target: SlaTarget; kind: 'met' | 'breached'; at: string; due_at: string | null; budget: number | null; used: number | null }>(sql`
      select i.number, i.title, i.customer_number, i.contract_tier as tier, coalesce(f.priority, i.priority) as priority, f.target, f.kind,
        to_json(f.at) #>> '{}' as at, to_json(f.due_at) #>> '{}' as due_at, f.budget_minutes as budget, f.used_minutes as used
      ${base} order by f.at, i.number, f.target limit ${page.limit} offset ${page.offset}`),
  ]);
  return {
    total: count[0]?.total ?? 0,
    items: rows.map((r) => ({
      incidentNumber: r.number,
      title: r.title,
      customerNumber: r.customer_number,
      tier: r.tier,
      priority: r.priority,
      target: r.target,
      outcome: r.kind,
      endedAt: new Date(r.at).toISOString(),
      dueAt: r.due_at ? new Date(r.due_at).toISOString() : null,
      budgetMinutes: r.budget,
      usedBusinessMinutes: r.used === null ? null : Math.round(Number(r.used) * 10) / 10,
    })),
  };
}
