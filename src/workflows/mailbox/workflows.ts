// Mail ingestion workflows. One per IMAP mailbox, running IMAP sessions back to back: Temporal
// guarantees a single poller per mailbox across all workers, retries a dropped connection with
// backoff, and shows the session's heartbeat (last UID, idle or fetching) in the UI. And one per
// mail from the mailgate, so a stored mail is processed even if the API process dies.
import { continueAsNew, log, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';

const { pollMailbox } = proxyActivities<ReturnType<typeof createActivities>>({
  // A session ends by itself after about 10 minutes; the heartbeat tells a dead worker apart sooner.
  startToCloseTimeout: '20 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

const { processInboundMail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2 minutes',
  // Short steps: a reply waiting for its original (MailBusy) goes on soon after it; a workflow that gives
  // up (about 1.5 h) is started again by the API's sweep.
  retry: { initialInterval: '250 milliseconds', maximumInterval: '30 seconds', maximumAttempts: 200 },
});

export async function mailboxWorkflow(input: { mailbox: string; sessions?: number }): Promise<void> {
  let sessions = input.sessions ?? 0;
  for (;;) {
    const progress = await pollMailbox.executeWithOptions({ summary: `IMAP session ${input.mailbox}` }, [{ mailbox: input.mailbox }]);
    sessions += 1;
    setCurrentDetails(
      [`**Mailbox ${input.mailbox}**`, `Last UID ${progress.lastUid} (UIDVALIDITY ${progress.uidValidity})`, `Last session: ${progress.stored} stored, ${progress.duplicates} duplicates, ended ${progress.at}`, `Sessions: ${sessions}`].join('\n'),
    );
    log.info('mailbox session ended', { ...progress });
    if (workflowInfo().continueAsNewSuggested || sessions % 100 === 0) {
      await continueAsNew<typeof mailboxWorkflow>({ mailbox: input.mailbox, sessions });
    }
  }
}

export async function inboundMailWorkflow(input: { mailId: string }): Promise<{ status: string; incidentNumber: string | null }> {
  const result = await processInboundMail.executeWithOptions({ summary: `process mail ${input.mailId}` }, [{ mailId: input.mailId }]);
  setCurrentDetails(`${result.status}: ${result.outcome ?? ''}`);
  return { status: result.status, incidentNumber: result.incidentNumber };
}
