// Parsing an incoming mail with mailparser into the facts the helpdesk works with. It never
// throws: a mail that cannot be parsed still yields its raw headers and a parse error, so the
// ingestion can quarantine it instead of losing it.
import { createHash } from 'node:crypto';
import libmime from 'libmime';
import { simpleParser, type AddressObject } from 'mailparser';
import type { MailHeaders } from '../domain/mail-rules.js';
import { writableText } from '../domain/text.js';
import { sanitizeMailHtml } from './sanitize.js';

export { sanitizeMailHtml };

export interface MailAddress {
  address: string;
  name: string | null;
}

export interface ParsedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  contentId: string | null;
  inline: boolean;
  content: Buffer;
}

export interface DeliveryReport {
  /** The Message-ID of the mail that could not be delivered, when the report quotes it. */
  originalMessageId: string | null;
  originalSubject: string | null;
  recipients: string[];
  /** RFC 3463 status, e.g. "5.1.1". */
  status: string | null;
  diagnostic: string | null;
}

export interface ParsedMail {
  /** Angle brackets included, as in the header; null when the mail has none. */
  messageId: string | null;
  /** What makes a delivery the same mail: its Message-ID, else a hash of the raw bytes. */
  dedupeKey: string;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  replyTo: MailAddress[];
  subject: string;
  date: Date | null;
  inReplyTo: string | null;
  references: string[];
  /** Raw header values by lower-case name (encoded words left as they are). */
  headers: MailHeaders;
  /** The top-level content type with its parameters, e.g. "multipart/report; report-type=delivery-status". */
  contentType: string;
  /** Plain text: the text part, or the HTML converted; control characters removed. */
  text: string;
  /** The HTML part with scripts, styles and event handlers removed; null when there is none. */
  html: string | null;
  attachments: ParsedAttachment[];
  /** A Microsoft TNEF (winmail.dat) part: recognised and kept, not unpacked. */
  tnef: boolean;
  deliveryReport: DeliveryReport | null;
  /** Why the mail could not be parsed (fully); the raw mail is kept either way. */
  parseError: string | null;
}

export const maxTextLength = 200_000;

/**
 * Mail text as we keep it: no control characters (Postgres refuses NUL), and well-formed Unicode.
 * A broken encoded word or charset (UTF-16 cut in a surrogate pair) yields lone surrogates, which
 * Postgres refuses in JSON (a bounce's subject, a timeline event): they become U+FFFD and the
 * mail is kept. Cut after the repair, so a cut never leaves half a pair behind either.
 */
function storable(value: string, max: number): string {
  return writableText(writableText(value).slice(0, max));
}

export function cleanText(text: string): string {
  return storable(text.replace(/\r\n?/g, '\n'), maxTextLength);
}

function addresses(value: AddressObject | AddressObject[] | undefined): MailAddress[] {
  const objects = value === undefined ? [] : Array.isArray(value) ? value : [value];
  const flat = objects.flatMap((o) => o.value).flatMap((a) => (a.group ? a.group : [a]));
  return flat.filter((a) => a.address).map((a) => ({ address: a.address!.trim().toLowerCase(), name: a.name?.trim() || null }));
}

/** Header lines as a name -> raw value(s) map, unfolded. Works on whatever header block there is. */
export function rawHeaders(raw: Buffer): MailHeaders {
  const text = raw.subarray(0, Math.min(raw.length, 256 * 1024)).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string | string[]> = {};
  for (const line of block.split(/\r?\n/)) {
    const m = /^([!-9;-~]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const name = m[1]!.toLowerCase();
    const existing = headers[name];
    headers[name] = existing === undefined ? m[2]! : Array.isArray(existing) ? [...existing, m[2]!] : [existing, m[2]!];
  }
  return headers;
}

const messageIdPattern = /<[^<>\s]+@?[^<>\s]*>/;

/** Decodes encoded words; raw 8-bit header bytes (read as latin1) stay as they are. */
function decodeHeader(value: string | undefined): string {
  if (!value) return '';
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

/** The body after the header block, for mail whose MIME structure yields nothing. */
function rawBody(raw: Buffer): string {
  const text = raw.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return end === -1 ? '' : text.slice(end).trim();
}

const withoutStructure = (contentType: string) => contentType.split(';').filter((part) => !/^\s*(boundary|charset)\s*=/i.test(part)).join(';').trim();

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function deliveryReportOf(contentType: string, attachments: ParsedAttachment[], from: string | undefined, text: string): DeliveryReport | null {
  const status = attachments.find((a) => a.contentType === 'message/delivery-status');
  const isReport = status !== undefined || (contentType.startsWith('multipart/report') && /report-type\s*=\s*"?delivery-status/.test(contentType));
  if (!isReport) {
    // qmail and Exim bounce in plain text and quote the original below a marker: take its Message-ID.
    if (!from || !/^(mailer-daemon|postmaster)@/i.test(from)) return null;
    const quoted = /^Message-ID:\s*(<[^<>\s]+>)/im.exec(text);
    const recipients = [...text.matchAll(/^<([^<>\s]+@[^<>\s]+)>:/gm)].map((m) => m[1]!.toLowerCase());
    return { originalMessageId: quoted?.[1] ?? null, originalSubject: null, recipients: [...new Set(recipients)], status: null, diagnostic: null };
  }
  const original = attachments.find((a) => a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers');
  const statusText = status?.content.toString('utf8') ?? '';
  const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'im').exec(statusText)?.[1]?.trim() ?? null;
  const recipients = [...statusText.matchAll(/^(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*(\S+)/gim)].map((m) => m[1]!.toLowerCase());
  const originalHeaders = original ? rawHeaders(original.content) : {};
  return {
    originalMessageId: messageIdPattern.exec(single(originalHeaders['message-id']) ?? '')?.[0] ?? null,
    originalSubject: originalHeaders.subject ? decodeHeader(single(originalHeaders.subject)) : null,
    recipients: [...new Set(recipients)],
    status: field('Status'),
    diagnostic: field('Diagnostic-Code'),
  };
}

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  return forStorage(await parseWithFallback(raw), contentHash(raw, rawHeaders(raw)));
}

/** A header line ("Name: value") or the continuation of one (leading space or tab). */
const headerLine = /^([!-9;-~]+:|[ \t])/;

/**
 * A mail without Message-ID is the same mail when what its sender wrote is the same: the hash
 * leaves out trace headers (Received, Delivered-To, Return-Path) that differ between the copy
 * IMAP sees and the one an MTA pipes to the mailgate. That needs a header block to leave them
 * out of: without the blank line that ends it, or with lines in it that are no header, nothing
 * tells trace headers from content, and the hash covers the whole raw mail (two different
 * header-less mails once hashed alike, and the second was taken for the first).
 */
export function contentHash(raw: Buffer, headers: MailHeaders): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const separable = end !== -1 && text.slice(0, end).split(/\r?\n/).every((line) => headerLine.test(line));
  if (!separable) return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const hash = createHash('sha256');
  for (const name of ['from', 'to', 'cc', 'date', 'subject']) hash.update(`${name}:${[headers[name] ?? ''].flat().join('\n')}\n`);
  hash.update(raw.subarray(end).toString('latin1').replace(/\r\n/g, '\n').trim());
  return `sha256:${hash.digest('hex')}`;
}

const maxMessageIdLength = 500;
const maxHeaderValueLength = 10_000;
const clean = storable;

/**
 * What we store must be storable: Postgres refuses NUL in text and jsonb and lone surrogates in
 * jsonb, and an index entry has a size limit. Control characters go, broken Unicode becomes
 * U+FFFD (storable), overlong values are cut, an absurd Message-ID counts as none. Every text
 * field of the mail passes through here.
 */
function forStorage(mail: ParsedMail, hash: string): ParsedMail {
  const address = (a: MailAddress): MailAddress => ({ address: clean(a.address, 320), name: a.name === null ? null : clean(a.name, 320) || null });
  const id = (value: string | null) => (value && value.length <= maxMessageIdLength && !/[\u0000-\u001F\u007F]/.test(value) && value.isWellFormed() ? value : null);
  const messageId = id(mail.messageId);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(mail.headers).slice(0, 500)) {
    if (value === undefined) continue;
    const key = clean(name, 200);
    headers[key] = Array.isArray(value) ? value.slice(0, 50).map((v) => clean(v, maxHeaderValueLength)) : clean(value, maxHeaderValueLength);
  }
  return {
    ...mail,
    messageId,
    dedupeKey: messageId ? `mid:${messageId}` : hash,
    from: mail.from ? address(mail.from) : null,
    to: mail.to.slice(0, 500).map(address),
    cc: mail.cc.slice(0, 500).map(address),
    replyTo: mail.replyTo.slice(0, 50).map(address),
    subject: clean(mail.subject, 1000),
    inReplyTo: id(mail.inReplyTo),
    references: mail.references.map(id).filter((r): r is string => r !== null).slice(-100),
    headers,
    contentType: clean(mail.contentType, 500),
    text: cleanText(mail.text),
    html: mail.html === null ? null : mail.html.replace(/\u0000/g, '').toWellFormed(),
    attachments: mail.attachments.map((a) => ({ ...a, filename: a.filename === null ? null : clean(a.filename, 255), contentType: clean(a.contentType, 200), contentId: a.contentId === null ? null : clean(a.contentId, 500) })),
    deliveryReport: mail.deliveryReport
      ? {
          originalMessageId: id(mail.deliveryReport.originalMessageId),
          originalSubject: mail.deliveryReport.originalSubject === null ? null : clean(mail.deliveryReport.originalSubject, 1000),
          recipients: mail.deliveryReport.recipients.slice(0, 100).map((r) => clean(r, 320)),
          status: mail.deliveryReport.status === null ? null : clean(mail.deliveryReport.status, 100),
          diagnostic: mail.deliveryReport.diagnostic === null ? null : clean(mail.deliveryReport.diagnostic, 2000),
        }
      : null,
  };
}

const parserOptions = { keepCidLinks: true, keepDeliveryStatus: true, skipTextToHtml: true, maxHtmlLengthToParse: 5_000_000 } as const;

/**
 * The text of an HTML part, by mailparser's own conversion. mailparser converts HTML only when it
 * is the whole mail or an alternative to a text part; an HTML part beside attachments in a
 * multipart/mixed (an Outlook mail with a PDF) gave no text at all. Parsed on its own, it is
 * the whole mail and converted.
 */
async function htmlAsText(html: string): Promise<string> {
  const single = Buffer.concat([Buffer.from('Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'), Buffer.from(html, 'utf8')]);
  try {
    return (await simpleParser(single, parserOptions)).text ?? '';
  } catch {
    return '';
  }
}

async function parseWithFallback(raw: Buffer): Promise<ParsedMail> {
  const headers = rawHeaders(raw);
  const hash = contentHash(raw, headers);
  try {
    const parsed = await simpleParser(raw, parserOptions);
    const messageId = parsed.messageId && messageIdPattern.test(parsed.messageId) ? parsed.messageId.trim() : null;
    const contentTypeHeader = parsed.headers.get('content-type') as { value: string; params: Record<string, string> } | undefined;
    const contentType = contentTypeHeader
      ? [contentTypeHeader.value, ...Object.entries(contentTypeHeader.params).filter(([k]) => k !== 'boundary' && k !== 'charset').map(([k, v]) => `${k}=${v}`)].join('; ')
      : 'text/plain';
    const attachments: ParsedAttachment[] = parsed.attachments.map((a) => ({
      filename: a.filename ? cleanText(a.filename).slice(0, 255) : null,
      contentType: a.contentType.toLowerCase(),
      size: a.size,
      contentId: a.cid ?? null,
      inline: a.contentDisposition === 'inline' || Boolean(a.related),
      content: a.content,
    }));
    // Raw 8-bit bytes in the Subject (no encoded words) come out as U+FFFD; latin1 is the usual culprit.
    const subject = parsed.subject?.includes('\uFFFD') ? decodeHeader(single(headers.subject)) : (parsed.subject ?? '');
    const html = parsed.html ? sanitizeMailHtml(parsed.html) : null;
    const parsedText = cleanText(parsed.text ?? '').trim() || (html ? cleanText(await htmlAsText(html)).trim() : '');
    // A multipart whose boundary never occurs yields nothing: keep the body as text rather than lose it.
    const text = parsedText || (!parsed.html && attachments.length === 0 ? cleanText(rawBody(raw)).trim() : '');
    const from = addresses(parsed.from)[0] ?? null;
    const references = (Array.isArray(parsed.references) ? parsed.references : parsed.references ? [parsed.references] : []).filter((r) => messageIdPattern.test(r));
    return {
      messageId,
      dedupeKey: messageId ? `mid:${messageId}` : hash,
      from,
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      replyTo: addresses(parsed.replyTo),
      subject: cleanText(subject).replace(/\s+/g, ' ').trim(),
      date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
      inReplyTo: parsed.inReplyTo && messageIdPattern.test(parsed.inReplyTo) ? (messageIdPattern.exec(parsed.inReplyTo)?.[0] ?? null) : null,
      references,
      headers,
      contentType: contentType.toLowerCase(),
      text,
      html,
      attachments,
      tnef: attachments.some((a) => a.contentType === 'application/ms-tnef' || a.filename?.toLowerCase() === 'winmail.dat'),
      deliveryReport: deliveryReportOf(contentType.toLowerCase(), attachments, from?.address, text),
      parseError: null,
    };
  } catch (err) {
    const messageId = messageIdPattern.exec(single(headers['message-id']) ?? '')?.[0] ?? null;
    const from = single(headers.from);
    return {
      messageId,
      dedupeKey: messageId ? `mid:${messageId}` : hash,
      from: from ? { address: (/[^\s<>"']+@[^\s<>"']+/.exec(from)?.[0] ?? from).toLowerCase(), name: decodeHeader(/^\s*"?([^"<]*?)"?\s*</.exec(from)?.[1]) || null } : null,
      to: [],
      cc: [],
      replyTo: [],
      subject: cleanText(decodeHeader(single(headers.subject))).replace(/\s+/g, ' ').trim(),
      date: null,
      inReplyTo: null,
      references: [],
      headers,
      contentType: withoutStructure((single(headers['content-type']) ?? 'text/plain').toLowerCase()),
      text: '',
      html: null,
      attachments: [],
      tnef: false,
      deliveryReport: null,
      parseError: err instanceof Error ? err.message : String(err),
    };
  }
}
