// The incident's side of the mail channel: mails in and out and delivery failures as timeline
// events. Which mail belongs where is decided in mail-rules.ts; sending happens in activities.
import { IllegalTransition, ValidationError } from '../errors.js';
import { defaultAutoCloseDays, eventOf, next, type IncidentState, type Transition } from './state.js';
import type { CommandContext } from '../kernel.js';

/** A mail in the communication log: enough to show it and to link to the stored copy. */
export interface MailRef {
  direction: 'in' | 'out';
  /** The stored inbound mail (raw and attachments downloadable), or the outbox row. */
  mailId?: string;
  outboxId?: string;
  messageId: string | null;
  from: string | null;
  to: string[];
  cc: string[];
  subject: string;
  /** Outbound only: "acknowledgement", "reply", "resolution", "oversized". */
  template?: string;
  /** Outbound only: the text as sent (inbound text is the event's own `text`). */
  text?: string;
  /** Outbound only: on the customer's last mail, but not copied, being neither the customer's nor named by the agent. */
  droppedCc?: string[];
}

export interface MailIntake {
  ref: MailRef;
  /** Send an acknowledgement (false for automatic or bulk mail). */
  acknowledge: boolean;
  /** Larger than the size limit: the acknowledgement says so. */
  oversized: boolean;
  /** The closed incident this mail answered, when it opened a new one instead. */
  followUpOf: string | null;
}

export const customerMailTemplates = ['acknowledgement', 'reply', 'resolution'] as const;
export type CustomerMailTemplate = (typeof customerMailTemplates)[number];

/** What the mail activity needs to write one customer mail; keyed by incident number and `seq`. */
export interface CustomerMailRequest {
  template: CustomerMailTemplate;
  /** The timeline step this mail belongs to: with the number, the idempotency key. */
  seq: number;
  incident: {
    number: string;
    title: string;
    firstResponseDueAt: string | null;
    resolution: string | null;
    autoCloseDays: number;
    contactEmail: string | null;
    customerNumber: string | null;
  };
  /** The agent's text, for replies. */
  text?: string;
  /** Addresses the agent named on the reply: copied whoever they are. */
  cc?: string[];
  /** The opening mail was over the size limit (acknowledgement only). */
  oversized?: boolean;
}

export type CustomerMailExtra = Pick<CustomerMailRequest, 'text' | 'cc' | 'oversized'>;

export function customerMailRequest(state: IncidentState, template: CustomerMailTemplate, seq: number, extra: CustomerMailExtra = {}): CustomerMailRequest {
  return {
    template,
    seq,
    incident: {
      number: state.number,
      title: state.title,
      firstResponseDueAt: state.due.firstResponse,
      resolution: state.resolution,
      autoCloseDays: state.autoCloseDays ?? defaultAutoCloseDays,
      contactEmail: state.contact?.email ?? null,
      customerNumber: state.customer?.number ?? null,
    },
    ...extra,
  };
}

/** What the mail activity reports back, for the timeline. */
export type CustomerMailOutcome =
  | { status: 'sent' | 'queued'; mail: MailRef }
  | { status: 'suppressed' | 'rejected' | 'failed'; reason: string; mail?: MailRef }
  | { status: 'no-recipient' };

/**
 * Records what became of a customer mail in one step (incidents whose history predates the
 * `mail-states` patch): sent (or queued) mail is in the log; suppressed or failed mail says why.
 */
export function mailOutcome(state: IncidentState, template: CustomerMailTemplate, outcome: CustomerMailOutcome, ctx: CommandContext): Transition | undefined {
  if (outcome.status === 'no-recipient') return undefined;
  const updated = next(state, {}, ctx);
  if (!('reason' in outcome)) {
    return { state: updated, event: eventOf(updated, 'mail_sent', ctx, { template, status: outcome.status, mail: outcome.mail }) };
  }
  const type = outcome.status === 'suppressed' ? 'mail_suppressed' : 'mail_failed';
  return { state: updated, event: eventOf(updated, type, ctx, { template, status: outcome.status, reason: outcome.reason, ...(outcome.mail ? { mail: outcome.mail } : {}) }) };
}

/** How many applied mail ids an incident remembers; far more than any retry window holds. */
const rememberedMails = 200;

/** The state with this mail marked as applied (bounded, oldest forgotten first). */
export function withAppliedMail(state: IncidentState, mailId: string | undefined): Partial<IncidentState> {
  if (!mailId) return {};
  return { appliedMailIds: [...(state.appliedMailIds ?? []), mailId].slice(-rememberedMails) };
}

/** Was this mail already applied? Then a repeated update must change nothing. */
export function isAppliedMail(state: IncidentState, input: { mailId?: string; mail?: { mailId?: string } }): boolean {
  const mailId = input.mailId ?? input.mail?.mailId;
  return Boolean(mailId && state.appliedMailIds?.includes(mailId));
}

export interface DeliveryFailureInput {
  /** The stored bounce. */
  mailId: string;
  recipients: string[];
  status: string | null;
  diagnostic: string | null;
  /** The Message-ID of our mail that bounced, when the report names it. */
  originalMessageId: string | null;
  /** The bounce itself, for the communication log. */
  mail?: MailRef;
}

export function validateDeliveryFailure(state: IncidentState, input: DeliveryFailureInput): void {
  if (state.status === 'closed') throw new IllegalTransition(`Incident ${state.number} is closed.`);
  if (!input.mailId) throw new ValidationError('mailId is required.', 'mailId');
}

/** A bounce of our mail: logged for the agent (the customer did not get it); it changes no clock. */
export function deliveryFailure(state: IncidentState, input: DeliveryFailureInput, ctx: CommandContext): Transition {
  validateDeliveryFailure(state, input);
  const updated = next(state, withAppliedMail(state, input.mailId), ctx);
  return { state: updated, event: eventOf(updated, 'delivery_failed', ctx, { ...input }) };
}

/** The reason on the timeline when a customer mail cannot go anywhere. */
export const noContactAddress = 'no contact address';

/** The outbox's answer to "write this customer mail": queued with its Message-ID, or why not. */
export type QueuedCustomerMail =
  | { status: 'queued'; mail: MailRef }
  | { status: 'suppressed'; reason: string }
  | { status: 'no-recipient' };

/** What one try to hand a queued mail to SMTP came to. */
export type MailDelivery =
  | { status: 'sent' }
  | { status: 'failed'; reason: string; willRetry: boolean }
  | { status: 'undeliverable'; reason: string };

/** The mail is in the outbox, with its Message-ID; it has not reached SMTP yet. */
export function mailQueued(state: IncidentState, template: CustomerMailTemplate, mail: MailRef, ctx: CommandContext): Transition {
  const updated = next(state, {}, ctx);
  return { state: updated, event: eventOf(updated, 'mail_queued', ctx, { template, status: 'queued', mail }) };
}

/**
 * What became of a queued mail (or of one that never got a row: mail undefined): mail_sent only
 * once SMTP accepted it; mail_failed says whether it is tried again; mail_undeliverable says why
 * it never will be (refused by the mail server, no contact address). None of them moves a clock:
 * the first response is met by the reply itself, not by its delivery.
 */
export function mailDelivered(state: IncidentState, template: CustomerMailTemplate, delivery: MailDelivery, mail: MailRef | undefined, ctx: CommandContext): Transition {
  const updated = next(state, {}, ctx);
  const withMail = mail ? { mail } : {};
  if (delivery.status === 'sent') return { state: updated, event: eventOf(updated, 'mail_sent', ctx, { template, status: 'sent', ...withMail }) };
  if (delivery.status === 'failed') {
    return { state: updated, event: eventOf(updated, 'mail_failed', ctx, { template, status: 'failed', reason: delivery.reason, willRetry: delivery.willRetry, ...withMail }) };
  }
  return { state: updated, event: eventOf(updated, 'mail_undeliverable', ctx, { template, status: 'undeliverable', reason: delivery.reason, ...withMail }) };
}

/** A mail that was not even written to the outbox: suppressed (rate limit) or failed for good. */
export function mailNotQueued(state: IncidentState, template: CustomerMailTemplate, outcome: { status: 'suppressed' | 'failed'; reason: string }, ctx: CommandContext): Transition {
  const updated = next(state, {}, ctx);
  if (outcome.status === 'suppressed') return { state: updated, event: eventOf(updated, 'mail_suppressed', ctx, { template, status: 'suppressed', reason: outcome.reason }) };
  return mailDelivered(state, template, { status: 'failed', reason: outcome.reason, willRetry: false }, undefined, ctx);
}
