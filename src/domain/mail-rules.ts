// Rules for incoming mail, from the design's "E-mail" section: what is machine-made noise that
// must never be answered, what is a bounce or an out-of-office reply, and which incident a mail
// belongs to, and which mail is a request to be called back. Pure: headers in, decisions out;
// parsing and storage live in src/mail.
import { normalisePhone, type PhoneSource } from './callback.js';
import { outlookConversation } from './thread-index.js';
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

// The keyword must end in a colon ("Abwesenheitsnotiz: …"): a real request about "Abwesenheit im
// Kalender" or a "Vacation tracker" must not be taken for an automatic reply.
const outOfOfficeSubject = /^(auto(matic)?[ -]?(reply|response|antwort)|out of (the )?office( auto-?reply)?|abwesenheit(snotiz)?|automatische antwort|urlaub|vacation|absence|r[eé]ponse automatique)\s*:/i;

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
  // A read receipt (MDN) is a machine's answer too: logged on the incident, never a new one.
  const readReceipt = type.startsWith('multipart/report') && /report-type\s*=\s*"?disposition-notification/.test(type);
  if (readReceipt) reasons.push('read receipt');
  const autoReply =
    !bounce &&
    (readReceipt ||
      (autoSubmitted !== undefined && autoSubmitted.startsWith('auto-replied')) ||
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

/** How a mail was found to belong to an incident: subject number, Message-ID reference, or Outlook conversation. */
export type ThreadedBy = 'subject' | 'reference' | 'conversation';

export type ThreadDecision =
  | { kind: 'thread'; incidentNumber: string; by: ThreadedBy }
  | { kind: 'new' };

/**
 * The last threading rule: a mail of an Outlook conversation (Thread-Index) we already have on an
 * incident belongs to it. Outlook keeps the conversation when a reply loses In-Reply-To and
 * References (a new subject, a forward into the thread, a mail gateway that strips them).
 */
export function threadByConversation(headers: MailHeaders, knownConversation: (conversation: string) => string | undefined): string | undefined {
  const conversation = outlookConversation(headers['thread-index']);
  return conversation ? knownConversation(conversation) : undefined;
}

/**
 * Which incident a mail belongs to: the ticket number in the subject, then (a bounce's original
 * Message-ID and) In-Reply-To and References against stored Message-IDs (ours and theirs), then
 * the Outlook conversation (threadByConversation), else a new incident. Only incidents that exist
 * count. Whether the sender may add to that incident is a separate check (contact of the customer
 * or on the thread).
 */
export function decideThread(
  mail: { subject: string; headers: MailHeaders; bouncedMessageId?: string | null },
  knownMessage: (messageId: string) => string | undefined,
  incidentExists: (number: string) => boolean = () => true,
  knownConversation: (conversation: string) => string | undefined = () => undefined,
): ThreadDecision {
  const fromSubject = findIncidentNumber(mail.subject);
  if (fromSubject && incidentExists(fromSubject)) return { kind: 'thread', incidentNumber: fromSubject, by: 'subject' };
  for (const id of [...(mail.bouncedMessageId ? [mail.bouncedMessageId] : []), ...referencedMessageIds(mail.headers)]) {
    const incidentNumber = knownMessage(id);
    if (incidentNumber && incidentExists(incidentNumber)) return { kind: 'thread', incidentNumber, by: 'reference' };
  }
  const byConversation = threadByConversation(mail.headers, knownConversation);
  if (byConversation && incidentExists(byConversation)) return { kind: 'thread', incidentNumber: byConversation, by: 'conversation' };
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

/** An incident as threading sees it: who may write to it, and whether it still takes mail. */
export interface ThreadIncident {
  number: string;
  closed: boolean;
  customerDomains: string[];
  contactAddresses: string[];
  threadParticipants: string[];
}

export interface InboundContext {
  own: { addresses: string[]; loopMarker: string };
  /** The incident a stored Message-ID (in or out) belongs to. */
  knownMessage(messageId: string): string | undefined;
  /** The incident of a stored mail of this Outlook conversation (see outlookConversation). */
  knownConversation?(conversation: string): string | undefined;
  incident(number: string): ThreadIncident | undefined;
  /**
   * The sender as a contact (exact address) or by the customer's mail domain; null if unknown. The
   * contact's phone number on record is called when a callback request by mail names none.
   */
  sender: { customerNumber: string; contactEmail: string | null; contactPhone?: string | null | undefined } | null;
}

export interface InboundMailFacts extends InboundFacts {
  /** The plain text of the mail (a callback request's phone number and topic come from it). */
  text?: string | undefined;
  parseError?: string | null;
  /** From a delivery status notification: the Message-ID of the mail that bounced. */
  bouncedMessageId?: string | null;
}

export type InboundDecision =
  | { kind: 'ignore'; reason: string }
  | { kind: 'quarantine'; reason: string }
  | { kind: 'bounce'; incidentNumber: string }
  | { kind: 'append'; incidentNumber: string; by: ThreadedBy; automatic: boolean }
  | { kind: 'review'; reason: string; incidentNumber: string | null }
  | { kind: 'new'; acknowledge: boolean; customerNumber: string; followUpOf: string | null }
  | ({ kind: 'callback'; customerNumber: string; contactEmail: string } & CallbackRequestByMail);

export type InboundPlan = InboundDecision & { classification: Classification };

/** The incident a mail belongs to, if that incident exists. */
function threadedIncident(mail: InboundMailFacts, ctx: InboundContext, bounce: boolean): { incident: ThreadIncident; by: ThreadedBy } | undefined {
  // Only a bounce is about the message it quotes; a forwarded mail is not a reply to the one it carries.
  const decision = decideThread(
    { ...mail, bouncedMessageId: bounce ? mail.bouncedMessageId : null },
    (id) => ctx.knownMessage(id),
    (number) => ctx.incident(number) !== undefined,
    (conversation) => ctx.knownConversation?.(conversation),
  );
  return decision.kind === 'thread' ? { incident: ctx.incident(decision.incidentNumber)!, by: decision.by } : undefined;
}

/**
 * What to do with one incoming mail. Order: broken mail is quarantined, our own mail ignored,
 * bounces attach to their incident, threaded mail appends when the sender may write to that
 * incident (else review), and everything else opens an incident when the sender is known.
 */
export function planInbound(mail: InboundMailFacts, ctx: InboundContext): InboundPlan {
  const classification = classifyInbound(mail, ctx.own);
  const plan = (decision: InboundDecision): InboundPlan => ({ ...decision, classification });
  if (mail.parseError) return plan({ kind: 'quarantine', reason: `The mail could not be parsed: ${mail.parseError}` });
  if (classification.loop) return plan({ kind: 'ignore', reason: 'Our own mail came back (X-Loop or our own address).' });
  const thread = threadedIncident(mail, ctx, classification.bounce);
  if (classification.bounce) {
    return thread ? plan({ kind: 'bounce', incidentNumber: thread.incident.number }) : plan({ kind: 'ignore', reason: 'A delivery failure report that matches no incident.' });
  }
  if (thread) {
    const { incident, by } = thread;
    if (!mayAppend(mail.from, incident)) {
      // A stranger's machine cannot put anything on an incident; a stranger's person goes to review.
      if (classification.noAutoAnswer) return plan({ kind: 'ignore', reason: `Automatic mail from ${addressOf(mail.from)}, who may not write to ${incident.number} (${classification.reasons.join(', ')}).` });
      return plan({ kind: 'review', reason: `${addressOf(mail.from)} is neither a contact of the customer of ${incident.number} nor on its thread.`, incidentNumber: incident.number });
    }
    // Machine-made mail (an out-of-office, a ticket system's confirmation, a list) is logged on the
    // incident but restarts no clock and reopens nothing.
    if (classification.noAutoAnswer) {
      return incident.closed
        ? plan({ kind: 'ignore', reason: `Automatic mail to closed incident ${incident.number}.` })
        : plan({ kind: 'append', incidentNumber: incident.number, by, automatic: true });
    }
    if (!incident.closed) return plan({ kind: 'append', incidentNumber: incident.number, by, automatic: false });
    if (!ctx.sender) return plan({ kind: 'review', reason: `${incident.number} is closed and the sender belongs to no known customer.`, incidentNumber: incident.number });
    return plan({ kind: 'new', acknowledge: !classification.noAutoAnswer, customerNumber: ctx.sender.customerNumber, followUpOf: incident.number });
  }
  if (classification.autoReply) return plan({ kind: 'ignore', reason: 'An automatic reply that matches no incident.' });
  // A person who is a known contact asks to be called back: a callback, not an incident. Anything
  // short of that (no usable number, a stranger, a machine) takes the usual path below.
  const callback = !classification.noAutoAnswer && ctx.sender?.contactEmail ? readCallbackRequest(mail.subject, mail.text ?? '', ctx.sender.contactPhone) : null;
  if (callback) return plan({ kind: 'callback', customerNumber: ctx.sender!.customerNumber, contactEmail: ctx.sender!.contactEmail!, ...callback });
  if (ctx.sender) return plan({ kind: 'new', acknowledge: !classification.noAutoAnswer, customerNumber: ctx.sender.customerNumber, followUpOf: null });
  if (classification.noAutoAnswer) return plan({ kind: 'ignore', reason: `Automatic or bulk mail from an unknown sender (${classification.reasons.join(', ')}).` });
  return plan({ kind: 'review', reason: `${addressOf(mail.from) || 'The sender'} belongs to no known customer.`, incidentNumber: null });
}

// Callback requests by mail ("Callback please", "Rückruf bitte: Drucker").

/**
 * The keyword at the start of the subject, whole ("Callback-Funktion defekt" is no request),
 * optionally with "request", "please" or "bitte", then ":" or a spaced dash; the rest is the topic.
 */
const callbackSubject = /^(?:callback|r(?:ü|ue)ckruf(?:bitte|wunsch)?)(?:\s+(?:request|please|bitte))?(?:\s*:|\s*[-–](?=\s|$)|(?=\s)|$)\s*(.*)$/isu;
/** "+49 …", "0049 …" or a national "0221 …" / "(0221) …", with spaces, dashes, slashes or "(0)" inside; not inside a longer token. */
const phoneCandidate = /(?<![\p{L}\d+\-/])(?:\+|00(?=[1-9])|\(?0(?=[1-9]))[\d \t()/\-–]{5,40}\d/gu;
/**
 * Words before a number on the same line: `phone` labels make a national number count; after a
 * `fax` label no number counts; after any `other` number word (Bestellnummer, Rechnungsnr., IBAN,
 * SN) neither. A label must be a word of its own: "IBAN-Nummer" is no phone label.
 */
const numberLabel =
  /(?<![\p{L}\p{N}-])(?:(?<fax>(?:tele)?fax(?:nummer|-?nr\.?)?)|(?<phone>tel(?:efon)?(?:nummer|\.?[ -]?nr)?\.?|phone(?: number| no\.)?|mobil(?:e|funk)?(?:nummer|-?nr\.?)?|handy(?:nummer|-?nr\.?)?|(?:r(?:ü|ue)ck)?rufnummer|nummer|number|unter|erreichbar|(?:call|reach) me (?:at|on))|(?<other>\p{L}*(?:nummer|nr\.|nr(?!\p{L})|no\.)|iban|bic|sn|s\/n|serial))(?!\p{L})/giu;
/** Between a label and its number: at most three words and punctuation, no digits ("Tel.: ", "unter der Nummer ", "Handy (privat): "). */
const labelGap = /^[\s:.,()\-–]*(?:[\p{L}'’]+[\s:.,()\-–]*){0,3}$/u;
/** A national number that starts like a date or a range: "01/12/2026", "05-12-2026", "01-03 2026". */
const dateLike = /^\(?\d{1,2}\s?[/\-–]\s?\d{1,2}(?!\d)/;
/** Where the mail's own text ends: a signature separator, or the header of a quoted mail. */
const ownTextEnds = [/^--\s?$/, /^am\s.+\bschrieb\b.*:\s*$/i, /^on\s.+\bwrote:\s*$/i, /^-{2,}\s*(original message|ursprüngliche nachricht)\s*-{2,}$/i];
const salutation = /^(hallo|hello|hi|moin|servus|guten (morgen|tag|abend)|sehr geehrte|dear|liebe[rs]?)\b/i;
const phoneOnly = /^((tel(efon)?|phone|mobil(e)?|handy|fon)\.?:?\s*)?[+\d ()/\-–]+$/i;
const maxTopicLength = 200;

/** The topic of a callback request: the rest of the subject; null when the subject asks for no callback. */
export function callbackSubjectTopic(subject: string): string | null {
  const match = callbackSubject.exec(subject.normalize('NFC').trim());
  return match ? match[1]!.replace(/\s+/g, ' ').trim() : null;
}

/** The lines the sender wrote: above the signature and the quoted mail, without quoted ("> ") lines. */
function ownLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (ownTextEnds.some((end) => end.test(line.trim()))) break;
    if (!line.trimStart().startsWith('>')) lines.push(line);
  }
  return lines;
}

/**
 * A written number as "+" and digits, or null when it is none: national numbers ("0221 555 0201")
 * are numbers of `countryCode`, "(0)" after a country code is dropped, and fewer than 8 digits
 * with the country code is an extension or a room, not a number to call.
 */
export function internationalPhone(written: string, countryCode = '49'): string | null {
  const compact = written.trim().replace(/\(0\)/g, '').replace(/^\(/, '');
  const digits = compact.replace(/\D/g, '');
  const international = compact.startsWith('+') ? `+${digits}` : compact.startsWith('00') ? `+${digits.slice(2)}` : compact.startsWith('0') ? `+${countryCode}${digits.slice(1)}` : null;
  if (!international || international.length < 9) return null;
  try {
    return normalisePhone(international);
  } catch {
    return null;
  }
}

/** A candidate as a number; when two numbers run together ("0221 5550201 / 0171 1234567"), the first. */
function candidateNumber(candidate: string, countryCode: string): string | null {
  return internationalPhone(candidate, countryCode) ?? internationalPhone(candidate.split(/\s+[/–-]\s+/)[0]!, countryCode);
}

/** The label nearest before `at` on the line, if it is close enough to be the number's. */
function labelOf(line: string, at: number): 'phone' | 'fax' | 'other' | null {
  let nearest: { kind: 'phone' | 'fax' | 'other'; end: number } | null = null;
  for (const m of line.slice(0, at).matchAll(numberLabel)) {
    const kind = m.groups!['fax'] ? 'fax' : m.groups!['phone'] ? 'phone' : 'other';
    nearest = { kind, end: m.index + m[0].length };
  }
  return nearest && labelGap.test(line.slice(nearest.end, at)) ? nearest.kind : null;
}

/**
 * The first phone number in the sender's own text (ownLines), normalised to "+" and digits. A
 * number written with "+" counts wherever it stands; a national ("0221 …", "(0221) …") or "00…"
 * number only right after a phone label on its line ("Tel.: 0221/5550201", "unter 0171 …"), and
 * never when it starts like a date. After a fax label, or another number word ("Bestellnummer"),
 * nothing counts. National numbers are taken as numbers of `countryCode` (the house's, Germany).
 */
export function firstPhoneNumber(text: string, countryCode = '49'): string | null {
  for (const line of ownLines(text)) {
    for (const m of line.matchAll(phoneCandidate)) {
      const candidate = m[0];
      const label = labelOf(line, m.index);
      if (label === 'fax' || label === 'other') continue;
      if (!candidate.startsWith('+') && (label !== 'phone' || dateLike.test(candidate))) continue;
      const phone = candidateNumber(candidate, countryCode);
      if (phone) return phone;
    }
  }
  return null;
}

/** The first line of the text that says something: not a salutation, not only the phone number; above the signature. */
function firstTextLine(text: string): string | null {
  for (const raw of ownLines(text)) {
    const line = raw.replace(/\s+/g, ' ').trim();
    if (!line || salutation.test(line) || phoneOnly.test(line)) continue;
    return line;
  }
  return null;
}

export interface CallbackRequestByMail {
  phone: string;
  topic: string;
  /** `mail`: the number in the mail; `contact`: none there, the contact's number on record. */
  phoneSource: PhoneSource;
  /** The contact's number on record, when the mail named another one (the agent decides). */
  contactPhone?: string;
}

/**
 * A mail that asks to be called back: a subject that starts with "Callback" or "Rückruf" (see
 * callbackSubject) and a number to call: the first in the text (firstPhoneNumber), else the
 * contact's number on record. The topic is the rest of the subject, else the first line of the
 * text that says something, cut to 200 characters. Null when the subject or any number is missing.
 */
export function readCallbackRequest(subject: string, text: string, phoneOnRecord?: string | null): CallbackRequestByMail | null {
  const fromSubject = callbackSubjectTopic(subject);
  if (fromSubject === null) return null;
  const written = firstPhoneNumber(text);
  const recorded = phoneOnRecord ? internationalPhone(phoneOnRecord) : null;
  const phone = written ?? recorded;
  if (!phone) return null;
  const topic = fromSubject || firstTextLine(text) || 'Callback requested by mail';
  return {
    phone,
    topic: topic.length > maxTopicLength ? `${topic.slice(0, maxTopicLength - 1)}…` : topic,
    phoneSource: written ? 'mail' : 'contact',
    ...(written && recorded && recorded !== written ? { contactPhone: recorded } : {}),
  };
}
