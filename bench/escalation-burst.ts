// Escalation burst benchmark (npm run bench:escalation; issue 12, items 3 and 6): N incidents on a
// 24x7 SLA policy with a 2-minute first response, opened as fast as the API allows at concurrency C.
// Each incident should then escalate three times: level 1 (warning) at 75 % of the first response
// (90 s), level 2 (breach) at its due instant (120 s), level 3 (management) when overdue by 50 %
// (180 s). Waits (bounded) until every one of the 3·N `escalation_changed` events is written, and
// reports expected vs written, missing levels, and lateness against the exact payload.reachedAt:
//   decided  = the event's occurred_at (the workflow's clock when it handled the threshold)
//   written  = when the row reached incident_events (a trigger's clock_timestamp())
//   notified = when its webhook notification reached a sink on 127.0.0.1 (the worker gets
//              NOTIFY_WEBHOOK_URL; mail to the ladder's recipients waits in the outbox, no SMTP)
//
// Environment: BENCH_INCIDENTS (600), BENCH_CONCURRENCY (32), BENCH_WAIT_S (480: the wait after the
// burst), BENCH_FIRST_RESPONSE_MIN (2), BENCH_WEBHOOK (1; 0 = no webhook), TEMPORAL_CLI.
import {
  allDayWeek,
  answers,
  cpuPerItem,
  customerOnPolicy,
  env,
  log,
  maxOf,
  measureIdleCpu,
  minOf,
  now,
  openIncidents,
  ratePerS,
  round,
  runBench,
  sleep,
  startStack,
  stats,
  waitForProjections,
  waitUntil,
} from './support.js';

const settings = {
  incidents: env('BENCH_INCIDENTS', 600),
  concurrency: env('BENCH_CONCURRENCY', 32),
  waitS: env('BENCH_WAIT_S', 480),
  firstResponseMin: env('BENCH_FIRST_RESPONSE_MIN', 2),
  webhook: process.env.BENCH_WEBHOOK !== '0',
};
const levels = [1, 2, 3] as const;

interface EscalationRow {
  number: string;
  seq: number;
  from: number;
  to: number;
  reachedAt: number | null;
  occurredAt: number;
  writtenAt: number | null;
}

await runBench('escalation-burst', settings, async () => {
  const stack = await startStack({ webhook: settings.webhook });
  const n = settings.incidents;
  const policy = await customerOnPolicy(stack, {
    name: 'burst 24x7',
    customerNumber: 'K-90001',
    contractNumber: 'V-9000-0001',
    calendar: { timezone: 'Europe/Berlin', week: allDayWeek },
    // Only the first response matters here; the others stay far away (nextResponse runs only after a customer message).
    targets: { firstResponse: settings.firstResponseMin, nextResponse: 600, resolution: 600 },
  });
  log(`policy ${policy.policyId} on a 24x7 calendar, first response ${settings.firstResponseMin} min, under ${policy.contractNumber} of ${policy.customerNumber}`);

  // Warm-up on a demo Gold customer (business hours, nothing fires within the run): the bundle is loaded.
  const warm = await openIncidents(stack, { count: 5, concurrency: 5, body: (i) => ({ title: `Warm-up ${i}`, customerNumber: 'K-10001', priority: 'P4' }) });
  await waitForProjections(stack, warm.flatMap((o) => (o.number ? [o.number] : [])), now() + 60_000);

  const idle = await measureIdleCpu(stack);
  const f0 = await stack.figures();
  log(`burst: ${n} incidents at concurrency ${settings.concurrency}…`);
  const opened = await openIncidents(stack, {
    count: n,
    concurrency: settings.concurrency,
    body: (i) => ({ title: `Burst ${i}`, description: 'Opened by bench/escalation-burst.ts', customerNumber: policy.customerNumber, priority: 'P2', channel: 'api' }),
  });
  const numbers = opened.flatMap((o) => (o.number ? [o.number] : []));
  const burstStart = minOf(opened.map((o) => o.t0));
  const burstEnd = maxOf(opened.map((o) => o.t1));
  log(`burst: ${numbers.length} opened in ${round((burstEnd - burstStart) / 1000)} s; the last level 3 is due ${round((burstEnd - burstStart) / 1000 + settings.firstResponseMin * 90)} s after the first request; waiting up to ${settings.waitS} s after the burst…`);

  const expected = numbers.length * levels.length;
  let counts = { events: 0, pairs: 0, atLevel3: 0 };
  let allAtLevel3Since: number | null = null;
  const deadline = burstEnd + settings.waitS * 1000;
  const complete = await waitUntil(
    async () => {
      const [row] = await stack.sql<{ events: number; pairs: number; at_level3: number }[]>`
        select count(*)::int as events,
               count(distinct (incident_number, payload->>'to')) filter (where (payload->>'to')::int between 1 and 3)::int as pairs,
               count(distinct incident_number) filter (where (payload->>'to')::int = 3)::int as at_level3
        from incident_events where type = 'escalation_changed' and incident_number = any(${numbers})`;
      counts = { events: row!.events, pairs: row!.pairs, atLevel3: row!.at_level3 };
      if (counts.pairs >= expected) return true;
      // A level that was skipped is never written later: once all are at level 3, wait 10 s more and stop.
      if (counts.atLevel3 >= numbers.length) {
        allAtLevel3Since ??= now();
        return now() - allAtLevel3Since > 10_000;
      }
      return false;
    },
    deadline,
    { intervalMs: 2000, progress: () => `${counts.pairs} of ${expected} level events written (${counts.events} events), ${counts.atLevel3} incidents at level 3` },
  );
  // Notifications run beside the SLA loop: give the last webhooks a moment.
  if (settings.webhook) {
    await waitUntil(() => Promise.resolve(stack.webhook!.hits.length >= counts.events), now() + 30_000, { intervalMs: 500 });
  }
  await sleep(500);
  const f1 = await stack.figures();

  const rows: EscalationRow[] = (
    await stack.sql<{ number: string; seq: number; from: string; to: string; reached_at: string | null; occurred_at: number; written_at: number | null }[]>`
      select e.incident_number as number, e.seq, e.payload->>'from' as from, e.payload->>'to' as to, e.payload->>'reachedAt' as reached_at,
             extract(epoch from e.occurred_at) * 1000 as occurred_at, extract(epoch from w.at) * 1000 as written_at
      from incident_events e left join bench_escalation_written w on w.incident_number = e.incident_number and w.seq = e.seq
      where e.type = 'escalation_changed' and e.incident_number = any(${numbers})`
  ).map((r) => ({
    number: r.number,
    seq: r.seq,
    from: Number(r.from),
    to: Number(r.to),
    reachedAt: r.reached_at ? Date.parse(r.reached_at) : null,
    occurredAt: Number(r.occurred_at),
    writtenAt: r.written_at === null ? null : Number(r.written_at),
  }));
  const hits = new Map((stack.webhook?.hits ?? []).map((h) => [`${h.number}:${h.seq}`, h.receivedAt]));

  const lateness = (subset: EscalationRow[]) => ({
    decidedMs: stats(subset.flatMap((r) => (r.reachedAt === null ? [] : [r.occurredAt - r.reachedAt]))),
    writtenMs: stats(subset.flatMap((r) => (r.reachedAt === null || r.writtenAt === null ? [] : [r.writtenAt - r.reachedAt]))),
    ...(settings.webhook ? { notifiedMs: stats(subset.flatMap((r) => (r.reachedAt === null || !hits.has(`${r.number}:${r.seq}`) ? [] : [hits.get(`${r.number}:${r.seq}`)! - r.reachedAt]))) } : {}),
  });
  const perLevel = Object.fromEntries(
    levels.map((level) => {
      const mine = rows.filter((r) => r.to === level);
      const incidents = new Set(mine.map((r) => r.number));
      return [
        `level${level}`,
        {
          written: incidents.size,
          missing: numbers.length - incidents.size,
          duplicates: mine.length - incidents.size,
          ...(settings.webhook ? { notified: mine.filter((r) => hits.has(`${r.number}:${r.seq}`)).length } : {}),
          lateness: lateness(mine),
        },
      ];
    }),
  ) as Record<string, { written: number; missing: number; lateness: ReturnType<typeof lateness> }>;
  const written = levels.reduce((s, l) => s + perLevel[`level${l}`]!.written, 0);
  const outbox = await stack.sql<{ kind: string; status: string; n: number }[]>`
    select kind, status, count(*)::int as n from outbox_messages where incident_number = any(${numbers}) and template = 'escalation' group by 1, 2 order by 1, 2`;
  const cpu = cpuPerItem(f0, f1, numbers.length, idle);
  const died = stack.worker.died();

  const figures = {
    incidents: n,
    burst: { answers: answers(opened), opened: numbers.length, seconds: round((burstEnd - burstStart) / 1000), ratePerS: ratePerS(numbers.length, burstStart, burstEnd) },
    events: {
      expected,
      written,
      missing: expected - written,
      missingLevel1: perLevel.level1!.missing,
      skips: rows.filter((r) => r.to - r.from > 1).length,
      downward: rows.filter((r) => r.to < r.from).length,
      total: rows.length,
      complete,
      waitedS: round((now() - burstEnd) / 1000),
    },
    lateness: lateness(rows.filter((r) => r.to >= 1)),
    perLevel,
    ...(settings.webhook ? { notified: rows.filter((r) => hits.has(`${r.number}:${r.seq}`)).length, webhookHits: stack.webhook!.hits.length } : {}),
    outbox: Object.fromEntries(outbox.map((o) => [`${o.kind}:${o.status}`, o.n])),
    cpuPerIncidentMs: { worker: cpu.workerMs, apiAndDriver: cpu.apiAndDriverMs, temporalServer: cpu.temporalServerMs, postgres: cpu.postgresMs, note: 'from the burst to the end of the wait: intake and three escalations each, net of the idle CPU measured for 5 s before the burst' },
    idleCpuMsPerS: idle,
    workerRssMb: f1.worker?.rssMb ?? null,
    workerLimits: stack.worker.limits(),
    ...(died ? { workerDied: died } : {}),
  };
  log(`events: ${written} of ${expected} written (${figures.events.missingLevel1} level-1 missing); lateness decided p50 ${figures.lateness.decidedMs.p50} ms, p99 ${figures.lateness.decidedMs.p99} ms, max ${figures.lateness.decidedMs.max} ms`);
  return { ok: written === expected && died === null && (!settings.webhook || figures.notified === rows.length), figures };
});
