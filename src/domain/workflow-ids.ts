// Every workflow id the house builds, and the parsers of the ones it reads back. Running workflows,
// the follow-up rows and the recorded histories depend on these strings byte for byte: change one
// and existing work can no longer be found.
import type { FollowUpKind } from './enums.js';

/** `incident-INC-2026-000123`: an incident's workflow, a child ticket's too. */
export function incidentWorkflowId(number: string): string {
  return `incident-${number}`;
}

/** Slug of a kind in workflow ids: service-order, hardware-change, software-change, child-ticket, callback. */
export const kindSlug = (kind: FollowUpKind) => kind.replace(/_/g, '-');

/** `service-order-1`: a follow-up's ref under its incident, as the API names it. */
export const followUpRef = (kind: FollowUpKind, n: number) => `${kindSlug(kind)}-${n}`;

/** `incident-INC-2026-000123/service-order-1`: the child's id under its incident's workflow id. */
export function followUpWorkflowId(incidentWorkflowId: string, kind: FollowUpKind, n: number): string {
  return `${incidentWorkflowId}/${followUpRef(kind, n)}`;
}

/** The last part of a follow-up's workflow id (`service-order-1`); a child ticket's whole id, which has no parent part. */
export const followUpRefOf = (workflowId: string) => workflowId.slice(workflowId.lastIndexOf('/') + 1);

/** The follow-up of an incident that a ref (`service-order-1`) names. */
export const followUpWorkflowIdOfRef = (incidentNumber: string, ref: string) => `${incidentWorkflowId(incidentNumber)}/${ref}`;

/**
 * `incident-INC-2026-000123/callback-0`: a callback requested under an incident, as the request
 * knows it before the incident has numbered its follow-up (the incident's link gets the real ref).
 */
export const incidentCallbackWorkflowId = (incidentNumber: string) => followUpWorkflowId(incidentWorkflowId(incidentNumber), 'callback', 0);

const standaloneCallbackPrefix = 'callback-';

/** `callback-<uuid>`: a callback without an incident (the portal, the phone, a mail). */
export const standaloneCallbackWorkflowId = (id: string) => `${standaloneCallbackPrefix}${id}`;

/** The UUID of a standalone callback's workflow id, or null when the id is not one (a follow-up of an incident). */
export const standaloneCallbackIdOf = (workflowId: string): string | null =>
  workflowId.startsWith(standaloneCallbackPrefix) ? workflowId.slice(standaloneCallbackPrefix.length) : null;

/** Where a workflow id points: a standalone callback's id, or an incident's number and the follow-up's ref under it. */
export function parseFollowUpWorkflowId(workflowId: string): { callbackId: string } | { incidentNumber: string; ref: string | undefined } {
  const callbackId = standaloneCallbackIdOf(workflowId);
  if (callbackId !== null) return { callbackId };
  const [parent, ref] = workflowId.split('/');
  return { incidentNumber: parent!.replace(/^incident-/, ''), ref };
}

/**
 * The incident a workflow id belongs to: `incident-INC-2026-000123` and its follow-ups
 * (`incident-INC-2026-000123/service-order-1`); undefined for any other workflow. For logs.
 */
export function incidentNumberOfWorkflowId(workflowId: string): string | undefined {
  return /^incident-(INC-\d{4}-\d{6})(?:\/|$)/.exec(workflowId)?.[1];
}

/** `mailbox-<name>`: the workflow that keeps an IMAP mailbox's session going. */
export const mailboxWorkflowId = (mailbox: string) => `mailbox-${mailbox}`;

/** `inbound-mail-<id>`: the workflow that processes one stored inbound mail. */
export const inboundMailWorkflowId = (mailId: string) => `inbound-mail-${mailId}`;

/** `weekly-report`: the Temporal Schedule that starts the weekly report mail every Monday. */
export const weeklyReportScheduleId = 'weekly-report';

/** `weekly-report-2026-W49`: the run that mails the report on one ISO week. */
export const weeklyReportWorkflowId = (week: string) => `weekly-report-${week}`;
