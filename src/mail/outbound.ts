// Outgoing mail through nodemailer SMTP. The caller supplies the Message-ID, generated before
// the first attempt, so a resend after a crash carries the same ID and threads and dedupes.
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

export interface OutgoingMail {
  from: string;
  to: string;
  cc?: string[];
  subject: string;
  text: string;
  /** An HTML alternative; inline images are attachments with a `cid` it references as `cid:<cid>`. */
  html?: string | null;
  attachments?: OutgoingAttachment[] | null;
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  headers?: Record<string, string>;
}

export interface OutgoingAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  /** Set for an inline part (an image in the HTML); unset: a file to open. */
  cid?: string | undefined;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The sender when MAIL_FROM is not given (the config's default). */
export const defaultMailFrom = 'Helpdesk <helpdesk@localhost>';

/**
 * The loop-protection marker on everything we send: our own address, so it is ours alone (a
 * customer's helpdesk that marks its mail "X-Loop: helpdesk" is not mistaken for us).
 */
export function loopMarkerOf(mailFrom: string): string {
  return bareAddress(mailFrom);
}

/** The headers that keep machines from answering our mail and us from answering our own. */
export function loopHeaders(mailFrom: string): Record<string, string> {
  return { 'X-Loop': loopMarkerOf(mailFrom), 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };
}

/** SMTP timeouts well below the outbox's claim lease, so a hung send never overlaps its retry. */
const smtpTimeouts = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };

export function createSmtpMailer(smtpUrl: string): Mailer {
  const url = new URL(smtpUrl);
  for (const [name, ms] of Object.entries(smtpTimeouts)) if (!url.searchParams.has(name)) url.searchParams.set(name, String(ms));
  const transport = nodemailer.createTransport(url.toString());
  return {
    async send({ inReplyTo, references, cc, headers, html, attachments, ...mail }) {
      await transport.sendMail({
        ...mail,
        ...(html ? { html } : {}),
        ...(attachments && attachments.length > 0 ? { attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content, ...(a.cid ? { cid: a.cid, contentDisposition: 'inline' as const } : {}) })) } : {}),
        ...(cc && cc.length > 0 ? { cc } : {}),
        ...(inReplyTo ? { inReplyTo } : {}),
        ...(references && references.length > 0 ? { references } : {}),
        headers: { ...loopHeaders(mail.from), ...headers },
      });
    },
    close: () => transport.close(),
  };
}

/** A Message-ID in our domain, e.g. <3f1c…@helpdesk.example>. */
export function newMessageId(from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'helpdesk.localhost';
  return `<${randomUUID()}@${domain}>`;
}

/** The bare address of a "Name <address>" mailbox. */
export function bareAddress(mailbox: string): string {
  return (/<([^<>]+)>/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();
}
