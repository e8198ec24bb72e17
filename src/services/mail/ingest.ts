// The one ingestion path for IMAP and the mailgate: store the mail durably (deduplicated by
// Message-ID, else by a hash of the raw bytes), then process it: thread it onto an incident,
// open an incident, request a callback, hold it for review, or keep it as noise. Processing is idempotent, so a
// retry after a crash never appends or opens twice.
import { createHash } from 'node:crypto';
import { and, eq, getTableColumns, gt, inArray, lt, ne, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../../db/client.js';
import { inboundMails, incidentEvents, mailAttachments } from '../../db/schema/index.js';
import { DomainError, IllegalTransition } from '../../domain/errors.js';
import type { MailRef } from '../../domain/incident/mail.js';
import { planInbound, referencedMessageIds, type InboundPlan, type ThreadIncident } from '../../domain/mail-rules.js';
import { outlookConversation } from '../../domain/thread-index.js';
import { findIncidentNumber } from '../../domain/ticket-number.js';
import { submitIncidentCommand } from '../incident-commands.js';
import { openIncidentFromRequest, type IntakeDeps } from '../incident-intake.js';
import type { Temporal } from '../../temporal/client.js';
import { customerMessageUpdate, deliveryFailureUpdate } from '../../workflows/incident/messages.js';
import { requestCallbackByMail } from './callback-requests.js';
import type { StoredMail } from '../../mail/imap.js';
import { bareAddress, loopMarkerOf, type Mailer } from '../../mail/outbound.js';
import type { Rates } from '../../domain/entitlement.js';
import { parseMail } from '../../mail/parse.js';
import { tellSenderMailTooLarge } from './oversized-notice.js';
import { incidentOfConversation, incidentsOfMessageIds, senderIdentity, threadIncident } from '../../mail/threads.js';

export interface IngestDeps {
  db: Db;
  temporal: Temporal;
  logger: Logger;
  mailFrom: string;
  ownAddresses?: string[];
  /** Larger mail is kept whole and flagged; default 25 MiB. */
  maxMailBytes?: number;
  /** Notices that a mail was too large, per sender and hour (default 20; see oversized-notice.ts). */
  oversizedNoticesPerHour?: number;
  timezone?: string;
  autoCloseDays?: number;
  /** Hourly rates for work no contract prices (entitlement at intake). */
  defaultRates?: Rates | undefined;
  mailer?: Mailer | undefined;
}

export type InboundRow = typeof inboundMails.$inferSelect;
/** A stored mail as processing reads it: everything but the raw bytes, which it never needs. */
export type InboundMail = Omit<InboundRow, 'raw'>;
const { raw: _raw, ...processedColumns } = getTableColumns(inboundMails);
const resultColumns = { id: inboundMails.id, status: inboundMails.status, outcome: inboundMails.outcome, incidentNumber: inboundMails.incidentNumber, callbackWorkflowId: inboundMails.callbackWorkflowId };

export const defaultMaxMailBytes = 25 * 1024 * 1024;
/** A processor that died holding a mail gives it up after this. */
const claimLeaseMinutes = 5;

/** Stored and not processed, or held by a processor whose lease ran out: for a processor to take. */
export const claimableMail = or(
  eq(inboundMails.status, 'received'),
  and(eq(inboundMails.status, 'processing'), lt(inboundMails.claimedAt, sql`now() - interval '${sql.raw(String(claimLeaseMinutes))} minutes'`)),
);

/** Stores a mail as received. Resolves only once it is committed; a second delivery finds the first. */
export async function storeInboundMail(deps: Pick<IngestDeps, 'db' | 'maxMailBytes'>, raw: Buffer, origin: { source: string; uid?: number; receivedAt?: Date }): Promise<StoredMail> {
  const parsed = await parseMail(raw);
  const ticket = findIncidentNumber(parsed.subject);
  const bounced = parsed.deliveryReport?.originalMessageId;
  const threadKeys = [...(parsed.messageId ? [parsed.messageId] : []), ...(parsed.inReplyTo ? [parsed.inReplyTo] : []), ...parsed.references, ...(bounced ? [bounced] : []), ...(ticket ? [ticket] : [])];
  const existing = async () => {
    const [row] = await deps.db
      .select({ id: inboundMails.id, status: inboundMails.status, incidentNumber: inboundMails.incidentNumber })
      .from(inboundMails)
      .where(eq(inboundMails.dedupeKey, parsed.dedupeKey));
    return row ? { ...row, duplicate: true, threadKeys } : undefined;
  };
  // Inserted without a lookup first: a new mail (the usual case) costs one query less; a second
  // delivery conflicts on the dedupe key and is looked up.
  const oversized = raw.length > (deps.maxMailBytes ?? defaultMaxMailBytes);
  const insert = () => deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(inboundMails)
      .values({
        dedupeKey: parsed.dedupeKey,
        messageId: parsed.messageId,
        source: origin.source,
        mailboxUid: origin.uid ?? null,
        receivedAt: origin.receivedAt ?? new Date(),
        raw,
        sizeBytes: raw.length,
        oversized,
        fromAddress: parsed.from?.address ?? null,
        fromName: parsed.from?.name ?? null,
        toAddresses: parsed.to.map((a) => a.address),
        ccAddresses: parsed.cc.map((a) => a.address),
        subject: parsed.subject,
        inReplyTo: parsed.inReplyTo,
        references: parsed.references,
        outlookConversation: outlookConversation(parsed.headers['thread-index']),
        headers: parsed.headers as Record<string, string | string[]>,
        contentType: parsed.contentType,
        textBody: parsed.text,
        htmlBody: parsed.html,
        tnef: parsed.tnef,
        deliveryReport: parsed.deliveryReport ? { ...parsed.deliveryReport } : null,
        parseError: parsed.parseError,
      })
      .onConflictDoNothing({ target: inboundMails.dedupeKey })
      .returning({ id: inboundMails.id, status: inboundMails.status });
    if (!row) return undefined;
    // Oversized mail keeps its attachments only inside the raw copy.
    if (!oversized && parsed.attachments.length > 0) {
      await tx.insert(mailAttachments).values(
        parsed.attachments.map((a, position) => ({
          mailId: row.id,
          position,
          filename: a.filename,
          contentType: a.contentType,
          sizeBytes: a.size,
          contentId: a.contentId,
          inline: a.inline,
          content: a.content,
        })),
      );
    }
    return { ...row, incidentNumber: null, duplicate: false, threadKeys };
  });
  let inserted: StoredMail | undefined;
  try {
    inserted = await insert();
  } catch (err) {
    // Whatever in the parsed mail the database refused, the mail itself is kept, quarantined.
    // A second delivery of a mail stored before is that mail, even if this copy cannot be stored.
    const earlier = await existing();
    if (earlier) return earlier;
    return quarantineUnstorable(deps, raw, origin, oversized, err);
  }
  // Lost a race with the same mail arriving another way: that one is the stored copy.
  return inserted ?? (await existing())!;
}

async function quarantineUnstorable(deps: Pick<IngestDeps, 'db'>, raw: Buffer, origin: { source: string; uid?: number; receivedAt?: Date }, oversized: boolean, err: unknown): Promise<StoredMail> {
  const dedupeKey = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const reason = `The mail could not be stored parsed: ${err instanceof Error ? err.message : String(err)}`.replace(/\u0000/g, '');
  const [row] = await deps.db
    .insert(inboundMails)
    .values({ dedupeKey, source: origin.source, mailboxUid: origin.uid ?? null, receivedAt: origin.receivedAt ?? new Date(), raw, sizeBytes: raw.length, oversized, headers: {}, contentType: 'application/octet-stream', parseError: reason, status: 'quarantined', outcome: reason })
    .onConflictDoNothing({ target: inboundMails.dedupeKey })
    .returning({ id: inboundMails.id, status: inboundMails.status, incidentNumber: inboundMails.incidentNumber });
  if (row) return { ...row, duplicate: false, threadKeys: [] };
  const [earlier] = await deps.db.select({ id: inboundMails.id, status: inboundMails.status, incidentNumber: inboundMails.incidentNumber }).from(inboundMails).where(eq(inboundMails.dedupeKey, dedupeKey));
  return { ...earlier!, duplicate: true, threadKeys: [] };
}

export interface ProcessResult {
  id: string;
  status: InboundRow['status'];
  outcome: string | null;
  incidentNumber: string | null;
  /** Status callback: the callback the mail asked for. */
  callbackWorkflowId: string | null;
}

const resultOf = (row: Pick<InboundRow, 'id' | 'status' | 'outcome' | 'incidentNumber' | 'callbackWorkflowId'>): ProcessResult => ({
  id: row.id,
  status: row.status,
  outcome: row.outcome,
  incidentNumber: row.incidentNumber,
  callbackWorkflowId: row.callbackWorkflowId,
});

export function mailRefOf(row: InboundMail): MailRef {
  return {
    direction: 'in',
    mailId: row.id,
    messageId: row.messageId,
    from: row.fromAddress,
    to: row.toAddresses,
    cc: row.ccAddresses,
    subject: row.subject,
  };
}

export class MailBusy extends Error {
  override name = 'MailBusy';
}

/** Processes a stored mail once; a mail another processor holds or has finished is left alone. */
export async function processInboundMail(deps: IngestDeps, id: string): Promise<ProcessResult> {
  const [claimed] = await deps.db
    .update(inboundMails)
    .set({ status: 'processing', attempts: sql`${inboundMails.attempts} + 1`, claimedAt: sql`now()` })
    .where(
      and(
        eq(inboundMails.id, id),
        claimableMail,
      ),
    )
    .returning(processedColumns);
  if (!claimed) {
    const [current] = await deps.db.select(resultColumns).from(inboundMails).where(eq(inboundMails.id, id));
    if (!current) throw new Error(`No stored mail ${id}.`);
    // Another processor holds it: retry later; if that one died, its lease runs out and we take over.
    if (current.status === 'processing') throw new MailBusy(`Mail ${id} is being processed by another worker.`);
    return resultOf(current);
  }
  // Writes are fenced to our claim (each claim counts an attempt), so a processor overtaken after
  // its lease changes nothing.
  const ours = and(eq(inboundMails.id, id), eq(inboundMails.status, 'processing'), eq(inboundMails.attempts, claimed.attempts));
  try {
    const plan = await planFor(deps, claimed);
    const done = await execute(deps, claimed, plan);
    const [row] = await deps.db
      .update(inboundMails)
      .set({ ...done, classification: plan.classification, processedAt: new Date(), lastError: null, claimedAt: null })
      .where(ours)
      .returning(resultColumns);
    if (!row) {
      // Our lease ran out and another processor took the mail over; its result stands.
      const [current] = await deps.db.select(resultColumns).from(inboundMails).where(eq(inboundMails.id, id));
      return resultOf(current!);
    }
    deps.logger.info({ mail: id, status: row.status, incident: row.incidentNumber, callback: row.callbackWorkflowId, outcome: row.outcome }, 'mail processed');
    return resultOf(row);
  } catch (err) {
    // Back to "received": the next attempt (activity retry or sweep) starts over; every step is idempotent.
    await deps.db
      .update(inboundMails)
      .set({ status: 'received', claimedAt: null, lastError: err instanceof Error ? err.message : String(err) })
      .where(ours);
    throw err;
  }
}

/** How long a mail waits for an earlier, unprocessed mail of its Outlook conversation. */
const conversationWaitMs = 10 * 60_000;

async function planFor(deps: IngestDeps, mail: InboundMail): Promise<InboundPlan> {
  const report = mail.deliveryReport as { originalMessageId?: string | null } | null;
  const referenced = [...(report?.originalMessageId ? [report.originalMessageId] : []), ...referencedMessageIds(mail.headers)];
  // A reply must wait for the mail it answers: processed first, it threads; processed later, it
  // would open a second incident. (Mail arriving together is processed in parallel by the mailgate.)
  if (referenced.length > 0) {
    const [parent] = await deps.db
      .select({ id: inboundMails.id })
      .from(inboundMails)
      .where(and(inArray(inboundMails.messageId, referenced), inArray(inboundMails.status, ['received', 'processing']), ne(inboundMails.id, mail.id)))
      .limit(1);
    if (parent) throw new MailBusy(`Mail ${mail.id} answers mail ${parent.id}, which is not processed yet.`);
  }
  // The same for an earlier mail of its Outlook conversation: only earlier ones (two mails of one
  // conversation must not wait for each other), not one that answers this mail (it waits for this
  // one above), and not one stored long before and still unprocessed (stuck: it must not hold up
  // its whole conversation; this mail then threads by the other rules, or opens an incident).
  const conversation = mail.outlookConversation;
  if (conversation) {
    const earlier = await deps.db
      .select({ id: inboundMails.id, headers: inboundMails.headers })
      .from(inboundMails)
      .where(
        and(
          eq(inboundMails.outlookConversation, conversation),
          inArray(inboundMails.status, ['received', 'processing']),
          lt(inboundMails.storedAt, mail.storedAt),
          gt(inboundMails.storedAt, new Date(mail.storedAt.getTime() - conversationWaitMs)),
        ),
      )
      .limit(20);
    const waitFor = earlier.find((other) => !mail.messageId || !referencedMessageIds(other.headers).includes(mail.messageId));
    if (waitFor) throw new MailBusy(`Mail ${mail.id} continues the conversation of mail ${waitFor.id}, which is not processed yet.`);
  }
  const conversationIncident = conversation ? await incidentOfConversation(deps.db, conversation, mail.id) : undefined;
  const known = await incidentsOfMessageIds(deps.db, referenced);
  const numbers = new Set([...known.values(), ...(findIncidentNumber(mail.subject) ? [findIncidentNumber(mail.subject)!] : []), ...(conversationIncident ? [conversationIncident] : [])]);
  const incidents = new Map<string, ThreadIncident>();
  for (const number of numbers) {
    const incident = await threadIncident(deps.db, number);
    if (incident) incidents.set(number, incident);
  }
  const sender = mail.fromAddress ? await senderIdentity(deps.db, mail.fromAddress) : null;
  return planInbound(
    { headers: mail.headers, from: mail.fromAddress ?? '', subject: mail.subject, text: mail.textBody, contentType: mail.contentType, parseError: mail.parseError, bouncedMessageId: report?.originalMessageId ?? null },
    {
      own: { addresses: [bareAddress(deps.mailFrom), ...(deps.ownAddresses ?? [])], loopMarker: loopMarkerOf(deps.mailFrom) },
      knownMessage: (messageId) => known.get(messageId),
      knownConversation: (id) => (id === conversation ? conversationIncident : undefined),
      incident: (number) => incidents.get(number),
      sender,
    },
  );
}

type Done = Pick<InboundRow, 'status' | 'outcome'> & Partial<Pick<InboundRow, 'incidentNumber' | 'candidateIncident' | 'callbackWorkflowId'>>;

async function execute(deps: IngestDeps, mail: InboundMail, plan: InboundPlan): Promise<Done> {
  const actor = { id: `contact:${mail.fromAddress ?? 'unknown'}`, name: mail.fromName ?? mail.fromAddress ?? 'unknown sender' };
  const updateId = `mail-${mail.id}`;
  switch (plan.kind) {
    case 'ignore':
      return { status: 'ignored', outcome: plan.reason };
    case 'quarantine':
      return { status: 'quarantined', outcome: plan.reason };
    case 'review':
      return { status: 'review', outcome: plan.reason, candidateIncident: plan.incidentNumber };
    case 'bounce': {
      const report = (mail.deliveryReport ?? {}) as { recipients?: string[]; status?: string | null; diagnostic?: string | null; originalMessageId?: string | null };
      const input = {
        mailId: mail.id,
        recipients: report.recipients ?? [],
        status: report.status ?? null,
        diagnostic: report.diagnostic ?? null,
        originalMessageId: report.originalMessageId ?? null,
        mail: mailRefOf(mail),
      };
      try {
        await submitIncidentCommand(deps.temporal, plan.incidentNumber, deliveryFailureUpdate, { ...input, actor: { id: 'system', name: 'Mail system' } }, { updateId });
      } catch (err) {
        if (!(err instanceof IllegalTransition)) throw err;
        return { status: 'processed', outcome: `Delivery failure for ${plan.incidentNumber}, which no longer takes changes.`, incidentNumber: plan.incidentNumber };
      }
      return { status: 'processed', outcome: `Delivery failure recorded on ${plan.incidentNumber}.`, incidentNumber: plan.incidentNumber };
    }
    case 'append': {
      try {
        await submitIncidentCommand(
          deps.temporal,
          plan.incidentNumber,
          customerMessageUpdate,
          { text: mail.textBody || '(no text)', from: mail.fromAddress, channel: 'email', automatic: plan.automatic, mail: mailRefOf(mail), actor },
          { updateId },
        );
      } catch (err) {
        if (!(err instanceof IllegalTransition)) throw err;
        // Appended by an earlier attempt, and the incident has closed since: done.
        if (await appliedBefore(deps.db, plan.incidentNumber, mail.id)) return { status: 'processed', outcome: `Appended to ${plan.incidentNumber}.`, incidentNumber: plan.incidentNumber };
        // Closed between planning and now: an agent decides.
        return { status: 'review', outcome: err.message, candidateIncident: plan.incidentNumber };
      }
      if (mail.oversized && !plan.classification.noAutoAnswer) {
        // The answer must not undo the append: if SMTP is down, the outbox sweep sends it later.
        await tellSenderMailTooLarge(deps, mail, plan.incidentNumber).catch((err: unknown) => deps.logger.warn({ err, mail: mail.id }, 'oversized notice left in the outbox'));
      }
      return { status: 'processed', outcome: `${plan.automatic ? 'Automatic reply logged on' : 'Appended to'} ${plan.incidentNumber} (by ${plan.by}).`, incidentNumber: plan.incidentNumber };
    }
    case 'new':
      return openFromMail(deps, mail, { customerNumber: plan.customerNumber, acknowledge: plan.acknowledge, followUpOf: plan.followUpOf, actor });
    case 'callback':
      // Refused by the callback service: the mail opens an incident as any other would.
      return (await requestCallbackByMail(deps, mail, plan, actor)) ?? openFromMail(deps, mail, { customerNumber: plan.customerNumber, acknowledge: true, followUpOf: null, actor });
  }
}

/** Opens an incident for a mail, through the same intake as the API (entitlement, SLA). */
export async function openFromMail(
  deps: IngestDeps,
  mail: InboundMail,
  options: { customerNumber: string; acknowledge: boolean; followUpOf: string | null; actor: { id: string; name: string } },
): Promise<Done> {
  const title = (mail.subject || '(no subject)').slice(0, 200);
  const followUp = options.followUpOf ? `Follow-up of ${options.followUpOf}, which was closed.\n\n` : '';
  const intakeDeps: IntakeDeps = {
    db: deps.db,
    temporal: deps.temporal,
    logger: deps.logger,
    ...(deps.timezone ? { timezone: deps.timezone } : {}),
    ...(deps.autoCloseDays ? { autoCloseDays: deps.autoCloseDays } : {}),
    defaultRates: deps.defaultRates,
  };
  try {
    const { incident } = await openIncidentFromRequest(
      intakeDeps,
      { title, description: `${followUp}${mail.textBody || '(no text)'}`, customerNumber: options.customerNumber, contactEmail: mail.fromAddress ?? undefined, channel: 'email' },
      {
        actor: options.actor,
        receivedAt: mail.receivedAt,
        idempotencyKey: mail.id,
        keyScope: 'mail',
        // The acknowledgement no longer says the mail was too large: the notice below does, under its own budget.
        mail: { ref: mailRefOf(mail), acknowledge: options.acknowledge, oversized: false, followUpOf: options.followUpOf },
      },
    );
    if (mail.oversized) {
      // Only to whom we answer at all (options.acknowledge is false for machine-made mail). As on a
      // thread, the notice must not undo the incident: if SMTP is down, the outbox sweep sends it.
      if (options.acknowledge) await tellSenderMailTooLarge(deps, mail, incident.number).catch((err: unknown) => deps.logger.warn({ err, mail: mail.id }, 'oversized notice left in the outbox'));
      else deps.logger.info({ mail: mail.id }, 'oversized automatic mail: no answer');
    }
    return { status: 'processed', outcome: `Opened ${incident.number}${options.followUpOf ? ` as a follow-up of ${options.followUpOf}` : ''}.`, incidentNumber: incident.number };
  } catch (err) {
    // The customer could not be resolved (e.g. removed meanwhile): an agent decides.
    if (err instanceof DomainError) return { status: 'review', outcome: err.message, candidateIncident: options.followUpOf };
    throw err;
  }
}

/** Whether the incident's timeline already has this mail (a customer message or a bounce). */
async function appliedBefore(db: Db, incidentNumber: string, mailId: string): Promise<boolean> {
  const [found] = await db
    .select({ seq: incidentEvents.seq })
    .from(incidentEvents)
    .where(and(eq(incidentEvents.incidentNumber, incidentNumber), or(sql`${incidentEvents.payload}->'mail'->>'mailId' = ${mailId}`, sql`${incidentEvents.payload}->>'mailId' = ${mailId}`)))
    .limit(1);
  return found !== undefined;
}

/** Processes mail that was stored but not processed (a crash, Temporal down); returns how many. */
export async function processPendingMails(deps: IngestDeps, options: { limit?: number } = {}): Promise<number> {
  const pending = await deps.db
    .select({ id: inboundMails.id })
    .from(inboundMails)
    .where(claimableMail)
    // Arrival order; mails of the same second in the order they were stored (a reply after its original).
    .orderBy(inboundMails.receivedAt, inboundMails.storedAt)
    .limit(options.limit ?? 500);
  let done = 0;
  for (const { id } of pending) {
    try {
      await processInboundMail(deps, id);
      done += 1;
    } catch (err) {
      deps.logger.warn({ err, mail: id }, 'mail not processed yet; will retry');
    }
  }
  return done;
}
