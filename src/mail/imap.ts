// One IMAP session of a mailbox: connect, resume after the last stored UID (per UIDVALIDITY),
// store and process every new mail in UID order, mark it done on the server, then wait with
// IDLE (or poll) for more. A dropped connection ends the session with an error; the caller
// (a Temporal activity) retries with backoff and the next session resumes where this one was.
import { eq } from 'drizzle-orm';
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../config.js';
import type { Db } from '../db/client.js';
import { mailboxStates, type inboundMails } from '../db/schema/index.js';

/** What storing a mail answers (see services/mail/ingest.ts storeInboundMail). */
export interface StoredMail {
  id: string;
  duplicate: boolean;
  status: (typeof inboundMails.$inferSelect)['status'];
  incidentNumber: string | null;
  /** Message-IDs it has and names, and the ticket number in its subject: mails sharing one may be one thread. */
  threadKeys: string[];
}

export interface MailboxSessionDeps {
  db: Db;
  logger: Logger;
  store(raw: Buffer, origin: { source: string; uid: number; receivedAt: Date }): Promise<StoredMail>;
  /** Processes a stored mail; a failure leaves it stored for the sweep, it does not stop the session. */
  process(id: string): Promise<unknown>;
}

export interface MailboxProgress {
  mailbox: string;
  uidValidity: string;
  lastUid: number;
  stored: number;
  duplicates: number;
  idle: boolean;
  at: string;
}

export interface SessionOptions {
  signal?: AbortSignal;
  /** Called after every mail and every wait slice, so a supervisor can see the session is alive. */
  heartbeat?(progress: MailboxProgress): void;
  /** End the session (successfully) after this long; the caller starts the next one. */
  maxDurationMs: number;
}

/** The longest wait between heartbeats while idling. */
const heartbeatSliceMs = 15_000;
/** Mails fetched per round trip, and the most bytes; one large mail is fetched on its own. */
const fetchBatch = 50;
const fetchBatchBytes = 20 * 1024 * 1024;

function* batches(uids: number[], sizes: Map<number, number>): Generator<number[]> {
  let batch: number[] = [];
  let bytes = 0;
  for (const uid of uids) {
    const size = sizes.get(uid) ?? 0;
    if (batch.length > 0 && (batch.length >= fetchBatch || bytes + size > fetchBatchBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(uid);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** Threads processed at the same time. */
const processConcurrency = 6;

/**
 * Groups mails that may belong to one thread (they share a Message-ID, a reference or a ticket
 * number), in arrival order; different groups cannot depend on each other.
 */
export function threadsOf(mails: StoredMail[]): StoredMail[][] {
  const groupOfKey = new Map<string, number>();
  const parent: number[] = mails.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  mails.forEach((mail, i) => {
    for (const key of mail.threadKeys) {
      const seen = groupOfKey.get(key);
      if (seen === undefined) groupOfKey.set(key, i);
      else parent[find(i)] = find(seen);
    }
  });
  const groups = new Map<number, StoredMail[]>();
  mails.forEach((mail, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), mail]);
  });
  return [...groups.values()];
}

async function forEachLimit<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

async function loadState(db: Db, mailbox: string) {
  const [row] = await db.select().from(mailboxStates).where(eq(mailboxStates.mailbox, mailbox));
  return row;
}

async function saveState(db: Db, mailbox: string, uidValidity: string, lastUid: number, lastError: string | null = null): Promise<void> {
  const values = { uidValidity, lastUid, lastPollAt: new Date(), lastError, updatedAt: new Date() };
  await db.insert(mailboxStates).values({ mailbox, ...values }).onConflictDoUpdate({ target: mailboxStates.mailbox, set: values });
}

export async function recordMailboxError(db: Db, mailbox: string, error: string): Promise<void> {
  await db.update(mailboxStates).set({ lastError: error, updatedAt: new Date() }).where(eq(mailboxStates.mailbox, mailbox));
}

export async function runMailboxSession(deps: MailboxSessionDeps, mailbox: ImapMailbox, options: SessionOptions): Promise<MailboxProgress> {
  const log = deps.logger.child({ mailbox: mailbox.name });
  const client = new ImapFlow({
    host: mailbox.host,
    port: mailbox.port,
    secure: mailbox.secure,
    auth: mailbox.accessToken ? { user: mailbox.user, accessToken: mailbox.accessToken } : { user: mailbox.user, pass: mailbox.password! },
    logger: false,
    maxIdleTime: Math.min(mailbox.pollSeconds, 300) * 1000,
    // Go into IDLE a second after the last command, so new mail is announced at once.
    autoIdleDelay: 1000,
  });
  let closed: Error | undefined;
  let wake: (() => void) | undefined;
  let newMail = true;
  client.on('error', (err: Error) => {
    closed ??= err;
    wake?.();
  });
  client.on('close', () => {
    closed ??= new Error(`IMAP connection to ${mailbox.host}:${mailbox.port} closed`);
    wake?.();
  });
  client.on('exists', () => {
    newMail = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  options.signal?.addEventListener('abort', onAbort);

  const progress: MailboxProgress = { mailbox: mailbox.name, uidValidity: '', lastUid: 0, stored: 0, duplicates: 0, idle: false, at: new Date().toISOString() };
  const beat = () => options.heartbeat?.({ ...progress, at: new Date().toISOString() });
  const deadline = Date.now() + options.maxDurationMs;
  try {
    await client.connect();
    const opened = await client.mailboxOpen(mailbox.folder);
    progress.uidValidity = String(opened.uidValidity);
    const state = await loadState(deps.db, mailbox.name);
    if (state && state.uidValidity !== progress.uidValidity) {
      // The server renumbered the folder: read it again; Message-IDs keep this from duplicating.
      log.warn({ was: state.uidValidity, now: progress.uidValidity }, 'UIDVALIDITY changed: re-reading the folder');
    }
    progress.lastUid = state?.uidValidity === progress.uidValidity ? state.lastUid : 0;
    await saveState(deps.db, mailbox.name, progress.uidValidity, progress.lastUid);
    if (mailbox.processedFolder && progress.lastUid > 0) {
      // Stored in an earlier session that ended before it could move them.
      const leftovers = (await client.search({ uid: `1:${progress.lastUid}` }, { uid: true })) || [];
      const done = leftovers.filter((uid) => uid <= progress.lastUid);
      if (done.length > 0) await client.messageMove(done.join(','), mailbox.processedFolder, { uid: true });
    }
    let lastFetch = 0;

    while (!options.signal?.aborted && Date.now() < deadline) {
      if (closed) throw closed;
      if (newMail || Date.now() - lastFetch >= mailbox.pollSeconds * 1000) {
        newMail = false;
        lastFetch = Date.now();
        await ingestNew(client, deps, mailbox, progress, beat);
      }
      progress.idle = true;
      beat();
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (closed || newMail || options.signal?.aborted) resolve();
        setTimeout(resolve, Math.max(0, Math.min(heartbeatSliceMs, mailbox.pollSeconds * 1000, deadline - Date.now())));
      });
      wake = undefined;
      progress.idle = false;
    }
    if (closed) throw closed;
    return { ...progress, at: new Date().toISOString() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await recordMailboxError(deps.db, mailbox.name, message).catch(() => undefined);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (!closed) await client.logout().catch(() => undefined);
    client.close();
  }
}

async function ingestNew(client: ImapFlow, deps: MailboxSessionDeps, mailbox: ImapMailbox, progress: MailboxProgress, beat: () => void): Promise<void> {
  const found = await client.search({ uid: `${progress.lastUid + 1}:*` }, { uid: true });
  // "n:*" always matches the highest UID, even below n.
  const uids = (found || []).filter((uid) => uid > progress.lastUid).sort((a, b) => a - b);
  if (uids.length === 0) return;
  const sizes = new Map((await client.fetchAll(uids.join(','), { uid: true, size: true }, { uid: true })).map((m) => [m.uid, m.size ?? 0]));
  for (const batch of batches(uids, sizes)) {
    const messages = await client.fetchAll(batch.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
    messages.sort((a, b) => a.uid - b.uid);
    if (messages.length !== batch.length || messages.some((m) => !m.source)) {
      // Never record a UID as done that we did not store: end the session, the next one fetches again.
      throw new Error(`The server returned ${messages.filter((m) => m.source).length} of ${batch.length} mails (UIDs ${batch[0]}-${batch.at(-1)}).`);
    }
    const toProcess: StoredMail[] = [];
    for (const message of messages) {
      if (!message.source) continue;
      const receivedAt = message.internalDate instanceof Date ? message.internalDate : message.internalDate ? new Date(message.internalDate) : new Date();
      // Stored (committed) first, then the UID is recorded: a crash in between re-reads a mail that dedupes.
      const stored = await deps.store(message.source, { source: `imap:${mailbox.name}`, uid: message.uid, receivedAt });
      if (stored.duplicate) progress.duplicates += 1;
      else progress.stored += 1;
      if (stored.status === 'received') toProcess.push(stored);
      progress.lastUid = message.uid;
      beat();
    }
    // Once per batch: every UID up to here is stored; a crash before this re-reads mails that dedupe.
    await saveState(deps.db, mailbox.name, progress.uidValidity, progress.lastUid);
    // Threads in parallel, each thread in order; a failure leaves the mail stored for the sweep.
    await forEachLimit(threadsOf(toProcess), processConcurrency, async (thread) => {
      for (const stored of thread) {
        await deps.process(stored.id).catch((err: unknown) => deps.logger.warn({ err, mail: stored.id }, 'mail stored, processing deferred'));
        beat();
      }
    });
    // Done on the server: moved away, or flagged seen, as configured.
    if (mailbox.processedFolder) await client.messageMove(batch.join(','), mailbox.processedFolder, { uid: true });
    else await client.messageFlagsAdd(batch.join(','), ['\\Seen'], { uid: true });
  }
}
