import { z } from '@hono/zod-openapi';
import { inboundMailStatuses, languages } from '../../domain/enums.js';
import { messageKinds } from '../../domain/mail-kinds.js';
import { isIncidentNumber } from '../../domain/ticket-number.js';
import { incidentNumberDoc, line, paging } from '../common-schemas.js';

export const MailIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
export const AttachmentParams = MailIdParam.extend({ attachmentId: z.uuid().openapi({ param: { name: 'attachmentId', in: 'path' } }) });
const incidentNumber = z.string().refine(isIncidentNumber, 'expected an incident number like INC-2026-000123').openapi(incidentNumberDoc);

export const Attachment = z
  .object({ id: z.uuid(), filename: z.string().nullable(), contentType: z.string(), size: z.number().int(), inline: z.boolean(), url: z.string() })
  .openapi('MailAttachment');

export const Message = z
  .object({
    id: z.uuid(),
    direction: z.enum(['in', 'out']),
    at: z.string().openapi({ description: 'Received (in) or queued (out).' }),
    from: z.string().nullable(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    droppedCc: z.array(z.string()).openapi({ description: "out: addresses on the customer's last mail that this reply did not copy (not the customer's own people)." }),
    subject: z.string(),
    text: z.string().openapi({ description: 'The plain-text body, control characters removed.' }),
    html: z.string().nullable().openapi({ description: 'The HTML body, sanitized (no scripts, styles or event handlers).' }),
    messageId: z.string().nullable(),
    status: z.string().openapi({ description: 'in: processed, review, …; out: pending, sent, failed, rejected.' }),
    outcome: z.string().nullable(),
    template: z.string().nullable().openapi({ description: 'out: acknowledgement, reply, resolution, oversized (to the customer); escalation, quota, follow-up (internal).' }),
    kind: z.enum(messageKinds).openapi({ description: '`customer`: mail from the customer and our mails to it (acknowledgement, reply, resolution notice, oversized notice); `internal`: notices to our own people (escalation, quota, follow-up).' }),
    internal: z.boolean().openapi({ description: 'An internal notification, not customer communication (the same as `kind: internal`).' }),
    delivery: z
      .object({
        state: z.enum(['queued', 'sent', 'failed', 'undeliverable']).openapi({ description: '`queued`: in the outbox, not handed to SMTP yet; `sent`: SMTP accepted it; `failed`: the last attempt failed, it is tried again; `undeliverable`: refused for good (SMTP 5xx) or bounced.' }),
        reason: z.string().nullable().openapi({ description: 'Why it is not sent: the last SMTP error, or the bounce\'s status and diagnostic.' }),
        attempts: z.number().int(),
        sentAt: z.string().nullable().openapi({ description: 'When SMTP accepted it.' }),
      })
      .nullable()
      .openapi({ description: 'out only (null for mail in): where the mail stands.' }),
    oversized: z.boolean(),
    rawUrl: z.string(),
    attachments: z.array(Attachment),
  })
  .openapi('Message');
export type Message = z.infer<typeof Message>;
export const MessageList = z.object({ items: z.array(Message) }).openapi('MessageList');
export const MessagesQuery = z.strictObject({
  kind: z.enum(messageKinds).optional().openapi({ description: 'Only the customer communication (`customer`) or only the internal notices (`internal`); default both.' }),
});

export const HeldMailQuery = z.strictObject({
  status: z.enum(inboundMailStatuses).optional().openapi({ description: 'Default: review and quarantined.' }),
  ...paging(50, 200),
});
export const MailList = z.object({ items: z.array(Message), total: z.number().int() }).openapi('MailList');

export const AcceptBody = z.strictObject({ incidentNumber: incidentNumber.optional().openapi({ description: 'Default: the incident the mail points at.' }) }).openapi('AcceptMail');
const NewCustomerFromMail = z
  .strictObject({
    customerNumber: line(64).openapi({ description: 'The new debtor number.', example: 'K-20001' }),
    name: line(200).openapi({ example: 'Neue Kunde AG' }),
    mailDomains: z.array(line(253)).max(50).optional().openapi({ description: 'Mail from these domains is matched to the customer (default none).' }),
    language: z.enum(languages).optional().openapi({ description: 'Default de.' }),
  })
  .openapi('NewCustomerFromMail', { description: "A prospect: created with the mail's sender (name and address) as its contact, in the same step." });

export const OpenIncidentBody = z
  .strictObject({
    customerNumber: line(64).optional().openapi({ description: 'An existing customer. Give this or newCustomer.' }),
    newCustomer: NewCustomerFromMail.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.customerNumber !== undefined && body.newCustomer !== undefined) ctx.addIssue({ code: 'custom', path: ['newCustomer'], message: 'give customerNumber or newCustomer, not both' });
    if (body.customerNumber === undefined && body.newCustomer === undefined) ctx.addIssue({ code: 'custom', path: ['customerNumber'], message: 'give customerNumber (an existing customer) or newCustomer (a new one)' });
  })
  .openapi('OpenIncidentFromMail', { oneOf: [{ required: ['customerNumber'] }, { required: ['newCustomer'] }] });
export const DismissBody = z.strictObject({ reason: line(2000) }).openapi('DismissMail');

export const Accepted = z
  .object({
    id: z.uuid(),
    duplicate: z.boolean().openapi({ description: 'The same mail (Message-ID, else content) was stored before; nothing new was stored.' }),
    status: z.enum(inboundMailStatuses),
    incidentNumber: z.string().nullable(),
  })
  .openapi('InboundMailAccepted');
