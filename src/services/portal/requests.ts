// What the portal shows of requests: the list and one request, through the access rule, as an
// explicit allow-list of fields. No internal note, notification, agent address, time, cost or
// priority internals leaves this module, because no query here selects them.
import { and, asc, desc, eq, inArray, not, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { contacts, followUps, inboundMails, incidentEvents, incidents, mailAttachments, portalUploads } from '../../db/schema/index.js';
import { openStatuses } from '../../domain/incident/state.js';
import { customerSla, customerStatus, type CustomerSla, type CustomerStatus } from '../../domain/portal.js';
import { NotFound } from '../../domain/errors.js';
import { likePattern } from '../master-data/shared.js';
import { answerableIncident, seesOrganisation, visibleCallbacks, visibleIncidents } from './access.js';
import type { PortalViewer } from './sessions.js';

export const requestViews = ['open', 'resolved', 'all'] as const;
export type RequestView = (typeof requestViews)[number];

export interface RequestSummary {
  number: string;
  title: string;
  status: CustomerStatus;
  lastActivityAt: string;
  receivedAt: string;
  sla: CustomerSla;
  /** Who opened it, when the contact sees the organisation's requests (else it is always them). */
  openedBy: string | null;
  mine: boolean;
}

export interface RequestList {
  items: RequestSummary[];
  total: number;
  page: number;
  pageSize: number;
}

const summaryColumns = {
  number: incidents.number,
  title: incidents.title,
  status: incidents.status,
  priority: incidents.priority,
  slaPolicy: incidents.slaPolicy,
  slaClocks: incidents.slaClocks,
  resolvedAt: incidents.resolvedAt,
  closedAt: incidents.closedAt,
  updatedAt: incidents.updatedAt,
  receivedAt: incidents.receivedAt,
  contactId: incidents.contactId,
  contactName: contacts.name,
};
type SummaryRow = { [K in keyof typeof summaryColumns]: (typeof summaryColumns)[K]['_']['data'] | (K extends 'contactName' | 'contactId' | 'slaPolicy' | 'slaClocks' | 'resolvedAt' | 'closedAt' ? null : never) };

function summaryOf(viewer: PortalViewer, row: SummaryRow, now: Date): RequestSummary {
  return {
    number: row.number,
    title: row.title,
    status: customerStatus(row.status),
    lastActivityAt: row.updatedAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    sla: customerSla(row, now),
    openedBy: seesOrganisation(viewer) ? row.contactName : null,
    mine: row.contactId === viewer.contactId,
  };
}

export const requestPageSize = 25;

/** The contact's requests, latest activity first; `q` searches number, title and description. */
export async function listRequests(db: Db, viewer: PortalViewer, filter: { view: RequestView; q?: string | undefined; page?: number | undefined }, now = new Date()): Promise<RequestList> {
  const page = Math.max(1, filter.page ?? 1);
  const conditions = [visibleIncidents(viewer)];
  if (filter.view === 'open') conditions.push(inArray(incidents.status, [...openStatuses]));
  if (filter.view === 'resolved') conditions.push(inArray(incidents.status, ['resolved', 'closed']));
  const q = filter.q?.trim();
  if (q) {
    conditions.push(
      or(
        sql`${incidents.search} @@ (websearch_to_tsquery('german', immutable_unaccent(${q})) || websearch_to_tsquery('english', immutable_unaccent(${q})))`,
        sql`${incidents.number} ilike ${likePattern(q)}`,
        sql`${incidents.title} ilike ${likePattern(q)}`,
      )!,
    );
  }
  const where = and(...conditions);
  const [rows, [counted]] = await Promise.all([
    db
      .select(summaryColumns)
      .from(incidents)
      .leftJoin(contacts, eq(contacts.id, incidents.contactId))
      .where(where)
      .orderBy(desc(incidents.updatedAt), desc(incidents.number))
      .limit(requestPageSize)
      .offset((page - 1) * requestPageSize),
    db.select({ n: sql<number>`count(*)::int` }).from(incidents).where(where),
  ]);
  return { items: rows.map((row) => summaryOf(viewer, row, now)), total: counted?.n ?? 0, page, pageSize: requestPageSize };
}

export interface Attachment {
  /** `mail` for a file that came by mail, `upload` for one sent through the portal. */
  source: 'mail' | 'upload';
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

export type ConversationEntry =
  | { kind: 'opened'; at: string; author: string | null; mine: boolean; text: string; attachments: Attachment[] }
  | { kind: 'customer'; at: string; author: string | null; mine: boolean; text: string; attachments: Attachment[] }
  | { kind: 'agent'; at: string; author: string; text: string }
  | { kind: 'notice'; at: string; notice: 'acknowledgement' | 'reply_mail' | 'resolution_mail' | 'resolved' | 'reopened' | 'waiting_on_customer' | 'resumed' | 'closed'; text: string | null };

export interface FollowUpWork {
  kind: 'service_order' | 'hardware_change' | 'software_change' | 'callback';
  state: string;
  ended: boolean;
  /** A service order's appointment, or a callback's call window. */
  window: { from: string; to: string } | null;
}

export interface RequestDetail extends RequestSummary {
  description: string;
  channel: string;
  serialNumber: string | null;
  canAnswer: boolean;
  resolution: string | null;
  conversation: ConversationEntry[];
  followUps: FollowUpWork[];
}

/** One request as the contact may see it, or NotFound when the access rule does not let them. */
export async function requestDetail(db: Db, viewer: PortalViewer, number: string, now = new Date()): Promise<RequestDetail> {
  const [row] = await db
    .select({ ...summaryColumns, description: incidents.description, channel: incidents.channel, serialNumber: incidents.serialNumber, resolution: incidents.resolution, canAnswer: answerableIncident(viewer) })
    .from(incidents)
    .leftJoin(contacts, eq(contacts.id, incidents.contactId))
    .where(and(eq(incidents.number, number), visibleIncidents(viewer)));
  if (!row) throw new NotFound(`Request ${number} was not found.`);
  const [events, uploads, work] = await Promise.all([
    db
      .select({ type: incidentEvents.type, actor: incidentEvents.actor, actorName: incidentEvents.actorName, payload: incidentEvents.payload, occurredAt: incidentEvents.occurredAt })
      .from(incidentEvents)
      .where(and(eq(incidentEvents.incidentNumber, number), inArray(incidentEvents.type, [...publicEventTypes])))
      .orderBy(asc(incidentEvents.seq)),
    db
      .select({ id: portalUploads.id, filename: portalUploads.filename, contentType: portalUploads.contentType, sizeBytes: portalUploads.sizeBytes })
      .from(portalUploads)
      .where(eq(portalUploads.incidentNumber, number))
      .orderBy(asc(portalUploads.createdAt), asc(portalUploads.position)),
    db
      .select({ kind: followUps.kind, state: followUps.state, ended: followUps.ended, details: followUps.details })
      .from(followUps)
      .where(and(eq(followUps.incidentNumber, number), not(eq(followUps.kind, 'child_ticket'))))
      .orderBy(asc(followUps.updatedAt)),
  ]);
  const mailIds = events.flatMap((e) => {
    const mail = (e.payload as { mail?: { mailId?: string; direction?: string } }).mail;
    return mail?.direction === 'in' && mail.mailId ? [mail.mailId] : [];
  });
  const mailFiles = mailIds.length === 0 ? [] : await mailAttachmentsOf(db, number, mailIds);
  const names = await customerNames(db, viewer);
  const conversation = conversationOf(viewer, row, events, mailFiles, uploads, names);
  return {
    ...summaryOf(viewer, row, now),
    description: row.description,
    channel: row.channel,
    serialNumber: row.serialNumber,
    canAnswer: row.canAnswer,
    resolution: row.resolution,
    conversation,
    followUps: work.map((w) => ({ kind: w.kind as FollowUpWork['kind'], state: w.state, ended: w.ended, window: windowOf(w.details) })),
  };
}

const publicEventTypes = ['created', 'customer_message', 'replied', 'mail_sent', 'resolved', 'reopened', 'pending', 'resumed', 'closed'] as const;

function windowOf(details: Record<string, unknown>): FollowUpWork['window'] {
  const candidate = (details.appointment ?? details.window) as { from?: unknown; to?: unknown } | null | undefined;
  return candidate && typeof candidate.from === 'string' && typeof candidate.to === 'string' ? { from: candidate.from, to: candidate.to } : null;
}

async function mailAttachmentsOf(db: Db, number: string, mailIds: string[]) {
  return db
    .select({ id: mailAttachments.id, mailId: mailAttachments.mailId, filename: mailAttachments.filename, contentType: mailAttachments.contentType, sizeBytes: mailAttachments.sizeBytes })
    .from(mailAttachments)
    .innerJoin(inboundMails, eq(inboundMails.id, mailAttachments.mailId))
    .where(and(inArray(mailAttachments.mailId, mailIds), eq(inboundMails.incidentNumber, number), eq(mailAttachments.inline, false)))
    .orderBy(asc(mailAttachments.position));
}

/** The names of the customer's contacts by address: how the conversation names a colleague. */
async function customerNames(db: Db, viewer: PortalViewer): Promise<Map<string, string>> {
  const rows = await db.select({ email: contacts.email, name: contacts.name }).from(contacts).where(eq(contacts.customerId, viewer.customerId));
  return new Map(rows.map((r) => [r.email.toLowerCase(), r.name]));
}

type EventRow = { type: string; actor: string; actorName: string; payload: Record<string, unknown>; occurredAt: Date };
type MailFile = { id: string; mailId: string; filename: string | null; contentType: string; sizeBytes: number };
type Upload = { id: string; filename: string; contentType: string; sizeBytes: number };

const addressOfActor = (actor: string) => (actor.startsWith('contact:') ? actor.slice('contact:'.length).toLowerCase() : null);

/**
 * The public conversation in order. Agents appear by name only; a customer's message by the name of
 * the contact who wrote it, when they are one of the customer's contacts (else without a name).
 */
function conversationOf(viewer: PortalViewer, incident: { description: string; contactId: string | null; contactName: string | null }, events: EventRow[], mailFiles: MailFile[], uploads: Upload[], names: Map<string, string>): ConversationEntry[] {
  const filesOfMail = (payload: Record<string, unknown>): Attachment[] => {
    const mailId = (payload.mail as { mailId?: string } | undefined)?.mailId;
    return mailFiles.filter((f) => f.mailId === mailId).map((f) => ({ source: 'mail', id: f.id, filename: f.filename ?? 'attachment', contentType: f.contentType, sizeBytes: f.sizeBytes }));
  };
  const uploadsById = new Map(uploads.map((u) => [u.id, u]));
  const named = new Set<string>();
  const filesOfUploads = (payload: Record<string, unknown>): Attachment[] => {
    const refs = Array.isArray(payload.attachments) ? (payload.attachments as { id?: unknown }[]) : [];
    return refs.flatMap((ref) => {
      const upload = typeof ref.id === 'string' ? uploadsById.get(ref.id) : undefined;
      if (!upload) return [];
      named.add(upload.id);
      return [{ source: 'upload' as const, ...upload }];
    });
  };
  const me = viewer.email.toLowerCase();
  const entries: ConversationEntry[] = [];
  for (const e of events) {
    const at = e.occurredAt.toISOString();
    const p = e.payload;
    switch (e.type) {
      case 'created': {
        entries.push({ kind: 'opened', at, author: incident.contactName, mine: incident.contactId === viewer.contactId, text: incident.description, attachments: filesOfMail(p) });
        break;
      }
      case 'customer_message': {
        if (p.automatic === true) break;
        const from = (typeof p.from === 'string' ? p.from : addressOfActor(e.actor))?.toLowerCase() ?? null;
        const address = from?.match(/<([^>]+)>/)?.[1] ?? from;
        entries.push({ kind: 'customer', at, author: address ? (names.get(address) ?? null) : null, mine: address === me, text: typeof p.text === 'string' ? p.text : '', attachments: [...filesOfMail(p), ...filesOfUploads(p)] });
        break;
      }
      case 'replied':
        if (p.public !== false) entries.push({ kind: 'agent', at, author: e.actorName, text: typeof p.text === 'string' ? p.text : '' });
        break;
      case 'mail_sent': {
        const notice = p.template === 'acknowledgement' ? 'acknowledgement' : p.template === 'resolution' ? 'resolution_mail' : null;
        if (notice) entries.push({ kind: 'notice', at, notice, text: null });
        break;
      }
      case 'resolved':
        entries.push({ kind: 'notice', at, notice: 'resolved', text: typeof p.resolution === 'string' ? p.resolution : null });
        break;
      case 'reopened':
        entries.push({ kind: 'notice', at, notice: 'reopened', text: null });
        break;
      case 'pending':
        // The reason is the agent's own words and may be internal; the customer sees that we wait on them.
        entries.push({ kind: 'notice', at, notice: 'waiting_on_customer', text: null });
        break;
      case 'resumed':
        entries.push({ kind: 'notice', at, notice: 'resumed', text: null });
        break;
      case 'closed':
        entries.push({ kind: 'notice', at, notice: 'closed', text: null });
        break;
    }
  }
  // Files sent with the request itself (the portal's new-request form) belong to the opening.
  const opening = entries.find((e) => e.kind === 'opened');
  const loose = uploads.filter((u) => !named.has(u.id)).map((u) => ({ source: 'upload' as const, ...u }));
  if (opening && opening.kind === 'opened') opening.attachments.push(...loose);
  return entries;
}

/** A file of a request the contact may see (a mail attachment or a portal upload), or NotFound. */
export async function requestFile(db: Db, viewer: PortalViewer, number: string, source: Attachment['source'], id: string): Promise<{ filename: string; contentType: string; content: Buffer }> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!uuid.test(id)) throw new NotFound('No such file.');
  const [row] =
    source === 'upload'
      ? await db
          .select({ filename: portalUploads.filename, contentType: portalUploads.contentType, content: portalUploads.content })
          .from(portalUploads)
          .innerJoin(incidents, eq(incidents.number, portalUploads.incidentNumber))
          .where(and(eq(portalUploads.id, id), eq(portalUploads.incidentNumber, number), visibleIncidents(viewer)))
      : await db
          .select({ filename: sql<string>`coalesce(${mailAttachments.filename}, 'attachment')`, contentType: mailAttachments.contentType, content: mailAttachments.content })
          .from(mailAttachments)
          .innerJoin(inboundMails, eq(inboundMails.id, mailAttachments.mailId))
          .innerJoin(incidents, eq(incidents.number, inboundMails.incidentNumber))
          .where(and(eq(mailAttachments.id, id), eq(incidents.number, number), eq(mailAttachments.inline, false), visibleIncidents(viewer)));
  if (!row) throw new NotFound('No such file.');
  return row;
}

/** Whether the contact may answer this request; NotFound when they may not even see it. */
export async function answerable(db: Db, viewer: PortalViewer, number: string): Promise<{ status: string; canAnswer: boolean }> {
  const [row] = await db.select({ status: incidents.status, canAnswer: answerableIncident(viewer) }).from(incidents).where(and(eq(incidents.number, number), visibleIncidents(viewer)));
  if (!row) throw new NotFound(`Request ${number} was not found.`);
  return row;
}


export interface PortalCallback {
  /** The standalone callback's id (its page), or null for one under a request (shown there). */
  id: string | null;
  incidentNumber: string | null;
  topic: string;
  state: string;
  ended: boolean;
  window: { from: string; to: string } | null;
}

function callbackOf(row: { workflowId: string; incidentNumber: string | null; title: string; state: string; ended: boolean; details: Record<string, unknown> }): PortalCallback {
  const id = row.workflowId.startsWith('callback-') ? row.workflowId.slice('callback-'.length) : null;
  const topic = typeof row.details.topic === 'string' ? row.details.topic : row.title;
  return { id, incidentNumber: row.incidentNumber, topic, state: row.state, ended: row.ended, window: windowOf(row.details) };
}

const callbackColumns = { workflowId: followUps.workflowId, incidentNumber: followUps.incidentNumber, title: followUps.title, state: followUps.state, ended: followUps.ended, details: followUps.details };

/** The contact's callbacks (by the access rule), latest first. */
export async function listPortalCallbacks(db: Db, viewer: PortalViewer, limit = 20): Promise<PortalCallback[]> {
  const rows = await db.select(callbackColumns).from(followUps).where(visibleCallbacks(viewer)).orderBy(desc(followUps.updatedAt)).limit(limit);
  return rows.map(callbackOf);
}

/** One standalone callback by its id, or NotFound when the access rule does not let the contact see it. */
export async function portalCallback(db: Db, viewer: PortalViewer, id: string): Promise<PortalCallback> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!uuid.test(id)) throw new NotFound('No such callback.');
  const [row] = await db.select(callbackColumns).from(followUps).where(and(eq(followUps.workflowId, `callback-${id}`), visibleCallbacks(viewer)));
  if (!row) throw new NotFound('No such callback.');
  return callbackOf(row);
}
