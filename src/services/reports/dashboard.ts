// The managers' dashboard: compliance per tier against its target with the change since the
// previous period, the weekly compliance trend, escalations per week, the backlog by age and the
// breach causes. One call, a handful of SQL statements over the fact log and the projection.
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { addDays } from '../../domain/calendar-dates.js';
import { contractTiers, type ContractTier } from '../../domain/enums.js';
import type { BusinessCalendar } from '../../domain/business-time.js';
import { backlogReport, type BacklogReport } from './backlog.js';
import { breachCauseReport, type BreachCauseReport } from './breach-causes.js';
import { periodEnd, periodStart, previousPeriod, type ReportPeriod } from './period.js';
import { finalEnds, percent } from './sla-report.js';

/** Contracted compliance per tier in percent (SLA_COMPLIANCE_TARGETS). */
export type ComplianceTargets = Record<ContractTier, number>;
export const defaultComplianceTargets: ComplianceTargets = { silver: 90, gold: 95, platinum: 98 };

export interface TierHeadline {
  tier: ContractTier;
  ended: number;
  breached: number;
  compliancePercent: number | null;
  previousPercent: number | null;
  /** Percentage points since the previous period of the same length (one decimal). */
  changePoints: number | null;
  targetPercent: number;
}

export interface Dashboard {
  period: ReportPeriod;
  previous: ReportPeriod;
  headline: TierHeadline[];
  /** Compliance per tier for each of the 12 weeks ending with the period's last week (Monday starts). */
  trend: { weeks: string[]; series: { tier: ContractTier; values: (number | null)[] }[] };
  /** Incidents that reached level 2 and level 3 per week, same weeks. */
  escalationsPerWeek: { week: string; level2Incidents: number; level3Incidents: number }[];
  backlog: BacklogReport;
  breachCauses: BreachCauseReport;
}

/** All targets of a tier that ended in the period: ended, breached. */
async function tierCompliance(db: Db, period: ReportPeriod): Promise<Map<ContractTier, { ended: number; breached: number }>> {
  const rows = await db.execute<{ tier: ContractTier; ended: number; breached: number }>(sql`
    select i.contract_tier as tier, count(*)::int as ended, (count(*) filter (where f.kind = 'breached'))::int as breached
    from (${finalEnds(periodStart(period), periodEnd(period))}) f join incidents i on i.number = f.incident_number
    where i.contract_tier is not null group by 1`);
  return new Map(rows.map((r) => [r.tier, { ended: r.ended, breached: r.breached }]));
}

export async function dashboard(
  db: Db,
  period: ReportPeriod,
  options: { targets?: ComplianceTargets; breachCauses?: readonly string[]; now?: Date; defaultCalendar?: BusinessCalendar | undefined } = {},
): Promise<Dashboard> {
  const targets = options.targets ?? defaultComplianceTargets;
  const now = options.now ?? new Date();
  const previous = previousPeriod(period);
  const tz = period.timezone;
  // The 12 weeks ending with the one the period ends in.
  const weeks = await db.execute<{ week: string }>(sql`
    select to_char(w, 'YYYY-MM-DD') as week from generate_series(date_trunc('week', ${period.to}::date::timestamp) - interval '11 weeks', date_trunc('week', ${period.to}::date::timestamp), interval '1 week') w`);
  const weekList = weeks.map((w) => w.week);
  const trendPeriod: ReportPeriod = { from: weekList[0]!, to: addDays(weekList[weekList.length - 1]!, 6), timezone: tz };
  const [current, before, trendRows, escalationRows, backlog, breachCauses] = await Promise.all([
    tierCompliance(db, period),
    tierCompliance(db, previous),
    db.execute<{ week: string; tier: ContractTier; ended: number; met: number }>(sql`
      select to_char(date_trunc('week', f.at at time zone ${tz}), 'YYYY-MM-DD') as week, i.contract_tier as tier,
        count(*)::int as ended, (count(*) filter (where f.kind = 'met'))::int as met
      from (${finalEnds(periodStart(trendPeriod), periodEnd(trendPeriod))}) f join incidents i on i.number = f.incident_number
      where i.contract_tier is not null group by 1, 2`),
    db.execute<{ week: string; level2: number; level3: number }>(sql`
      select week, (count(*) filter (where highest >= 2))::int as level2, (count(*) filter (where highest >= 3))::int as level3 from (
        select to_char(date_trunc('week', r.at at time zone ${tz}), 'YYYY-MM-DD') as week, r.incident_number, max(r.level) as highest
        from (
          select l.incident_number, l.level, l.at, lag(l.level, 1, 0) over (partition by l.incident_number order by l.at, l.seq) as before
          from sla_facts l
          where l.kind = 'level' and l.incident_number in (
            select m.incident_number from sla_facts m where m.kind = 'level' and m.level >= 2 and m.at >= ${periodStart(trendPeriod)} and m.at < ${periodEnd(trendPeriod)})
        ) r
        -- Reached going up: a step down from 3 to 2 reaches nothing.
        where r.level > r.before and r.level >= 2 and r.at >= ${periodStart(trendPeriod)} and r.at < ${periodEnd(trendPeriod)}
        group by 1, 2) w group by 1`),
    backlogReport(db, now, tz, { defaultCalendar: options.defaultCalendar, trend: false }),
    breachCauseReport(db, period, options.breachCauses),
  ]);
  const headline = contractTiers.map((tier): TierHeadline => {
    const c = current.get(tier) ?? { ended: 0, breached: 0 };
    const p = before.get(tier);
    const compliancePercent = percent(c.ended - c.breached, c.ended);
    const previousPercent = p ? percent(p.ended - p.breached, p.ended) : null;
    return {
      tier,
      ended: c.ended,
      breached: c.breached,
      compliancePercent,
      previousPercent,
      changePoints: compliancePercent !== null && previousPercent !== null ? Math.round((compliancePercent - previousPercent) * 10) / 10 : null,
      targetPercent: targets[tier],
    };
  });
  const trendCell = new Map(trendRows.map((r) => [`${r.week}/${r.tier}`, percent(r.met, r.ended)]));
  const escalationCell = new Map(escalationRows.map((r) => [r.week, r]));
  return {
    period,
    previous,
    headline,
    trend: { weeks: weekList, series: contractTiers.map((tier) => ({ tier, values: weekList.map((w) => trendCell.get(`${w}/${tier}`) ?? null) })) },
    escalationsPerWeek: weekList.map((week) => ({ week, level2Incidents: escalationCell.get(week)?.level2 ?? 0, level3Incidents: escalationCell.get(week)?.level3 ?? 0 })),
    backlog,
    breachCauses,
  };
}
