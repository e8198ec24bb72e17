// Mail to the customer: acknowledgement, agent reply, resolution notice. Each goes through an
// outbox row keyed by incident and timeline step, with its Message-ID made before the first
// attempt and the thread's In-Reply-To/References, so a retry never sends a second copy. The
// workflow queues the row and delivers it in two steps, so the timeline can say queued, then sent.
import { ApplicationFailure } from '@temporalio/common';
import { eq, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { contacts, customers, outboxMessages } from '../db/schema/index.js';
import type { CustomerMailOutcome, CustomerMailRequest, MailDelivery, MailRef, QueuedCustomerMail } from '../domain/incident/mail.js';
import { replyCopies, type CopyFacts } from '../domain/reply-recipients.js';
import { defaultBusinessTimezone } from '../domain/ticket-number.js';
import { bareAddress, newMessageId, type Mailer } from '../mail/outbound.js';
import { createOutboxSender, hourlyBudget, type DeliveryResult, type OutboxRow } from '../mail/outbox.js';
import { acknowledgementMail, replyMail, requestLink, resolutionMail } from '../mail/templates.js';
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
  /** The portal's public base URL: each mail links to the request there. */
  portalUrl?: string | undefined;
}

export function createCustomerMailActivities(deps: CustomerMailDeps) {
  const outbox = createOutboxSender(deps);
  const own = new Set([bareAddress(deps.mailFrom), ...(deps.ownAddresses ?? []).map(bareAddress)]);
  const ackLimit = deps.acknowledgementsPerHour ?? 5;

  /**
   * Writes the customer mail's outbox row (once per key: a retry finds it), or says why there is
   * none: no address to send to, or the acknowledgement budget is spent.
   */
  async function queue(request: CustomerMailRequest): Promise<{ status: 'queued'; row: OutboxRow; mail: MailRef } | { status: 'suppressed'; reason: string } | { status: 'no-recipient' }> {
    const { incident, template } = request;
    const to = incident.contactEmail?.toLowerCase();
    if (!to) return { status: 'no-recipient' };
    if (template === 'reply' && (await readsAnswersInPortal(deps.db, to))) return { status: 'suppressed', reason: 'the contact reads answers in the portal (profile setting)' };
    const language = await languageFor(deps.db, to, incident.customerNumber);
    const thread = await threadHeaders(deps.db, incident.number);
    const link = deps.portalUrl ? requestLink(deps.portalUrl, incident.number) : undefined;
    const rendered =
      template === 'acknowledgement'
        ? acknowledgementMail(incident, language, deps.timezone ?? defaultBusinessTimezone, { oversized: Boolean(request.oversized), link })
        : template === 'reply'
          ? replyMail(incident, language, request.text ?? '', link)
          : resolutionMail(incident, language, link);
    // Answers go to the contact, with the customer's own people from the last mail and whoever
    // the agent named on CC (replyCopies); acknowledgements go to the sender only.
    const copies =
      template === 'acknowledgement'
        ? { cc: [], dropped: [] }
        : replyCopies({
            to,
            replyAll: [...(thread.lastFrom ? [thread.lastFrom] : []), ...thread.lastTo, ...thread.lastCc].map(bareAddress),
            customer: await customerPeople(deps.db, incident.customerNumber),
            named: request.cc ?? [],
            own: [...own],
          });
    const { cc } = copies;
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
      // Who was on the customer's last mail but not copied, for the mail log (the timeline has it too).
      ...(copies.dropped.length > 0 ? { payload: { droppedCc: copies.dropped } } : {}),
    };

    // Acknowledgements are counted per recipient under a lock, so a burst of mails (or a loop
    // with a mail server that ignores our headers) gets at most the limit per hour.
    const stored = await deps.db.transaction(async (tx) => {
      if (template === 'acknowledgement' && (await hourlyBudget(tx, { template, recipient: to, key }, ackLimit)) === 'spent') return undefined;
      await tx.insert(outboxMessages).values(row).onConflictDoNothing({ target: outboxMessages.idempotencyKey });
      const [current] = await tx.select().from(outboxMessages).where(eq(outboxMessages.idempotencyKey, key));
      return current;
    });
    if (!stored) {
      deps.logger?.info({ number: incident.number, to }, 'acknowledgement suppressed: rate limit');
      return { status: 'suppressed', reason: `More than ${ackLimit} acknowledgements to ${to} within an hour.` };
    }
    return { status: 'queued', row: stored, mail: refOf(stored, template) };
  }

  const refOf = (r: OutboxRow, template: string): MailRef => ({
    direction: 'out',
    outboxId: r.id,
    messageId: r.messageId,
    from: deps.mailFrom,
    to: [r.recipient],
    cc: r.cc,
    subject: r.subject,
    template,
    text: r.body,
    ...droppedOf(r.payload),
  });

  /** Why the mail server refused the row, in the words the timeline shows. */
  const refusal = async (row: OutboxRow): Promise<string> => {
    const [current] = await deps.db.select({ lastError: outboxMessages.lastError }).from(outboxMessages).where(eq(outboxMessages.id, row.id));
    return `The mail server refused ${row.recipient}${current?.lastError ? `: ${current.lastError}` : '.'}`;
  };

  return {
    /** Queues and sends in one step: for incidents whose history predates the `mail-states` patch. */
    mailCustomer: async (request: CustomerMailRequest): Promise<CustomerMailOutcome> => {
      const queued = await queue(request);
      if (queued.status !== 'queued') return queued;
      const stored = queued.row;
      const result = stored.status === 'sent' ? 'already-sent' : await outbox.deliver(stored);
      if (result === 'rejected') return { status: 'rejected', reason: `The mail server refused ${stored.recipient}.`, mail: queued.mail };
      return { status: result === 'queued' ? 'queued' : 'sent', mail: queued.mail };
    },

    /** Writes the customer mail's outbox row with its Message-ID; sends nothing. Safe to retry. */
    queueCustomerMail: async (request: CustomerMailRequest): Promise<QueuedCustomerMail> => {
      const queued = await queue(request);
      return queued.status === 'queued' ? { status: 'queued', mail: queued.mail } : queued;
    },

    /**
     * Hands a queued mail to SMTP, once: a row that is sent already is reported sent, one refused
     * for good (SMTP 5xx) undeliverable with the server's words. A passing failure (SMTP down) is
     * thrown, so Temporal retries; with `reportFailure` it is answered instead, so the workflow can
     * say "will retry" on the timeline before it tries again.
     */
    deliverCustomerMail: async (input: { outboxId: string; reportFailure?: boolean }): Promise<MailDelivery> => {
      const [row] = await deps.db.select().from(outboxMessages).where(eq(outboxMessages.id, input.outboxId));
      if (!row) throw ApplicationFailure.nonRetryable(`Outbox row ${input.outboxId} does not exist.`);
      if (row.status === 'sent') return { status: 'sent' };
      if (row.status === 'rejected') return { status: 'undeliverable', reason: await refusal(row) };
      let result: DeliveryResult;
      try {
        result = await outbox.deliver(row);
      } catch (err) {
        if (!input.reportFailure) throw err;
        return { status: 'failed', reason: err instanceof Error ? err.message : String(err), willRetry: true };
      }
      if (result === 'rejected') return { status: 'undeliverable', reason: await refusal(row) };
      // No SMTP_URL: the row waits in the outbox; the outbox sweeper sends it once SMTP is configured.
      if (result === 'queued') return { status: 'failed', reason: 'No SMTP server is configured (SMTP_URL); the mail waits in the outbox.', willRetry: false };
      return { status: 'sent' };
    },
  };
}

/** The incident's customer as the copy rule needs it: its contacts' addresses and its mail domains. */
/** A contact who turned off answers by mail in the portal's profile. */
async function readsAnswersInPortal(db: Db, address: string): Promise<boolean> {
  const [row] = await db.select({ replyMails: contacts.replyMails }).from(contacts).where(eq(sql`lower(${contacts.email})`, address));
  return row ? !row.replyMails : false;
}

async function customerPeople(db: Db, customerNumber: string | null): Promise<CopyFacts['customer']> {
  if (!customerNumber) return { contactAddresses: [], mailDomains: [] };
  const [customer] = await db.select({ id: customers.id, mailDomains: customers.mailDomains }).from(customers).where(eq(customers.customerNumber, customerNumber));
  if (!customer) return { contactAddresses: [], mailDomains: [] };
  const rows = await db.select({ email: contacts.email }).from(contacts).where(eq(contacts.customerId, customer.id));
  return { contactAddresses: rows.map((r) => r.email), mailDomains: customer.mailDomains };
}

/** The dropped copies as the stored row has them (a retry reports what the first attempt decided). */
function droppedOf(payload: Record<string, unknown> | null): Pick<MailRef, 'droppedCc'> {
  const dropped = payload?.droppedCc;
  return Array.isArray(dropped) && dropped.length > 0 ? { droppedCc: dropped.map(String) } : {};
}
