// A mail that asks to be called back ("Rückruf bitte", with a phone number, from a known contact)
// becomes a callback request instead of an incident: one callback per Message-ID, however often
// the mail is delivered or processed, and one short acknowledgement with the call window.
import { and, count, eq, gt, ne, sql } from 'drizzle-orm';
import { outboxMessages } from '../db/schema/index.js';
import type { CallWindow } from '../domain/callback.js';
import { DomainError, Unavailable } from '../domain/errors.js';
import type { Language } from '../domain/enums.js';
import type { Actor } from '../domain/incident.js';
import type { InboundDecision } from '../domain/mail-rules.js';
import { defaultBusinessTimezone } from '../domain/ticket-number.js';
import { requestCallback, type CallbackDeps } from '../services/callbacks.js';
import type { IngestDeps, InboundMail, InboundRow } from './ingest.js';
import { newMessageId } from './outbound.js';
import { createOutboxSender } from './outbox.js';
import type { RenderedMail } from './templates.js';
import { senderIdentity } from './threads.js';

type CallbackPlan = Extract<InboundDecision, { kind: 'callback' }>;
export type CallbackDone = Pick<InboundRow, 'status' | 'outcome' | 'callbackWorkflowId'>;

/** Callback acknowledgements per recipient and hour; beyond that the callback stands, unannounced. */
const acknowledgementsPerHour = 5;
const acknowledgementTemplate = 'callback_acknowledgement';

/**
 * Requests the callback the mail asks for. The Message-ID (else the stored mail's id) is the
 * idempotency key, so a second delivery or a retried processing answers with the first callback.
 * Returns undefined when the callback service refuses the request (say, the contact was removed
 * meanwhile): the caller then takes the mail the usual way, so it is never lost.
 */
export async function requestCallbackByMail(deps: IngestDeps, mail: InboundMail, plan: CallbackPlan, actor: Actor): Promise<CallbackDone | undefined> {
  const callbackDeps: CallbackDeps = {
    db: deps.db,
    temporal: deps.temporal,
    logger: deps.logger,
    ...(deps.timezone ? { timezone: deps.timezone } : {}),
    defaultRates: deps.defaultRates,
  };
  let requested: Awaited<ReturnType<typeof requestCallback>>;
  try {
    requested = await requestCallback(
      callbackDeps,
      { phone: plan.phone, topic: plan.topic, customerNumber: plan.customerNumber, contactEmail: plan.contactEmail, requestedBy: 'mail' },
      actor,
      { idempotencyKey: mail.messageId ?? `mail-${mail.id}`, keyScope: 'mail', requestedAt: mail.receivedAt },
    );
  } catch (err) {
    // Temporal away: retry the mail later. Anything else the service refuses: the usual path.
    if (!(err instanceof DomainError) || err instanceof Unavailable) throw err;
    deps.logger.info({ mail: mail.id, reason: err.message }, 'callback mail taken the usual way');
    return undefined;
  }
  const { record, href } = requested;
  await acknowledge(deps, mail, { workflowId: record.workflowId, contactName: record.details.contactName, phone: record.details.phone, topic: record.details.topic, window: record.details.window }).catch(
    // The callback must not wait for SMTP: the outbox sweep sends the acknowledgement later.
    (err: unknown) => deps.logger.warn({ err, mail: mail.id }, 'callback acknowledgement left in the outbox'),
  );
  return {
    status: 'callback',
    outcome: `Callback requested: ${record.details.contactName} at ${record.details.phone} about "${record.details.topic}", window ${record.details.window.from} to ${record.details.window.to} (${href}).`,
    callbackWorkflowId: record.workflowId,
  };
}

interface AcknowledgedCallback {
  workflowId: string;
  contactName: string;
  phone: string;
  topic: string;
  window: CallWindow;
}

/** One acknowledgement per callback (keyed by its workflow id), in the thread of the mail, rate-limited per recipient. */
async function acknowledge(deps: IngestDeps, mail: InboundMail, callback: AcknowledgedCallback): Promise<void> {
  if (!mail.fromAddress) return;
  const key = `${callback.workflowId}:acknowledgement`;
  const [recent] = await deps.db
    .select({ n: count() })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.recipient, mail.fromAddress), eq(outboxMessages.template, acknowledgementTemplate), ne(outboxMessages.idempotencyKey, key), gt(outboxMessages.createdAt, sql`now() - interval '1 hour'`)));
  if ((recent?.n ?? 0) >= acknowledgementsPerHour) {
    deps.logger.info({ mail: mail.id, to: mail.fromAddress }, 'callback acknowledgement suppressed: rate limit');
    return;
  }
  const language = (await senderIdentity(deps.db, mail.fromAddress))?.language ?? 'de';
  const rendered = callbackAcknowledgementMail(callback, language, deps.timezone ?? defaultBusinessTimezone);
  await deps.db
    .insert(outboxMessages)
    .values({
      idempotencyKey: key,
      kind: 'email',
      template: acknowledgementTemplate,
      incidentNumber: null,
      recipient: mail.fromAddress,
      messageId: newMessageId(deps.mailFrom),
      inReplyTo: mail.messageId,
      references: mail.messageId ? [mail.messageId] : [],
      subject: rendered.subject,
      body: rendered.body,
      payload: { callbackWorkflowId: callback.workflowId },
    })
    .onConflictDoNothing({ target: outboxMessages.idempotencyKey });
  await createOutboxSender({ db: deps.db, mailer: deps.mailer, mailFrom: deps.mailFrom, logger: deps.logger }).deliverKeys([key]);
}

/** "We will call you back between X and Y". The subject does not start with "Rückruf"/"Callback", so a reply to it is no new request. */
export function callbackAcknowledgementMail(callback: Pick<AcknowledgedCallback, 'contactName' | 'phone' | 'topic' | 'window'>, language: Language, timeZone: string): RenderedMail {
  const format = (iso: string) => new Intl.DateTimeFormat(language === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(new Date(iso));
  const [from, to] = [format(callback.window.from), format(callback.window.to)];
  if (language === 'de') {
    return {
      subject: `Ihr Rückrufwunsch: ${callback.topic}`,
      body: [`Guten Tag ${callback.contactName},`, '', `vielen Dank für Ihre Nachricht. Wir rufen Sie unter ${callback.phone} zurück, zwischen ${from} und ${to}.`, '', 'Ihr Helpdesk-Team'].join('\n'),
    };
  }
  return {
    subject: `Your callback request: ${callback.topic}`,
    body: [`Hello ${callback.contactName},`, '', `thank you for your message. We will call you back at ${callback.phone} between ${from} and ${to}.`, '', 'Your helpdesk team'].join('\n'),
  };
}
