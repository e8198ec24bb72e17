// Portal latency benchmark (npm run bench:portal): the server time of the customer portal's pages
// *My requests* (GET /portal/requests), *A request* (GET /portal/requests/<number>) and *New request*
// (GET /portal/requests/new) at p95, with 100,000 incidents in the projection, 1,000 of them the
// signed-in contact's; aim: under 100 ms each. Baseline in the same run: the agent API's list
// (GET /api/incidents?limit=50 with the demo agent's token), measured as often, interleaved.
//
// The rows are written straight into the projection (what the workflows' activities would write),
// received over the last year on the demo's Gold policy, statuses spread as in bench/list-latency.ts.
// The contact is a plain contact (not customer admin, customer sharing `own`) of the demo customer
// Stadtwerke (K-10002); every BENCH_ROWS/BENCH_OWN-th row is theirs (contactId and contactEmail),
// the others go round the other demo contacts (Stadtwerke's own Sabine Lehmann among them, so the
// customer alone does not pick the contact's rows) and, every sixth, a customer number of no demo
// customer without a contact. Every incident has its `created` event in incident_events; the
// request page's incident has a conversation of 24 events besides (replies, customer messages, an
// internal note, acknowledgement and other mails, waiting and resuming).
//
// Environment: BENCH_ROWS (100000), BENCH_OWN (1000), BENCH_REQUESTS (200), BENCH_WARMUP (5).
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { createApp } from '../src/api/app.js';
import { projectionRow } from '../src/db/projection.js';
import { contacts, customers, incidentEvents, incidents, slaPolicies } from '../src/db/schema/index.js';
import { incidentStatuses } from '../src/domain/enums.js';
import { openIncident, type IncidentIntake } from '../src/domain/incident/state.js';
import { slaSnapshot } from '../src/services/entitlement.js';
import { appVisitor, portalContact } from '../tests/support/portal.js';
import { env, log, startBenchDatabase, now, round, runBench, stats } from './support.js';

const settings = { rows: env('BENCH_ROWS', 100_000), own: env('BENCH_OWN', 1000), requests: env('BENCH_REQUESTS', 200), warmup: env('BENCH_WARMUP', 5) };
const targetMs = 100;
const yearMs = 365 * 86_400_000;
const ownCustomer = 'K-10002';
const password = 'bench portal password';


await runBench('portal', settings, async () => {
  if (settings.own < 1 || settings.own > settings.rows) throw new Error(`BENCH_OWN=${settings.own} must be between 1 and BENCH_ROWS=${settings.rows}`);
  const { database, tokens } = await startBenchDatabase();
  const agent = tokens.find((t) => t.role === 'agent')!;
  const [gold] = await database.db.select().from(slaPolicies).where(eq(slaPolicies.tier, 'gold'));
  const snapshot = await slaSnapshot(database.db, gold!.id);

  // The signed-in contact, and the other demo contacts whose customers' rows fill the projection.
  const me = await portalContact(database.db, { customerNumber: ownCustomer, name: 'Bench Contact', email: 'bench.contact@stadtwerke-beispielstadt.example', password, admin: false });
  const others = await database.db
    .select({ id: contacts.id, email: contacts.email, name: contacts.name, customerId: customers.id, customerNumber: customers.customerNumber, customerName: customers.name })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .orderBy(contacts.email);
  const [stadtwerke] = await database.db.select().from(customers).where(eq(customers.customerNumber, ownCustomer));
  const otherParties = others.filter((c) => c.id !== me.id).map((c) => ({ customer: { id: c.customerId, number: c.customerNumber, name: c.customerName }, contact: { id: c.id, email: c.email, name: c.name } }));
  const mine = { customer: { id: stadtwerke!.id, number: ownCustomer, name: stadtwerke!.name }, contact: { id: me.id, email: me.email, name: me.name } };

  log(`writing ${settings.rows} projection rows (${settings.own} the contact's) and their created events…`);
  const started = now();
  const end = Date.now();
  const batch = 1000;
  const step = settings.rows / settings.own;
  const ownNumbers = new Set<string>();
  const ownOpen: string[] = [];
  for (let first = 0; first < settings.rows; first += batch) {
    const opened = Array.from({ length: Math.min(batch, settings.rows - first) }, (_, k) => {
      const i = first + k;
      // Row i is the contact's when it is the first at or after a multiple of `step`.
      const own = Math.floor(i / step) !== Math.floor((i - 1) / step);
      const other = otherParties[i % (otherParties.length + 1)];
      const parties = own ? mine : (other ?? { customer: { id: 'none', number: `K-${20_000 + ((i * 7919) % 500)}`, name: 'Bench customer' }, contact: null });
      const intake: IncidentIntake = {
        number: `INC-2026-${String(i + 1).padStart(6, '0')}`,
        title: `Bench request ${i}: ${['Drucker druckt nicht', 'VPN connection drops', 'Firewall-Regel für neuen Standort', 'NAS volume degraded'][i % 4]}`,
        description: `Bench request ${i}, described in a sentence or two as a customer would write it.`,
        channel: own ? 'portal' : 'phone',
        impact: null,
        urgency: null,
        priority: (['P1', 'P2', 'P3', 'P4'] as const)[i % 4]!,
        receivedAt: new Date(end - Math.floor((((i * 7919) % settings.rows) / settings.rows) * yearMs)).toISOString(),
        openedBy: parties.contact ? { id: `contact:${parties.contact.email}`, name: parties.contact.name } : { id: 'system', name: 'Bench' },
        customer: parties.customer,
        contact: parties.contact,
        asset: null,
        contract: { id: 'bench', number: 'V-BENCH', tier: 'gold' },
        slaPolicyId: gold!.id,
        sla: snapshot,
      };
      const { state, event } = openIncident(intake);
      const status = i % 3 === 0 ? 'in_progress' : incidentStatuses[i % incidentStatuses.length]!;
      if (own) {
        ownNumbers.add(state.number);
        if (status !== 'resolved' && status !== 'closed') ownOpen.push(state.number);
      }
      const row = { ...projectionRow({ ...state, status }), customerId: parties.customer.id === 'none' ? null : parties.customer.id, contractId: null };
      const created = { incidentNumber: state.number, seq: event.seq, type: event.type, actor: event.actor.id, actorName: event.actor.name, payload: event.payload, occurredAt: new Date(event.at) };
      return { row, created };
    });
    await database.db.insert(incidents).values(opened.map((o) => o.row));
    await database.db.insert(incidentEvents).values(opened.map((o) => o.created));
  }
  if (ownNumbers.size !== settings.own) throw new Error(`wrote ${ownNumbers.size} of the contact's rows, not ${settings.own}`);
  const requestNumber = ownOpen[Math.floor(ownOpen.length / 2)];
  if (!requestNumber) throw new Error('none of the contact\'s requests is open');

  // The request page's conversation: what the workflow would have logged over a few days.
  const [createdEvent] = await database.db.select().from(incidentEvents).where(eq(incidentEvents.incidentNumber, requestNumber));
  const t0 = createdEvent!.occurredAt.getTime();
  const agentActor = { actor: `user:${agent.email}`, actorName: agent.name };
  const contactActor = { actor: `contact:${me.email}`, actorName: me.name };
  const system = { actor: 'system', actorName: 'Helpdesk' };
  const conversation: { who: { actor: string; actorName: string }; type: string; payload: Record<string, unknown> }[] = [
    { who: system, type: 'mail_sent', payload: { template: 'acknowledgement', to: me.email } },
    { who: agentActor, type: 'assigned', payload: { assignee: { name: agent.name }, group: '1st-level' } },
  ];
  for (let turn = 1; turn <= 5; turn++) {
    conversation.push(
      { who: agentActor, type: 'replied', payload: { text: `Reply ${turn}: we looked into it; could you please check the device's status light and send a photo?`, public: true, firstResponse: turn === 1 } },
      { who: system, type: 'mail_sent', payload: { template: 'reply', to: me.email } },
      { who: agentActor, type: 'note_added', payload: { text: `Internal note ${turn}`, internal: true } },
      { who: contactActor, type: 'customer_message', payload: { text: `Answer ${turn}: the light is orange, photo attached in the next mail.`, from: me.email, effect: 'logged' } },
    );
    if (turn === 3) conversation.push({ who: agentActor, type: 'pending', payload: { reason: 'waiting for the photo' } }, { who: system, type: 'resumed', payload: {} });
  }
  await database.db.insert(incidentEvents).values(
    conversation.map((e, k) => ({ incidentNumber: requestNumber, seq: createdEvent!.seq + 1 + k, type: e.type, ...e.who, payload: e.payload, occurredAt: new Date(t0 + (k + 1) * 3_600_000) })),
  );
  // The steady state of a table autovacuum has seen (its visibility map lets a count read the index only).
  await database.sql`vacuum analyze incidents`;
  await database.sql`vacuum analyze incident_events`;
  log(`rows written in ${round((now() - started) / 1000)} s; the request page shows ${requestNumber} (${conversation.length + 1} events)`);

  const app = createApp({ db: database.db, temporal: undefined as never, logger: pino({ level: 'silent' }), pingDatabase: async () => {} });
  const visitor = appVisitor(app);
  const signedIn = await visitor.signInWithPassword(me.email, password);
  if (signedIn.status !== 303 || !visitor.cookies.has('helpdesk_session')) throw new Error(`sign-in answered ${signedIn.status} (${signedIn.location ?? 'no redirect'})`);

  const numbersIn = (html: string) => [...new Set(html.match(/INC-\d{4}-\d{6}/g) ?? [])];
  const page = (path: string, check: (html: string) => string | null) => async () => {
    const answer = await visitor.get(path);
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}${answer.location ? ` → ${answer.location}` : ''}`);
    const wrong = check(answer.html);
    if (wrong) throw new Error(`GET ${path}: ${wrong}`);
  };
  const paths = {
    myRequests: '/portal/requests',
    request: `/portal/requests/${requestNumber}`,
    newRequest: '/portal/requests/new',
    baseline: '/api/incidents?limit=50',
  };
  const requests: Record<keyof typeof paths, () => Promise<void>> = {
    myRequests: page(paths.myRequests, (html) => {
      const shown = numbersIn(html);
      if (!shown.some((n) => ownNumbers.has(n))) return 'none of the contact\'s requests is listed';
      const foreign = shown.filter((n) => !ownNumbers.has(n));
      return foreign.length > 0 ? `lists requests not the contact's: ${foreign.slice(0, 3).join(', ')}` : null;
    }),
    request: page(paths.request, (html) => (!html.includes(requestNumber) ? 'the number is not on the page' : !html.includes('Reply 5: we looked into it') ? 'the conversation is not on the page' : html.includes('Internal note') ? 'an internal note is on the page' : null)),
    newRequest: page(paths.newRequest, (html) => (!html.includes('FW-FG100F-0042') ? 'the customer\'s devices are not offered' : null)),
    baseline: async () => {
      const res = await app.request(paths.baseline, { headers: { Authorization: `Bearer ${agent.token}` } });
      if (res.status !== 200) throw new Error(`GET ${paths.baseline} answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as { items: unknown[] };
      if (body.items.length !== Math.min(50, settings.rows)) throw new Error(`GET ${paths.baseline} gave ${body.items.length} items`);
    },
  };
  const names = Object.keys(paths) as (keyof typeof paths)[];
  for (const name of names) for (let i = 0; i < settings.warmup; i++) await requests[name]();

  const times = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<keyof typeof paths, number[]>;
  // Interleaved, so all four see the same machine.
  for (let i = 0; i < settings.requests; i++) {
    for (const name of names) {
      const t = now();
      await requests[name]();
      times[name].push(now() - t);
    }
  }
  const measured = Object.fromEntries(names.map((n) => [n, stats(times[n])])) as Record<keyof typeof paths, ReturnType<typeof stats>>;
  const pages = ['myRequests', 'request', 'newRequest'] as const;
  const baseP95 = measured.baseline.p95;
  const overBaseline = Object.fromEntries(pages.map((p) => [p, measured[p].p95 !== null && baseP95 ? round(measured[p].p95 / baseP95, 2) : null]));
  const slow = pages.filter((p) => (measured[p].p95 ?? Infinity) >= targetMs);
  for (const name of names) log(`GET ${paths[name]}: p50 ${measured[name].p50} ms, p95 ${measured[name].p95} ms`);
  return {
    ok: true,
    figures: {
      rows: settings.rows,
      own: ownNumbers.size,
      ownOpen: ownOpen.length,
      requestNumber,
      requestEvents: conversation.length + 1,
      paths,
      ms: Object.fromEntries(names.map((n) => [n, { p50: measured[n].p50, p95: measured[n].p95 }])),
      details: measured,
      target_ms: targetMs,
      p95OverBaselineP95: overBaseline,
      aim: { p95UnderMs: targetMs, met: slow.length === 0, slow },
    },
  };
});
