// The mailgate (/api/inbound), an incident's communication log (/api/incidents/:number/messages)
// and the mail log with its review queue and downloads (/api/mail).
import { defaultMaxMailBytes, type IngestDeps } from '../../services/mail/ingest.js';
import { defaultMailFrom } from '../../mail/outbound.js';
import { acceptInboundMail } from '../../services/mail/intake.js';
import { attachment, inboundMail, inboundMailsByStatus, incidentMessages, rawInboundMail, rawOutboundMail } from '../../services/mail/queries.js';
import { acceptIntoIncident, dismissHeldMail, openIncidentFromHeldMail, reviewStatuses } from '../../services/mail/review.js';
import { actorOf } from '../auth.js';
import { createRouter, type AppEnv } from '../context.js';
import { problem } from '../problem.js';
import type { Context } from 'hono';
import {
  acceptRoute,
  attachmentRoute,
  dismissRoute,
  getInboundRoute,
  heldMailRoute,
  incidentMessagesRoute,
  mailgateRoute,
  openIncidentRoute,
  rawInboundRoute,
  rawOutboundRoute,
} from './routes.js';

const mailFromOf = (c: Context<AppEnv>) => c.var.services.mail?.mailFrom ?? defaultMailFrom;

function ingestDeps(c: Context<AppEnv>): IngestDeps {
  const { db, temporal, logger, timezone, autoCloseDays, mail } = c.var.services;
  return {
    db,
    temporal,
    logger,
    mailFrom: mailFromOf(c),
    mailer: mail?.mailer,
    ...(mail?.ownAddresses ? { ownAddresses: mail.ownAddresses } : {}),
    ...(mail?.maxMailBytes ? { maxMailBytes: mail.maxMailBytes } : {}),
    ...(mail?.oversizedNoticesPerHour !== undefined ? { oversizedNoticesPerHour: mail.oversizedNoticesPerHour } : {}),
    ...(timezone ? { timezone } : {}),
    ...(autoCloseDays ? { autoCloseDays } : {}),
    defaultRates: c.var.services.defaultRates,
  };
}

/** A mail as an .eml download (never rendered inline). */
const emlDownload = (c: Context<AppEnv>, id: string, raw: Buffer) =>
  c.body(new Uint8Array(raw), 200, { 'Content-Type': 'message/rfc822', 'Content-Disposition': `attachment; filename="${id}.eml"`, 'X-Content-Type-Options': 'nosniff' });

export const mailgateRouter = createRouter();

mailgateRouter.openapi(mailgateRoute, async (c) => {
  const raw = Buffer.from(await c.req.arrayBuffer());
  if (raw.length === 0) return problem(c, 400, 'The mail is empty.');
  const deps = ingestDeps(c);
  const stored = await acceptInboundMail({ ...deps, maxMailBytes: deps.maxMailBytes ?? defaultMaxMailBytes }, raw, 'mailgate');
  return c.json({ id: stored.id, duplicate: stored.duplicate, status: stored.status, incidentNumber: stored.incidentNumber }, 202);
});

export const incidentMessagesRouter = createRouter();

incidentMessagesRouter.openapi(incidentMessagesRoute, async (c) =>
  c.json({ items: await incidentMessages(c.var.services.db, c.req.valid('param').number, mailFromOf(c), c.req.valid('query').kind) }, 200),
);

export const mailRouter = createRouter();

mailRouter.openapi(heldMailRoute, async (c) => {
  const { status, limit, offset } = c.req.valid('query');
  return c.json(await inboundMailsByStatus(c.var.services.db, status ? [status] : [...reviewStatuses], { limit, offset }), 200);
});
mailRouter.openapi(getInboundRoute, async (c) => c.json(await inboundMail(c.var.services.db, c.req.valid('param').id), 200));
mailRouter.openapi(rawInboundRoute, async (c) => {
  const { id } = c.req.valid('param');
  return emlDownload(c, id, await rawInboundMail(c.var.services.db, id));
});
mailRouter.openapi(attachmentRoute, async (c) => {
  const { id, attachmentId } = c.req.valid('param');
  const row = await attachment(c.var.services.db, id, attachmentId);
  const filename = (row.filename ?? `attachment-${row.position + 1}`).replace(/["\\\r\n]/g, '_');
  // Always a download with sniffing off: an HTML or SVG attachment must never render in our origin.
  return c.body(new Uint8Array(row.content), 200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${filename.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'X-Content-Type-Options': 'nosniff',
  });
});
mailRouter.openapi(rawOutboundRoute, async (c) => {
  const { id } = c.req.valid('param');
  return emlDownload(c, id, await rawOutboundMail(c.var.services.db, id, mailFromOf(c)));
});
mailRouter.openapi(acceptRoute, async (c) => {
  const row = await acceptIntoIncident(ingestDeps(c), c.req.valid('param').id, actorOf(c.var.principal), c.req.valid('json').incidentNumber);
  return c.json(await inboundMail(c.var.services.db, row.id), 200);
});
mailRouter.openapi(openIncidentRoute, async (c) => {
  const { customerNumber, newCustomer } = c.req.valid('json');
  const target = newCustomer ? { newCustomer } : { customerNumber: customerNumber! };
  const row = await openIncidentFromHeldMail(ingestDeps(c), c.req.valid('param').id, actorOf(c.var.principal), target);
  return c.json(await inboundMail(c.var.services.db, row.id), 200);
});
mailRouter.openapi(dismissRoute, async (c) => {
  const row = await dismissHeldMail(c.var.services.db, c.req.valid('param').id, actorOf(c.var.principal), c.req.valid('json').reason);
  return c.json(await inboundMail(c.var.services.db, row.id), 200);
});

