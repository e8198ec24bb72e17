// Starting mail work on Temporal: the workflow that processes a mail from the mailgate, and one
// long-lived workflow per configured IMAP mailbox.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/client';
import type { Logger } from 'pino';
import type { ImapMailbox } from '../../config.js';
import { and, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { inboundMails } from '../../db/schema/index.js';
import type { StoredMail } from '../../mail/imap.js';
import { claimableMail, storeInboundMail } from './ingest.js';
import type { Temporal } from '../../temporal/client.js';
import type { inboundMailWorkflow, mailboxWorkflow } from '../../workflows/index.js';
import { inboundMailWorkflowId, mailboxWorkflowId } from '../../domain/workflow-ids.js';

/** Starts processing of a stored mail; false when Temporal is unreachable (the sweep catches up). */
export async function startInboundMailWorkflow(temporal: Temporal, logger: Logger, mailId: string): Promise<boolean> {
  try {
    await temporal.client.workflow.start<typeof inboundMailWorkflow>('inboundMailWorkflow', {
      workflowId: inboundMailWorkflowId(mailId),
      taskQueue: temporal.taskQueue,
      // Processing is idempotent, so a mail found unprocessed later may be run again.
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      args: [{ mailId }],
      staticSummary: `inbound mail ${mailId}`,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return true;
    logger.warn({ err, mail: mailId }, 'mail stored; processing starts with the next sweep');
    return false;
  }
}

/** The mailgate's path: stored (committed) first, then processed on Temporal. */
export async function acceptInboundMail(
  deps: { db: Db; temporal: Temporal; logger: Logger; maxMailBytes?: number },
  raw: Buffer,
  source: string,
): Promise<StoredMail & { processing: boolean }> {
  const stored = await storeInboundMail(deps, raw, { source, receivedAt: new Date() });
  const processing = stored.status === 'received' ? await startInboundMailWorkflow(deps.temporal, deps.logger, stored.id) : false;
  return { ...stored, processing };
}

/** Stored mail still unprocessed a minute later (or held by a processor that died) gets its processing workflow again. */
export async function startPendingMailWorkflows(deps: { db: Db; temporal: Temporal; logger: Logger }): Promise<number> {
  const stale = await deps.db
    .select({ id: inboundMails.id })
    .from(inboundMails)
    // Unprocessed for a minute (its workflow never started), or held by a processor that died.
    .where(and(claimableMail, lt(inboundMails.storedAt, sql`now() - interval '1 minute'`)))
    .limit(1000);
  let started = 0;
  for (const { id } of stale) if (await startInboundMailWorkflow(deps.temporal, deps.logger, id)) started += 1;
  return started;
}

/** One workflow per mailbox; starting it again while it runs is a no-op. */
export async function startMailboxWorkflows(temporal: Temporal, mailboxes: ImapMailbox[]): Promise<void> {
  for (const mailbox of mailboxes) {
    await temporal.client.workflow.start<typeof mailboxWorkflow>('mailboxWorkflow', {
      workflowId: mailboxWorkflowId(mailbox.name),
      taskQueue: temporal.taskQueue,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      args: [{ mailbox: mailbox.name }],
      staticSummary: `IMAP mailbox ${mailbox.name}: ${mailbox.user}@${mailbox.host}/${mailbox.folder}`,
    });
  }
}
