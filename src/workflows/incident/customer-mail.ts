// A customer mail's way out, step by step on the timeline (since the `mail-states` patch): no
// contact address is mail_undeliverable at once; otherwise the outbox row is written
// (mail_queued), then handed to SMTP: mail_sent once SMTP accepted it, mail_failed when an attempt
// failed (will retry) or the tries ran out (gave up), mail_undeliverable when the server refused
// it for good. Every event gets its sequence number from the workflow, like any other step.
import { log, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import * as incidentMail from '../../domain/incident/mail.js';
import type { IncidentState, Transition } from '../../domain/incident/state.js';
import type { CommandContext } from '../../domain/kernel.js';

// Like the one-step mail before: bounded (about a day of retries), beside the SLA loop.
const { queueCustomerMail, deliverCustomerMail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes', maximumAttempts: 150 },
});

/** Applies a step built from the state as it is when the step is taken (other commands run meanwhile). */
export type RecordStep = (step: (current: IncidentState, ctx: CommandContext) => Transition) => Promise<unknown>;

const reasonOf = (err: unknown) => (err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err));

export async function sendCustomerMail(request: incidentMail.CustomerMailRequest, record: RecordStep): Promise<void> {
  const { template } = request;
  if (!request.incident.contactEmail) {
    await record((s, ctx) => incidentMail.mailDelivered(s, template, { status: 'undeliverable', reason: incidentMail.noContactAddress }, undefined, ctx));
    return;
  }
  let queued: incidentMail.QueuedCustomerMail;
  try {
    queued = await queueCustomerMail.executeWithOptions({ summary: `queue ${template} mail to the customer` }, [request]);
  } catch (err) {
    log.error('customer mail could not be queued', { err, template });
    await record((s, ctx) => incidentMail.mailNotQueued(s, template, { status: 'failed', reason: `The ${template} mail could not be queued: ${reasonOf(err)}` }, ctx));
    return;
  }
  if (queued.status === 'no-recipient') {
    await record((s, ctx) => incidentMail.mailDelivered(s, template, { status: 'undeliverable', reason: incidentMail.noContactAddress }, undefined, ctx));
    return;
  }
  if (queued.status === 'suppressed') {
    await record((s, ctx) => incidentMail.mailNotQueued(s, template, queued, ctx));
    return;
  }
  const { mail } = queued;
  await record((s, ctx) => incidentMail.mailQueued(s, template, mail, ctx));

  const deliver = (reportFailure: boolean) =>
    deliverCustomerMail.executeWithOptions({ summary: `send ${template} mail to ${mail.to.join(', ')}` }, [{ outboxId: mail.outboxId!, reportFailure }]);
  let delivery: incidentMail.MailDelivery;
  try {
    delivery = await deliver(true);
    if (delivery.status === 'failed' && delivery.willRetry) {
      const failed = delivery;
      await record((s, ctx) => incidentMail.mailDelivered(s, template, failed, mail, ctx));
      delivery = await deliver(false);
    }
  } catch (err) {
    log.error('customer mail not delivered; the workflow gave up', { err, template });
    delivery = { status: 'failed', reason: `The ${template} mail could not be delivered: ${reasonOf(err)}`, willRetry: false };
  }
  const outcome = delivery;
  await record((s, ctx) => incidentMail.mailDelivered(s, template, outcome, mail, ctx));
}
