// Mail ingestion as activities: processing one stored mail (for the mailgate's workflow) and one
// IMAP session of a mailbox, which heartbeats its progress so ops see mailbox health in the UI.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ImapMailbox } from '../config.js';
import { processInboundMail, processPendingMails, storeInboundMail, type IngestDeps, type ProcessResult } from '../mail/ingest.js';
import { runMailboxSession, type MailboxProgress } from '../mail/imap.js';

export interface MailActivityDeps {
  ingest?: IngestDeps | undefined;
  mailboxes?: ImapMailbox[];
  /** How long one IMAP session runs before the workflow starts the next (default 10 minutes). */
  sessionMs?: number;
}

export function createMailActivities(deps: MailActivityDeps) {
  const ingest = (): IngestDeps => {
    if (!deps.ingest) throw ApplicationFailure.nonRetryable('This worker has no mail ingestion configured (Temporal client missing).');
    return deps.ingest;
  };
  return {
    processInboundMail: async (input: { mailId: string }): Promise<ProcessResult> => processInboundMail(ingest(), input.mailId),

    pollMailbox: async (input: { mailbox: string }): Promise<MailboxProgress> => {
      const mailbox = deps.mailboxes?.find((m) => m.name === input.mailbox);
      if (!mailbox) throw ApplicationFailure.nonRetryable(`Mailbox ${input.mailbox} is not configured (IMAP_MAILBOXES).`);
      const ctx = Context.current();
      const services = ingest();
      // Leftovers of earlier sessions or of the mailgate (Temporal was down, a crash) first.
      await processPendingMails(services);
      return runMailboxSession(
        {
          db: services.db,
          logger: services.logger,
          store: (raw, origin) => storeInboundMail(services, raw, origin),
          process: (id) => processInboundMail(services, id),
        },
        mailbox,
        { signal: ctx.cancellationSignal, heartbeat: (progress) => ctx.heartbeat(progress), maxDurationMs: deps.sessionMs ?? 10 * 60_000 },
      );
    },
  };
}
