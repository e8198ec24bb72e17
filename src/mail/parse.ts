// Parsing an incoming mail with mailparser into the facts the helpdesk works with. It never
// throws: a mail that cannot be parsed still yields its raw headers and a parse error, so the
// ingestion can quarantine it instead of losing it.
import { createHash } from 'node:crypto';
import libmime from 'libmime';
import { simpleParser, type AddressObject } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import type { MailHeaders } from '../domain/mail-rules.js';

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

const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
export const maxTextLength = 200_000;

export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(controlCharacters, '').slice(0, maxTextLength);
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

export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img'],
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid', 'data'] },
  });
}

export async function parseMail(raw: Buffer): Promise<ParsedMail> {
  const headers = rawHeaders(raw);
  const hash = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  try {
    const parsed = await simpleParser(raw, { keepCidLinks: true, keepDeliveryStatus: true, skipTextToHtml: true, maxHtmlLengthToParse: 5_000_000 });
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
    const parsedText = cleanText(parsed.text ?? '').trim();
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
      html: parsed.html ? sanitizeMailHtml(parsed.html) : null,
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
