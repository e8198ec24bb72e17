// `npm run chaos`: the production shape (src/infra/cluster.ts: Postgres, Temporal's four services,
// two workers, two APIs) under load while parts of it are killed with SIGKILL, then a check that
// nothing was lost or done twice. Loopback only, bounded in count and time.
//
//   npm run chaos                 # 1,000 intakes, 500 mails (bench/README.md has the last result)
//   npm run chaos -- --small      # 100 intakes, 50 mails: what CI runs (.ci/run)
//   CHAOS_INTAKES=… CHAOS_MAILS=… CHAOS_DEADLINE_S=… CHAOS_KEEP=1 (keep the cluster dir and its logs)
//
// Load, at once: intakes through both APIs with Idempotency-Keys, retried (same key, the other API)
// on any failure; mail through the mailgate, retried the same way; on a share of the incidents a
// reply, a pending, a resolve and a time entry, each with an Idempotency-Key and retried. The SLA
// policy of the chaos customers is a 24x7 one with 2- and 4-minute targets, so warnings, breaches
// and management levels pass during the run, also while a worker, Temporal or Postgres is down.
// Kills at set points of the intake progress: a worker (20 %), an API (40 %), Temporal's history
// service (60 %), Postgres (80 %), each restarted after a pause; at the end an invoice run with the
// API that runs it killed mid-way, then run again on the other API.
//
// Then it checks (and the summary prints): incidents (keys = incidents = intakes, none lost, none
// twice, every workflow running or properly closed), timelines (one `created`, no gap in seq, each
// accepted update once), mails (each stored once and processed, no outbox row delivered twice to
// the SMTP receiver, none lost), SLA (every threshold instant that passed has its escalation
// event with that exact reachedAt; none skipped, none twice), invoices (each billable entry billed
// once). stdout gets one JSON line; the same summary goes to bench/results/.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import postgres from 'postgres';
import { SMTPServer } from 'smtp-server';
import { seedDemo, startCluster, type Cluster } from '../src/infra/cluster.js';
import { claimLeaseMinutes } from '../src/mail/outbox.js';
import { log, now, onCleanup, round, runBench, sleep, stats } from './support.js';

const small = process.argv.includes('--small');
const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${raw} is not a whole number`);
  return n;
};
const settings = {
  profile: small ? 'small' : 'full',
  intakes: num('CHAOS_INTAKES', small ? 100 : 1000),
  mails: num('CHAOS_MAILS', small ? 50 : 500),
  concurrency: num('CHAOS_CONCURRENCY', 6),
  /** Pause between a kill and the restart. */
  downS: num('CHAOS_DOWN_S', 5),
  deadlineS: num('CHAOS_DEADLINE_S', small ? 900 : 2400),
  /** The intakes are spread over this long, so the kills at their set points fall into the load. */
  loadS: num('CHAOS_LOAD_S', small ? 150 : 420),
  /** After the quiet point: how long timelines and escalation levels may take to catch up. */
  settleS: num('CHAOS_SETTLE_S', small ? 180 : 600),
  /** The chaos SLA policy (24x7, every priority): business minutes. */
  firstResponseMinutes: 2,
  resolutionMinutes: 4,
};
const deadline = Date.now() + settings.deadlineS * 1000;
const remaining = () => deadline - Date.now();
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

// ---------------------------------------------------------------------------------------------
// HTTP with retries: on a network error, a 5xx or a 429 the same request (same Idempotency-Key)
// goes to the next API; another 4xx is a bug of this script or the service and ends the run.

interface Answer {
  status: number;
  body: any;
  headers: Headers;
  attempts: number;
}

let cluster: Cluster;
const retryCounts = { network: 0, status5xx: 0, status202: 0 };

async function call(method: string, path: string, token: string, options: { body?: unknown; raw?: string; key?: string; api?: number; accept?: (status: number) => boolean; retry?: (status: number) => boolean; perTryMs?: number } = {}): Promise<Answer> {
  const accept = options.accept ?? ((s: number) => s >= 200 && s < 300);
  let api = options.api ?? 0;
  let attempts = 0;
  let backoff = 200;
  for (;;) {
    attempts += 1;
    const base = cluster.apiUrls[api % cluster.apiUrls.length]!;
    try {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(options.raw !== undefined ? { 'Content-Type': 'message/rfc822' } : options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...(options.key ? { 'Idempotency-Key': options.key } : {}),
        },
        body: options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
        signal: AbortSignal.timeout(options.perTryMs ?? 30_000),
      });
      const text = await response.text();
      const body = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      if (accept(response.status)) return { status: response.status, body, headers: response.headers, attempts };
      if (response.status < 500 && response.status !== 429 && !options.retry?.(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 400)}`);
      retryCounts.status5xx += 1;
    } catch (err) {
      if (err instanceof Error && /answered 4\d\d/.test(err.message)) throw err;
      retryCounts.network += 1;
    }
    if (remaining() < 0) throw new Error(`${method} ${path}: no success before the run's deadline (${attempts} attempts)`);
    api += 1; // the other API
    await sleep(backoff);
    backoff = Math.min(backoff * 2, 3000);
  }
}

// ---------------------------------------------------------------------------------------------
// The SMTP receiver: counts each Message-ID it accepts.

async function startSmtp(): Promise<{ url: string; deliveries: Map<string, number>; total: () => number; close: () => Promise<void> }> {
  const deliveries = new Map<string, number>();
  let total = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const head = Buffer.concat(chunks).toString('utf8').split(/\r?\n\r?\n/, 1)[0] ?? '';
        const id = /^message-id:\s*(<[^>]+>)/im.exec(head)?.[1] ?? `(none ${total})`;
        deliveries.set(id, (deliveries.get(id) ?? 0) + 1);
        total += 1;
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as { port: number }).port));
    server.once('error', reject);
  });
  return { url: `smtp://127.0.0.1:${port}`, deliveries, total: () => total, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A base port with the cluster's ports (base .. base+199) all free on 127.0.0.1. */
async function freePortBase(): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 50) * 200;
    const offsets = [0, 33, 34, 35, 39, 43, 63, 64, 65, 69, 80, 81, 82, 86, 100, 101, 190, 191];
    if ((await Promise.all(offsets.map((o) => free(base + o)))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the cluster');
}

// ---------------------------------------------------------------------------------------------
// What the load did, for the checks.

type Op = 'reply' | 'pending' | 'resolve' | 'time';
const eventOf: Record<Exclude<Op, 'time'>, string> = { reply: 'replied', pending: 'pending', resolve: 'resolved' };
interface Intake {
  key: string;
  number?: string;
  status?: number;
  replayed?: boolean;
  ops: { op: Op; key: string; accepted: boolean }[];
}
interface SentMail {
  messageId: string;
  followUpOf?: string;
  accepted: boolean;
}
interface Kill {
  name: string;
  at: string;
  atIntake: number;
  downMs: number;
  restartMs: number;
}

const chaosCustomers = [1, 2, 3, 4].map((i) => ({ customerNumber: `K-CHAOS-${i}`, domain: `chaos${i}.example`, contact: `user${i}@chaos${i}.example` }));

async function setUpMasterData(admin: string): Promise<void> {
  const allDay = [['00:00', '24:00']];
  const calendar = await call('POST', '/api/calendars', admin, { body: { name: 'Chaos 24x7 (UTC)', timezone: 'UTC', week: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } } });
  const t = { firstResponse: settings.firstResponseMinutes, nextResponse: settings.firstResponseMinutes, resolution: settings.resolutionMinutes };
  const policy = await call('POST', '/api/sla-policies', admin, { body: { name: 'Chaos 24x7', tier: null, calendarId: calendar.body.id, targets: { P1: t, P2: t, P3: t, P4: t } } });
  for (const [i, c] of chaosCustomers.entries()) {
    await call('POST', '/api/customers', admin, { body: { customerNumber: c.customerNumber, name: `Chaos customer ${i + 1}`, mailDomains: [c.domain], accountManagerEmail: 'max.manager@helpdesk.example' } });
    await call('POST', '/api/contacts', admin, { body: { customerNumber: c.customerNumber, name: `Chaos user ${i + 1}`, email: c.contact } });
    // A quota of one minute a month: time beyond it is billed (as overage), so the invoice run has work.
    await call('POST', '/api/contracts', admin, {
      body: { contractNumber: `V-CHAOS-${i + 1}`, customerNumber: c.customerNumber, tier: 'platinum', validFrom: '2026-01-01', coversAllAssets: true, slaPolicyId: policy.body.id, quotaMinutes: 1, quotaPeriod: 'month', hourlyRates: { remote: 9000 } },
    });
  }
}

function rawMail(i: number, customer: number, messageId: string, followUpOf: string | undefined): string {
  const c = chaosCustomers[customer % chaosCustomers.length]!;
  const subject = followUpOf ? `Re: [${followUpOf}] more details` : `Chaos mail ${i}: the printer on floor ${i % 7} is offline`;
  return [`From: Chaos user <${c.contact}>`, 'To: helpdesk@localhost', `Subject: ${subject}`, `Message-ID: ${messageId}`, `Date: ${new Date().toUTCString()}`, 'Content-Type: text/plain; charset=utf-8', '', `Mail ${i} of the chaos run. Grüße.`, ''].join('\r\n');
}

// ---------------------------------------------------------------------------------------------

await runBench('chaos', settings, async () => {
  const started = now();
  const dir = mkdtempSync(join(tmpdir(), 'helpdesk-chaos-'));
  chmodSync(dir, 0o755); // Postgres runs as its own user when we are root

  const smtp = await startSmtp();
  onCleanup('SMTP receiver', () => smtp.close());
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  onCleanup('cluster', async () => {
    for (const s of stops.reverse()) await s.stop().catch(() => {});
    if (!process.env.CHAOS_KEEP && ok) rmSync(dir, { recursive: true, force: true });
    else log(`cluster dir kept: ${dir} (logs in ${join(dir, 'logs')})`);
  });
  let ok = false;
  log(`starting the cluster in ${dir}…`);
  cluster = await startCluster({
    dir,
    portBase: await freePortBase(),
    shellEnv: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info' },
    // Mail out to the receiver; the acknowledgement limit out of the way of 500 mails from 4 senders.
    env: { SMTP_URL: smtp.url, MAIL_ACK_LIMIT_PER_HOUR: '1000', WEEKLY_REPORT_SCHEDULE: 'off' },
    log: (line) => log(`cluster: ${line}`),
    started: (name, stop) => stops.push({ name, stop }),
  });
  const startupS = round((now() - started) / 1000);
  const tokens = await seedDemo(cluster, (line) => log(line));
  const token = (role: string) => tokens.find((t) => t.role === role)!.token;
  const [admin, agent, manager, mailgate] = [token('admin'), token('agent'), token('manager'), token('mailgate')];
  await setUpMasterData(admin);
  log(`cluster up in ${startupS} s; load: ${settings.intakes} intakes, ${settings.mails} mails`);

  // ---- the load ---------------------------------------------------------------------------------
  const run = Date.now().toString(36);
  const intakes: Intake[] = Array.from({ length: settings.intakes }, (_, i) => ({ key: `chaos-${run}-${i}`, ops: [] }));
  const mails: SentMail[] = [];
  const kills: Kill[] = [];
  let intakesDone = 0;
  const replays = { intakes: 0, intakeMismatches: 0, updates: 0, mails: 0 };
  const intakeMs: number[] = [];
  const loadStart = Date.now();

  const killPlan = [
    { at: 0.2, name: 'worker-1' },
    { at: 0.4, name: 'api-1' },
    { at: 0.6, name: 'temporal-history' },
    { at: 0.8, name: 'postgres' },
  ];
  const backgroundErrors: unknown[] = [];
  const killer = (async () => {
    for (const step of killPlan) {
      while (intakesDone < Math.ceil(step.at * settings.intakes)) {
        if (remaining() < 0) return;
        await sleep(100);
      }
      const p = cluster.process(step.name);
      const t0 = Date.now();
      const atIntake = intakesDone;
      log(`SIGKILL ${step.name} (pid ${p.pid}) at intake ${intakesDone}`);
      await p.kill();
      await sleep(settings.downS * 1000);
      const t1 = Date.now();
      await p.start();
      kills.push({ name: step.name, at: new Date(t0).toISOString(), atIntake, downMs: t1 - t0, restartMs: Date.now() - t1 });
      log(`${step.name} is back (${Date.now() - t0} ms after the kill)`);
    }
  })().catch((err: unknown) => void backgroundErrors.push(err));

  const actions: Promise<void>[] = [];
  const act = async (intake: Intake, op: Op, body: unknown, delayMs: number) => {
    await sleep(delayMs);
    const key = `${intake.key}-${op}`;
    const entry = { op, key, accepted: false };
    intake.ops.push(entry);
    const path = op === 'time' ? `/api/incidents/${intake.number}/time-entries` : `/api/incidents/${intake.number}/${op}`;
    // 404: an intake answered 202 (Temporal away) has its workflow a moment later; retried too.
    await call('POST', path, agent, { body, key, api: intake.ops.length, retry: (st) => st === 404 });
    entry.accepted = true;
    // Every other step sent again with its key: taken once all the same.
    if (op !== 'time' && intake.ops.length % 2 === 1) {
      await call('POST', path, agent, { body, key, api: intake.ops.length + 1, accept: (st) => st === 200 || st === 409 });
      replays.updates += 1;
    }
  };
  const followUpTargets: { number: string; customer: number }[] = [];
  const intakeLoop = async (worker: number) => {
    for (let i = worker; i < intakes.length; i += settings.concurrency) {
      const intake = intakes[i]!;
      const due = loadStart + (i * settings.loadS * 1000) / intakes.length;
      if (Date.now() < due) await sleep(due - Date.now());
      const c = chaosCustomers[i % chaosCustomers.length]!;
      const sentAt = Date.now();
      const answer = await call('POST', '/api/incidents', agent, {
        body: { title: `Chaos intake ${i}: server room temperature alarm`, customerNumber: c.customerNumber, contactEmail: c.contact, impact: 'high', urgency: 'high', channel: 'phone' },
        key: intake.key,
        api: i,
      });
      intakeMs.push(Date.now() - sentAt);
      Object.assign(intake, { number: answer.body.number as string, status: answer.status, replayed: answer.headers.get('idempotency-replayed') === 'true' });
      if (answer.status === 202) retryCounts.status202 += 1;
      // One in twenty sent again on the other API, as a client that never saw the answer would.
      if (i % 20 === 7) {
        const again = await call('POST', '/api/incidents', agent, { body: { title: `Chaos intake ${i}: server room temperature alarm`, customerNumber: c.customerNumber, contactEmail: c.contact, impact: 'high', urgency: 'high', channel: 'phone' }, key: intake.key, api: i + 1 });
        replays.intakes += 1;
        if (again.body.number !== intake.number || again.headers.get('idempotency-replayed') !== 'true') replays.intakeMismatches += 1;
      }
      intakesDone += 1;
      // Work on a share of them, a little later (each op keyed and retried like the intake).
      const kind = i % 10;
      if (kind <= 2) {
        actions.push(
          (async () => {
            await act(intake, 'reply', { text: 'We are on it.' }, 5_000 + (i % 13) * 3_000);
            if (kind === 1) await act(intake, 'time', { minutes: 30, activityType: 'remote', description: 'Remote diagnosis' }, 1_000);
            if (kind === 0) await act(intake, 'resolve', { resolution: 'Cooling restored.', breachCause: { cause: 'capacity' } }, 10_000 + (i % 7) * 5_000);
          })().catch((err: unknown) => void backgroundErrors.push(err)),
        );
      } else if (kind === 3) {
        actions.push(act(intake, 'pending', { reason: 'Waiting for the customer to reboot the sensor.' }, 2_000 + (i % 11) * 4_000).catch((err: unknown) => void backgroundErrors.push(err)));
      } else if (kind === 4) {
        followUpTargets.push({ number: intake.number!, customer: i % chaosCustomers.length });
      }
    }
  };
  const mailLoop = async (worker: number, workers: number) => {
    for (let i = worker; i < settings.mails; i += workers) {
      // Paced over the intakes' run; one in five a follow-up on an incident nobody answers.
      while (intakesDone < (i / settings.mails) * settings.intakes * 0.9 && remaining() > 0) await sleep(50);
      const target = i % 5 === 4 ? followUpTargets[i % Math.max(1, followUpTargets.length)] : undefined;
      const mail: SentMail = { messageId: `<chaos-${run}-${i}@chaos.example>`, ...(target ? { followUpOf: target.number } : {}), accepted: false };
      mails.push(mail);
      // A follow-up comes from the incident's own contact (another customer's would go to review, rightly).
      const raw = rawMail(i, target ? target.customer : i, mail.messageId, target?.number);
      await call('POST', '/api/inbound/email', mailgate, { raw, api: i });
      mail.accepted = true;
      // One in ten handed in again (an MTA retrying after a lost answer), through the other API.
      if (i % 10 === 3) {
        await call('POST', '/api/inbound/email', mailgate, { raw, api: i + 1 });
        replays.mails += 1;
      }
    }
  };
  await Promise.all([...Array.from({ length: settings.concurrency }, (_, w) => intakeLoop(w)), mailLoop(0, 2), mailLoop(1, 2)]);
  await Promise.all(actions);
  await killer;
  if (backgroundErrors.length > 0) throw backgroundErrors[0];
  const loadS = round((Date.now() - loadStart) / 1000);
  log(`load done in ${loadS} s: ${intakesDone} intakes, ${mails.filter((m) => m.accepted).length} mails, ${actions.length} action chains`);

  // ---- an invoice run with its API killed mid-way, then run again on the other one ---------------
  const period = new Date().toISOString().slice(0, 7);
  const victim = cluster.apis[1]!;
  const victimWasRunning = victim.running;
  const killedRun = fetch(`${cluster.apiUrls[1]}/api/invoices/runs`, { method: 'POST', headers: { Authorization: `Bearer ${manager}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ period }) }).then(
    (r) => r.status,
    () => 'connection lost',
  );
  await sleep(30);
  const invoiceKillAt = Date.now();
  await victim.kill();
  const killedRunAnswer = await killedRun;
  const rerun = await call('POST', '/api/invoices/runs', manager, { body: { period }, api: 0 });
  const restartAt = Date.now();
  await victim.start();
  kills.push({ name: `${victim.name} (during the invoice run)`, at: new Date(invoiceKillAt).toISOString(), atIntake: intakesDone, downMs: restartAt - invoiceKillAt, restartMs: Date.now() - restartAt });

  // ---- quiesce: every intake started, every mail processed, the outbox empty -----------------------
  const sql = postgres(cluster.databaseUrl, { max: 4, onnotice: () => {} });
  onCleanup('checker pool', () => sql.end());
  const chaosNumbers = sql`select number from incidents where customer_number like 'K-CHAOS-%'`;
  const quiet = async () => {
    const [row] = await sql<{ intakes: number; mails: number; outbox: number }[]>`
      select (select count(*)::int from incident_intakes where workflow_started_at is null) as intakes,
             (select count(*)::int from inbound_mails where status in ('received', 'processing')) as mails,
             (select count(*)::int from outbox_messages where status in ('pending', 'sending', 'failed')) as outbox`;
    return row!;
  };
  let last = await quiet();
  while ((last.intakes > 0 || last.mails > 0 || last.outbox > 0) && remaining() > 0) {
    await sleep(2000);
    last = await quiet();
  }
  log(`quiet: ${JSON.stringify(last)}`);
  const checkAt = new Date();

  // ---- checks -------------------------------------------------------------------------------------
  // Incidents.
  const accepted = intakes.filter((i) => i.number);
  const numbersByKey = new Set(accepted.map((i) => i.number));
  const dbIntakes = await sql<{ number: string; key: string | null }[]>`select i.number, i.idempotency_key as key from incident_intakes i join incidents n using (number) where n.customer_number like 'K-CHAOS-%' and n.channel = 'phone'`;
  const dbNumbers = new Set(dbIntakes.map((r) => r.number));
  const incidentsCheck = {
    intakes: settings.intakes,
    keysSent: intakes.length,
    keysAnswered: accepted.length,
    incidents: dbNumbers.size,
    lost: intakes.length - accepted.length + [...numbersByKey].filter((n) => !dbNumbers.has(n!)).length,
    duplicates: accepted.length - numbersByKey.size + [...dbNumbers].filter((n) => !numbersByKey.has(n)).length,
    replayedAnswers: accepted.filter((i) => i.replayed).length,
    answered202: accepted.filter((i) => i.status === 202).length,
    workflows: {} as Record<string, number>,
    workflowsMissing: 0,
  };
  // Every key we sent is the one its incident was recorded under (scoped "user:<id>:<key>").
  const keyOf = new Map(dbIntakes.map((r) => [r.number, r.key]));
  const keysNotRecorded = accepted.filter((i) => !keyOf.get(i.number!)?.endsWith(`:${i.key}`)).length;
  Object.assign(incidentsCheck, { keysNotRecorded });
  const allChaos = (await chaosNumbers).map((r) => r.number);
  const connection = await Connection.connect({ address: cluster.temporalAddress });
  onCleanup('Temporal connection', () => connection.close());
  const client = new Client({ connection, namespace: cluster.namespace });
  const statuses = await Promise.all(
    allChaos.map((n) =>
      client.workflow
        .getHandle(`incident-${n}`)
        .describe()
        .then(
          (d) => d.status.name,
          () => 'MISSING',
        ),
    ),
  );
  for (const s of statuses) incidentsCheck.workflows[s] = (incidentsCheck.workflows[s] ?? 0) + 1;
  incidentsCheck.workflowsMissing = incidentsCheck.workflows.MISSING ?? 0;
  const badWorkflows = statuses.filter((s) => s !== 'RUNNING' && s !== 'COMPLETED').length;

  // Timelines and SLA, read again until they settle: steps are recorded by activities that may
  // still be retrying (a later seq can land before an earlier one), and levels the cluster is
  // behind on (it was killed four times) are still being recorded after the quiet point.
  const inspect = async () => {
    // Timelines.
    const events = await sql<{ number: string; seq: number; type: string; payload: Record<string, unknown>; occurred_at: Date }[]>`
      select incident_number as number, seq, type, payload, occurred_at from incident_events where incident_number in (select number from incidents where customer_number like 'K-CHAOS-%') order by incident_number, seq`;
    const byIncident = new Map<string, (typeof events)[number][]>();
    for (const e of events) byIncident.set(e.number, [...(byIncident.get(e.number) ?? []), e]);
    const timelines = { incidents: allChaos.length, events: events.length, createdNotOnce: 0, seqGaps: 0 /* incidents with a gap */, updatesAccepted: 0, updatesMissing: 0, updatesTwice: 0, recordingFailed: 0 };
    for (const n of allChaos) {
      const list = byIncident.get(n) ?? [];
      if (list.filter((e) => e.type === 'created').length !== 1) timelines.createdNotOnce += 1;
      if (list.some((e, i) => e.seq !== i + 1)) timelines.seqGaps += 1;
      timelines.recordingFailed += list.filter((e) => e.type === 'recording_failed').length;
    }
    for (const intake of accepted) {
      const list = byIncident.get(intake.number!) ?? [];
      for (const op of intake.ops.filter((o) => o.accepted && o.op !== 'time')) {
        timelines.updatesAccepted += 1;
        const count = list.filter((e) => e.type === eventOf[op.op as Exclude<Op, 'time'>]).length;
        if (count === 0) timelines.updatesMissing += 1;
        if (count > 1) timelines.updatesTwice += 1;
      }
    }

    // SLA: from each incident's clocks (24x7, so business time is wall time), the instants its
    // levels were reached; each must be an `escalation_changed` event to that level with that exact
    // reachedAt (an up-event, or a step down onto it), and every up-event must be one of them.
    const projections = await sql<{ number: string; sla_clocks: Record<string, { startedAt: string; pauses: { from: string; to: string }[]; pausedSince: string | null; stoppedAt: string | null }> | null; sla_policy: { targets: Record<string, Record<string, number>>; escalation: { warningPercent: number; managementOverduePercent: number } } | null; priority: string }[]>`
      select number, sla_clocks, sla_policy, priority from incidents where customer_number like 'K-CHAOS-%'`;
    const sla = { incidents: projections.length, thresholdsPassed: 0, recorded: 0, missing: 0, wrongOrExtra: 0, twice: 0, notModelled: 0, examples: [] as unknown[] };
    const cutoff = checkAt.getTime() - 1000;
    for (const p of projections) {
      if (!p.sla_clocks || !p.sla_policy) {
        sla.notModelled += 1;
        continue;
      }
      const { warningPercent, managementOverduePercent } = p.sla_policy.escalation;
      // The instant a clock has run `minutes` (pauses excluded), or null if it stopped before.
      const instantAt = (clock: NonNullable<typeof p.sla_clocks>[string], minutes: number): number | null => {
        let used = 0;
        let from = Date.parse(clock.startedAt);
        const stops = [...clock.pauses.map((q) => [Date.parse(q.from), Date.parse(q.to)] as const), ...(clock.pausedSince ? [[Date.parse(clock.pausedSince), Infinity] as const] : [])].sort((a, b) => a[0] - b[0]);
        const end = clock.stoppedAt ? Date.parse(clock.stoppedAt) : Infinity;
        const want = minutes * 60_000;
        for (const [pauseFrom, pauseTo] of [...stops, [end, Infinity] as const]) {
          const until = Math.min(pauseFrom, end);
          if (until > from && used + (until - from) >= want) return from + (want - used);
          used += Math.max(0, until - from);
          from = Math.max(from, pauseTo);
          if (from >= end) return null;
        }
        return null;
      };
      // Each clock's level over time: [instant, level] steps while it runs; it drops out when it stops or pauses.
      const changes: { at: number; clock: string; level: number }[] = [];
      for (const [target, clock] of Object.entries(p.sla_clocks)) {
        const budget = p.sla_policy.targets[p.priority]?.[target];
        if (budget === undefined) continue;
        if (target === 'nextResponse') sla.notModelled += 1;
        const levels = [
          [1, (budget * warningPercent) / 100],
          [2, budget],
          [3, budget + (budget * managementOverduePercent) / 100],
        ] as const;
        for (const [level, minutes] of levels) {
          const at = instantAt(clock, minutes);
          if (at !== null) changes.push({ at, clock: target, level });
        }
        for (const q of clock.pauses) changes.push({ at: Date.parse(q.from), clock: target, level: -1 }, { at: Date.parse(q.to), clock: target, level: -2 });
        if (clock.pausedSince) changes.push({ at: Date.parse(clock.pausedSince), clock: target, level: -1 });
        if (clock.stoppedAt) changes.push({ at: Date.parse(clock.stoppedAt), clock: target, level: -1 });
      }
      changes.sort((a, b) => a.at - b.at || b.level - a.level);
      const current = new Map<string, number>();
      const reached = new Map<string, number>(); // a clock's level while paused (restored on resume)
      let level = 0;
      const expected: { to: number; at: number }[] = [];
      for (const c of changes) {
        if (c.level > 0) {
          reached.set(c.clock, c.level);
          if (current.has(c.clock) || !changes.some((d) => d.clock === c.clock && d.level === -1 && d.at <= c.at)) current.set(c.clock, c.level);
        } else if (c.level === -1) current.delete(c.clock);
        else current.set(c.clock, reached.get(c.clock) ?? 0);
        const now_ = Math.max(0, ...current.values());
        for (let l = level + 1; l <= now_; l++) expected.push({ to: l, at: c.at });
        level = now_;
      }
      const changed = (byIncident.get(p.number) ?? []).filter((e) => e.type === 'escalation_changed' && e.payload.reachedAt);
      const ups = changed.filter((e) => e.payload.direction === 'up');
      const keyOfEvent = (e: (typeof changed)[number]) => `${String(e.payload.to)}@${Date.parse(String(e.payload.reachedAt))}`;
      const seen = new Map<string, number>();
      for (const e of ups) seen.set(keyOfEvent(e), (seen.get(keyOfEvent(e)) ?? 0) + 1);
      // A level reached while the workflow was a step behind can arrive from above: a reply stops
      // the first response at level 2 and, a moment later, the resolution's warning is due; the
      // workflow, there after both, goes 2 -> 1 with the warning's exact reachedAt (no dip to 0).
      const reachedAny = new Set(changed.map(keyOfEvent));
      for (const x of expected.filter((x) => x.at < cutoff)) {
        sla.thresholdsPassed += 1;
        const n = seen.get(`${x.to}@${x.at}`) ?? (reachedAny.has(`${x.to}@${x.at}`) ? 1 : 0);
        if (n === 0) {
          sla.missing += 1;
          if (sla.examples.length < 5) sla.examples.push({ number: p.number, level: x.to, expectedAt: new Date(x.at).toISOString(), recorded: ups.map((e) => ({ to: e.payload.to, reachedAt: e.payload.reachedAt })) });
        } else sla.recorded += 1;
        if (n > 1) sla.twice += 1;
      }
      const expectedKeys = new Set(expected.map((x) => `${x.to}@${x.at}`));
      sla.wrongOrExtra += [...seen.keys()].filter((k) => !expectedKeys.has(k) && Number(k.split('@')[1]) < cutoff).length;
    }
    return { timelines, sla };
  };
  let { timelines, sla } = await inspect();
  const settleUntil = Date.now() + settings.settleS * 1000;
  while ((timelines.seqGaps > 0 || sla.missing > 0 || sla.wrongOrExtra > 0) && Date.now() < settleUntil && remaining() > 0) {
    log(`settling: ${timelines.seqGaps} timelines with a gap, ${sla.missing} levels not recorded yet, ${sla.wrongOrExtra} unexpected`);
    await sleep(5000);
    ({ timelines, sla } = await inspect());
  }

  // Mails.
  const sentMails = mails.filter((m) => m.accepted);
  const stored = await sql<{ message_id: string; n: number; status: string; incident_number: string | null }[]>`
    select message_id, count(*) over (partition by message_id)::int as n, status, incident_number from inbound_mails where message_id like ${`%chaos-${run}-%`}`;
  const storedById = new Map(stored.map((r) => [r.message_id, r]));
  // Mail keeps being queued as thresholds pass; every row queued before checkAt must get sent. A
  // row a killed worker had claimed waits out its claim (claimLeaseMinutes) before another sends it.
  const unsentBefore = async () => (await sql<{ n: number }[]>`select count(*)::int as n from outbox_messages where kind = 'email' and created_at <= ${checkAt} and status <> 'sent'`)[0]!.n;
  const outboxWaitMs = (claimLeaseMinutes + 1.5) * 60_000;
  for (let waited = 0; (await unsentBefore()) > 0 && waited < outboxWaitMs && remaining() > 0; waited += 2000) await sleep(2000);
  const outbox = await sql<{ message_id: string; status: string }[]>`select message_id, status from outbox_messages where kind = 'email' and created_at <= ${checkAt}`;
  const mailCheck = {
    sent: mails.length,
    accepted: sentMails.length,
    stored: stored.length,
    lost: sentMails.filter((m) => !storedById.has(m.messageId) && !storedById.has(m.messageId.slice(1, -1))).length,
    storedTwice: stored.filter((r) => r.n > 1).length,
    notProcessed: stored.filter((r) => r.status !== 'processed').length,
    statuses: Object.fromEntries([...new Set(stored.map((r) => r.status))].map((s) => [s, stored.filter((r) => r.status === s).length])),
    newIncidents: new Set(stored.filter((r) => r.incident_number && !sentMails.find((m) => m.followUpOf && (storedById.get(m.messageId) ?? storedById.get(m.messageId.slice(1, -1))) === r)).map((r) => r.incident_number)).size,
    followUpsThreadedWrong: sentMails.filter((m) => m.followUpOf && (storedById.get(m.messageId) ?? storedById.get(m.messageId.slice(1, -1)))?.incident_number !== m.followUpOf).length,
    outbox: {
      rows: outbox.length,
      sent: outbox.filter((r) => r.status === 'sent').length,
      notSent: outbox.filter((r) => r.status !== 'sent').length,
      notSentByStatus: Object.fromEntries([...new Set(outbox.filter((r) => r.status !== 'sent').map((r) => r.status))].map((st) => [st, outbox.filter((r) => r.status === st).length])),
      smtpDeliveries: smtp.total(),
      deliveredTwice: [...smtp.deliveries.values()].filter((n) => n > 1).length,
      sentButNotDelivered: outbox.filter((r) => r.status === 'sent' && !smtp.deliveries.has(r.message_id.startsWith('<') ? r.message_id : `<${r.message_id}>`)).length,
    },
  };

  // Invoices: every billable entry of the chaos customers on exactly one line.
  const [billing] = await sql<{ billable: number; billed: number; twice: number }[]>`
    select (select count(*)::int from time_entries t join customers c on c.id = t.customer_id where c.customer_number like 'K-CHAOS-%' and t.billable_minutes > 0) as billable,
           (select count(distinct l.time_entry_id)::int from invoice_lines l join time_entries t on t.id = l.time_entry_id join customers c on c.id = t.customer_id where c.customer_number like 'K-CHAOS-%') as billed,
           (select count(*)::int from (select time_entry_id from invoice_lines where time_entry_id is not null group by 1 having count(*) > 1) x) as twice`;
  const invoicesCheck = {
    killedRunAnswer: killedRunAnswer,
    rerunStatus: rerun.status,
    timeEntriesAccepted: intakes.flatMap((i) => i.ops).filter((o) => o.op === 'time' && o.accepted).length,
    billableEntries: billing!.billable,
    billed: billing!.billed,
    billedTwice: billing!.twice,
    unbilled: billing!.billable - billing!.billed,
  };

  const managed = [cluster.postgres, ...Object.values(cluster.temporal), ...cluster.workers, ...cluster.apis].filter((p) => p !== undefined);
  const unexpectedExits = managed.reduce((n, p) => n + p.crashes, 0);
  const failures = [
    unexpectedExits > 0 && `${unexpectedExits} process exits nobody asked for (${managed.filter((p) => p.crashes > 0).map((p) => p.name).join(', ')}; restarted by the cluster; see the logs)`,
    incidentsCheck.lost > 0 && `${incidentsCheck.lost} intakes lost`,
    replays.intakeMismatches > 0 && `${replays.intakeMismatches} intakes sent again did not answer with their first incident`,
    keysNotRecorded > 0 && `${keysNotRecorded} incidents not recorded under the key that opened them`,
    incidentsCheck.duplicates > 0 && `${incidentsCheck.duplicates} duplicate incidents`,
    incidentsCheck.incidents !== settings.intakes && `${incidentsCheck.incidents} incidents for ${settings.intakes} intakes`,
    badWorkflows > 0 && `${badWorkflows} workflows neither running nor completed`,
    timelines.createdNotOnce > 0 && `${timelines.createdNotOnce} timelines without exactly one created`,
    timelines.seqGaps > 0 && `${timelines.seqGaps} sequence gaps`,
    timelines.updatesMissing > 0 && `${timelines.updatesMissing} accepted updates missing`,
    timelines.updatesTwice > 0 && `${timelines.updatesTwice} updates recorded twice`,
    mailCheck.lost > 0 && `${mailCheck.lost} mails lost`,
    mailCheck.storedTwice > 0 && `${mailCheck.storedTwice} mails stored twice`,
    mailCheck.notProcessed > 0 && `${mailCheck.notProcessed} mails not processed`,
    mailCheck.followUpsThreadedWrong > 0 && `${mailCheck.followUpsThreadedWrong} follow-ups on the wrong incident`,
    mailCheck.outbox.notSent > 0 && `${mailCheck.outbox.notSent} outbox rows not sent`,
    mailCheck.outbox.deliveredTwice > 0 && `${mailCheck.outbox.deliveredTwice} mails delivered twice`,
    mailCheck.outbox.sentButNotDelivered > 0 && `${mailCheck.outbox.sentButNotDelivered} outbox rows sent but never delivered`,
    sla.thresholdsPassed === 0 && 'no SLA threshold passed during the run',
    sla.missing > 0 && `${sla.missing} escalation levels not recorded at their instant`,
    sla.twice > 0 && `${sla.twice} escalation levels recorded twice`,
    sla.wrongOrExtra > 0 && `${sla.wrongOrExtra} escalation levels recorded that the clocks do not give`,
    invoicesCheck.billableEntries === 0 && 'no billable time entry to invoice',
    !victimWasRunning && 'the API to kill during the invoice run was not running',
    invoicesCheck.billedTwice > 0 && `${invoicesCheck.billedTwice} entries billed twice`,
    invoicesCheck.unbilled > 0 && `${invoicesCheck.unbilled} billable entries not billed`,
  ].filter((f): f is string => typeof f === 'string');
  ok = failures.length === 0;

  const summary = {
    ok,
    failures,
    temporalServer: cluster.temporal.frontend.spec.command,
    startupS,
    loadS,
    retries: retryCounts,
    sentAgain: replays,
    intakeLatency: stats(intakeMs),
    kills,
    checks: { incidents: incidentsCheck, timelines, mails: mailCheck, sla, invoices: invoicesCheck },
    processes: Object.fromEntries(managed.map((p) => [p.name, { starts: p.starts, unexpectedExits: p.crashes }])),
  };
  mkdirSync(join(repoRoot, 'bench/results'), { recursive: true });
  writeFileSync(join(repoRoot, 'bench/results', `chaos-${settings.profile}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), `${JSON.stringify(summary, null, 2)}\n`);
  log(ok ? 'chaos: all checks passed' : `chaos: FAILED: ${failures.join('; ')}`);
  return { ok, figures: summary };
});
