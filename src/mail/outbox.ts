// Delivery of outbox rows. A row is claimed before it is sent, so under retries and several
// workers each row reaches SMTP at most once per lease; sent and rejected rows are never sent again.
import { and, count, eq, gt, inArray, lt, ne, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../db/client.js';
import { outboxMessages } from '../db/schema/index.js';
import { newMessageId, type Mailer } from './outbound.js';

export type OutboxRow = typeof outboxMessages.$inferSelect;

export interface OutboxDeps {
  db: Db;
  mailer?: Mailer | undefined;
  mailFrom: string;
  fetch?: typeof fetch;
  logger?: Logger | undefined;
  /** Tests: how long to keep trying to mark a delivered row sent (default markSentRetryMs). */
  markSentRetryMs?: number;
}

/** Longer than any activity's start-to-close timeout, so a live attempt is never overtaken. */
export const claimLeaseMinutes = 5;
/** How long a sender keeps trying to mark a delivered row sent (well inside the 2-minute activity timeout). */
export const markSentRetryMs = 60_000;

/** Not sent yet, or held by a sender whose lease ran out. */
const claimable = or(
  inArray(outboxMessages.status, ['pending', 'failed']),
  and(eq(outboxMessages.status, 'sending'), lt(outboxMessages.claimedAt, sql`now() - interval '${sql.raw(String(claimLeaseMinutes))} minutes'`)),
);

export type DeliveryResult = 'sent' | 'already-sent' | 'queued' | 'rejected';

export function createOutboxSender(deps: OutboxDeps) {
  const log = deps.logger;

  /**
   * Sends one row. A row another attempt is sending is left alone until its lease runs out; then
   * it was most likely a worker that died mid-send, and the mail goes again with the same
   * Message-ID: the one at-least-once window (between SMTP's "250 OK" and our "sent" write).
   */
  async function deliver(row: OutboxRow): Promise<DeliveryResult> {
    const [claimed] = await deps.db
      .update(outboxMessages)
      .set({ status: 'sending', attempts: sql`${outboxMessages.attempts} + 1`, claimedAt: sql`now()` })
      .where(
        and(eq(outboxMessages.id, row.id), claimable),
      )
      .returning();
    if (!claimed) {
      const [current] = await deps.db.select({ status: outboxMessages.status }).from(outboxMessages).where(eq(outboxMessages.id, row.id));
      if (current?.status === 'sending') throw new Error(`outbox row ${row.id} is being sent by another attempt`);
      return current?.status === 'rejected' ? 'rejected' : 'already-sent';
    }
    try {
      if (row.kind === 'email') {
        if (!deps.mailer) {
          await deps.db.update(outboxMessages).set({ status: 'pending', lastError: 'no SMTP_URL configured' }).where(eq(outboxMessages.id, row.id));
          log?.warn({ outbox: row.id }, 'mail kept in the outbox: no SMTP_URL configured');
          return 'queued';
        }
        await deps.mailer.send({
          from: deps.mailFrom,
          to: row.recipient,
          cc: row.cc,
          subject: row.subject,
          text: row.body,
          html: row.html,
          attachments: row.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.contentBase64, 'base64'), cid: a.cid })),
          messageId: row.messageId,
          inReplyTo: row.inReplyTo,
          references: row.references,
        });
      } else {
        const res = await (deps.fetch ?? fetch)(row.recipient, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': row.idempotencyKey },
          body: JSON.stringify(row.payload),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`webhook answered ${res.status}`);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // SMTP 5xx: the server refused for good (unknown mailbox, policy); retrying will not help.
      const permanent = ((err as { responseCode?: number }).responseCode ?? 0) >= 500;
      await deps.db.update(outboxMessages).set({ status: permanent ? 'rejected' : 'failed', lastError: message }).where(eq(outboxMessages.id, row.id));
      if (!permanent) throw err;
      log?.error({ outbox: row.id, recipient: row.recipient, err }, 'mail rejected');
      return 'rejected';
    }
    // Delivered: from here on the row must never go back to "failed", or a retry would send it
    // again. A failing write is retried for up to markSentRetryMs (Postgres restarting: the chaos
    // run kills it for seconds, and a give-up after two seconds sent such mail twice); if it keeps
    // failing the row stays "sending" and only the lease (the documented at-least-once window)
    // can send it once more.
    const giveUpAt = Date.now() + (deps.markSentRetryMs ?? markSentRetryMs);
    for (let wait = 200; ; wait = Math.min(wait * 2, 5000)) {
      try {
        await deps.db.update(outboxMessages).set({ status: 'sent', sentAt: new Date(), lastError: null }).where(eq(outboxMessages.id, row.id));
        return 'sent';
      } catch (err) {
        if (Date.now() + wait > giveUpAt) throw err;
        log?.warn({ err, outbox: row.id }, 'mail sent, but marking it sent failed: trying again');
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** Delivers the rows with these keys that are not sent yet; every row gets its attempt. */
  async function deliverKeys(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const pending = await deps.db
      .select()
      .from(outboxMessages)
      .where(and(inArray(outboxMessages.idempotencyKey, keys), inArray(outboxMessages.status, ['pending', 'failed', 'sending'])));
    const failures: unknown[] = [];
    for (const row of pending) await deliver(row).catch((err: unknown) => failures.push(err));
    if (failures.length > 0) throw new Error(`${failures.length} of ${pending.length} messages not delivered yet: ${failures.map(String).join('; ')}`);
  }

  /**
   * Delivers what is still waiting: rows queued without SMTP, rows whose activity gave up, rows of a
   * worker that died mid-send (after the lease). Rows younger than two minutes are left to their activity.
   */
  async function deliverWaiting(limit = 100): Promise<number> {
    const waiting = await deps.db
      .select()
      .from(outboxMessages)
      .where(
        and(lt(outboxMessages.createdAt, sql`now() - interval '2 minutes'`), claimable),
      )
      .orderBy(outboxMessages.createdAt)
      .limit(limit);
    let sent = 0;
    for (const row of waiting) {
      const result = await deliver(row).catch((err: unknown) => {
        log?.warn({ err, outbox: row.id }, 'outbox row still not delivered');
        return 'failed' as const;
      });
      if (result === 'sent') sent += 1;
    }
    return sent;
  }

  return { deliver, deliverKeys, deliverWaiting };
}

/** Runs `deliverWaiting` every minute until stopped; for the worker process, when SMTP is configured. */
export function startOutboxSweeper(deps: OutboxDeps, everyMs = 60_000): { stop(): void } {
  const sender = createOutboxSender(deps);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sender
      .deliverWaiting()
      .then((sent) => sent > 0 && deps.logger?.info({ sent }, 'delivered waiting outbox rows'))
      .catch((err: unknown) => deps.logger?.warn({ err }, 'outbox sweep failed'))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** A reply to a received mail, in its thread: what it says and how it is keyed. */
export interface ThreadReply {
  /** One outbox row per key: a repeat writes and sends nothing new. */
  key: string;
  template: string;
  incidentNumber: string | null;
  subject: string;
  body: string;
  payload?: Record<string, unknown>;
  /**
   * At most this many mails of the template to the recipient within an hour, counted under a
   * lock so a burst cannot overshoot; a repeat of the same key is the same mail, not one more.
   */
  perHour?: number;
}

/**
 * Answers a received mail in its thread through the outbox, and tries to send it at once (the
 * sweeper retries). False when the hourly budget (reply.perHour) was used up and nothing was written.
 */
/**
 * Whether one more mail of the template to the recipient fits its hourly budget, counted under a
 * lock per template and recipient so a burst (or a mail loop) cannot overshoot. A mail whose key
 * is written already is a repeat of the same mail, not one more.
 */
export async function hourlyBudget(tx: Tx, mail: { template: string; recipient: string; key: string }, perHour: number): Promise<'repeat' | 'fits' | 'spent'> {
  const recipient = mail.recipient.toLowerCase();
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${mail.template}:${recipient}`}))`);
  const [existing] = await tx.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.idempotencyKey, mail.key));
  if (existing) return 'repeat';
  const [recent] = await tx
    .select({ n: count() })
    .from(outboxMessages)
    .where(and(eq(sql`lower(${outboxMessages.recipient})`, recipient), eq(outboxMessages.template, mail.template), gt(outboxMessages.createdAt, sql`now() - interval '1 hour'`), ne(outboxMessages.idempotencyKey, mail.key)));
  return (recent?.n ?? 0) >= perHour ? 'spent' : 'fits';
}

export async function replyInThread(deps: OutboxDeps, mail: { fromAddress: string; messageId: string | null }, reply: ThreadReply): Promise<boolean> {
  const recipient = mail.fromAddress.toLowerCase();
  const written = await deps.db.transaction(async (tx) => {
    if (reply.perHour !== undefined) {
      const budget = await hourlyBudget(tx, { template: reply.template, recipient, key: reply.key }, reply.perHour);
      if (budget !== 'fits') return budget === 'repeat';
    }
    await tx
      .insert(outboxMessages)
      .values({
        idempotencyKey: reply.key,
        kind: 'email',
        template: reply.template,
        incidentNumber: reply.incidentNumber,
        recipient: mail.fromAddress,
        messageId: newMessageId(deps.mailFrom),
        inReplyTo: mail.messageId,
        references: mail.messageId ? [mail.messageId] : [],
        subject: reply.subject,
        body: reply.body,
        ...(reply.payload ? { payload: reply.payload } : {}),
      })
      .onConflictDoNothing({ target: outboxMessages.idempotencyKey });
    return true;
  });
  if (written) await createOutboxSender(deps).deliverKeys([reply.key]);
  return written;
}
