// Our mailgate against Request Tracker 5's rt-mailgate (npm run bench:rt), side by side on this
// machine with the same raw mails at the same concurrency, interleaved: the corpus of
// bench/mail-corpus.ts is cut into BENCH_ROUNDS parts, and each part goes first to ours, then to
// RT (ours, RT, ours, RT, …), so each system gets fresh mails in every round and both get the
// same ones.
//
//   ours: POST /api/inbound/email (message/rfc822, mailgate token) over HTTP to the real API, from
//         the first request until every mail of the part is stored and decided (inbound_mails
//         status neither received nor processing) and every incident it opened is projected
//         (its row in incidents); the end is the last of those database timestamps.
//   RT:   rt-mailgate --queue general --action correspond, spawned per mail with the raw mail
//         on stdin as an MTA would; it returns when RT has created or updated the ticket, so the
//         end is the last one's exit.
//
// Everything is started here and removed at the end, also on an error or Ctrl-C: our stack
// (bench/support.ts: embedded Postgres, a Temporal dev server, the worker in its own process,
// the API) and RT (bench/rt-server.ts: a copy of the RT database set up once under
// ~/.cache/helpdesk/rt/, rt-server under Starman on 127.0.0.1). A few warm-up mails (another
// seed) go to both first and are not measured.
//
// Environment: BENCH_MAILS (200), BENCH_CONCURRENCY (2), BENCH_ROUNDS (3), BENCH_WARMUP (4),
// BENCH_RT_WORKERS (= BENCH_CONCURRENCY), BENCH_RT_SCRIPS (default: all of RT's scrips as shipped;
// autoreply: only the autoreply to the requestor; none), BENCH_REPLY_SHARE (0.4), BENCH_SEED (42),
// BENCH_TIMEOUT_S (180, per round for ours to finish), BENCH_PAUSE_MS (2000, between phases),
// TEMPORAL_CLI, BENCH_RT_DIR (where the RT database is kept).
// Prints one JSON line on stdout; logs go to stderr.
import { existsSync } from 'node:fs';
import { parseMail } from '../src/mail/parse.js';
import { freePort } from '../tests/support/ports.js';
import { buildCorpus, type CorpusMail } from './mail-corpus.js';
import { checkRtInstalled, ensureRtTemplate, reapedChildrenCpuMs, rtMailgate, rtScripChoices, startRtServer, treeCpuMs, type RtScrips, type RtServer } from './rt-server.js';
import { env, inPool, log, now, onCleanup, round, runBench, sleep, startStack, stats, waitUntil, type Stack } from './support.js';

function rtScrips(raw: string): RtScrips {
  if (!rtScripChoices.includes(raw as RtScrips)) throw new Error(`BENCH_RT_SCRIPS=${raw} is not one of ${rtScripChoices.join(', ')}`);
  return raw as RtScrips;
}
const concurrency = env('BENCH_CONCURRENCY', 2);
const settings = {
  mails: env('BENCH_MAILS', 200),
  concurrency,
  rounds: env('BENCH_ROUNDS', 3),
  warmup: env('BENCH_WARMUP', 4),
  rtWorkers: env('BENCH_RT_WORKERS', concurrency),
  rtScrips: process.env.BENCH_RT_SCRIPS || 'default',
  replyShare: env('BENCH_REPLY_SHARE', 0.4),
  seed: env('BENCH_SEED', 42),
  timeoutS: env('BENCH_TIMEOUT_S', 180),
  /** Between two phases, so one system's after-work (acknowledgements, timers) is not the other's load. */
  pauseMs: env('BENCH_PAUSE_MS', 2000),
};

// Every status change of a mail with its database time (bench database only).
const marksSql = `
create table bench_mail_marks (seq bigserial primary key, mail_id uuid not null, status text not null, at timestamptz not null default clock_timestamp());
create function bench_mark_mail_status() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    insert into bench_mail_marks (mail_id, status) values (new.id, new.status);
  end if;
  return null;
end $$;
create trigger bench_mark_mail_status after insert or update on inbound_mails for each row execute function bench_mark_mail_status();
`;
const undecided = new Set(['received', 'processing']);

const median = (values: number[]): number | null => {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const perS = (count: number, ms: number) => (ms > 0 ? round((count / ms) * 1000, 2) : null);

// ---------------------------------------------------------------------------------------------
// Ours

interface OursRound {
  mails: number;
  ms: number;
  mailsPerS: number | null;
  /** Until the last 202 (stored, processing started): the mailgate's synchronous part. */
  answeredMs: number;
  answeredMailsPerS: number | null;
  httpMs: ReturnType<typeof stats>;
  /** Request sent → its row inserted (HTTP, auth, parsing), per mail. */
  sendToStoredMs: ReturnType<typeof stats>;
  /** Row inserted → 202 received (attachments, commit, starting the mail's workflow). */
  storedToAnsweredMs: ReturnType<typeof stats>;
  /** Request sent → decision written, per mail. */
  sendToDecidedMs: ReturnType<typeof stats>;
  /** First request → last decision among the mails that never had to wait: the round without the waiting tail. */
  lastDecidedWithoutWaitMs: number | null;
  /** Last decision → last projection row of the part's new incidents. */
  projectionTailMs: number;
  statuses: Record<string, number>;
  /** Mails given back to wait (MailBusy: the mail they answer or its incident not ready) at least once. */
  requeued: number;
  incidentsOpened: number;
  failures: string[];
  timedOut: boolean;
  cpuMsPerMail: Record<string, number | null>;
}

async function cpuOfOurs(stack: Stack) {
  const f = await stack.figures();
  // The API process's own CPU (includes this load generator), without reaped children (rt-mailgate).
  const apiMs = f.api.cpuMs;
  return { at: f.at, worker: f.worker ? f.worker.cpuUserMs + f.worker.cpuSystemMs : null, api: apiMs, temporal: treeCpuMs(stack.pids.temporal), postgres: treeCpuMs(stack.pids.postgres) };
}

async function feedOurs(stack: Stack, mails: CorpusMail[], label: string): Promise<OursRound> {
  const token = stack.tokens.mailgate;
  if (!token) throw new Error('no mailgate token in the demo seed');
  const cpuBefore = await cpuOfOurs(stack);
  const sent = new Map<string, number>();
  const answeredAt = new Map<string, number>();
  const http: number[] = [];
  const failures: string[] = [];
  const ids: string[] = [];
  const t0 = now();
  await inPool(mails.length, settings.concurrency, async (i) => {
    const mail = mails[i]!;
    const s = now();
    try {
      const res = await fetch(`${stack.apiUrl}/api/inbound/email`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'message/rfc822' },
        body: new Uint8Array(mail.raw),
        signal: AbortSignal.timeout(60_000),
      });
      const body = (await res.json().catch(() => null)) as { id?: string; duplicate?: boolean; detail?: string } | null;
      const done = now();
      http.push(done - s);
      if (res.status !== 202 || !body?.id) failures.push(`mail ${mail.index}: ${res.status} ${body?.detail ?? ''}`.trim());
      else if (body.duplicate) failures.push(`mail ${mail.index}: stored as a duplicate`);
      else {
        ids.push(body.id);
        sent.set(body.id, s);
        answeredAt.set(body.id, done);
      }
    } catch (err) {
      http.push(now() - s);
      failures.push(`mail ${mail.index}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  const answered = now();

  // Stored and decided: every mail's first status outside received/processing.
  const deadline = now() + settings.timeoutS * 1000;
  let decidedCount = 0;
  const decidedOk = await waitUntil(
    async () => {
      const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from inbound_mails where id = any(${ids}::uuid[]) and status not in ('received', 'processing')`;
      decidedCount = row!.n;
      return decidedCount >= ids.length;
    },
    deadline,
    { intervalMs: 50, progress: () => `${label}: ${decidedCount} of ${ids.length} decided` },
  );
  const rows = await stack.sql<{ id: string; status: string; incident_number: string | null; outcome: string | null }[]>`
    select id, status, incident_number, outcome from inbound_mails where id = any(${ids}::uuid[])`;
  // The part's new incidents: numbers not projected before the part started.
  const numbers = [...new Set(rows.map((r) => r.incident_number).filter((n): n is string => n !== null))];
  let projected = new Map<string, number>();
  const projectedOk = await waitUntil(
    async () => {
      const found = await stack.sql<{ number: string; at: number }[]>`
        select number, extract(epoch from at) * 1000 as at from bench_projected where number = any(${numbers})`;
      projected = new Map(found.map((r) => [r.number, Number(r.at)]));
      return projected.size >= numbers.length;
    },
    deadline,
    { intervalMs: 50, progress: () => `${label}: ${projected.size} of ${numbers.length} incidents projected` },
  );
  const cpuAfter = await cpuOfOurs(stack);

  const marks = await stack.sql<{ mail_id: string; status: string; at: number }[]>`
    select mail_id, status, extract(epoch from at) * 1000 as at from bench_mail_marks where mail_id = any(${ids}::uuid[]) order by seq`;
  const decidedAt = new Map<string, number>();
  const storedAt = new Map<string, number>();
  const requeued = new Set<string>();
  for (const m of marks) {
    if (m.status === 'received' && storedAt.has(m.mail_id)) requeued.add(m.mail_id);
    if (!storedAt.has(m.mail_id)) storedAt.set(m.mail_id, Number(m.at));
    if (!undecided.has(m.status) && !decidedAt.has(m.mail_id)) decidedAt.set(m.mail_id, Number(m.at));
  }
  const newIncidents = [...projected.entries()].filter(([, at]) => at >= t0);
  const lastDecided = Math.max(...decidedAt.values());
  const lastProjected = Math.max(...newIncidents.map(([, at]) => at), -Infinity);
  const timedOut = !decidedOk || !projectedOk;
  const end = timedOut ? now() : Math.max(lastDecided, lastProjected);
  const statuses: Record<string, number> = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  for (const r of rows) if (r.status !== 'processed') failures.push(`mail ${r.id} is ${r.status}: ${r.outcome ?? ''}`);
  if (timedOut) failures.push(`${label}: not finished within ${settings.timeoutS} s (${decidedCount} of ${ids.length} decided, ${projected.size} of ${numbers.length} incidents projected)`);
  const cpu = (k: 'worker' | 'api' | 'temporal' | 'postgres') => {
    const a = cpuBefore[k];
    const b = cpuAfter[k];
    return a === null || b === null ? null : round((b - a) / mails.length, 1);
  };
  const cpuMsPerMail: Record<string, number | null> = { worker: cpu('worker'), apiAndLoad: cpu('api'), temporal: cpu('temporal'), postgres: cpu('postgres') };
  const parts = Object.values(cpuMsPerMail).filter((v): v is number => v !== null);
  cpuMsPerMail.total = parts.length === 4 ? round(parts.reduce((s, v) => s + v, 0), 1) : null;
  const ms = end - t0;
  return {
    mails: mails.length,
    ms: round(ms),
    mailsPerS: timedOut ? null : perS(mails.length, ms),
    answeredMs: round(answered - t0),
    answeredMailsPerS: perS(mails.length, answered - t0),
    httpMs: stats(http),
    sendToStoredMs: stats([...storedAt].map(([id, at]) => at - sent.get(id)!)),
    storedToAnsweredMs: stats([...storedAt].map(([id, at]) => answeredAt.get(id)! - at)),
    sendToDecidedMs: stats([...decidedAt].map(([id, at]) => at - sent.get(id)!)),
    lastDecidedWithoutWaitMs: (() => {
      const without = [...decidedAt].filter(([id]) => !requeued.has(id)).map(([, at]) => at);
      return without.length > 0 ? round(Math.max(...without) - t0) : null;
    })(),
    projectionTailMs: round(Math.max(0, lastProjected - lastDecided)),
    statuses,
    requeued: requeued.size,
    incidentsOpened: newIncidents.length,
    failures: failures.slice(0, 20),
    timedOut,
    cpuMsPerMail,
  };
}

// ---------------------------------------------------------------------------------------------
// RT

interface RtRound {
  mails: number;
  ms: number;
  mailsPerS: number | null;
  mailgateMs: ReturnType<typeof stats>;
  failures: string[];
  cpuMsPerMail: { server: number; mailgate: number; total: number };
}

async function feedRt(rt: RtServer, mails: CorpusMail[]): Promise<RtRound> {
  const failures: string[] = [];
  const times: number[] = [];
  const serverCpu0 = rt.cpuMs();
  const childCpu0 = reapedChildrenCpuMs();
  const t0 = now();
  await inPool(mails.length, settings.concurrency, async (i) => {
    const mail = mails[i]!;
    const result = await rtMailgate(rt.url, mail.raw, { timeoutMs: 120_000 });
    times.push(result.ms);
    if (result.code !== 0) failures.push(`mail ${mail.index}: rt-mailgate exit ${result.code}: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  });
  const ms = now() - t0;
  const server = round((rt.cpuMs() - serverCpu0) / mails.length, 1);
  const mailgate = round((reapedChildrenCpuMs() - childCpu0) / mails.length, 1);
  return {
    mails: mails.length,
    ms: round(ms),
    mailsPerS: failures.length === 0 ? perS(mails.length, ms) : null,
    mailgateMs: stats(times),
    failures: failures.slice(0, 20),
    cpuMsPerMail: { server, mailgate, total: round(server + mailgate, 1) },
  };
}

// ---------------------------------------------------------------------------------------------

await runBench('mailgate-vs-rt', settings, async () => {
  // RT first: without it there is nothing to compare, so say what to install before starting anything.
  const scrips = rtScrips(settings.rtScrips);
  const installation = checkRtInstalled();
  if (!existsSync('/usr/bin/w3m')) log('w3m is not installed (apt-get install w3m): RT converts HTML with its slow internal converter');
  if (installation.server !== 'Starman') log('Starman is not installed (apt-get install starman): RT runs on the single-process standalone server, which serializes the mails');
  const template = await ensureRtTemplate(installation, log);
  log(`building ${settings.mails} + ${settings.warmup} warm-up mails and starting our stack and RT…`);
  const [corpus, warmCorpus, stack, rt] = await Promise.all([
    buildCorpus({ count: settings.mails, replyShare: settings.replyShare, seed: settings.seed }),
    buildCorpus({ count: settings.warmup, replyShare: 0, seed: settings.seed + 1000 }),
    startStack(),
    freePort()
      .then((port) => startRtServer({ template, port, workers: settings.rtWorkers, scrips, installation, log }))
      .then((server) => (onCleanup('RT server', () => server.stop()), server)),
  ]);
  await stack.sql.unsafe(marksSql);
  const corpusBytes = corpus.reduce((s, m) => s + m.raw.length, 0);
  log(`corpus: ${corpus.length} mails (${corpus.filter((m) => m.kind === 'new').length} new, ${corpus.filter((m) => m.kind === 'reply').length} replies, ${corpus.filter((m) => m.attachmentBytes > 0).length} with an attachment, ${round(corpusBytes / 1e6, 2)} MB)`);

  // What parsing alone costs (the parser the mailgate uses), on the same mails, outside the rounds.
  const parseStart = now();
  for (const m of corpus) await parseMail(m.raw);
  const parseMsPerMail = round((now() - parseStart) / corpus.length, 2);

  if (warmCorpus.length > 0) {
    log(`warm-up: ${warmCorpus.length} mails to each (not measured)…`);
    const ours = await feedOurs(stack, warmCorpus, 'warm-up ours');
    const theirs = await feedRt(rt, warmCorpus);
    const failed = [...ours.failures, ...theirs.failures];
    if (failed.length > 0) throw new Error(`the warm-up failed: ${failed.slice(0, 5).join('; ')}`);
    log(`warm-up: ours ${ours.mailsPerS} mails/s, RT ${theirs.mailsPerS} mails/s`);
  }

  const rounds: { round: number; mails: number; ours: OursRound; rt: RtRound }[] = [];
  const partSize = Math.ceil(corpus.length / settings.rounds);
  for (let r = 0; r < settings.rounds; r += 1) {
    const part = corpus.slice(r * partSize, (r + 1) * partSize);
    if (part.length === 0) break;
    await sleep(settings.pauseMs);
    const ours = await feedOurs(stack, part, `round ${r + 1} ours`);
    log(`round ${r + 1}: ours ${ours.mailsPerS} mails/s (${part.length} mails in ${round(ours.ms / 1000, 2)} s; all answered after ${round(ours.answeredMs / 1000, 2)} s; ${ours.requeued} waited, the others decided after ${round((ours.lastDecidedWithoutWaitMs ?? NaN) / 1000, 2)} s; ${ours.failures.length} failures)`);
    await sleep(settings.pauseMs);
    const theirs = await feedRt(rt, part);
    log(`round ${r + 1}: RT   ${theirs.mailsPerS} mails/s (${part.length} mails in ${round(theirs.ms / 1000, 2)} s; rt-mailgate p50 ${theirs.mailgateMs.p50} ms; ${theirs.failures.length} failures)`);
    rounds.push({ round: r + 1, mails: part.length, ours, rt: theirs });
  }

  const oursRates = rounds.map((r) => r.ours.mailsPerS ?? NaN);
  const rtRates = rounds.map((r) => r.rt.mailsPerS ?? NaN);
  const oursMedian = median(oursRates);
  const rtMedian = median(rtRates);
  // Ours threads by In-Reply-To/References: every reply on the incident its thread's first mail opened.
  const measured = rounds.flatMap((r) => corpus.slice((r.round - 1) * partSize, r.round * partSize));
  const byMessageId = new Map(
    (await stack.sql<{ message_id: string; incident_number: string | null }[]>`select message_id, incident_number from inbound_mails where message_id = any(${corpus.map((m) => m.messageId)})`).map((r) => [r.message_id, r.incident_number]),
  );
  const misthreaded = measured.filter((m) => {
    if (m.kind !== 'reply') return false;
    const incident = byMessageId.get(m.messageId);
    return !incident || incident !== byMessageId.get(corpus[m.root]!.messageId);
  }).length;
  const rtCounts = rt.counts();
  const rtErrors = rt.errors();
  const failures = rounds.flatMap((r) => [...r.ours.failures.map((f) => `round ${r.round} ours: ${f}`), ...r.rt.failures.map((f) => `round ${r.round} RT: ${f}`)]);
  if (misthreaded > 0) failures.push(`ours: ${misthreaded} replies not on the incident of their thread`);
  const expectedTickets = settings.warmup + rounds.reduce((s, r) => s + r.mails, 0);
  if (rtCounts && rtCounts.createTransactions + rtCounts.correspondTransactions < expectedTickets) failures.push(`RT recorded ${rtCounts.createTransactions} creates and ${rtCounts.correspondTransactions} correspondences for ${expectedTickets} mails`);
  const mean = (values: (number | null)[]): number | null => {
    const known = values.filter((v): v is number => v !== null);
    return known.length === values.length && known.length > 0 ? round(known.reduce((s, v) => s + v, 0) / known.length, 1) : null;
  };
  const line = {
    figures: {
      oursMailsPerS: oursRates.map((v) => (Number.isFinite(v) ? v : null)),
      rtMailsPerS: rtRates.map((v) => (Number.isFinite(v) ? v : null)),
      oursMedian: oursMedian === null ? null : round(oursMedian, 2),
      rtMedian: rtMedian === null ? null : round(rtMedian, 2),
      ratioOursOverRt: oursMedian !== null && rtMedian !== null ? round(oursMedian / rtMedian, 2) : null,
      ratioPerRound: rounds.map((r) => (r.ours.mailsPerS !== null && r.rt.mailsPerS ? round(r.ours.mailsPerS / r.rt.mailsPerS, 2) : null)),
      oursAnsweredMailsPerS: rounds.map((r) => r.ours.answeredMailsPerS),
      oursParseMsPerMail: parseMsPerMail,
      cpuMsPerMailAvg: {
        ours: { worker: mean(rounds.map((r) => r.ours.cpuMsPerMail.worker ?? null)), apiAndLoad: mean(rounds.map((r) => r.ours.cpuMsPerMail.apiAndLoad ?? null)), temporal: mean(rounds.map((r) => r.ours.cpuMsPerMail.temporal ?? null)), postgres: mean(rounds.map((r) => r.ours.cpuMsPerMail.postgres ?? null)), total: mean(rounds.map((r) => r.ours.cpuMsPerMail.total ?? null)) },
        rt: { server: mean(rounds.map((r) => r.rt.cpuMsPerMail.server)), mailgate: mean(rounds.map((r) => r.rt.cpuMsPerMail.mailgate)), total: mean(rounds.map((r) => r.rt.cpuMsPerMail.total)) },
      },
      corpus: { mails: corpus.length, newRequests: corpus.filter((m) => m.kind === 'new').length, replies: corpus.filter((m) => m.kind === 'reply').length, bytes: corpusBytes },
      oursThreading: { replies: measured.filter((m) => m.kind === 'reply').length, misthreaded, note: 'RT threads by its subject tag only, so each reply to a customer mail without the tag is a ticket of its own there' },
      rt: { version: installation.version, server: installation.server, workers: installation.server === 'Starman' ? settings.rtWorkers : 1, database: 'SQLite', scrips, counts: rtCounts, errorsLogged: rtErrors.length, firstErrors: rtErrors.slice(0, 5) },
      rounds,
      failures: failures.slice(0, 30),
    },
  };
  return { ok: failures.length === 0 && rounds.length === settings.rounds && oursMedian !== null && rtMedian !== null, figures: line.figures };
});
