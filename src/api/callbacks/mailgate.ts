// What a mailgate token may ask of POST /api/callbacks and what it gets back. A callback requested
// by mail names a phone, a topic and who wrote; never an incident, an asset or an agent. Those
// fields would let a mail integration probe which incidents, assets or staff exist (404 against
// 201) and read an incident's customer and terms back, so they are refused outright, before any
// lookup, with one answer whatever their value.
import { z } from '@hono/zod-openapi';
import type { CallbackRecord } from '../../domain/callback.js';
import { ValidationError } from '../../domain/errors.js';
import { callbackHref } from '../../services/callbacks.js';

/** Fields of a callback request that a mailgate token may not name. */
export const refusedForMailgate = ['incidentNumber', 'serialNumber', 'assigneeId', 'assigneeEmail'] as const;

/** A 400 naming the first refused field the mailgate sent; its value is neither looked at nor echoed. */
export function refuseMailgateFields(body: Partial<Record<(typeof refusedForMailgate)[number], unknown>>): void {
  const field = refusedForMailgate.find((f) => body[f] !== undefined);
  if (field) throw new ValidationError(`${field}: a mailgate token may not name ${field}; a callback requested by mail names only who wrote and how to call them back.`, field);
}

export const MailgateCallbackReceipt = z
  .object({
    id: z.string(),
    workflowId: z.string().openapi({ example: 'callback-1b4e28ba-2fa1-41d2-883f-0016d3cca427' }),
    href: z.string(),
    state: z.string(),
    dueAt: z.string().nullable().openapi({ description: 'The end of the window by which we call back.' }),
    window: z.object({ from: z.string(), to: z.string() }).openapi({ description: 'When we call back, for the acknowledgement.' }),
  })
  .openapi('MailgateCallbackReceipt', { description: 'What a mailgate token gets back: enough to acknowledge the mail, nothing of the customer, contract, tier or SLA policy.' });

/** The receipt, built field by field so nothing else ever reaches the mailgate. */
export function mailgateReceipt(record: CallbackRecord): z.infer<typeof MailgateCallbackReceipt> {
  const id = record.workflowId.replace(/^callback-/, '');
  const { from, to } = record.details.window;
  return { id, workflowId: record.workflowId, href: callbackHref(record.workflowId), state: record.state, dueAt: record.dueAt, window: { from, to } };
}
