// Rules for incoming mail, from the design's "E-mail" section: what is machine-made noise that
// must never be answered, what is a bounce or an out-of-office reply, and which incident a mail
// belongs to. Pure: headers in, decisions out; parsing and storage live in src/mail.
import { findIncidentNumber } from './ticket-number.js';

/** Header names in lower case; a header that occurs several times has several values. */
export type MailHeaders = Record<string, string | string[] | undefined>;

export interface InboundFacts {
  headers: MailHeaders;
  /** The sender's address (From, or Sender/Return-Path when From is missing). */
  from: string;
  subject: string;
  /** The top-level content type, e.g. "multipart/report; report-type=delivery-status". */
  contentType: string;
}

export interface Classification {
  /** Never send an automatic answer (acknowledgement) to this mail. */
  noAutoAnswer: boolean;
  /** A delivery status notification: attach to the original incident, never open one. */
  bounce: boolean;
  /** An automatic reply such as out of office: log it, restart no clock. */
  autoReply: boolean;
  /** Our own mail coming back (X-Loop) or from our own address: ignore for threading effects. */
  loop: boolean;
  reasons: string[];
}

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value)?.trim();
const all = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((v) => v.trim());

export function addressOf(value: string): string {
  const m = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>"']+@[^\s<>"']+)/.exec(value);
  return (m?.[1] ?? value).trim().toLowerCase();
}

const outOfOfficeSubject = /^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office|abwesenheit(snotiz)?|automatische antwort|urlaub|vacation|absence|r[eé]ponse automatique)\b/i;

export function classifyInbound(mail: InboundFacts, own: { addresses: string[]; loopMarker: string }): Classification {
  const h = mail.headers;
  const reasons: string[] = [];
  const from = addressOf(mail.from);
  const localPart = from.split('@')[0] ?? '';

  const autoSubmitted = first(h['auto-submitted'])?.toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') reasons.push(`Auto-Submitted: ${autoSubmitted}`);
  const precedence = first(h['precedence'])?.toLowerCase();
  if (precedence && ['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) reasons.push(`Precedence: ${precedence}`);
  if (h['x-auto-response-suppress'] !== undefined) reasons.push('X-Auto-Response-Suppress');
  if (h['list-id'] !== undefined) reasons.push('List-Id');
  if (h['x-autoreply'] !== undefined || h['x-autorespond'] !== undefined) reasons.push('X-Autoreply');
  const loop = all(h['x-loop']).some((v) => v.toLowerCase() === own.loopMarker.toLowerCase()) || own.addresses.map((a) => a.toLowerCase()).includes(from);
  if (loop) reasons.push('our own mail');
  if (/^(mailer-daemon|postmaster)$/i.test(localPart)) reasons.push(`from ${localPart}`);

  const type = mail.contentType.toLowerCase();
  const bounce = (type.startsWith('multipart/report') && /report-type\s*=\s*"?delivery-status/.test(type)) || /^(mailer-daemon|postmaster)$/i.test(localPart);
  if (bounce && !reasons.includes('delivery status notification')) reasons.push('delivery status notification');
  const autoReply =
    !bounce &&
    ((autoSubmitted !== undefined && autoSubmitted.startsWith('auto-replied')) ||
      h['x-autoreply'] !== undefined ||
      h['x-autorespond'] !== undefined ||
      precedence === 'auto_reply' ||
      outOfOfficeSubject.test(mail.subject.trim()));
  if (autoReply && !reasons.some((r) => r.startsWith('Auto-Submitted'))) reasons.push('automatic reply');

  return { noAutoAnswer: reasons.length > 0, bounce, autoReply, loop, reasons };
}

/** Message-IDs a mail refers to, newest first: In-Reply-To, then References from the end. */
export function referencedMessageIds(headers: MailHeaders): string[] {
  const ids = (value: string | string[] | undefined) => all(value).flatMap((v) => v.match(/<[^<>\s]+>/g) ?? []);
  const inReplyTo = ids(headers['in-reply-to']);
  const references = ids(headers['references']).reverse();
  return [...new Set([...inReplyTo, ...references])];
}

export type ThreadDecision =
  | { kind: 'thread'; incidentNumber: string; by: 'subject' | 'reference' }
  | { kind: 'new' };

/**
 * Which incident a mail belongs to: the ticket number in the subject, then In-Reply-To and
 * References against stored Message-IDs (ours and theirs), else a new incident. Whether the
 * sender may add to that incident is a separate check (contact of the customer or on the thread).
 */
export function decideThread(mail: { subject: string; headers: MailHeaders }, knownMessage: (messageId: string) => string | undefined): ThreadDecision {
  const fromSubject = findIncidentNumber(mail.subject);
  if (fromSubject) return { kind: 'thread', incidentNumber: fromSubject, by: 'subject' };
  for (const id of referencedMessageIds(mail.headers)) {
    const incidentNumber = knownMessage(id);
    if (incidentNumber) return { kind: 'thread', incidentNumber, by: 'reference' };
  }
  return { kind: 'new' };
}

/**
 * May this sender add to the incident? Contacts of the incident's customer (exact address or one
 * of its mail domains) and everyone already on the thread may; anyone else goes to review.
 */
export function mayAppend(sender: string, incident: { customerDomains: string[]; contactAddresses: string[]; threadParticipants: string[] }): boolean {
  const address = addressOf(sender);
  const domain = address.split('@')[1] ?? '';
  return (
    incident.contactAddresses.map(addressOf).includes(address) ||
    incident.threadParticipants.map(addressOf).includes(address) ||
    incident.customerDomains.map((d) => d.toLowerCase()).includes(domain)
  );
}
