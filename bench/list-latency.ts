// List latency benchmark (npm run bench:list; issue 12, item 1): GET /api/incidents with 50 open
// incidents a page, at 100,000 incidents in the projection, against the same query's SQL alone in
// the same run; and what the page's SLA pictures would cost on the old day-by-day calendar walk
// (tests/support/reference-calendar.ts), for the same rows.
//
// The rows are written straight into the projection (what the workflows' activities would write):
// incidents received over the last year on the demo's Gold policy (Mon-Fri 08-17 Europe/Berlin,
// DE-NW holidays), a third of them in progress with their clocks running since receipt, so a row
// from a year ago has a year of business days behind its clock.
//
// Environment: BENCH_ROWS (100000), BENCH_REQUESTS (200), BENCH_LIMIT (50).
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { createApp } from '../src/api/app.js';
import { projectionRow } from '../src/db/projection.js';
import { incidents, slaPolicies } from '../src/db/schema/index.js';
import { incidentStatuses } from '../src/domain/enums.js';
import { openIncident, type IncidentIntake } from '../src/domain/incident/state.js';
import { slaPicture } from '../src/domain/sla.js';
import { listIncidents } from '../src/services/incident-list.js';
import { slaSnapshot } from '../src/services/entitlement.js';
import { ReferenceCalendar, addBusinessMillis as oldAdd, businessMillisBetween as oldBetween } from '../tests/support/reference-calendar.js';
import { env, log, startBenchDatabase, now, round, runBench, stats } from './support.js';

const settings = { rows: env('BENCH_ROWS', 100_000), requests: env('BENCH_REQUESTS', 200), limit: env('BENCH_LIMIT', 50) };
const yearMs = 365 * 86_400_000;

await runBench('list-latency', settings, async () => {
  const { database, tokens } = await startBenchDatabase();
  const agentToken = tokens.find((t) => t.role === 'agent')!.token;
  const [gold] = await database.db.select().from(slaPolicies).where(eq(slaPolicies.tier, 'gold'));
  const snapshot = await slaSnapshot(database.db, gold!.id);

  log(`writing ${settings.rows} projection rows…`);
  const started = now();
  const end = Date.now();
  const batch = 1000;
  for (let first = 0; first < settings.rows; first += batch) {
    const rows = Array.from({ length: Math.min(batch, settings.rows - first) }, (_, k) => {
      const i = first + k;
      const intake: IncidentIntake = {
        number: `INC-2026-${String(i + 1).padStart(6, '0')}`,
        title: `Bench incident ${i}`,
        description: '',
        channel: 'phone',
        impact: null,
        urgency: null,
        priority: (['P1', 'P2', 'P3', 'P4'] as const)[i % 4]!,
        receivedAt: new Date(end - Math.floor(((i * 7919) % settings.rows) / settings.rows * yearMs)).toISOString(),
        openedBy: { id: 'system', name: 'Bench' },
        customer: { id: 'bench', number: 'K-10001', name: 'Bench' },
        contact: null,
        asset: null,
        contract: { id: 'bench', number: 'V-BENCH', tier: 'gold' },
        slaPolicyId: gold!.id,
        sla: snapshot,
      };
      const state = openIncident(intake).state;
      // A third in progress (clocks running since receipt), the rest spread over the other statuses.
      const status = i % 3 === 0 ? 'in_progress' : incidentStatuses[i % incidentStatuses.length]!;
      return { ...projectionRow({ ...state, status }), customerId: null, contractId: null };
    });
    await database.db.insert(incidents).values(rows);
  }
  // The steady state of a table autovacuum has seen (its visibility map lets the count read the index only).
  await database.sql`vacuum analyze incidents`;
  log(`rows written in ${round((now() - started) / 1000)} s`);

  const app = createApp({ db: database.db, temporal: undefined as never, logger: pino({ level: 'silent' }), pingDatabase: async () => {} });
  const path = `/api/incidents?status=in_progress&limit=${settings.limit}`;
  const request = async () => {
    const res = await app.request(path, { headers: { Authorization: `Bearer ${agentToken}` } });
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { items: { sla: unknown }[]; total: number };
  };
  const warm = await request();
  if (warm.items.length !== settings.limit || warm.items.some((i) => !i.sla)) throw new Error(`expected ${settings.limit} items with an SLA picture`);

  const api: number[] = [];
  const sqlOnly: number[] = [];
  // Interleaved, so both see the same machine.
  for (let i = 0; i < settings.requests; i++) {
    let t = now();
    await request();
    api.push(now() - t);
    t = now();
    await listIncidents(database.db, { statuses: ['in_progress'], limit: settings.limit, offset: 0 });
    sqlOnly.push(now() - t);
  }

  // The same page's SLA pictures on the old day-by-day walk (what the view used to do per row).
  const { rows } = await listIncidents(database.db, { statuses: ['in_progress'], limit: settings.limit, offset: 0 });
  const oldRow: number[] = [];
  const newRow: number[] = [];
  for (const row of rows) {
    const at = new Date();
    let t = now();
    const calendar = new ReferenceCalendar(row.slaPolicy!.calendar);
    for (const clock of Object.values(row.slaClocks ?? {})) {
      const start = Date.parse(clock.startedAt);
      oldBetween(calendar, start, at.getTime());
      for (const share of [0.75, 1, 1.5]) oldAdd(calendar, start, share * 60_000 * row.slaPolicy!.targets[row.priority][clock.target]);
    }
    oldRow.push(now() - t);
    t = now();
    slaPicture(row.slaPolicy!, row.priority, row.slaClocks!, at);
    newRow.push(now() - t);
  }
  const apiStats = stats(api);
  const sqlStats = stats(sqlOnly);
  log(`GET ${path}: p50 ${apiStats.p50} ms, p99 ${apiStats.p99} ms; its SQL alone p50 ${sqlStats.p50} ms`);
  return {
    ok: true,
    figures: {
      rows: settings.rows,
      total: warm.total,
      pageSize: settings.limit,
      apiMs: apiStats,
      sqlMs: sqlStats,
      apiOverSqlP50: apiStats.p50 && sqlStats.p50 ? round(apiStats.p50 / sqlStats.p50, 2) : null,
      slaPicturePerRowMs: { runningTotals: stats(newRow), oldDayWalk: stats(oldRow) },
      oldDayWalkPerPageMs: round(oldRow.reduce((s, v) => s + v, 0)),
      aim: { apiP50UnderMs: 50, met: (apiStats.p50 ?? Infinity) < 50 },
    },
  };
});
