// Which mails of an incident are its communication with the customer and which are our own
// internal notices: the messages view keeps them apart by this `kind`.
export const messageKinds = ['customer', 'internal'] as const;
export type MessageKind = (typeof messageKinds)[number];

/**
 * Outbound templates that go to the customer (its contact, the sender of a mail): acknowledgement,
 * reply, resolution notice, the oversized-mail notice, a callback request's acknowledgement.
 * Everything else we send (escalation, quota and follow-up notices) goes to our own people.
 */
export const customerTemplates: readonly string[] = ['acknowledgement', 'reply', 'resolution', 'oversized', 'callback_acknowledgement'];

/** Inbound mail is the customer's (or someone on its thread); outbound goes by its template. */
export function messageKindOf(direction: 'in' | 'out', template: string | null): MessageKind {
  if (direction === 'in') return 'customer';
  return template !== null && customerTemplates.includes(template) ? 'customer' : 'internal';
}

/** Where an outbound mail stands: written, handed to SMTP, failed for now, or never to arrive. */
export type DeliveryState = 'queued' | 'sent' | 'failed' | 'undeliverable';

/** The outbox row's status in the words of the messages view; a bounce makes a sent mail undeliverable. */
export function deliveryStateOf(status: string, bounced: boolean): DeliveryState {
  if (bounced || status === 'rejected') return 'undeliverable';
  if (status === 'sent') return 'sent';
  if (status === 'failed') return 'failed';
  return 'queued';
}
