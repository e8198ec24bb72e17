// Builds RFC 822 mails for tests with nodemailer's composer, as a mail client would send them.
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface TestMail {
  from: string;
  to?: string | string[];
  cc?: string | string[];
  subject: string;
  text?: string;
  html?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers?: Record<string, string>;
  attachments?: { filename: string; content: Buffer | string; contentType?: string }[];
}

export const newTestMessageId = (domain = 'client.example') => `<${randomUUID()}@${domain}>`;

export async function buildMail(mail: TestMail): Promise<{ raw: Buffer; messageId: string }> {
  const messageId = mail.messageId ?? newTestMessageId(mail.from.split('@')[1]?.replace(/>$/, ''));
  const raw = await new MailComposer({
    from: mail.from,
    to: mail.to ?? 'helpdesk@helpdesk.example',
    ...(mail.cc ? { cc: mail.cc } : {}),
    subject: mail.subject,
    text: mail.text ?? 'Hello helpdesk,\n\nplease help.\n',
    ...(mail.html ? { html: mail.html } : {}),
    messageId,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references ? { references: mail.references } : {}),
    ...(mail.headers ? { headers: mail.headers } : {}),
    ...(mail.attachments ? { attachments: mail.attachments } : {}),
  })
    .compile()
    .build();
  return { raw, messageId };
}

/** A delivery status notification (as Postfix writes it) for one of our mails. */
export function bounceFor(original: { messageId: string; to: string; subject: string }, from = 'MAILER-DAEMON@mx.client.example'): Buffer {
  const boundary = 'bounce-boundary-1';
  return Buffer.from(
    [
      `From: Mail Delivery System <${from}>`,
      'To: helpdesk@helpdesk.example',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: ${newTestMessageId('mx.client.example')}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      `I'm sorry to have to inform you that your message could not be delivered to ${original.to}.`,
      '',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.client.example',
      '',
      `Final-Recipient: rfc822; ${original.to}`,
      'Action: failed',
      'Status: 5.1.1',
      `Diagnostic-Code: smtp; 550 5.1.1 <${original.to}>: Recipient address rejected: User unknown`,
      '',
      `--${boundary}`,
      'Content-Type: text/rfc822-headers',
      '',
      'From: helpdesk@helpdesk.example',
      `To: ${original.to}`,
      `Subject: ${original.subject}`,
      `Message-ID: ${original.messageId}`,
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}
