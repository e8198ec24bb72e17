// Mail ingestion benchmark (npm run bench:mail): how long the real IMAP path (mailbox workflow →
// IMAP session → store → thread/open incident on Temporal) takes for a backlog of mail, compared
// with just fetching the same mail over IMAP. Self-contained: dovecot, embedded Postgres, a
// Temporal dev server, a worker and an SMTP sink are started here and removed at the end.
//
//   A = connect + open INBOX + fetch every source by UID (imapflow, nothing else)
//   B = startMailboxWorkflows → every mail stored and decided (status neither received nor processing)
//
// Environment: BENCH_MAILS (1000), BENCH_REPLY_SHARE (0.4), BENCH_SEED (42), BENCH_TIMEOUT_S (240),
// TEMPORAL_CLI (else the cached CLI, see scripts/ensure-temporal-cli.sh), DOVECOT_BIN.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, bundleWorkflowCode, type Worker } from '@temporalio/worker';
import { ImapFlow } from 'imapflow';
import { pino } from 'pino';
import type { ImapMailbox } from '../src/config.js';
import { createDatabase, runMigrations, type Database } from '../src/db/client.js';
import { seedDemoData } from '../src/infra/demo-seed.js';
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres.js';
import { resolveTemporalCli, startTemporalDevServer } from '../src/infra/temporal-dev-server.js';
import { createSmtpMailer } from '../src/mail/outbound.js';
import { parseMail } from '../src/mail/parse.js';
import { mailboxWorkflowId } from '../src/domain/workflow-ids.js';
import { startMailboxWorkflows } from '../src/services/mail/intake.js';
import { connectTemporal, type Temporal } from '../src/temporal/client.js';
import { ensureSearchAttributes } from '../src/temporal/namespace-setup.js';
import { createHelpdeskWorker, workflowsPath } from '../src/worker.js';
import { startDovecot, type RunningImapServer } from '../tests/support/dovecot.js';
import { freePort } from '../tests/support/ports.js';
import { startSmtpReceiver } from '../tests/support/smtp.js';
import { buildCorpus, type CorpusMail } from './mail-corpus.js';
import { cleanUp, onCleanup } from './support.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const settings = {
  mails: env('BENCH_MAILS', 1000),
  replyShare: env('BENCH_REPLY_SHARE', 0.4),
  seed: env('BENCH_SEED', 42),
  timeoutMs: env('BENCH_TIMEOUT_S', 240) * 1000,
  appendConnections: 4,
  fetchRuns: 5,
};
const mailFrom = 'Helpdesk <helpdesk@helpdesk.example>';
const mailboxName = 'bench';
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

/** Wall clock in epoch milliseconds with sub-millisecond resolution (comparable with Postgres clock_timestamp()). */
const now = () => performance.timeOrigin + performance.now();
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (message: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);

// ---------------------------------------------------------------------------------------------
// Clean-up: everything started registers how to stop it; run in reverse on success, error or signal.

/** Set by Ctrl-C (or SIGTERM): the measuring loop stops, clean-up (bench/support.ts) runs. */
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (interrupted) {
      log(`${signal} again: exiting without waiting for clean-up`);
      process.exit(130);
    }
    interrupted = true;
    log(`${signal}: stopping everything…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// Instrumentation that does not touch src: the Temporal client the worker gets is wrapped to time
// workflow starts and updates; imapflow's fetch and move are timed on its prototype (after A);
// Postgres triggers write a clock_timestamp() mark for each stored mail, status change, intake
// and saved mailbox state.

interface TemporalCall {
  kind: 'start' | 'update';
  mailId: string | null;
  t0: number;
  t1: number;
  ok: boolean;
}

function instrumentTemporal(temporal: Temporal, calls: TemporalCall[]): Temporal {
  const timed = async <T>(kind: TemporalCall['kind'], mailId: string | null, run: () => Promise<T>): Promise<T> => {
    const t0 = now();
    try {
      const result = await run();
      calls.push({ kind, mailId, t0, t1: now(), ok: true });
      return result;
    } catch (err) {
      calls.push({ kind, mailId, t0, t1: now(), ok: false });
      throw err;
    }
  };
  const bindAll = <T extends object>(target: T, overrides: Record<string | symbol, unknown>): T =>
    new Proxy(target, {
      get(t, prop) {
        if (prop in overrides) return overrides[prop];
        const value = Reflect.get(t, prop, t);
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  const workflow = temporal.client.workflow;
  const wrappedWorkflow = bindAll(workflow, {
    start: (type: any, options: any) => timed('start', options?.args?.[0]?.intake?.mail?.ref?.mailId ?? null, () => workflow.start(type, options)),
    getHandle: (...args: Parameters<typeof workflow.getHandle>) => {
      const handle = workflow.getHandle(...args);
      const mailOf = (options: any) => {
        const updateId: unknown = options?.updateId;
        return typeof updateId === 'string' && updateId.startsWith('mail-') ? updateId.slice(5) : null;
      };
      // executeUpdate resolves when the update completed, startUpdate when it reached the stage asked for.
      return bindAll(handle, {
        executeUpdate: (def: any, options: any) => timed('update', mailOf(options), () => handle.executeUpdate(def, options)),
        startUpdate: (def: any, options: any) => timed('update', mailOf(options), () => handle.startUpdate(def, options)),
      });
    },
  });
  return { ...temporal, client: bindAll(temporal.client, { workflow: wrappedWorkflow }) };
}

interface ImapCall {
  op: string;
  t0: number;
  t1: number;
}

function instrumentImapFlow(calls: ImapCall[]): () => void {
  const proto = ImapFlow.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const originals = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  for (const op of ['fetchAll', 'messageMove', 'search', 'messageFlagsAdd']) {
    const original = proto[op]!;
    originals.set(op, original);
    proto[op] = async function (this: unknown, ...args: unknown[]) {
      const t0 = now();
      try {
        return await original.apply(this, args);
      } finally {
        calls.push({ op, t0, t1: now() });
      }
    };
  }
  return () => {
    for (const [op, original] of originals) proto[op] = original;
  };
}

const markTriggers = `
create table bench_marks (seq bigserial primary key, mail_id text, kind text not null, info text, at timestamptz not null default clock_timestamp());
create function bench_mark_mail() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then insert into bench_marks (mail_id, kind, info) values (new.id::text, 'stored', new.mailbox_uid::text);
  elsif new.status is distinct from old.status then insert into bench_marks (mail_id, kind, info) values (new.id::text, new.status, old.status);
  end if;
  return null;
end $$;
create trigger bench_mark_mail after insert or update on inbound_mails for each row execute function bench_mark_mail();
create function bench_mark_intake() returns trigger language plpgsql as $$
begin
  insert into bench_marks (mail_id, kind, info) values (new.request->'mail'->'ref'->>'mailId', 'intake', new.number);
  return null;
end $$;
create trigger bench_mark_intake after insert on incident_intakes for each row execute function bench_mark_intake();
create function bench_mark_state() returns trigger language plpgsql as $$
begin
  insert into bench_marks (kind, info) values ('state', new.last_uid::text);
  return null;
end $$;
create trigger bench_mark_state after insert or update on mailbox_states for each row execute function bench_mark_state();
create function bench_mark_projection() returns trigger language plpgsql as $$
begin
  insert into bench_marks (kind, info) values ('projected', new.number);
  return null;
end $$;
create trigger bench_mark_projection after insert on incidents for each row execute function bench_mark_projection();
`;

// ---------------------------------------------------------------------------------------------
// IMAP helpers

function imapClient(imap: RunningImapServer): ImapFlow {
  const client = new ImapFlow({ host: imap.host, port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false });
  client.on('error', () => undefined);
  return client;
}

/** APPENDs the corpus over several connections; a reply waits until the mail it answers has its UID. */
async function appendCorpus(imap: RunningImapServer, corpus: CorpusMail[]): Promise<Map<number, number>> {
  const uids = new Map<number, number>();
  const appended = corpus.map(() => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  let next = 0;
  const worker = async () => {
    const client = imapClient(imap);
    await client.connect();
    try {
      for (let i = next++; i < corpus.length; i = next++) {
        const mail = corpus[i]!;
        if (mail.parent !== null) await appended[mail.parent]!.promise;
        const result = await client.append('INBOX', mail.raw);
        if (!result || !result.uid) throw new Error(`APPEND of mail ${i} returned no UID (UIDPLUS missing?)`);
        uids.set(i, result.uid);
        appended[i]!.resolve();
      }
    } finally {
      await client.logout().catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: settings.appendConnections }, worker));
  return uids;
}

/** A: connect, open INBOX, fetch every source by UID; nothing else. */
async function bareFetch(imap: RunningImapServer, batch?: number): Promise<{ ms: number; mails: number; bytes: number }> {
  const t0 = now();
  const client = imapClient(imap);
  await client.connect();
  await client.mailboxOpen('INBOX');
  let mails = 0;
  let bytes = 0;
  if (batch) {
    // As the ingestion does: search the UIDs, then fetchAll in batches.
    const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
    for (let i = 0; i < uids.length; i += batch) {
      for (const m of await client.fetchAll(uids.slice(i, i + batch).join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
        mails += 1;
        bytes += m.source?.length ?? 0;
      }
    }
  } else {
    for await (const m of client.fetch('1:*', { uid: true, source: true }, { uid: true })) {
      mails += 1;
      bytes += m.source?.length ?? 0;
    }
  }
  const ms = now() - t0;
  await client.logout().catch(() => undefined);
  return { ms, mails, bytes };
}

const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

// ---------------------------------------------------------------------------------------------

interface Mark {
  mailId: string | null;
  kind: string;
  info: string | null;
  at: number;
}

async function main(): Promise<number> {
  // Our own signal handling: the worker drains before the connections close.
  Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
  const started = now();
  log(`preparing ${settings.mails} mails (seed ${settings.seed}) and starting dovecot, Postgres, Temporal…`);

  const pgDir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-pg-'));
  onCleanup('Postgres data dir', () => rm(pgDir, { recursive: true, force: true }));
  const temporalCli = resolveTemporalCli(process.env.TEMPORAL_CLI);
  const [imap, smtp, pg, temporalServer, workflowBundle, corpus] = await Promise.all([
    startDovecot().then((s) => (onCleanup('dovecot', () => s.stop()), s)),
    startSmtpReceiver().then((s) => (onCleanup('SMTP sink', () => s.close()), s)),
    freePort()
      .then((port) => startEmbeddedPostgres({ dataDir: pgDir, port, database: 'helpdesk_bench', persistent: false }))
      .then((p) => (onCleanup('Postgres', () => p.stop()), p)),
    freePort()
      .then((port) => startTemporalDevServer({ cli: temporalCli, host: '127.0.0.1', port, namespace: 'default' }))
      .then((s) => (onCleanup('Temporal dev server', () => s.stop()), s)),
    bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } }),
    buildCorpus({ count: settings.mails, replyShare: settings.replyShare, seed: settings.seed }),
  ]);

  const database: Database = createDatabase(pg.url, { max: 20 });
  onCleanup('database pool', () => database.close());
  await runMigrations(database);
  await seedDemoData(database.db);
  await database.sql.unsafe(markTriggers);

  const temporal = await connectTemporal({ address: temporalServer.address, namespace: 'default', taskQueue: 'bench-helpdesk' });
  onCleanup('Temporal client', () => temporal.close());
  await ensureSearchAttributes(temporal.connection, 'default');

  const newMails = corpus.filter((m) => m.kind === 'new');
  const replies = corpus.filter((m) => m.kind === 'reply');
  const corpusBytes = corpus.reduce((s, m) => s + m.raw.length, 0);
  const withAttachment = corpus.filter((m) => m.attachmentBytes > 0).length;
  log(`stack up in ${round((now() - started) / 1000)} s; appending ${corpus.length} mails (${newMails.length} new, ${replies.length} replies, ${withAttachment} with an attachment, ${round(corpusBytes / 1e6, 2)} MB)…`);

  const appendStart = now();
  const uids = await appendCorpus(imap, corpus);
  const appendMs = now() - appendStart;
  for (const m of replies) {
    if (uids.get(m.index)! <= uids.get(m.parent!)!) throw new Error(`reply ${m.index} got a lower UID than the mail it answers`);
  }
  log(`appended in ${round(appendMs)} ms; measuring A (bare fetch, 1 warm-up + ${settings.fetchRuns} runs)…`);

  // --- A ---------------------------------------------------------------------------------------
  const warmUp = await bareFetch(imap);
  if (warmUp.mails !== corpus.length) throw new Error(`INBOX holds ${warmUp.mails} mails, expected ${corpus.length}`);
  const fetchRuns: number[] = [];
  for (let i = 0; i < settings.fetchRuns; i += 1) fetchRuns.push((await bareFetch(imap)).ms);
  const batchedRuns: number[] = [];
  for (let i = 0; i < settings.fetchRuns; i += 1) batchedRuns.push((await bareFetch(imap, 50)).ms);
  const aMs = median(fetchRuns);
  log(`A = ${round(aMs)} ms (runs ${fetchRuns.map((r) => round(r)).join(', ')}; cold ${round(warmUp.ms)}); in batches of 50: ${round(median(batchedRuns))} ms`);

  // Parsing cost alone (the same parser the ingestion uses), to split "parse" from "store".
  const parseStart = now();
  for (const m of corpus) await parseMail(m.raw);
  const parseMs = now() - parseStart;

  // --- worker ----------------------------------------------------------------------------------
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    {
      write(line: string) {
        if (warnings.length < 200) warnings.push(line.trim());
      },
    },
  );
  const temporalCalls: TemporalCall[] = [];
  const imapCalls: ImapCall[] = [];
  const mailbox: ImapMailbox = { name: mailboxName, host: imap.host, port: imap.port, secure: false, user: imap.user, password: imap.password, folder: 'INBOX', processedFolder: 'Processed', pollSeconds: 60 };
  const mailer = createSmtpMailer(smtp.url);
  onCleanup('SMTP transport', () => Promise.resolve(mailer.close()));
  const connection = await NativeConnection.connect({ address: temporalServer.address });
  const worker: Worker = await createHelpdeskWorker({
    connection,
    namespace: 'default',
    taskQueue: temporal.taskQueue,
    deps: { db: database.db, temporal: instrumentTemporal(temporal, temporalCalls), logger, mailer, mailFrom, mail: { mailboxes: [mailbox], sessionMs: 15 * 60_000 } },
    workflowBundle,
  });
  // Stopped in reverse: the worker first (its IMAP session ends on cancellation), then the workflow.
  onCleanup('mailbox workflow', () => temporal.client.workflow.getHandle(mailboxWorkflowId(mailboxName)).terminate('benchmark over').catch(() => undefined));
  const running = worker.run();
  let drained = false;
  onCleanup('worker connection', () => (drained ? connection.close() : Promise.resolve()));
  onCleanup('worker', async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    // An IMAP session in the middle of a backlog (Ctrl-C during B) finishes its batch before it
    // notices the cancellation; do not wait for that, the process exits after clean-up anyway.
    drained = await Promise.race([running.then(() => true, () => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!drained) log('the worker did not drain within 10 s; going on');
  });
  const restoreImapFlow = instrumentImapFlow(imapCalls);
  onCleanup('imapflow instrumentation', () => Promise.resolve(restoreImapFlow()));
  await new Promise((r) => setTimeout(r, 500)); // let the worker's pollers start

  // --- B ---------------------------------------------------------------------------------------
  log('measuring B (startMailboxWorkflows until every mail is decided)…');
  const bStart = now();
  await startMailboxWorkflows(temporal, [mailbox]);
  let decided = 0;
  let stored = 0;
  let lastReport = now();
  for (;;) {
    if (interrupted) throw new Error('interrupted');
    const [row] = await database.sql<{ stored: number; decided: number }[]>`
      select count(*)::int as stored, count(*) filter (where status not in ('received', 'processing'))::int as decided
      from inbound_mails where source = ${`imap:${mailboxName}`}`;
    stored = row!.stored;
    decided = row!.decided;
    if (decided >= corpus.length) break;
    if (now() - bStart > settings.timeoutMs) break;
    if (now() - lastReport > 10_000) {
      lastReport = now();
      log(`  ${round((now() - bStart) / 1000)} s: ${stored} stored, ${decided} decided`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const timedOut = decided < corpus.length;
  const marks: Mark[] = (
    await database.sql<{ mail_id: string | null; kind: string; info: string | null; at: number }[]>`
      select mail_id, kind, info, extract(epoch from at) * 1000 as at from bench_marks order by seq`
  ).map((m) => ({ mailId: m.mail_id, kind: m.kind, info: m.info, at: Number(m.at) }));
  const decisionMarks = marks.filter((m) => m.mailId && !['stored', 'processing', 'received', 'intake'].includes(m.kind));
  const bEnd = timedOut ? now() : Math.max(...decisionMarks.map((m) => m.at));
  const bMs = bEnd - bStart;
  const storedMarks = marks.filter((m) => m.kind === 'stored').map((m) => m.at);
  const allStoredMs = storedMarks.length >= corpus.length ? Math.max(...storedMarks) - bStart : null;
  log(timedOut ? `B TIMED OUT after ${round(bMs / 1000)} s: ${stored} stored, ${decided} decided` : `B = ${round(bMs)} ms`);

  // --- verification ----------------------------------------------------------------------------
  const verification = await verify(database, corpus, temporalCalls);
  // The incident projection is written asynchronously by the workflows; give it a moment.
  let projected = 0;
  for (const deadline = now() + 30_000; now() < deadline; ) {
    const [row] = await database.sql<{ n: number }[]>`select count(*)::int as n from incidents where channel = 'email'`;
    projected = row!.n;
    if (projected >= verification.incidentsOpened) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  if (projected < verification.incidentsOpened) verification.failures.push(`incidents projection: ${projected} incidents from mail after 30 s, ${verification.incidentsOpened} opened`);
  const projectionMarks = (
    await database.sql<{ kind: string; info: string; at: number }[]>`
      select kind, info, extract(epoch from at) * 1000 as at from bench_marks where kind in ('intake', 'projected') order by seq`
  ).map((m) => ({ ...m, at: Number(m.at) }));
  const acks = smtp.received.filter((m) => /Eingangsbestätigung|We have received/.test(m.parsed.subject ?? '')).length;

  // --- report ----------------------------------------------------------------------------------
  const breakdown = { ...breakdownOf({ corpus, marks, temporalCalls, imapCalls, bStart, bEnd, parseMs }), projectionLag: projectionLagOf(projectionMarks) };
  const report = {
    benchmark: 'mail-ingest',
    at: new Date().toISOString(),
    code: codeVersion(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, node: process.version, platform: `${process.platform}-${process.arch}` },
    corpus: { mails: corpus.length, newRequests: newMails.length, replies: replies.length, withAttachment, bytes: corpusBytes, seed: settings.seed, appendMs: round(appendMs) },
    A: { ms: round(aMs), mailsPerSecond: round((corpus.length / aMs) * 1000), runsMs: fetchRuns.map((r) => round(r)), coldMs: round(warmUp.ms), batchesOf50Ms: round(median(batchedRuns)) },
    B: { ms: round(bMs), mailsPerSecond: round((decided / bMs) * 1000), timedOut, stored, decided, allStoredMs: allStoredMs === null ? null : round(allStoredMs) },
    ratio: { BoverA: round(bMs / aMs, 2), AoverB: round(aMs / bMs, 4), goal: 'B <= 2 × A', goalMet: !timedOut && bMs <= 2 * aMs },
    breakdown,
    verification: { ok: verification.failures.length === 0, ...verification, incidentsProjected: projected, acknowledgementsSent: acks },
    warnings: { count: warnings.length, first: warnings.slice(0, 10) },
  };
  printReport(report);
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `mail-ingest-${report.at.replace(/[:.]/g, '-')}.json`);
  await writeFile(file, JSON.stringify(report, null, 2) + '\n');
  log(`report written to ${file}`);
  return report.verification.ok && !timedOut ? 0 : 1;
}

/** The commit measured, and whether src had uncommitted changes. */
function codeVersion(): { commit: string | null; srcChanged: boolean | null } {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return { commit: null, srcChanged: null };
  return { commit: head.stdout.trim(), srcChanged: git('status', '--porcelain', '--', 'src').stdout.trim() !== '' };
}

async function verify(database: Database, corpus: CorpusMail[], temporalCalls: TemporalCall[]) {
  const failures: string[] = [];
  const rows = await database.sql<{ id: string; message_id: string | null; status: string; incident_number: string | null; outcome: string | null }[]>`
    select id, message_id, status, incident_number, outcome from inbound_mails where source = ${`imap:${mailboxName}`}`;
  if (rows.length !== corpus.length) failures.push(`${rows.length} stored mails, expected ${corpus.length}`);
  const byMessageId = new Map<string, (typeof rows)[number]>();
  for (const row of rows) {
    if (row.message_id && byMessageId.has(row.message_id)) failures.push(`duplicate row for ${row.message_id}`);
    if (row.message_id) byMessageId.set(row.message_id, row);
  }
  const statuses: Record<string, number> = {};
  for (const row of rows) statuses[row.status] = (statuses[row.status] ?? 0) + 1;
  const incidentOfNew = new Map<string, number>();
  let misthreaded = 0;
  let repliesOpening = 0;
  for (const mail of corpus) {
    const row = byMessageId.get(mail.messageId);
    if (!row) {
      failures.push(`mail ${mail.index} (${mail.kind}) was not stored`);
      continue;
    }
    if (row.status !== 'processed' || !row.incident_number) {
      failures.push(`mail ${mail.index} (${mail.kind}) is ${row.status}: ${row.outcome ?? ''}`);
      continue;
    }
    if (mail.kind === 'new') {
      const other = incidentOfNew.get(row.incident_number);
      if (other !== undefined) failures.push(`new mails ${other} and ${mail.index} share ${row.incident_number}`);
      incidentOfNew.set(row.incident_number, mail.index);
      continue;
    }
    const root = byMessageId.get(corpus[mail.root]!.messageId);
    if (root?.incident_number !== row.incident_number) {
      misthreaded += 1;
      if (row.outcome?.startsWith('Opened')) repliesOpening += 1;
      const parent = byMessageId.get(corpus[mail.parent!]!.messageId);
      failures.push(
        `reply ${mail.index} (to mail ${mail.parent}, thread of ${mail.root}) is on ${row.incident_number} (${row.outcome ?? ''}), expected ${root?.incident_number ?? '?'}; parent ${mail.parent} is on ${parent?.incident_number ?? '?'}`,
      );
    }
  }
  const [intakes] = await database.sql<{ n: number }[]>`select count(*)::int as n from incident_intakes`;
  const newCount = corpus.filter((m) => m.kind === 'new').length;
  if (intakes!.n !== newCount) failures.push(`${intakes!.n} incidents opened (intakes), expected ${newCount} (one per new mail)`);
  const failedCalls = temporalCalls.filter((c) => !c.ok).length;
  return { failures, statuses, incidentsOpened: intakes!.n, misthreadedReplies: misthreaded, repliesThatOpenedAnIncident: repliesOpening, failedTemporalCalls: failedCalls };
}

/** Where the time went, from the Postgres marks and the timed Temporal and IMAP calls. */
function breakdownOf(input: { corpus: CorpusMail[]; marks: Mark[]; temporalCalls: TemporalCall[]; imapCalls: ImapCall[]; bStart: number; bEnd: number; parseMs: number }) {
  const { marks, temporalCalls, imapCalls, bStart, bEnd } = input;
  const perMail = new Map<string, { stored?: number; claimed?: number; lastClaimed?: number; requeued: number; intake?: number; decided?: number; uid?: number; kind?: string }>();
  const entry = (id: string) => perMail.get(id) ?? perMail.set(id, { requeued: 0 }).get(id)!;
  for (const m of marks) {
    if (!m.mailId) continue;
    const e = entry(m.mailId);
    if (m.kind === 'stored') {
      e.stored = m.at;
      e.uid = Number(m.info);
    } else if (m.kind === 'processing') {
      e.claimed ??= m.at;
      e.lastClaimed = m.at;
    } else if (m.kind === 'intake') e.intake = m.at;
    else if (m.kind === 'received') e.requeued += 1; // given back (it had to wait, or failed) and claimed again later
    else {
      e.decided = m.at;
      e.kind = m.kind;
    }
  }
  const calls = new Map<string, TemporalCall[]>();
  for (const c of temporalCalls) if (c.mailId) (calls.get(c.mailId) ?? calls.set(c.mailId, []).get(c.mailId)!).push(c);

  // Per mail, claim → decision: planning (lookups; for a new mail also identifying the caller and
  // allocating the number, up to the intake row), the Temporal call, and what follows it.
  const sum = { waited: 0, plan: 0, intakeToStart: 0, temporalStart: 0, temporalUpdate: 0, afterTemporal: 0, processNoTemporal: 0 };
  const counts = { start: 0, update: 0, mails: 0, requeued: 0 };
  const processIntervals: [number, number][] = [];
  for (const [id, e] of perMail) {
    if (e.claimed === undefined || e.decided === undefined) continue;
    counts.mails += 1;
    if (e.requeued > 0) counts.requeued += 1;
    processIntervals.push([e.claimed, e.decided]);
    // A mail given back and claimed again (MailBusy: its original or its incident was not ready) waited in between.
    const claimed = e.lastClaimed ?? e.claimed;
    sum.waited += claimed - e.claimed;
    const mine = (calls.get(id) ?? []).filter((c) => c.t0 >= claimed).sort((a, b) => a.t0 - b.t0);
    if (mine.length === 0) {
      sum.processNoTemporal += e.decided - claimed;
      continue;
    }
    const first = mine[0]!;
    const last = mine.at(-1)!;
    if (e.intake !== undefined && e.intake >= claimed) {
      sum.plan += e.intake - claimed;
      sum.intakeToStart += first.t0 - e.intake;
    } else sum.plan += first.t0 - claimed;
    for (const c of mine) {
      if (c.kind === 'start') {
        sum.temporalStart += c.t1 - c.t0;
        counts.start += 1;
      } else {
        sum.temporalUpdate += c.t1 - c.t0;
        counts.update += 1;
      }
    }
    sum.afterTemporal += e.decided - last.t1;
  }

  // Wall-clock view: which share of B had a mail in processing, an IMAP command running, or
  // neither (storing: parse, dedupe, insert, saving the UID; plus the session's start).
  const union = (intervals: [number, number][]) => {
    const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
    let total = 0;
    let end = -Infinity;
    for (const [a, b] of sorted) {
      if (b <= end) continue;
      total += b - Math.max(a, end);
      end = b;
    }
    return total;
  };
  const clip = (intervals: [number, number][]) => intervals.map(([a, b]): [number, number] => [Math.max(a, bStart), Math.min(b, bEnd)]);
  const imapIntervals = clip(imapCalls.map((c): [number, number] => [c.t0, c.t1]));
  const processing = union(clip(processIntervals));
  const imap = union(imapIntervals);
  const imapOrProcessing = union([...clip(processIntervals), ...imapIntervals]);
  const firstStored = Math.min(...[...perMail.values()].map((e) => e.stored ?? Infinity));
  const total = bEnd - bStart;
  const imapByOp: Record<string, { calls: number; ms: number }> = {};
  for (const c of imapCalls) {
    const o = (imapByOp[c.op] ??= { calls: 0, ms: 0 });
    o.calls += 1;
    o.ms = round(o.ms + c.t1 - c.t0);
  }
  const n = Math.max(1, counts.mails);
  return {
    wall: {
      totalMs: round(total),
      untilFirstStoredMs: round(firstStored - bStart),
      processingMs: round(processing),
      imapCommandsMs: round(imap),
      storeAndOtherMs: round(total - imapOrProcessing),
      note: 'processing = some mail between claim and decision; imapCommands = fetch/move/search running (overlap with processing counted once); storeAndOther = neither (parse, dedupe, insert, saving the UID, session start)',
    },
    work: {
      waited: { mails: counts.requeued, msTotal: round(sum.waited) },
      parseMsTotal: round(input.parseMs),
      parseMsPerMail: round(input.parseMs / input.corpus.length, 2),
      planMsTotal: round(sum.plan),
      intakeRecordedToWorkflowStartMsTotal: round(sum.intakeToStart),
      temporalStart: { calls: counts.start, msTotal: round(sum.temporalStart), msPerCall: round(sum.temporalStart / Math.max(1, counts.start), 2) },
      temporalUpdate: { calls: counts.update, msTotal: round(sum.temporalUpdate), msPerCall: round(sum.temporalUpdate / Math.max(1, counts.update), 2) },
      afterTemporalMsTotal: round(sum.afterTemporal),
      processWithoutTemporalMsTotal: round(sum.processNoTemporal),
      processMsPerMail: round((sum.waited + sum.plan + sum.intakeToStart + sum.temporalStart + sum.temporalUpdate + sum.afterTemporal + sum.processNoTemporal) / n, 2),
      imap: imapByOp,
      note: 'summed per mail (overlaps if mails are processed concurrently); waited = first claim → last claim of mails given back to wait; plan = (last) claim → intake row (new mail: lookups + identify caller + number) or → update (reply); Temporal update = until completed (executeUpdate) or accepted (startUpdate); parse measured separately on the same mails before B',
    },
  };
}

/**
 * How long after an incident's intake row its projection row (the incidents table) appeared. Threading
 * a reply looks the incident up there, so a reply planned inside this window does not find it.
 */
function projectionLagOf(marks: { kind: string; info: string; at: number }[]) {
  const intakeAt = new Map<string, number>();
  const lags: number[] = [];
  for (const m of marks) {
    if (m.kind === 'intake') intakeAt.set(m.info, m.at);
    else if (intakeAt.has(m.info)) lags.push(m.at - intakeAt.get(m.info)!);
  }
  lags.sort((a, b) => a - b);
  const q = (p: number) => round(lags[Math.min(lags.length - 1, Math.floor(p * lags.length))] ?? 0);
  return { incidents: lags.length, p50Ms: q(0.5), p90Ms: q(0.9), p99Ms: q(0.99), maxMs: round(lags.at(-1) ?? 0), note: 'intake row → incidents projection row' };
}

function printReport(report: any) {
  const line = (label: string, value: string) => process.stdout.write(`  ${label.padEnd(34)} ${value}\n`);
  const w = report.breakdown.wall;
  const k = report.breakdown.work;
  const pct = (ms: number) => `${round(ms)} ms (${round((ms / w.totalMs) * 100)} %)`;
  process.stdout.write(`\nMail ingestion benchmark — ${report.corpus.mails} mails (${report.corpus.newRequests} new, ${report.corpus.replies} replies, ${report.corpus.withAttachment} with attachment, ${round(report.corpus.bytes / 1e6, 2)} MB), ${report.machine.cpus} CPUs, code ${report.code.commit ?? '?'}${report.code.srcChanged ? ' + uncommitted src changes' : ''}\n\n`);
  line('A  bare IMAP fetch', `${report.A.ms} ms  (${report.A.mailsPerSecond} mails/s; runs ${report.A.runsMs.join(', ')}; cold ${report.A.coldMs}; batches of 50: ${report.A.batchesOf50Ms})`);
  line('B  ingestion (store + decide)', `${report.B.ms} ms  (${report.B.mailsPerSecond} mails/s)${report.B.timedOut ? '  TIMED OUT' : ''}`);
  if (report.B.allStoredMs !== null) line('   of which: all stored after', `${report.B.allStoredMs} ms`);
  line('B / A', `${report.ratio.BoverA}   (A / B = ${report.ratio.AoverB}; goal B <= 2 × A: ${report.ratio.goalMet ? 'met' : 'not met'})`);
  process.stdout.write('\n  Where B went (wall clock):\n');
  line('    until the first mail is stored', pct(w.untilFirstStoredMs));
  line('    a mail in processing', pct(w.processingMs));
  line('    IMAP commands (fetch/move)', pct(w.imapCommandsMs));
  line('    storing and other', pct(w.storeAndOtherMs));
  process.stdout.write('\n  Work summed over mails:\n');
  line('    waited (given back, claimed again)', `${k.waited.msTotal} ms (${k.waited.mails} mails)`);
  line('    parse (measured apart)', `${k.parseMsTotal} ms (${k.parseMsPerMail} ms/mail)`);
  line('    plan (+ caller, number)', `${k.planMsTotal} ms`);
  line('    intake row → workflow start', `${k.intakeRecordedToWorkflowStartMsTotal} ms`);
  line('    Temporal workflow start', `${k.temporalStart.msTotal} ms (${k.temporalStart.calls} × ${k.temporalStart.msPerCall} ms)`);
  line('    Temporal update', `${k.temporalUpdate.msTotal} ms (${k.temporalUpdate.calls} × ${k.temporalUpdate.msPerCall} ms)`);
  line('    after the Temporal call', `${k.afterTemporalMsTotal} ms`);
  line('    processing without Temporal', `${k.processWithoutTemporalMsTotal} ms`);
  line('    process per mail', `${k.processMsPerMail} ms`);
  for (const [op, o] of Object.entries(k.imap as Record<string, { calls: number; ms: number }>)) line(`    IMAP ${op}`, `${o.ms} ms (${o.calls} calls)`);
  const lag = report.breakdown.projectionLag;
  line('  Projection lag (intake → row)', `p50 ${lag.p50Ms} ms, p90 ${lag.p90Ms} ms, p99 ${lag.p99Ms} ms, max ${lag.maxMs} ms`);
  const v = report.verification;
  process.stdout.write(`\n  Verification: ${v.ok ? 'OK' : `${v.failures.length} FAILURES`} — statuses ${JSON.stringify(v.statuses)}, ${v.incidentsOpened} incidents opened, ${v.incidentsProjected} projected, ${v.misthreadedReplies} replies misthreaded (${v.repliesThatOpenedAnIncident} opened an incident of their own), ${v.acknowledgementsSent} acknowledgements at the SMTP sink so far\n`);
  for (const f of v.failures.slice(0, 25)) process.stdout.write(`    - ${f}\n`);
  if (v.failures.length > 25) process.stdout.write(`    … and ${v.failures.length - 25} more\n`);
  if (report.warnings.count > 0) process.stdout.write(`  ${report.warnings.count} warnings logged by the worker (first in the JSON report)\n`);
  process.stdout.write('\n');
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (err) {
  if (interrupted) log('interrupted: nothing measured');
  else log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  await cleanUp();
}
process.exit(exitCode);
