// OpenAPI route specs for the mailgate (mailgate and admin tokens) and the mail log (agents and above); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { requireAnyRole, requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import type { AppEnv } from '../context.js';
import { IncidentNumberParam } from '../incidents/schemas.js';
import { problem } from '../problem.js';
import { AcceptBody, Accepted, AttachmentParams, DismissBody, HeldMailQuery, MailIdParam, MailList, Message, MessageList, MessagesQuery, OpenIncidentBody } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Mail'];
/** The most the mailgate reads at all; mail above MAIL_MAX_BYTES but below this is kept and flagged. */
export const mailgateHardLimitBytes = 100 * 1024 * 1024;

const mailgateBodyLimit = bodyLimit({ maxSize: mailgateHardLimitBytes, onError: (c) => problem(c as Context<AppEnv>, 413, `The mail is larger than ${mailgateHardLimitBytes / 1024 / 1024} MiB.`) });
const rawMailOnly = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'message/rfc822') return problem(c, 415, `Send the raw mail as Content-Type: message/rfc822 (got ${type || 'none'}).`, { errors: [{ field: 'Content-Type', message: `send message/rfc822 (got ${type || 'none'})` }] });
  await next();
});

const download = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } });

export const mailgateRoute = createRoute({
  method: 'post',
  path: '/email',
  middleware: [requireAnyRole('mailgate', 'admin'), mailgateBodyLimit, rawMailOnly],
  tags,
  security,
  summary: 'Mailgate: hand in one raw mail',
  description:
    'For an MTA to pipe mail in (e.g. a Postfix pipe transport with curl). The body is the raw RFC 822 message, content type `message/rfc822`; needs a token with the `mailgate` (or admin) role. Answers 202 only once the mail is stored durably, so an MTA that retries on any other answer loses nothing; the same mail handed in twice is stored once. Processing (threading, new incident) follows asynchronously.',
  request: { body: { required: true, content: { 'message/rfc822': { schema: z.string().openapi({ format: 'binary' }) } } } },
  responses: {
    202: { description: 'Stored; processing follows.', content: json(Accepted) },
    ...problemResponses(400, 401, 403),
    413: { description: 'Larger than the mailgate accepts at all (100 MiB).' },
    415: { description: 'Not message/rfc822.' },
  },
});

export const incidentMessagesRoute = createRoute({
  method: 'get',
  path: '/{number}/messages',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "An incident's communication log",
  description:
    'Every mail in and out of the incident, oldest first, with links to the raw mail and the attachments. Each has a `kind`: `customer` (mail from the customer, our acknowledgements, replies and resolution notices) or `internal` (escalation, quota and follow-up notices to our own people); `?kind=` gives only one of them. Outbound mail says where it stands in `delivery`: queued, sent (SMTP accepted it), failed (tried again) or undeliverable, with the reason.',
  request: { params: IncidentNumberParam, query: MessagesQuery },
  responses: { 200: { description: 'The mails.', content: json(MessageList) }, ...problemResponses(400, 401, 403, 404) },
});

export const heldMailRoute = createRoute({
  method: 'get',
  path: '/inbound',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Incoming mail by status (default: the review queue)',
  description: 'Mail held for review (a sender who may not write to the incident, an unknown sender) or quarantined (unparseable), newest first; or any other status.',
  request: { query: HeldMailQuery },
  responses: { 200: { description: 'A page of mails.', content: json(MailList) }, ...problemResponses(400, 401, 403) },
});

export const getInboundRoute = createRoute({
  method: 'get',
  path: '/inbound/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'One incoming mail',
  request: { params: MailIdParam },
  responses: { 200: { description: 'The mail.', content: json(Message) }, ...problemResponses(400, 401, 403, 404) },
});

export const rawInboundRoute = createRoute({
  method: 'get',
  path: '/inbound/{id}/raw',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Download an incoming mail as received',
  request: { params: MailIdParam },
  responses: { 200: download('message/rfc822', 'The raw mail.'), ...problemResponses(400, 401, 403, 404) },
});

export const attachmentRoute = createRoute({
  method: 'get',
  path: '/inbound/{id}/attachments/{attachmentId}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Download an attachment',
  request: { params: AttachmentParams },
  responses: { 200: download('application/octet-stream', 'The attachment, always as a download.'), ...problemResponses(400, 401, 403, 404) },
});

export const rawOutboundRoute = createRoute({
  method: 'get',
  path: '/outbound/{id}/raw',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Download an outgoing mail as RFC 822',
  request: { params: MailIdParam },
  responses: { 200: download('message/rfc822', 'The mail as it was (or will be) sent.'), ...problemResponses(400, 401, 403, 404) },
});

const decision = <B extends z.ZodType>(path: string, summary: string, description: string, body: B) =>
  createRoute({
    method: 'post',
    path: `/inbound/{id}/${path}`,
    middleware: [requireRole('agent')],
    tags,
    security,
    summary,
    description,
    request: { params: MailIdParam, body: { required: true, content: json(body) } },
    responses: { 200: { description: 'The decided mail.', content: json(Message) }, ...problemResponses(400, 401, 403, 404, 409, 503) },
  });

export const acceptRoute = decision('accept', 'Append a held mail to an incident', 'Adds the mail to the incident as a customer message (default: the incident it pointed at).', AcceptBody);
export const openIncidentRoute = decision('open-incident', 'Open an incident from a held mail', 'Opens a new incident for an existing customer (`customerNumber`), or for a new one (`newCustomer`) created in the same step with the sender as its contact, with the usual entitlement and SLA (a new customer has no contract: billable work). The sender gets an acknowledgement unless the mail was automatic. A retry after a failure finds the customer it created instead of making a second one.', OpenIncidentBody);
export const dismissRoute = decision('dismiss', 'Dismiss a held mail', 'Keeps the mail as noise, with the reason.', DismissBody);
