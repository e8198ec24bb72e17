// Reads of the mail log: an incident's mails in and out, the review queue, downloads.
import { and, asc, count, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Db } from '../../db/client.js';
import { inboundMails, incidents, mailAttachments, outboxMessages } from '../../db/schema/index.js';
import type { InboundMailStatus } from '../../domain/enums.js';
import { NotFound } from '../../domain/errors.js';
import { deliveryStateOf, messageKindOf, type DeliveryState, type MessageKind } from '../../domain/mail-kinds.js';
import { loopHeaders } from '../../mail/outbound.js';
import { sanitizeMailHtml } from '../../mail/sanitize.js';

type InboundRow = typeof inboundMails.$inferSelect;
type OutboxRow = typeof outboxMessages.$inferSelect;
type AttachmentMeta = Pick<typeof mailAttachments.$inferSelect, 'id' | 'mailId' | 'filename' | 'contentType' | 'sizeBytes' | 'inline'>;

export interface MessageView {
  id: string;
  direction: 'in' | 'out';
  at: string;
  from: string | null;
  to: string[];
  cc: string[];
  /** Outbound replies: addresses on the customer's last mail that were not copied (outsiders). */
  droppedCc: string[];
  subject: string;
  text: string;
  html: string | null;
  messageId: string | null;
  status: string;
  outcome: string | null;
  template: string | null;
  /** Customer communication (in, and our mails to the customer) or an internal notice (escalation, quota, follow-up). */
  kind: MessageKind;
  internal: boolean;
  /** Outbound only: where the mail stands, and why when it is not sent. */
  delivery: { state: DeliveryState; reason: string | null; attempts: number; sentAt: string | null } | null;
  oversized: boolean;
  rawUrl: string;
  attachments: { id: string; filename: string | null; contentType: string; size: number; inline: boolean; url: string }[];
}

const inboundColumns = {
  id: inboundMails.id,
  receivedAt: inboundMails.receivedAt,
  fromAddress: inboundMails.fromAddress,
  toAddresses: inboundMails.toAddresses,
  ccAddresses: inboundMails.ccAddresses,
  subject: inboundMails.subject,
  textBody: inboundMails.textBody,
  htmlBody: inboundMails.htmlBody,
  messageId: inboundMails.messageId,
  status: inboundMails.status,
  outcome: inboundMails.outcome,
  oversized: inboundMails.oversized,
};
type InboundView = Pick<InboundRow, 'id' | 'receivedAt' | 'fromAddress' | 'toAddresses' | 'ccAddresses' | 'subject' | 'textBody' | 'htmlBody' | 'messageId' | 'status' | 'outcome' | 'oversized'>;

function inboundView(row: InboundView, attachments: AttachmentMeta[]): MessageView {
  return {
    id: row.id,
    direction: 'in',
    at: row.receivedAt.toISOString(),
    from: row.fromAddress,
    to: row.toAddresses,
    cc: row.ccAddresses,
    droppedCc: [],
    subject: row.subject,
    text: row.textBody,
    // Sanitized again as it is shown: mail stored under an older, laxer sanitizer is safe too.
    html: row.htmlBody === null ? null : sanitizeMailHtml(row.htmlBody),
    messageId: row.messageId,
    status: row.status,
    outcome: row.outcome,
    template: null,
    kind: messageKindOf('in', null),
    internal: false,
    delivery: null,
    oversized: row.oversized,
    rawUrl: `/api/mail/inbound/${row.id}/raw`,
    attachments: attachments
      .filter((a) => a.mailId === row.id)
      .map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.sizeBytes, inline: a.inline, url: `/api/mail/inbound/${row.id}/attachments/${a.id}` })),
  };
}

/** A bounce's words for the mail it reports, by that mail's Message-ID. */
type Bounces = Map<string, string>;

function deliveryOf(row: OutboxRow, bounces: Bounces): NonNullable<MessageView['delivery']> {
  const bounce = bounces.get(row.messageId);
  const state = deliveryStateOf(row.status, bounce !== undefined);
  const reason = bounce !== undefined ? bounce : state === 'sent' ? null : row.lastError;
  return { state, reason, attempts: row.attempts, sentAt: row.sentAt?.toISOString() ?? null };
}

function outboundView(row: OutboxRow, mailFrom: string, bounces: Bounces = new Map()): MessageView {
  const kind = messageKindOf('out', row.template);
  return {
    id: row.id,
    direction: 'out',
    at: row.createdAt.toISOString(),
    from: mailFrom,
    to: [row.recipient],
    cc: row.cc,
    droppedCc: Array.isArray(row.payload?.droppedCc) ? row.payload.droppedCc.map(String) : [],
    subject: row.subject,
    text: row.body,
    html: null,
    messageId: row.messageId,
    status: row.status,
    outcome: row.lastError,
    template: row.template,
    kind,
    internal: kind === 'internal',
    delivery: deliveryOf(row, bounces),
    oversized: false,
    rawUrl: `/api/mail/outbound/${row.id}/raw`,
    attachments: [],
  };
}

async function attachmentsOf(db: Db, mailIds: string[]): Promise<AttachmentMeta[]> {
  if (mailIds.length === 0) return [];
  return db
    .select({ id: mailAttachments.id, mailId: mailAttachments.mailId, filename: mailAttachments.filename, contentType: mailAttachments.contentType, sizeBytes: mailAttachments.sizeBytes, inline: mailAttachments.inline })
    .from(mailAttachments)
    .where(inArray(mailAttachments.mailId, mailIds))
    .orderBy(asc(mailAttachments.position));
}

/** The bounces (DSN) attached to the incident, by the Message-ID of our mail they report. */
async function bouncesOf(db: Db, number: string): Promise<Bounces> {
  const rows = await db
    .select({ report: inboundMails.deliveryReport })
    .from(inboundMails)
    .where(and(eq(inboundMails.incidentNumber, number), isNotNull(inboundMails.deliveryReport)));
  const bounces: Bounces = new Map();
  for (const { report } of rows) {
    const original = typeof report?.originalMessageId === 'string' ? report.originalMessageId : undefined;
    if (!original) continue;
    const words = [report?.status, report?.diagnostic].filter((w): w is string => typeof w === 'string' && w.length > 0).join(' ');
    bounces.set(original, `bounced${words ? `: ${words}` : ''}`);
  }
  return bounces;
}

/** Every mail in and out of an incident, oldest first; only the customer communication or only the internal notices with `kind`. */
export async function incidentMessages(db: Db, number: string, mailFrom: string, kind?: MessageKind): Promise<MessageView[]> {
  const [incident] = await db.select({ number: incidents.number }).from(incidents).where(eq(incidents.number, number));
  if (!incident) throw new NotFound(`Incident ${number} does not exist.`);
  const inbound = kind === 'internal' ? [] : await db.select(inboundColumns).from(inboundMails).where(eq(inboundMails.incidentNumber, number));
  const outbound = await db.select().from(outboxMessages).where(and(eq(outboxMessages.incidentNumber, number), eq(outboxMessages.kind, 'email')));
  const attachments = await attachmentsOf(db, inbound.map((m) => m.id));
  const bounces = await bouncesOf(db, number);
  return [...inbound.map((m) => inboundView(m, attachments)), ...outbound.map((m) => outboundView(m, mailFrom, bounces))]
    .filter((m) => kind === undefined || m.kind === kind)
    .sort((a, b) => a.at.localeCompare(b.at));
}

export async function inboundMailsByStatus(db: Db, statuses: InboundMailStatus[], page: { limit: number; offset: number }): Promise<{ items: MessageView[]; total: number }> {
  const where = inArray(inboundMails.status, statuses);
  const rows = await db.select(inboundColumns).from(inboundMails).where(where).orderBy(desc(inboundMails.receivedAt)).limit(page.limit).offset(page.offset);
  const [total] = await db.select({ n: count() }).from(inboundMails).where(where);
  const attachments = await attachmentsOf(db, rows.map((m) => m.id));
  return { items: rows.map((m) => inboundView(m, attachments)), total: total?.n ?? 0 };
}

export async function inboundMail(db: Db, id: string): Promise<MessageView> {
  const [row] = await db.select(inboundColumns).from(inboundMails).where(eq(inboundMails.id, id));
  if (!row) throw new NotFound(`No incoming mail ${id}.`);
  return inboundView(row, await attachmentsOf(db, [id]));
}

export async function rawInboundMail(db: Db, id: string): Promise<Buffer> {
  const [row] = await db.select({ raw: inboundMails.raw }).from(inboundMails).where(eq(inboundMails.id, id));
  if (!row) throw new NotFound(`No incoming mail ${id}.`);
  return row.raw;
}

export async function attachment(db: Db, mailId: string, attachmentId: string) {
  const [row] = await db
    .select()
    .from(mailAttachments)
    .where(and(eq(mailAttachments.id, attachmentId), eq(mailAttachments.mailId, mailId)));
  if (!row) throw new NotFound(`Mail ${mailId} has no attachment ${attachmentId}.`);
  return row;
}

/** An outgoing mail rebuilt as RFC 822 from its outbox row: the same Message-ID, headers and text. */
export async function rawOutboundMail(db: Db, id: string, mailFrom: string): Promise<Buffer> {
  const [row] = await db.select().from(outboxMessages).where(and(eq(outboxMessages.id, id), eq(outboxMessages.kind, 'email')));
  if (!row) throw new NotFound(`No outgoing mail ${id}.`);
  const composer = new MailComposer({
    from: mailFrom,
    to: row.recipient,
    ...(row.cc.length > 0 ? { cc: row.cc } : {}),
    subject: row.subject,
    text: row.body,
    messageId: row.messageId,
    date: row.sentAt ?? row.createdAt,
    ...(row.inReplyTo ? { inReplyTo: row.inReplyTo } : {}),
    ...(row.references.length > 0 ? { references: row.references } : {}),
    headers: loopHeaders(mailFrom),
  });
  return composer.compile().build();
}
