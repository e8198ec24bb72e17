// Mail ingestion as activities: processing one stored mail (for the mailgate's workflow) and one
// IMAP session of a mailbox, which heartbeats its progress so ops see mailbox health in the UI.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ImapMailbox } from '../config.js';
import { MailBusy, processInboundMail, processPendingMails, storeInboundMail, type IngestDeps, type ProcessResult } from '../services/mail/ingest.js';
import { runMailboxSession, type MailboxProgress } from '../mail/imap.js';

export interface MailActivityDeps {
  ingest?: IngestDeps | undefined;
  mailboxes?: ImapMailbox[];
  /** How long one IMAP session runs before the workflow starts the next (default 10 minutes). */
  sessionMs?: number;
}

/**
 * IMAP processes in order; a mail that has to wait (its incident is still being opened, its
 * original is not processed) gets a few seconds before it is left to the sweep.
 */
async function processPatiently(services: IngestDeps, id: string): Promise<ProcessResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await processInboundMail(services, id);
    } catch (err) {
      if (!(err instanceof MailBusy) || attempt >= 40) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export function createMailActivities(deps: MailActivityDeps) {
  const ingest = (): IngestDeps => {
    if (!deps.ingest) throw ApplicationFailure.nonRetryable('This worker has no mail ingestion configured (Temporal client missing).');
    return deps.ingest;
  };
  return {
    processInboundMail: async (input: { mailId: string }): Promise<ProcessResult> => {
      try {
        return await processInboundMail(ingest(), input.mailId);
      } catch (err) {
        // Waiting for its original is routine, not a fault: retried soon, and logged at debug only.
        if (err instanceof MailBusy) throw ApplicationFailure.create({ message: err.message, type: 'MailBusy', category: 'BENIGN' });
        throw err;
      }
    },

    pollMailbox: async (input: { mailbox: string }): Promise<MailboxProgress> => {
      const mailbox = deps.mailboxes?.find((m) => m.name === input.mailbox);
      if (!mailbox) throw ApplicationFailure.nonRetryable(`Mailbox ${input.mailbox} is not configured (IMAP_MAILBOXES).`);
      const ctx = Context.current();
      const services = ingest();
      // The heartbeat says "this worker is alive and holds the mailbox"; it must not stop while one
      // slow step (a large fetch, a Temporal update, the sweep) runs, or a second session would start.
      let latest: MailboxProgress | { mailbox: string; phase: string } = { mailbox: mailbox.name, phase: 'starting' };
      const beat = setInterval(() => ctx.heartbeat(latest), 10_000);
      try {
        // Leftovers of earlier sessions or of the mailgate (Temporal was down, a crash) first.
        latest = { mailbox: mailbox.name, phase: 'processing leftovers' };
        ctx.heartbeat(latest);
        await processPendingMails(services);
        return await runMailboxSession(
          {
            db: services.db,
            logger: services.logger,
            store: (raw, origin) => storeInboundMail(services, raw, origin),
            process: (id) => processPatiently(services, id),
          },
          mailbox,
          {
            signal: ctx.cancellationSignal,
            heartbeat: (progress) => {
              latest = progress;
              ctx.heartbeat(progress);
            },
            maxDurationMs: deps.sessionMs ?? 10 * 60_000,
          },
        );
      } finally {
        clearInterval(beat);
      }
    },
  };
}
