// Reports benchmark (npm run bench:reports): the managers' reports over a year of SLA facts at
// 100,000 incidents. p50/p95 over BENCH_RUNS runs of the SLA report by tier for one month and for
// the whole year, the escalation report (the year, first page), the backlog report (now, with its
// 12-week trend), the dashboard service (the month) and the dashboard page (GET /reports for the
// month through the app in-process, signed in as a manager: the service, its charts and the HTML),
// and as a baseline a plain count(*) of the month's met and breached facts.
//
// The data is written straight into the tables with SQL (no workflows): a seeded generator
// (seededRandom of bench/mail-corpus.ts, the same on every run) decides per incident its received
// instant over the last 365 days, priority, tier (silver/gold/platinum on the demo policies'
// snapshots), one of 50 customers, one of 6 groups, channel, how long the first response and the
// resolution took and so which escalation levels it reached; one INSERT … SELECT per table then
// turns that into the projection (`incidents`, with sla_policy, sla_clocks and the due columns),
// the timeline (`incident_events`: created, escalation_changed, resolved, closed), the fact log
// (`sla_facts`: started, met/breached, overdue, level) and the breach causes; then ANALYZE.
// About 90 % are resolved or closed, 10 % open (received within 1.2 times their resolution budget); about 15 % reach level 1, 6 %
// level 2 (the resolution breached), 2 % level 3; another 2 % breach the first response only.
// Budgets are the policies' business minutes, spent as calendar minutes × 3.7 (roughly what a
// 9-hour, 5-day week makes of them); used minutes are the calendar minutes / 3.7.
//
// Environment: BENCH_INCIDENTS (100000), BENCH_RUNS (20), BENCH_WARMUP (2), BENCH_SEED (12).
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { createApp } from '../src/api/app.js';
import { slaPolicies } from '../src/db/schema/index.js';
import { addDays } from '../src/domain/calendar-dates.js';
import { defaultBreachCauses } from '../src/domain/breach-causes.js';
import { contractTiers, type ContractTier, type Priority } from '../src/domain/enums.js';
import { businessDate } from '../src/domain/ticket-number.js';
import { slaSnapshot } from '../src/services/entitlement.js';
import { backlogReport } from '../src/services/reports/backlog.js';
import { dashboard } from '../src/services/reports/dashboard.js';
import { escalationReport } from '../src/services/reports/escalation-report.js';
import type { SlaTargetMinutes } from '../src/domain/sla.js';
import type { ReportPeriod } from '../src/services/reports/period.js';
import { slaReport } from '../src/services/reports/sla-report.js';
import { appVisitor } from '../tests/support/portal.js';
import { staffMember, staffSignIn } from '../tests/support/staff.js';
import { seededRandom } from './mail-corpus.js';
import { env, log, now, round, runBench, startBenchDatabase, stats } from './support.js';

const settings = { incidents: env('BENCH_INCIDENTS', 100_000), runs: env('BENCH_RUNS', 20), warmup: env('BENCH_WARMUP', 2), seed: env('BENCH_SEED', 12) };
const timezone = 'Europe/Berlin';
const aims = { slaYearP95Ms: 2000, dashboardP95Ms: 300 };
const calendarPerBusiness = 3.7;
const minute = 60_000;
const dayMs = 86_400_000;

const weighted = <T>(r: number, table: [T, number][]): T => {
  let sum = 0;
  for (const [value, weight] of table) {
    sum += weight;
    if (r < sum) return value;
  }
  return table.at(-1)![0];
};
const priorityWeights: [Priority, number][] = [['P1', 0.05], ['P2', 0.2], ['P3', 0.5], ['P4', 0.25]];
const tierWeights: [ContractTier, number][] = [['silver', 0.45], ['gold', 0.4], ['platinum', 0.15]];
// Levels of a resolved incident: its resolution took up to 75 % of the budget (0), up to 100 % (1), up to 150 % (2), more (3).
const levelWeights: [number, number][] = [[0, 0.85], [1, 0.09], [2, 0.04], [3, 0.02]];
const levelBands: Record<number, [number, number]> = { 0: [0.05, 0.75], 1: [0.76, 0.99], 2: [1.01, 1.49], 3: [1.51, 2.5] };
const groups = ['1st-level', '2nd-level', 'network', 'workplace', 'datacenter', 'field-service'];
const channelWeights: [string, number][] = [['phone', 0.35], ['email', 0.4], ['portal', 0.2], ['api', 0.05]];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One incident as the generator decides it (instants as ISO strings; null for what did not happen). */
interface Seed {
  i: number;
  number: string;
  received: string;
  priority: Priority;
  tier: ContractTier;
  customer: string;
  grp: string;
  channel: string;
  status: string;
  frBudget: number;
  resBudget: number;
  frDue: string;
  resDue: string;
  frAt: string | null;
  resAt: string | null;
  closedAt: string | null;
  updatedAt: string;
  l1: string | null;
  l2: string | null;
  l3: string | null;
  level: number;
  cause: string | null;
}

function generate(count: number, end: number, budgets: Record<ContractTier, Record<Priority, SlaTargetMinutes>>): Seed[] {
  const r = seededRandom(settings.seed);
  const seeds: Seed[] = [];
  for (let i = 0; i < count; i++) {
    const priority = weighted(r(), priorityWeights);
    const tier = weighted(r(), tierWeights);
    const frBudget = budgets[tier][priority].firstResponse;
    const resBudget = budgets[tier][priority].resolution;
    const frCal = frBudget * calendarPerBusiness * minute;
    const resCal = resBudget * calendarPerBusiness * minute;
    const open = r() < 0.1;
    // Open ones are recent: received within 1.2 times their resolution budget (calendar); the others over the year.
    const received = open ? end - Math.floor(r() * 1.2 * resCal) - minute : end - Math.floor(r() * 365 * dayMs);
    const frDue = received + frCal;
    const resDue = received + resCal;
    const frBreach = r() < 0.02;
    let frAt: number | null = received + Math.floor(frCal * (frBreach ? 1.05 + r() : 0.05 + r() * 0.9));
    let resAt: number | null = null;
    let reachedUntil: number;
    if (open) {
      if (frAt > end) frAt = null;
      reachedUntil = end;
    } else {
      const level = weighted(r(), levelWeights);
      const [lo, hi] = levelBands[level]!;
      resAt = received + Math.floor(resCal * (lo + r() * (hi - lo)));
      if (frAt >= resAt) frAt = received + Math.floor((resAt - received) * 0.5);
      reachedUntil = resAt;
    }
    const reached = (share: number) => (received + resCal * share <= reachedUntil ? received + Math.floor(resCal * share) : null);
    const [l1, l2, l3] = [reached(0.75), reached(1), reached(1.5)];
    const level = l3 !== null ? 3 : l2 !== null ? 2 : l1 !== null ? 1 : 0;
    // Resolved in the future (received in the last days): open after all.
    const stillOpen = open || resAt! > end;
    const closedAt = !stillOpen && resAt! + 3 * dayMs <= end ? resAt! + 3 * dayMs : null;
    const status = stillOpen ? (frAt === null || frAt > end ? 'new' : r() < 0.3 ? 'assigned' : 'in_progress') : closedAt !== null ? 'closed' : 'resolved';
    const resBreached = !stillOpen && resAt! > resDue;
    const cause = resBreached && r() < 0.8 ? defaultBreachCauses[Math.floor(r() * defaultBreachCauses.length)]! : null;
    const receivedIso = iso(received)!;
    seeds.push({
      i,
      number: `INC-${receivedIso.slice(0, 4)}-${String(i + 1).padStart(6, '0')}`,
      received: receivedIso,
      priority,
      tier,
      customer: `K-${20000 + Math.floor(r() ** 1.5 * 50)}`,
      grp: groups[Math.floor(r() * groups.length)]!,
      channel: weighted(r(), channelWeights),
      status,
      frBudget,
      resBudget,
      frDue: iso(frDue)!,
      resDue: iso(resDue)!,
      frAt: frAt !== null && frAt <= end ? iso(frAt) : null,
      resAt: stillOpen ? null : iso(resAt),
      closedAt: iso(closedAt),
      updatedAt: iso(Math.min(end, Math.max(received, closedAt ?? resAt ?? frAt ?? received)))!,
      l1: l1 !== null && l1 <= end ? iso(l1) : null,
      l2: l2 !== null && l2 <= end ? iso(l2) : null,
      l3: l3 !== null && l3 <= end ? iso(l3) : null,
      level,
      cause,
    });
  }
  return seeds;
}

await runBench('reports', settings, async () => {
  const { database } = await startBenchDatabase();
  const { sql } = database;
  const snapshots = Object.fromEntries(
    await Promise.all(
      contractTiers.map(async (tier) => {
        const [policy] = await database.db.select().from(slaPolicies).where(eq(slaPolicies.tier, tier));
        if (!policy) throw new Error(`no demo policy of tier ${tier}`);
        return [tier, await slaSnapshot(database.db, policy.id)] as const;
      }),
    ),
  ) as Record<ContractTier, Awaited<ReturnType<typeof slaSnapshot>>>;
  const budgets = Object.fromEntries(contractTiers.map((tier) => [tier, snapshots[tier].targets])) as Record<ContractTier, Record<Priority, SlaTargetMinutes>>;

  // ---------------------------------------------------------------------------------------------
  // Seeding
  const end = Date.now() - 5 * minute;
  const seedStarted = now();
  const seeds = generate(settings.incidents, end, budgets);
  const generatedMs = now() - seedStarted;
  await sql`create unlogged table bench_seed (
    i int, number text, received timestamptz, priority text, tier text, customer text, grp text, channel text, status text,
    fr_budget int, res_budget int, fr_due timestamptz, res_due timestamptz, fr_at timestamptz, res_at timestamptz, closed_at timestamptz,
    updated_at timestamptz, l1 timestamptz, l2 timestamptz, l3 timestamptz, level int, cause text)`;
  const columns = 'i int, number text, received timestamptz, priority text, tier text, customer text, grp text, channel text, status text, "frBudget" int, "resBudget" int, "frDue" timestamptz, "resDue" timestamptz, "frAt" timestamptz, "resAt" timestamptz, "closedAt" timestamptz, "updatedAt" timestamptz, l1 timestamptz, l2 timestamptz, l3 timestamptz, level int, cause text';
  for (let k = 0; k < seeds.length; k += 10_000) {
    await sql.unsafe(`insert into bench_seed select * from json_to_recordset($1::json) as x(${columns})`, [JSON.stringify(seeds.slice(k, k + 10_000))]);
  }
  const stagedMs = now() - seedStarted;
  const snapshotJson = JSON.stringify(snapshots);
  const clock = (start: string, stop: string) => `jsonb_build_object('target', '${start}', 'startedAt', to_json(s.received), 'pauses', '[]'::jsonb, 'pausedSince', null, 'stoppedAt', to_json(${stop}))`;
  const t = {} as Record<string, number>;
  const step = async (name: string, run: () => Promise<unknown>) => {
    const t0 = now();
    await run();
    t[name] = round((now() - t0) / 1000, 2);
  };
  await step('incidents', () =>
    sql.unsafe(
      `insert into incidents (number, customer_number, contract_tier, sla_policy_id, title, description, channel, priority, status, assigned_group,
         first_response_due_at, resolution_due_at, sla_policy, sla_clocks, escalation_level, sla_breached, received_at, updated_at, resolved_at, closed_at, version)
       select s.number, s.customer, s.tier, (p.snap ->> 'id')::uuid, 'Bench incident ' || s.i, 'Generated for the reports benchmark.', s.channel, s.priority, s.status, s.grp,
         s.fr_due, s.res_due, p.snap,
         jsonb_build_object('firstResponse', ${clock('firstResponse', 's.fr_at')}, 'resolution', ${clock('resolution', 's.res_at')}),
         case when s.res_at is null then s.level else 0 end,
         coalesce(s.fr_at > s.fr_due, s.fr_due < now()) or coalesce(s.res_at > s.res_due, s.res_due < now()),
         s.received, s.updated_at, s.res_at, s.closed_at,
         1 + (s.level > 0)::int + (s.level > 1)::int + (s.level > 2)::int + (s.res_at is not null)::int + (s.closed_at is not null)::int
       from bench_seed s cross join lateral (select ($1::jsonb -> s.tier) as snap) p`,
      [snapshotJson],
    ),
  );
  // seq: 1 created, 2 first response, 3–5 levels 1–3, 6 resolved, 7 closed.
  await step('events', () =>
    sql`insert into incident_events (incident_number, seq, type, actor, actor_name, payload, occurred_at)
      select s.number, e.seq, e.type, 'system', 'Bench', e.payload, e.at from bench_seed s
      cross join lateral (values
        (1, 'created', '{}'::jsonb, s.received),
        (3, 'escalation_changed', jsonb_build_object('from', 0, 'to', 1, 'reachedAt', to_json(s.l1), 'target', 'resolution'), s.l1),
        (4, 'escalation_changed', jsonb_build_object('from', 1, 'to', 2, 'reachedAt', to_json(s.l2), 'target', 'resolution'), s.l2),
        (5, 'escalation_changed', jsonb_build_object('from', 2, 'to', 3, 'reachedAt', to_json(s.l3), 'target', 'resolution'), s.l3),
        (6, 'resolved', '{}'::jsonb, s.res_at),
        (7, 'closed', '{}'::jsonb, s.closed_at)) as e(seq, type, payload, at)
      where e.at is not null`,
  );
  await step('facts', () =>
    sql.unsafe(
      `insert into sla_facts (incident_number, seq, kind, target, cycle_started_at, at, level, budget_minutes, used_minutes, due_at, priority, policy_id, policy_name, policy_version, recipients)
       select s.number, f.seq, f.kind, f.target, s.received, f.at, f.level, f.budget, f.used, f.due,
         s.priority, (p.snap ->> 'id')::uuid, p.snap ->> 'name', (p.snap ->> 'version')::int, case when f.kind = 'level' then '[]'::jsonb end
       from bench_seed s cross join lateral (select ($1::jsonb -> s.tier) as snap) p
       cross join lateral (values
         (1, 'started', 'firstResponse', s.received, null::int, s.fr_budget, null::float8, s.fr_due),
         (1, 'started', 'resolution', s.received, null, s.res_budget, null, s.res_due),
         (2, case when s.fr_at > s.fr_due then 'breached' else 'met' end, 'firstResponse', s.fr_at, null, s.fr_budget, extract(epoch from s.fr_at - s.received) / 60 / ${calendarPerBusiness}, s.fr_due),
         (2, 'overdue', 'firstResponse', case when coalesce(s.fr_at, now()) > s.fr_due then s.fr_due end, null, s.fr_budget, null, s.fr_due),
         (3, 'level', 'resolution', s.l1, 1, s.res_budget, null, s.res_due),
         (4, 'level', 'resolution', s.l2, 2, s.res_budget, null, s.res_due),
         (4, 'overdue', 'resolution', case when s.l2 is not null then s.res_due end, null, s.res_budget, null, s.res_due),
         (5, 'level', 'resolution', s.l3, 3, s.res_budget, null, s.res_due),
         (6, case when s.res_at > s.res_due then 'breached' else 'met' end, 'resolution', s.res_at, null, s.res_budget, extract(epoch from s.res_at - s.received) / 60 / ${calendarPerBusiness}, s.res_due),
         (6, 'level', 'resolution', case when s.level > 0 then s.res_at end, 0, s.res_budget, null, s.res_due)
       ) as f(seq, kind, target, at, level, budget, used, due)
       where f.at is not null`,
      [snapshotJson],
    ),
  );
  await step('breachCauses', () =>
    sql`insert into incident_breach_causes (incident_number, seq, cause, note, actor, actor_name)
      select number, 6, cause, case when cause = 'other' then 'bench' end, 'system', 'Bench' from bench_seed where cause is not null`,
  );
  await sql`drop table bench_seed`;
  await step('analyze', () => sql`analyze`);
  const seedingS = round((now() - seedStarted) / 1000, 1);
  const [counts] = await sql<{ incidents: number; open: number; facts: number; events: number; level1: number; level2: number; level3: number; breached: number }[]>`
    select (select count(*)::int from incidents) as incidents,
      (select count(*)::int from incidents where status not in ('resolved', 'closed')) as open,
      (select count(*)::int from sla_facts) as facts, (select count(*)::int from incident_events) as events,
      (select count(distinct incident_number)::int from sla_facts where kind = 'level' and level >= 1) as level1,
      (select count(distinct incident_number)::int from sla_facts where kind = 'level' and level >= 2) as level2,
      (select count(distinct incident_number)::int from sla_facts where kind = 'level' and level >= 3) as level3,
      (select count(distinct incident_number)::int from sla_facts where kind in ('breached', 'overdue')) as breached`;
  log(`seeded in ${seedingS} s (generate ${round(generatedMs / 1000, 1)} s, staged ${round(stagedMs / 1000, 1)} s, ${JSON.stringify(t)}): ${JSON.stringify(counts)}`);

  // ---------------------------------------------------------------------------------------------
  // The periods: the last full calendar month, and the 365 days up to today.
  const today = businessDate(new Date(end), timezone);
  const firstOfMonth = `${today.slice(0, 7)}-01`;
  const lastMonthEnd = addDays(firstOfMonth, -1);
  const month: ReportPeriod = { from: `${lastMonthEnd.slice(0, 7)}-01`, to: lastMonthEnd, timezone };
  const year: ReportPeriod = { from: addDays(today, -364), to: today, timezone };

  // The dashboard page as a manager's browser gets it: the app in-process, a staff session.
  const app = createApp({ db: database.db, temporal: undefined as never, logger: pino({ level: 'silent' }), pingDatabase: async () => {}, timezone });
  const manager = await staffMember(database.db, 'manager', { name: 'Bench Manager' });
  const visitor = appVisitor(app);
  await staffSignIn(visitor, manager.email, manager.password!);
  const pagePath = `/reports?from=${month.from}&to=${month.to}`;
  const dashboardPage = async () => {
    const answer = await visitor.get(pagePath);
    if (answer.status !== 200 || !answer.html.includes('<svg')) throw new Error(`GET ${pagePath} answered ${answer.status} ${answer.location ?? ''}: ${answer.html.slice(0, 300)}`);
    return answer.html.length;
  };

  const cases: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'baselineMonthCount', run: () => sql`select count(*)::int from sla_facts where kind in ('met', 'breached') and at >= (${month.from}::date)::timestamp at time zone ${timezone} and at < (${month.to}::date + 1)::timestamp at time zone ${timezone}` },
    { name: 'slaMonth', run: () => slaReport(database.db, month, 'tier') },
    { name: 'slaYear', run: () => slaReport(database.db, year, 'tier') },
    { name: 'escalationYear', run: () => escalationReport(database.db, { ...year, minLevel: 1 }, { limit: 50, offset: 0 }) },
    { name: 'backlog', run: () => backlogReport(database.db, new Date(), timezone) },
    { name: 'dashboardService', run: () => dashboard(database.db, month) },
    { name: 'dashboardPage', run: dashboardPage },
  ];
  const samples: Record<string, number[]> = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (const c of cases) for (let k = 0; k < settings.warmup; k++) await c.run();
  // Interleaved: every round runs each case once, so a slow spell of the machine hits them all.
  for (let round_ = 0; round_ < settings.runs; round_++) {
    for (const c of cases) {
      const t0 = now();
      await c.run();
      samples[c.name]!.push(now() - t0);
    }
  }
  const figures = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, stats(values)]));
  for (const [name, s] of Object.entries(figures)) log(`${name}: p50 ${s.p50} ms, p95 ${s.p95} ms, max ${s.max} ms`);

  const sample = await slaReport(database.db, month, 'tier');
  const escalation = await escalationReport(database.db, { ...year, minLevel: 1 }, { limit: 50, offset: 0 });
  const slaYearP95 = figures.slaYear!.p95!;
  const dashboardP95 = figures.dashboardPage!.p95!;
  return {
    ok: true,
    figures: {
      periods: { month, year },
      seeding: { seconds: seedingS, generateS: round(generatedMs / 1000, 1), stageS: round((stagedMs - generatedMs) / 1000, 1), ...t, ...counts },
      monthTotals: Object.fromEntries(Object.entries(sample.totals).map(([k, v]) => [k, { ended: v.ended, breached: v.breached, compliancePercent: v.compliancePercent, openBreached: v.openBreached }])),
      escalatedIncidentsYear: escalation.total,
      ms: figures,
      dashboardPageBytes: await dashboardPage(),
      ratios: {
        slaMonthOverCountP95: round(figures.slaMonth!.p95! / figures.baselineMonthCount!.p95!, 1),
        slaYearOverMonthP95: round(slaYearP95 / figures.slaMonth!.p95!, 1),
      },
      aims: {
        slaYear: { p95UnderMs: aims.slaYearP95Ms, p95Ms: slaYearP95, aimMet: slaYearP95 < aims.slaYearP95Ms },
        dashboard: { p95UnderMs: aims.dashboardP95Ms, p95Ms: dashboardP95, measured: `GET ${pagePath} (app.request, manager's staff session)`, aimMet: dashboardP95 < aims.dashboardP95Ms },
      },
      aimMet: slaYearP95 < aims.slaYearP95Ms && dashboardP95 < aims.dashboardP95Ms,
    },
  };
});
