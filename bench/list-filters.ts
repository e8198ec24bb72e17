// Incident list filters benchmark (npm run bench:list-filters; issue 14, item 4): GET /api/incidents
// at 100,000 incidents in the projection, per filter, per sort, a deep keyset page (after 90,000
// rows) and a deep offset page: p50/p99 through the API (app.request, with the total) and inside
// Postgres (EXPLAIN ANALYZE execution time of the page query and of the count, separately).
//
// The rows are written straight into the projection with a seeded spread: statuses (45 % closed,
// 20 % in progress, ...), 500 customers of very different size, priorities P1 5 % to P3 50 %, 40
// assignees (the bench's agent among them, for `assignee=me`), 6 groups, escalation levels and
// the breach flag on open incidents, titles and descriptions of German and English words (a common
// one, "Drucker", in about 40 %, "printer" in about 28 %, a rare one, "Zertifikat", in about 0.1 %), received over the last year.
//
// Environment: BENCH_ROWS (100000), BENCH_REQUESTS (60 per case), BENCH_LIMIT (50).
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { createApp } from '../src/api/app.js';
import { projectionRow } from '../src/db/projection.js';
import { incidents, slaPolicies } from '../src/db/schema/index.js';
import type { IncidentStatus, Priority } from '../src/domain/enums.js';
import { openIncident } from '../src/domain/incident/state.js';
import { stopClock } from '../src/domain/sla.js';
import { slaSnapshot } from '../src/services/entitlement.js';
import { incidentListQueries, listIncidents, type IncidentListFilter } from '../src/services/incident-list.js';
import { createUserWithToken } from '../tests/support/users.js';
import { env, log, startBenchDatabase, now, round, runBench, stats } from './support.js';
import { seededRandom } from './mail-corpus.js';

const settings = { rows: env('BENCH_ROWS', 100_000), requests: env('BENCH_REQUESTS', 60), limit: env('BENCH_LIMIT', 50) };
const yearMs = 365 * 86_400_000;
const aimMs = 50;

/** The same on every run. */
const random = seededRandom;
const weighted = <T>(r: number, table: [T, number][]): T => {
  let sum = 0;
  for (const [value, weight] of table) {
    sum += weight;
    if (r < sum) return value;
  }
  return table.at(-1)![0];
};

const statusWeights: [IncidentStatus, number][] = [['new', 0.08], ['assigned', 0.07], ['in_progress', 0.2], ['pending_customer', 0.07], ['pending_change', 0.03], ['resolved', 0.1], ['closed', 0.45]];
const priorityWeights: [Priority, number][] = [['P1', 0.05], ['P2', 0.2], ['P3', 0.5], ['P4', 0.25]];
const groups = ['1st-level', '2nd-level', 'network', 'workplace', 'datacenter', 'field-service'];
const german = ['Drucker', 'Netzwerk', 'Störung', 'Anmeldung', 'Bildschirm', 'Laufwerk', 'Kennwort', 'Server', 'Lizenz', 'Tastatur', 'Verbindung', 'langsam', 'Fehlermeldung', 'Postfach', 'Sicherung', 'Telefon'];
const english = ['printer', 'network', 'outage', 'login', 'screen', 'drive', 'password', 'server', 'license', 'keyboard', 'connection', 'slow', 'error', 'mailbox', 'backup', 'phone'];
const fillers = { de: ['der', 'die', 'das', 'ist', 'nicht', 'seit', 'heute', 'morgen', 'bei', 'im', 'Büro', 'Kunde', 'meldet', 'wieder'], en: ['the', 'is', 'not', 'since', 'today', 'again', 'in', 'office', 'customer', 'reports', 'after', 'update'] };

await runBench('list-filters', settings, async () => {
  const { database } = await startBenchDatabase();
  const agent = await createUserWithToken(database.db, 'agent', 'Bench Agent');
  const [gold] = await database.db.select().from(slaPolicies).where(eq(slaPolicies.tier, 'gold'));
  const snapshot = await slaSnapshot(database.db, gold!.id);
  const assignees = [{ id: agent.id, name: agent.name }, ...Array.from({ length: 39 }, (_, k) => ({ id: randomUUID(), name: `Agent ${k}` }))];

  log(`writing ${settings.rows} projection rows…`);
  const started = now();
  const end = Date.now();
  const r = random(14);
  const words = (n: number, lang: 'de' | 'en') => {
    const vocab = lang === 'de' ? german : english;
    return Array.from({ length: n }, (_, k) => (k % 2 === 0 ? vocab[Math.floor(r() * vocab.length)]! : fillers[lang][Math.floor(r() * fillers[lang].length)]!)).join(' ');
  };
  const batch = 1000;
  for (let first = 0; first < settings.rows; first += batch) {
    const rows = Array.from({ length: Math.min(batch, settings.rows - first) }, (_, k) => {
      const i = first + k;
      const lang = r() < 0.6 ? 'de' : 'en';
      const status = weighted(r(), statusWeights);
      const open = status !== 'resolved' && status !== 'closed';
      const receivedAt = new Date(end - Math.floor(r() * yearMs));
      // Customers from very large to tiny: the square skews towards the first.
      const customer = `K-${10000 + Math.floor(r() ** 2 * 500)}`;
      const marker = r() < 0.001 ? ' Zertifikat abgelaufen' : '';
      const state = openIncident({
        number: `INC-2026-${String(i + 1).padStart(6, '0')}`,
        title: words(5, lang) + marker,
        description: words(30, lang),
        channel: 'phone',
        impact: null,
        urgency: null,
        priority: weighted(r(), priorityWeights),
        receivedAt: receivedAt.toISOString(),
        openedBy: { id: 'system', name: 'Bench' },
        customer: { id: 'bench', number: customer, name: customer },
        contact: null,
        asset: null,
        contract: { id: 'bench', number: 'V-BENCH', tier: 'gold' },
        slaPolicyId: gold!.id,
        sla: snapshot,
      }).state;
      const stoppedAt = new Date(Math.min(end, receivedAt.getTime() + r() * 5 * 86_400_000));
      const clocks = open ? state.clocks : { firstResponse: stopClock(state.clocks!.firstResponse!, stoppedAt), resolution: stopClock(state.clocks!.resolution!, stoppedAt) };
      const assignee = status === 'new' ? null : r() < 0.9 ? assignees[Math.floor(r() ** 1.5 * assignees.length)]! : null;
      const level = open ? weighted(r(), [[0, 0.7], [1, 0.15], [2, 0.1], [3, 0.05]]) : 0;
      return {
        ...projectionRow({ ...state, clocks, status, assignee, assignedGroup: status === 'new' && r() < 0.5 ? null : groups[Math.floor(r() * groups.length)]!, escalationLevel: level, slaBreached: level >= 2 || r() < 0.06 }),
        customerId: null,
        contractId: null,
      };
    });
    await database.db.insert(incidents).values(rows);
  }
  await database.sql`vacuum analyze incidents`;
  log(`rows written in ${round((now() - started) / 1000)} s`);

  const app = createApp({ db: database.db, temporal: undefined as never, logger: pino({ level: 'silent' }), pingDatabase: async () => {}, timezone: 'Europe/Berlin' });
  const [big] = await database.sql<{ customer_number: string; n: number }[]>`select customer_number, count(*)::int as n from incidents group by 1 order by 2 desc limit 1`;
  const [small] = await database.sql<{ customer_number: string; n: number }[]>`select customer_number, count(*)::int as n from incidents group by 1 order by 2 asc limit 1`;
  const someone = assignees[5]!.id;
  const monthAgo = new Date(end - 30 * 86_400_000);
  const twoMonthsAgo = new Date(end - 60 * 86_400_000);
  const deepCursor = async (filter: Omit<IncidentListFilter, 'limit'>, after: number) =>
    (await listIncidents(database.db, { ...filter, limit: 1, offset: after - 1, withTotal: false })).nextCursor!;

  interface Case {
    name: string;
    query: string;
    filter: IncidentListFilter;
  }
  const limit = settings.limit;
  const base: [string, string, Omit<IncidentListFilter, 'limit'>][] = [
    ['none (default sort)', '', {}],
    ['status=in_progress', 'status=in_progress', { statuses: ['in_progress'] }],
    ['status=new,assigned,in_progress', 'status=new,assigned,in_progress', { statuses: ['new', 'assigned', 'in_progress'] }],
    ['priority=P1', 'priority=P1', { priorities: ['P1'] }],
    ['priority=P1,P2', 'priority=P1,P2', { priorities: ['P1', 'P2'] }],
    [`customerNumber (largest, ${big!.n} rows)`, `customerNumber=${big!.customer_number}`, { customerNumber: big!.customer_number }],
    [`customerNumber (smallest, ${small!.n} rows)`, `customerNumber=${small!.customer_number}`, { customerNumber: small!.customer_number }],
    ['assignee=me', 'assignee=me', { assigneeId: agent.id }],
    ['assignee=<id>', `assignee=${someone}`, { assigneeId: someone }],
    ['group=2nd-level', 'group=2nd-level', { group: '2nd-level' }],
    ['escalationLevel=1', 'escalationLevel=1', { minEscalationLevel: 1 }],
    ['escalationLevel=3', 'escalationLevel=3', { minEscalationLevel: 3 }],
    ['breached=true', 'breached=true', { breached: true }],
    ['breached=false', 'breached=false', { breached: false }],
    ['receivedFrom/To (one month)', `receivedFrom=${twoMonthsAgo.toISOString()}&receivedTo=${monthAgo.toISOString()}`, { receivedFrom: twoMonthsAgo, receivedTo: monthAgo }],
    ['q=Drucker (common)', 'q=Drucker', { q: 'Drucker' }],
    ['q=printer (English)', 'q=printer', { q: 'printer' }],
    ['q=Zertifikat (rare)', 'q=Zertifikat', { q: 'Zertifikat' }],
    ['q=<exact number>', 'q=INC-2026-054321', { q: 'INC-2026-054321' }],
    ['sort=due', 'sort=due', { sort: 'due' }],
    ['sort=level', 'sort=level', { sort: 'level' }],
    ['status=in_progress&sort=due', 'status=in_progress&sort=due', { statuses: ['in_progress'], sort: 'due' }],
    ['customerNumber (largest)&sort=level', `customerNumber=${big!.customer_number}&sort=level`, { customerNumber: big!.customer_number, sort: 'level' }],
  ];
  const cases: Case[] = base.map(([name, query, filter]) => ({ name, query: `${query}${query ? '&' : ''}limit=${limit}`, filter: { ...filter, limit } }));
  // After 90,000 of 100,000 rows (90 % with fewer rows), 40 % into the closed ones.
  const deep = Math.floor(settings.rows * 0.9);
  const closed = (await listIncidents(database.db, { statuses: ['closed'], limit: 1 })).total!;
  for (const sort of ['received', 'due', 'level'] as const) {
    const cursor = await deepCursor({ sort }, deep);
    cases.push({ name: `keyset page after ${deep} (sort=${sort})`, query: `sort=${sort}&limit=${limit}&cursor=${cursor}`, filter: { sort, cursor, limit } });
  }
  const deepStatus = await deepCursor({ statuses: ['closed'] }, Math.floor(closed * 0.9));
  cases.push({ name: `keyset page after ${Math.floor(closed * 0.9)} (status=closed)`, query: `status=closed&limit=${limit}&cursor=${deepStatus}`, filter: { statuses: ['closed'], cursor: deepStatus, limit } });
  cases.push({ name: `offset page at ${deep}`, query: `limit=${limit}&offset=${deep}`, filter: { limit, offset: deep } });
  cases.push({ name: 'none, total=false', query: `limit=${limit}&total=false`, filter: { limit, withTotal: false } });

  const explainMs = async (query: { toSQL(): { sql: string; params: unknown[] } }) => {
    const { sql, params } = query.toSQL();
    const [plan] = await database.sql.unsafe(`explain (analyze, format json) ${sql}`, params as never[]);
    return (plan!['QUERY PLAN'] as [{ 'Execution Time': number }])[0]['Execution Time'];
  };
  const results: Record<string, unknown>[] = [];
  for (const c of cases) {
    const path = `/api/incidents?${c.query}`;
    const request = async () => {
      const res = await app.request(path, { headers: { Authorization: `Bearer ${agent.token}` } });
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { items: unknown[]; total: number | null };
    };
    const warm = await request();
    const api: number[] = [];
    const page: number[] = [];
    const counted: number[] = [];
    for (let i = 0; i < settings.requests; i++) {
      const t = now();
      await request();
      api.push(now() - t);
      const queries = incidentListQueries(database.db, c.filter);
      page.push(await explainMs(queries.page));
      if (c.filter.withTotal !== false) counted.push(await explainMs(queries.count));
    }
    const { sql } = incidentListQueries(database.db, c.filter).page.toSQL();
    const [plan] = await database.sql.unsafe(`explain ${sql}`, incidentListQueries(database.db, c.filter).page.toSQL().params as never[]);
    const figures = { case: c.name, items: warm.items.length, total: warm.total, apiMs: stats(api), pageSqlMs: stats(page), countSqlMs: counted.length ? stats(counted) : null, plan: String(Object.values(plan!)[0]).trim() };
    log(`${c.name}: api p50 ${figures.apiMs.p50} p99 ${figures.apiMs.p99}; page sql p50 ${figures.pageSqlMs.p50} p99 ${figures.pageSqlMs.p99}; count p99 ${figures.countSqlMs?.p99 ?? '-'}; ${figures.plan}`);
    results.push(figures);
  }
  const worstSql = Math.max(...results.map((f) => ((f.pageSqlMs as { p99: number }).p99 ?? 0) + ((f.countSqlMs as { p99: number } | null)?.p99 ?? 0)));
  return {
    ok: true,
    figures: {
      rows: settings.rows,
      pageSize: limit,
      cases: results,
      aim: { sqlP99UnderMs: aimMs, worstPagePlusCountP99Ms: round(worstSql), met: worstSql < aimMs },
    },
  };
});
