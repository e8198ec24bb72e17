// A mail that asks to be called back ("Rückruf bitte", with a phone number, from a known contact)
// becomes a callback request instead of an incident: one callback per Message-ID, however often
// the mail is delivered or processed, and one short acknowledgement with the call window.
import { and, count, eq, gt, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { followUps, inboundMails, outboxMessages } from '../../db/schema/index.js';
import type { CallWindow } from '../../domain/callback.js';
import { DomainError, Unavailable } from '../../domain/errors.js';
import type { Language } from '../../domain/enums.js';
import type { Actor } from '../../domain/kernel.js';
import type { InboundDecision } from '../../domain/mail-rules.js';
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { existingCallback, keyedWorkflowId, requestCallback, type CallbackDeps } from '../callbacks.js';
import type { IngestDeps, InboundMail, InboundRow } from './ingest.js';
import { replyInThread } from '../../mail/outbox.js';
import type { RenderedMail } from '../../mail/templates.js';
import { senderIdentity } from '../../mail/threads.js';

type CallbackPlan = Extract<InboundDecision, { kind: 'callback' }>;
export type CallbackDone = Pick<InboundRow, 'status' | 'outcome' | 'callbackWorkflowId'>;

/** Callback acknowledgements per recipient and hour; beyond that the callback stands, unannounced. */
const acknowledgementsPerHour = 5;
/** Open callbacks requested by mail per contact; a further request takes the usual path (a new incident), so forged mail cannot flood the callback list. */
export const maxOpenCallbacksByMail = 3;
const acknowledgementTemplate = 'callback_acknowledgement';

/**
 * Requests the callback the mail asks for. The Message-ID (else the stored mail's id) is the
 * idempotency key, so a second delivery or a retried processing answers with the first callback.
 * Returns undefined when the sender has maxOpenCallbacksByMail open already, or when the callback
 * service refuses the request (say, a premium-rate number, or the contact was removed meanwhile):
 * the caller then takes the mail the usual way, so it is never lost.
 */
export async function requestCallbackByMail(deps: IngestDeps, mail: InboundMail, plan: CallbackPlan, actor: Actor): Promise<CallbackDone | undefined> {
  const callbackDeps: CallbackDeps = {
    db: deps.db,
    temporal: deps.temporal,
    logger: deps.logger,
    ...(deps.timezone ? { timezone: deps.timezone } : {}),
    defaultRates: deps.defaultRates,
  };
  const idempotencyKey = mail.messageId ?? `mail-${mail.id}`;
  const workflowId = keyedWorkflowId('mail', idempotencyKey);
  // A retry of a mail whose callback exists answers with it, however many are open by now.
  if (!(await existingCallback(deps, workflowId)) && !(await reserveCallbackSlot(deps.db, mail, plan.contactEmail, workflowId))) {
    deps.logger.info({ mail: mail.id, contact: plan.contactEmail }, `callback mail taken the usual way: ${maxOpenCallbacksByMail} callbacks by mail open`);
    return undefined;
  }
  let requested: Awaited<ReturnType<typeof requestCallback>>;
  try {
    requested = await requestCallback(
      callbackDeps,
      {
        phone: plan.phone,
        topic: plan.topic,
        customerNumber: plan.customerNumber,
        contactEmail: plan.contactEmail,
        requestedBy: 'mail',
        phoneSource: plan.phoneSource,
        contactPhone: plan.contactPhone,
      },
      actor,
      { idempotencyKey, keyScope: 'mail', requestedAt: mail.receivedAt },
    );
  } catch (err) {
    // Temporal away: retry the mail later (the slot stays this mail's). Anything else the service
    // refuses: the usual path, and the slot is free again.
    if (!(err instanceof DomainError) || err instanceof Unavailable) throw err;
    await releaseCallbackSlot(deps.db, mail, workflowId);
    deps.logger.info({ mail: mail.id, reason: err.message }, 'callback mail taken the usual way');
    return undefined;
  }
  const { record, href } = requested;
  await acknowledge(deps, mail, { workflowId: record.workflowId, contactName: record.details.contactName, phone: record.details.phone, topic: record.details.topic, window: record.details.window }).catch(
    // The callback must not wait for SMTP: the outbox sweep sends the acknowledgement later.
    (err: unknown) => deps.logger.warn({ err, mail: mail.id }, 'callback acknowledgement left in the outbox'),
  );
  const source = record.details.phoneSource === 'contact' ? ' (the number on record)' : '';
  return {
    status: 'callback',
    outcome: `Callback requested: ${record.details.contactName} at ${record.details.phone}${source} about "${record.details.topic}", window ${record.details.window.from} to ${record.details.window.to} (${href}).`,
    callbackWorkflowId: record.workflowId,
  };
}

/**
 * Takes one of the contact's maxOpenCallbacksByMail slots for this mail's callback, or says there
 * is none left. Under a lock per contact, so mails processed at once cannot all take the last slot.
 * The slot is the mail's callbackWorkflowId, set before the workflow starts: it counts until the
 * projection has the callback, and from then on the projection's open callback counts.
 */
async function reserveCallbackSlot(db: Db, mail: InboundMail, contactEmail: string, workflowId: string): Promise<boolean> {
  const contact = contactEmail.toLowerCase();
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`callback-by-mail:${contact}`}))`);
    const taken = await openCallbacksByMail(tx, contact, workflowId);
    if (taken >= maxOpenCallbacksByMail) return false;
    await tx.update(inboundMails).set({ callbackWorkflowId: workflowId }).where(eq(inboundMails.id, mail.id));
    return true;
  });
}

async function releaseCallbackSlot(db: Db, mail: InboundMail, workflowId: string): Promise<void> {
  await db.update(inboundMails).set({ callbackWorkflowId: null }).where(and(eq(inboundMails.id, mail.id), eq(inboundMails.callbackWorkflowId, workflowId)));
}

/**
 * Open callbacks requested by mail for a contact (lower-cased address), other than `except`: in
 * the projection (kind callback, not ended, requested by mail, for that contact), plus slots of
 * mails from that address whose callback the projection does not have yet.
 */
async function openCallbacksByMail(tx: Tx, contact: string, except: string): Promise<number> {
  const rows = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from (
      select ${followUps.workflowId} as id from ${followUps}
       where ${followUps.kind} = 'callback' and ${followUps.ended} = false
         and ${followUps.details}->>'requestedBy' = 'mail' and lower(${followUps.details}->>'contactEmail') = ${contact}
      union
      select ${inboundMails.callbackWorkflowId} from ${inboundMails}
       where ${inboundMails.status} in ('received', 'processing', 'callback') and ${inboundMails.callbackWorkflowId} is not null
         and lower(${inboundMails.fromAddress}) = ${contact}
         and not exists (select 1 from ${followUps} where ${followUps.workflowId} = ${inboundMails.callbackWorkflowId})
    ) open where id <> ${except}`);
  return rows[0]?.n ?? 0;
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
    .where(and(eq(sql`lower(${outboxMessages.recipient})`, mail.fromAddress.toLowerCase()), eq(outboxMessages.template, acknowledgementTemplate), ne(outboxMessages.idempotencyKey, key), gt(outboxMessages.createdAt, sql`now() - interval '1 hour'`)));
  if ((recent?.n ?? 0) >= acknowledgementsPerHour) {
    deps.logger.info({ mail: mail.id, to: mail.fromAddress }, 'callback acknowledgement suppressed: rate limit');
    return;
  }
  const language = (await senderIdentity(deps.db, mail.fromAddress))?.language ?? 'de';
  const rendered = callbackAcknowledgementMail(callback, language, deps.timezone ?? defaultBusinessTimezone);
  await replyInThread(deps, { fromAddress: mail.fromAddress, messageId: mail.messageId }, {
    key,
    template: acknowledgementTemplate,
    incidentNumber: null,
    ...rendered,
    payload: { callbackWorkflowId: callback.workflowId },
  });
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
