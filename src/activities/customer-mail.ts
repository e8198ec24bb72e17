// Mail to the customer: acknowledgement, agent reply, resolution notice. Each goes through an
// outbox row keyed by incident and timeline step, with its Message-ID made before the first
// attempt and the thread's In-Reply-To/References, so a retry never sends a second copy.
import { and, count, eq, gt, ne, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { outboxMessages } from '../db/schema/index.js';
import type { CustomerMailOutcome, CustomerMailRequest, MailRef } from '../domain/incident-mail.js';
import { defaultBusinessTimezone } from '../domain/ticket-number.js';
import { bareAddress, newMessageId, type Mailer } from '../mail/outbound.js';
import { createOutboxSender } from '../mail/outbox.js';
import { acknowledgementMail, replyMail, resolutionMail } from '../mail/templates.js';
import { languageFor, threadHeaders } from '../mail/threads.js';

export interface CustomerMailDeps {
  db: Db;
  mailer?: Mailer | undefined;
  mailFrom: string;
  /** Our own addresses besides MAIL_FROM; never copied on our answers. */
  ownAddresses?: string[];
  timezone?: string;
  /** Acknowledgements per sender and hour (default 5); more are logged, not sent. */
  acknowledgementsPerHour?: number;
  logger?: Logger | undefined;
}

export function createCustomerMailActivities(deps: CustomerMailDeps) {
  const outbox = createOutboxSender(deps);
  const own = new Set([bareAddress(deps.mailFrom), ...(deps.ownAddresses ?? []).map(bareAddress)]);
  const ackLimit = deps.acknowledgementsPerHour ?? 5;

  return {
    mailCustomer: async (request: CustomerMailRequest): Promise<CustomerMailOutcome> => {
      const { incident, template } = request;
      const to = incident.contactEmail?.toLowerCase();
      if (!to) return { status: 'no-recipient' };
      const language = await languageFor(deps.db, to, incident.customerNumber);
      const thread = await threadHeaders(deps.db, incident.number);
      const rendered =
        template === 'acknowledgement'
          ? acknowledgementMail(incident, language, deps.timezone ?? defaultBusinessTimezone, { oversized: Boolean(request.oversized) })
          : template === 'reply'
            ? replyMail(incident, language, request.text ?? '')
            : resolutionMail(incident, language);
      // Answers go to the contact with everyone else on the last mail on CC, as a reply-all would;
      // acknowledgements go to the sender only.
      const cc = template === 'acknowledgement' ? [] : [...new Set([...(thread.lastFrom ? [thread.lastFrom] : []), ...thread.lastTo, ...thread.lastCc].map(bareAddress))].filter((a) => a !== to && !own.has(a));
      const key = `${incident.number}:${request.seq}:customer:${template}`;
      const row = {
        idempotencyKey: key,
        kind: 'email' as const,
        template,
        incidentNumber: incident.number,
        recipient: to,
        cc,
        messageId: newMessageId(deps.mailFrom),
        inReplyTo: thread.inReplyTo,
        references: thread.references,
        subject: rendered.subject,
        body: rendered.body,
      };
      const refOf = (r: { id: string; messageId: string; recipient: string; cc: string[]; subject: string; body: string }): MailRef => ({
        direction: 'out',
        outboxId: r.id,
        messageId: r.messageId,
        from: deps.mailFrom,
        to: [r.recipient],
        cc: r.cc,
        subject: r.subject,
        template,
        text: r.body,
      });

      // Acknowledgements are counted per recipient under a lock, so a burst of mails (or a loop
      // with a mail server that ignores our headers) gets at most the limit per hour.
      const stored = await deps.db.transaction(async (tx) => {
        if (template === 'acknowledgement') {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`ack:${to}`}))`);
          const [existing] = await tx.select().from(outboxMessages).where(eq(outboxMessages.idempotencyKey, key));
          if (existing) return existing;
          const [recent] = await tx
            .select({ n: count() })
            .from(outboxMessages)
            .where(and(eq(outboxMessages.recipient, to), eq(outboxMessages.template, 'acknowledgement'), ne(outboxMessages.idempotencyKey, key), gt(outboxMessages.createdAt, sql`now() - interval '1 hour'`)));
          if ((recent?.n ?? 0) >= ackLimit) return undefined;
        }
        await tx.insert(outboxMessages).values(row).onConflictDoNothing({ target: outboxMessages.idempotencyKey });
        const [current] = await tx.select().from(outboxMessages).where(eq(outboxMessages.idempotencyKey, key));
        return current;
      });
      if (!stored) {
        deps.logger?.info({ number: incident.number, to }, 'acknowledgement suppressed: rate limit');
        return { status: 'suppressed', reason: `More than ${ackLimit} acknowledgements to ${to} within an hour.` };
      }
      const result = stored.status === 'sent' ? 'already-sent' : await outbox.deliver(stored);
      if (result === 'rejected') return { status: 'rejected', reason: `The mail server refused ${to}.`, mail: refOf(stored) };
      return { status: result === 'queued' ? 'queued' : 'sent', mail: refOf(stored) };
    },
  };
}
