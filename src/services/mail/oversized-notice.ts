// The notice that a mail was too large. It is its own mail with its own hourly budget per sender,
// not a paragraph of the acknowledgement: acknowledgements are rate-limited, and a sender whose
// acknowledgement budget was used up was never told that the attachments did not come through.
// Loop protection stays with the callers: machine-made mail (Auto-Submitted, bulk, lists, our
// own addresses, mailer-daemon) gets no notice at all.
import { defaultMaxMailBytes, type IngestDeps, type InboundMail } from './ingest.js';
import { replyInThread } from '../../mail/outbox.js';
import { oversizedMail } from '../../mail/templates.js';
import { senderIdentity } from '../../mail/threads.js';

/** Notices per sender and hour (MAIL_OVERSIZED_NOTICES_PER_HOUR): enough for a person, a brake on a loop. */
export const defaultOversizedNoticesPerHour = 20;

/** Tells the sender of an oversized mail that it was kept (once per mail, within the sender's hourly budget). */
export async function tellSenderMailTooLarge(deps: IngestDeps, mail: Pick<InboundMail, 'id' | 'fromAddress' | 'messageId' | 'subject'>, incidentNumber: string | null): Promise<void> {
  if (!mail.fromAddress) return;
  const sender = await senderIdentity(deps.db, mail.fromAddress);
  const rendered = oversizedMail(incidentNumber, mail.subject, deps.maxMailBytes ?? defaultMaxMailBytes, sender?.language ?? 'de');
  const perHour = deps.oversizedNoticesPerHour ?? defaultOversizedNoticesPerHour;
  const written = await replyInThread(deps, { fromAddress: mail.fromAddress, messageId: mail.messageId }, { key: `mail:${mail.id}:oversized`, template: 'oversized', incidentNumber, ...rendered, perHour });
  if (!written) deps.logger.info({ mail: mail.id, to: mail.fromAddress, perHour }, 'oversized notice suppressed: rate limit');
}
