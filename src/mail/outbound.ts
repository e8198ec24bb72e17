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
  messageId: string;
  inReplyTo?: string | null;
  references?: string[];
  headers?: Record<string, string>;
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/** The loop-protection marker on everything we send (see the design's "E-mail" section). */
export const loopMarker = 'helpdesk';
export const loopHeader = { 'X-Loop': loopMarker, 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

export function createSmtpMailer(smtpUrl: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send({ inReplyTo, references, cc, headers, ...mail }) {
      await transport.sendMail({
        ...mail,
        ...(cc && cc.length > 0 ? { cc } : {}),
        ...(inReplyTo ? { inReplyTo } : {}),
        ...(references && references.length > 0 ? { references } : {}),
        headers: { ...loopHeader, ...headers },
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
