// What a contact does in the portal: open a request, answer one, confirm it solved, reopen it, ask
// for a callback, look at the contracts, change the profile. Each goes the way the API's does (the
// same intake, the same workflow updates), checked by the access rule first.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { assets, contractAssets, contacts, contracts, followUps, incidents, portalUploads } from '../../db/schema/index.js';
import { inForce, quotaStatus, type QuotaStatus } from '../../domain/entitlement.js';
import type { ContractTier, EntitlementDecision, Impact, Language, Urgency } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import type { Actor } from '../../domain/kernel.js';
import { maxMessageAttachments } from '../../domain/incident/lifecycle.js';
import { businessDate, defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { customerMessageUpdate, reopenUpdate, resolveUpdate } from '../../workflows/incident/messages.js';
import { previewCallbackTerms, requestCallback, type CallbackDeps } from '../callbacks.js';
import { checkEntitlement, quotaUsedMinutes } from '../entitlement.js';
import { sendIncidentCommand } from '../incident-commands.js';
import { openIncidentFromRequest, type IntakeDeps } from '../incident-intake.js';
import { InvalidEntry, NotNow } from './refusals.js';
import { answerable } from './requests.js';
import type { PortalViewer } from './sessions.js';

/** A file as a form sent it. */
export interface UploadedFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

/** The largest file the portal takes (PORTAL_MAX_FILE_BYTES default), and the most per message. */
export const defaultMaxFileBytes = 10 * 1024 * 1024;
export { maxMessageAttachments };

/** The contact as the timeline's actor. */
export const contactActor = (viewer: PortalViewer): Actor => ({ id: `contact:${viewer.email.toLowerCase()}`, name: viewer.name });

/** A form's one-time submission id: a repeated submission (double click, reload) is taken once. */
export const submissionPattern = /^[A-Za-z0-9_-]{16,64}$/;
export function checkSubmission(id: string | undefined): string {
  if (!id || !submissionPattern.test(id)) throw new InvalidEntry('submission', 'The form is incomplete; reload the page and send it again.', 'submission');
  return id;
}

export function checkFiles(files: UploadedFile[], maxBytes = defaultMaxFileBytes): void {
  if (files.length > maxMessageAttachments) throw new InvalidEntry('tooManyFiles', `At most ${maxMessageAttachments} files per message.`, 'attachments', { count: maxMessageAttachments });
  for (const file of files) {
    if (file.content.length > maxBytes) throw new InvalidEntry('fileTooLarge', `${file.filename} is larger than ${Math.round(maxBytes / 1024 / 1024)} MB.`, 'attachments', { file: file.filename, megabytes: Math.round(maxBytes / 1024 / 1024) });
    if (file.filename.length > 200) throw new InvalidEntry('fileNameTooLong', 'A file name may have at most 200 characters.', 'attachments', { count: 200 });
  }
}

/** Stores the files of a submission once (a repeat finds them) and returns their references. */
async function storeUploads(db: Db, viewer: PortalViewer, number: string, submission: string, files: UploadedFile[]) {
  if (files.length === 0) return [];
  await db
    .insert(portalUploads)
    .values(files.map((f, position) => ({ incidentNumber: number, contactId: viewer.contactId, submissionId: submission, position, filename: f.filename, contentType: f.contentType || 'application/octet-stream', sizeBytes: f.content.length, content: f.content })))
    .onConflictDoNothing();
  const rows = await db
    .select({ id: portalUploads.id, filename: portalUploads.filename, sizeBytes: portalUploads.sizeBytes, incidentNumber: portalUploads.incidentNumber })
    .from(portalUploads)
    .where(eq(portalUploads.submissionId, submission))
    .orderBy(asc(portalUploads.position));
  return rows.filter((r) => r.incidentNumber === number).map(({ incidentNumber: _, ...ref }) => ref);
}

async function requireAnswerable(db: Db, viewer: PortalViewer, number: string) {
  const row = await answerable(db, viewer, number);
  // Seeing a request without the right to answer it is not a secret: say so, do not pretend it is gone.
  if (!row.canAnswer) throw new NotNow('readOnly', 'Only the person who opened this request (or your customer admin) can answer it.');
  return row;
}

/**
 * A command to the request's workflow. The workflow's own refusal (the request changed since the
 * page was loaded: an agent closed or reopened it) becomes the portal's "changed meanwhile", said
 * in the page's language; the engine's English reason stays in the message for the logs.
 */
async function portalCommand(...args: Parameters<typeof sendIncidentCommand>): Promise<void> {
  try {
    await sendIncidentCommand(...args);
  } catch (err) {
    if (err instanceof IllegalTransition && !(err instanceof NotNow)) throw new NotNow('changedMeanwhile', err.message);
    throw err;
  }
}

/** The longest message and reason the portal takes (as the API's customer messages). */
export const maxMessageLength = 100_000;
export const maxReasonLength = 10_000;
/** As the callback service takes it. */
export const maxTopicLength = 200;

export async function replyToRequest(deps: IntakeDeps, viewer: PortalViewer, number: string, input: { text: string; files: UploadedFile[]; submission: string }): Promise<void> {
  const row = await requireAnswerable(deps.db, viewer, number);
  if (row.status === 'closed') throw new NotNow('closed', 'This request is closed; open a new one and mention its number.');
  if (!input.text.trim()) throw new InvalidEntry('textMissing', 'Write a message.', 'text');
  if (input.text.length > maxMessageLength) throw new InvalidEntry('textTooLong', `A message may have at most ${maxMessageLength} characters.`, 'text', { count: maxMessageLength });
  checkFiles(input.files);
  const attachments = await storeUploads(deps.db, viewer, number, input.submission, input.files);
  try {
    await portalCommand(
      deps.temporal,
      number,
      customerMessageUpdate,
      { text: input.text, from: viewer.email, channel: 'portal', ...(attachments.length > 0 ? { attachments } : {}), actor: contactActor(viewer) },
      { updateId: `portal:${input.submission}` },
    );
  } catch (err) {
    // Refused by the workflow: no message names the files, so they go. (Not on a timeout: the
    // message may still be taken, and then it names them.)
    if (err instanceof ValidationError || err instanceof IllegalTransition) await deps.db.delete(portalUploads).where(and(eq(portalUploads.submissionId, input.submission), eq(portalUploads.incidentNumber, number)));
    throw err;
  }
}

/** The resolution a contact's "problem solved" records; the customer reads it, so in their language. */
const solvedInPortal: Record<Language, (name: string) => string> = {
  de: (name) => `Gelöst: ${name} hat im Kundenportal bestätigt, dass das Problem behoben ist.`,
  en: (name) => `Solved: ${name} confirmed in the customer portal that the problem is fixed.`,
};

export async function confirmSolved(deps: IntakeDeps, viewer: PortalViewer, number: string, submission: string, language: Language = 'de'): Promise<void> {
  const row = await requireAnswerable(deps.db, viewer, number);
  if (row.status === 'resolved' || row.status === 'closed') throw new NotNow('solvedAlready', 'This request is solved already.');
  await portalCommand(deps.temporal, number, resolveUpdate, { resolution: solvedInPortal[language](viewer.name), actor: contactActor(viewer) }, { updateId: `portal:${submission}` });
}

export async function reopenRequest(deps: IntakeDeps, viewer: PortalViewer, number: string, input: { reason: string; submission: string }): Promise<void> {
  const row = await requireAnswerable(deps.db, viewer, number);
  if (row.status === 'closed') throw new NotNow('closed', 'This request is closed; open a new one and mention its number.');
  // A page from before an agent reopened it: nothing to reopen.
  if (row.status !== 'resolved') throw new NotNow('notResolved', 'This request is open again already.');
  if (!input.reason.trim()) throw new InvalidEntry('reasonMissing', 'Tell us what is still wrong.', 'reason');
  if (input.reason.length > maxReasonLength) throw new InvalidEntry('textTooLong', `A reason may have at most ${maxReasonLength} characters.`, 'reason', { count: maxReasonLength });
  await portalCommand(deps.temporal, number, reopenUpdate, { reason: input.reason, actor: contactActor(viewer) }, { updateId: `portal:${input.submission}` });
}

export interface PortalAsset {
  serialNumber: string;
  product: string;
}

/** The customer's registered devices in service, for the new-request form. */
export async function customerAssets(db: Db, viewer: PortalViewer): Promise<PortalAsset[]> {
  return db
    .select({ serialNumber: assets.serialNumber, product: assets.product })
    .from(assets)
    .where(and(eq(assets.customerId, viewer.customerId), isNull(assets.retiredOn)))
    .orderBy(asc(assets.product), asc(assets.serialNumber));
}

export interface EntitlementPreview {
  decision: EntitlementDecision;
  contract: { number: string; tier: ContractTier } | null;
  quota: Pick<QuotaStatus, 'remainingMinutes' | 'totalMinutes'> | null;
}

/** What a new request would be covered by, before it is sent. A serial number not the customer's is refused. */
export async function previewEntitlement(deps: Pick<IntakeDeps, 'db' | 'timezone' | 'defaultRates'>, viewer: PortalViewer, serialNumber: string | null): Promise<EntitlementPreview> {
  if (serialNumber) await requireOwnAsset(deps.db, viewer, serialNumber);
  const day = businessDate(new Date(), deps.timezone ?? defaultBusinessTimezone);
  const { entitlement } = await checkEntitlement(deps.db, { customerNumber: viewer.customerNumber, serialNumber: serialNumber ?? undefined }, day, { defaultRates: deps.defaultRates });
  return {
    decision: entitlement.decision,
    contract: entitlement.contract ? { number: entitlement.contract.number, tier: entitlement.contract.tier } : null,
    quota: entitlement.quota ? { remainingMinutes: entitlement.quota.remainingMinutes, totalMinutes: entitlement.quota.totalMinutes } : null,
  };
}

async function requireOwnAsset(db: Db, viewer: PortalViewer, serialNumber: string): Promise<void> {
  const [own] = await db.select({ id: assets.id }).from(assets).where(and(eq(assets.serialNumber, serialNumber), eq(assets.customerId, viewer.customerId)));
  if (!own) throw new InvalidEntry('notYourDevice', 'Choose one of your registered devices, or none.', 'serialNumber');
}

export interface NewRequestInput {
  title: string;
  description: string;
  serialNumber: string | null;
  impact: Impact;
  urgency: Urgency;
  files: UploadedFile[];
  submission: string;
}

/** Opens a request through the same intake as `POST /api/incidents`; a repeated submission opens it once. */
export async function openRequest(deps: IntakeDeps, viewer: PortalViewer, input: NewRequestInput): Promise<string> {
  if (input.serialNumber) await requireOwnAsset(deps.db, viewer, input.serialNumber);
  checkFiles(input.files);
  const { incident } = await openIncidentFromRequest(
    deps,
    {
      title: input.title,
      description: input.description,
      customerNumber: viewer.customerNumber,
      contactEmail: viewer.email,
      serialNumber: input.serialNumber ?? undefined,
      impact: input.impact,
      urgency: input.urgency,
      channel: 'portal',
    },
    { actor: contactActor(viewer), idempotencyKey: input.submission, keyScope: `contact:${viewer.contactId}`, acknowledge: true },
  );
  await storeUploads(deps.db, viewer, incident.number, input.submission, input.files);
  return incident.number;
}

/** The callback SLA the contact would get now: minutes and the latest end of the window. */
export async function callbackTerms(deps: CallbackDeps, viewer: PortalViewer, incidentNumber?: string) {
  if (incidentNumber) await requireAnswerable(deps.db, viewer, incidentNumber);
  const decision = await previewCallbackTerms(deps, incidentNumber ? { incidentNumber } : { customerNumber: viewer.customerNumber, contactEmail: viewer.email });
  return { minutes: decision.sla.minutes, latestEnd: decision.window.to, earliest: decision.window.from };
}

export async function askForCallback(
  deps: CallbackDeps,
  viewer: PortalViewer,
  input: { phone: string; topic: string; window: { from: string; to: string } | null; incidentNumber: string | null; submission: string },
) {
  if (input.incidentNumber) await requireAnswerable(deps.db, viewer, input.incidentNumber);
  if (!input.topic.trim()) throw new InvalidEntry('topicMissing', 'Tell us what the call is about.', 'topic');
  if (input.topic.trim().length > maxTopicLength) throw new InvalidEntry('topicTooLong', `The topic may have at most ${maxTopicLength} characters.`, 'topic', { count: maxTopicLength });
  return requestCallback(
    deps,
    {
      phone: input.phone,
      topic: input.topic,
      contactName: viewer.name,
      ...(input.incidentNumber ? { incidentNumber: input.incidentNumber } : { customerNumber: viewer.customerNumber, contactEmail: viewer.email }),
      ...(input.window ? { window: input.window } : {}),
      requestedBy: 'portal',
    },
    contactActor(viewer),
    { idempotencyKey: input.submission, keyScope: `contact:${viewer.contactId}` },
  );
}

export interface PortalContract {
  number: string;
  tier: ContractTier;
  validFrom: string;
  validTo: string | null;
  inForce: boolean;
  coversAllAssets: boolean;
  devices: PortalAsset[];
  /** Only for customer admins: the quota of the current period. */
  quota: Pick<QuotaStatus, 'period' | 'periodStart' | 'periodEnd' | 'totalMinutes' | 'usedMinutes' | 'remainingMinutes'> | null;
}

/** The customer's contracts; quota use only for customer admins. */
export async function customerContracts(deps: Pick<IntakeDeps, 'db' | 'timezone'>, viewer: PortalViewer): Promise<PortalContract[]> {
  const { db } = deps;
  const day = businessDate(new Date(), deps.timezone ?? defaultBusinessTimezone);
  const rows = await db.select().from(contracts).where(eq(contracts.customerId, viewer.customerId)).orderBy(asc(contracts.validFrom), asc(contracts.contractNumber));
  const listed = await listedDevices(db, rows.map((r) => r.id));
  const all = rows.some((r) => r.coversAllAssets) ? await customerAssets(db, viewer) : [];
  return Promise.all(
    rows.map(async (c) => {
      const facts = { id: c.id, number: c.contractNumber, tier: c.tier, validFrom: c.validFrom, validTo: c.validTo, coversAllAssets: c.coversAllAssets, listsAsset: false, hourlyRates: c.hourlyRates, quotaMinutes: c.quotaMinutes, quotaPeriod: c.quotaPeriod };
      let quota: PortalContract['quota'] = null;
      if (viewer.admin && c.quotaMinutes !== null) {
        const probe = quotaStatus(facts, day, 0);
        const status = probe ? quotaStatus(facts, day, await quotaUsedMinutes(db, c.id, probe.periodStart)) : null;
        quota = status && { period: status.period, periodStart: status.periodStart, periodEnd: status.periodEnd, totalMinutes: status.totalMinutes, usedMinutes: status.usedMinutes, remainingMinutes: status.remainingMinutes };
      }
      return { number: c.contractNumber, tier: c.tier, validFrom: c.validFrom, validTo: c.validTo, inForce: inForce(c, day), coversAllAssets: c.coversAllAssets, devices: c.coversAllAssets ? all : (listed.get(c.id) ?? []), quota };
    }),
  );
}

async function listedDevices(db: Db, contractIds: string[]): Promise<Map<string, PortalAsset[]>> {
  if (contractIds.length === 0) return new Map();
  const rows = await db
    .select({ contractId: contractAssets.contractId, serialNumber: assets.serialNumber, product: assets.product })
    .from(contractAssets)
    .innerJoin(assets, eq(assets.id, contractAssets.assetId))
    .where(inArray(contractAssets.contractId, contractIds))
    .orderBy(asc(assets.serialNumber));
  const map = new Map<string, PortalAsset[]>();
  for (const r of rows) map.set(r.contractId, [...(map.get(r.contractId) ?? []), { serialNumber: r.serialNumber, product: r.product }]);
  return map;
}

export async function updateProfile(db: Db, viewer: PortalViewer, changes: { language?: Language; replyMails?: boolean; phone?: string | null }): Promise<void> {
  const [row] = await db.update(contacts).set({ ...changes, updatedAt: new Date() }).where(eq(contacts.id, viewer.contactId)).returning({ id: contacts.id });
  if (!row) throw new NotFound('Your contact record no longer exists.');
}


/** Waits (up to `deadlineMs`) until a new request's projection is written, so its page can show it. */
export async function waitForRequest(db: Db, number: string, deadlineMs: number): Promise<boolean> {
  return waitForRow(deadlineMs, async () => (await db.select({ number: incidents.number }).from(incidents).where(eq(incidents.number, number))).length > 0);
}

/** Waits (up to the deadline) until the callback's workflow has written its projection. */
export async function waitForCallback(db: Db, workflowId: string, deadlineMs: number): Promise<boolean> {
  return waitForRow(deadlineMs, async () => (await db.select({ id: followUps.workflowId }).from(followUps).where(eq(followUps.workflowId, workflowId))).length > 0);
}

async function waitForRow(deadlineMs: number, found: () => Promise<boolean>): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    if (await found()) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
