// What threading needs from the database: which incident a Message-ID belongs to, who may
// write to an incident, who a sender is, and the headers that keep our answers in the thread.
import { and, asc, desc, eq, inArray, isNotNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { contacts, customers, inboundMails, incidentIntakes, incidents, outboxMessages } from '../db/schema/index.js';
import type { IncidentIntake } from '../domain/incident/state.js';
import type { ThreadIncident } from '../domain/mail-rules.js';

/** Message-ID -> incident number, for mail we received and mail we sent. */
export async function incidentsOfMessageIds(db: Db, messageIds: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (messageIds.length === 0) return found;
  const inbound = await db
    .select({ messageId: inboundMails.messageId, number: inboundMails.incidentNumber })
    .from(inboundMails)
    .where(and(inArray(inboundMails.messageId, messageIds), isNotNull(inboundMails.incidentNumber)));
  const outbound = await db
    .select({ messageId: outboxMessages.messageId, number: outboxMessages.incidentNumber })
    .from(outboxMessages)
    .where(and(inArray(outboxMessages.messageId, messageIds), isNotNull(outboxMessages.incidentNumber)));
  for (const row of [...inbound, ...outbound]) if (row.messageId && row.number) found.set(row.messageId, row.number);
  return found;
}

/** The incident of the latest mail we took in from this Outlook conversation (other than `mailId`). */
export async function incidentOfConversation(db: Db, conversation: string, mailId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ number: inboundMails.incidentNumber })
    .from(inboundMails)
    .where(and(eq(inboundMails.outlookConversation, conversation), isNotNull(inboundMails.incidentNumber), ne(inboundMails.id, mailId)))
    .orderBy(desc(inboundMails.receivedAt))
    .limit(1);
  return row?.number ?? undefined;
}

/** Who an incident belongs to: from its projection, or from its intake when it was opened moments ago. */
async function incidentOwner(db: Db, number: string): Promise<{ closed: boolean; customerId: string | null; contactEmail: string | null } | undefined> {
  const [incident] = await db
    .select({ status: incidents.status, customerId: incidents.customerId, contactEmail: incidents.contactEmail })
    .from(incidents)
    .where(eq(incidents.number, number));
  if (incident) return { closed: incident.status === 'closed', customerId: incident.customerId, contactEmail: incident.contactEmail };
  // The workflow has not written the projection yet (under load a second or more); it cannot be closed yet.
  const [intake] = await db.select({ request: incidentIntakes.request }).from(incidentIntakes).where(eq(incidentIntakes.number, number));
  if (!intake) return undefined;
  const { customer, contact } = intake.request as IncidentIntake;
  return { closed: false, customerId: customer?.id ?? null, contactEmail: contact?.email ?? null };
}

/** The incident with its customer's domains and contacts and everyone who was on its mail thread. */
export async function threadIncident(db: Db, number: string): Promise<ThreadIncident | undefined> {
  const incident = await incidentOwner(db, number);
  if (!incident) return undefined;
  const [customer] = incident.customerId ? await db.select({ mailDomains: customers.mailDomains }).from(customers).where(eq(customers.id, incident.customerId)) : [];
  const contactAddresses = incident.customerId ? (await db.select({ email: contacts.email }).from(contacts).where(eq(contacts.customerId, incident.customerId))).map((c) => c.email) : [];
  const inbound = await db
    .select({ from: inboundMails.fromAddress, to: inboundMails.toAddresses, cc: inboundMails.ccAddresses })
    .from(inboundMails)
    .where(and(eq(inboundMails.incidentNumber, number), eq(inboundMails.status, 'processed')));
  const outbound = await db
    .select({ to: outboxMessages.recipient, cc: outboxMessages.cc })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.incidentNumber, number), sql`${outboxMessages.template} <> 'escalation'`));
  const participants = new Set<string>([
    ...(incident.contactEmail ? [incident.contactEmail] : []),
    ...inbound.flatMap((m) => [...(m.from ? [m.from] : []), ...m.to, ...m.cc]),
    ...outbound.flatMap((m) => [m.to, ...m.cc]),
  ]);
  return {
    number,
    closed: incident.closed,
    customerDomains: customer?.mailDomains ?? [],
    contactAddresses,
    threadParticipants: [...participants].map((a) => a.toLowerCase()),
  };
}

export interface SenderIdentity {
  customerNumber: string;
  contactEmail: string | null;
  /** The contact's phone number on record (a callback request without a number in its text calls it). */
  contactPhone: string | null;
  language: 'de' | 'en';
}

/** A contact by exact address, else the customer whose mail domain the address has. */
export async function senderIdentity(db: Db, address: string): Promise<SenderIdentity | null> {
  const normalized = address.trim().toLowerCase();
  if (!normalized.includes('@')) return null;
  const [contact] = await db
    .select({ email: contacts.email, phone: contacts.phone, language: contacts.language, customerNumber: customers.customerNumber, customerLanguage: customers.language })
    .from(contacts)
    .innerJoin(customers, eq(customers.id, contacts.customerId))
    .where(eq(sql`lower(${contacts.email})`, normalized));
  if (contact) return { customerNumber: contact.customerNumber, contactEmail: contact.email, contactPhone: contact.phone?.trim() || null, language: contact.language ?? contact.customerLanguage };
  const domain = normalized.split('@')[1]!;
  const byDomain = await db
    .select({ customerNumber: customers.customerNumber, language: customers.language })
    .from(customers)
    .where(sql`${domain} = any(${customers.mailDomains})`);
  // A domain shared by two customers (a hoster, a freemail domain) identifies nobody.
  return byDomain.length === 1 ? { customerNumber: byDomain[0]!.customerNumber, contactEmail: null, contactPhone: null, language: byDomain[0]!.language } : null;
}

/** The language to write to an address in: the contact's, else the customer's, else German. */
export async function languageFor(db: Db, address: string, customerNumber: string | null): Promise<'de' | 'en'> {
  const identity = await senderIdentity(db, address);
  if (identity) return identity.language;
  if (customerNumber) {
    const [customer] = await db.select({ language: customers.language }).from(customers).where(eq(customers.customerNumber, customerNumber));
    if (customer) return customer.language;
  }
  return 'de';
}

/** In-Reply-To and References for our next mail on the incident, and who was on CC last time. */
export async function threadHeaders(db: Db, number: string): Promise<{ inReplyTo: string | null; references: string[]; lastCc: string[]; lastTo: string[]; lastFrom: string | null }> {
  const inbound = await db
    .select({ messageId: inboundMails.messageId, at: inboundMails.receivedAt, from: inboundMails.fromAddress, to: inboundMails.toAddresses, cc: inboundMails.ccAddresses, automatic: sql<boolean>`coalesce((${inboundMails.classification}->>'noAutoAnswer')::boolean, false)` })
    .from(inboundMails)
    .where(and(eq(inboundMails.incidentNumber, number), eq(inboundMails.status, 'processed'), isNotNull(inboundMails.messageId)))
    .orderBy(asc(inboundMails.receivedAt));
  const outbound = await db
    .select({ messageId: outboxMessages.messageId, at: outboxMessages.createdAt })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.incidentNumber, number), inArray(outboxMessages.status, ['sent', 'sending', 'pending', 'failed']), sql`${outboxMessages.template} in ('acknowledgement', 'reply', 'resolution')`))
    .orderBy(asc(outboxMessages.createdAt));
  const all = [...inbound.map((m) => ({ id: m.messageId!, at: m.at.getTime() })), ...outbound.map((m) => ({ id: m.messageId, at: m.at.getTime() }))].sort((a, b) => a.at - b.at);
  const human = inbound.filter((m) => !m.automatic);
  const last = human.at(-1);
  // RFC 5322: the first message and the most recent ones; long threads are trimmed in the middle.
  const ids = all.map((m) => m.id);
  const references = ids.length > 10 ? [ids[0]!, ...ids.slice(-9)] : ids;
  return { inReplyTo: last?.messageId ?? all.at(-1)?.id ?? null, references, lastCc: last?.cc ?? [], lastTo: last?.to ?? [], lastFrom: last?.from ?? null };
}
