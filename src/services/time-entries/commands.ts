// Logging, editing, overriding and deleting time entries. Each write is one transaction:
// lock, price, write, audit, quota notices; the notices' mails are delivered after commit.
// Lock order: see ../billing-locks.ts.
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db, Tx } from '../../db/client.js';
import { incidentIntakes, incidents, timeEntries } from '../../db/schema/index.js';
import type { IncidentIntake } from '../../domain/incident/state.js';
import type { Rates } from '../../domain/entitlement.js';
import { hasRole, type ActivityType } from '../../domain/enums.js';
import { Forbidden, IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { businessDate } from '../../domain/ticket-number.js';
import type { Mailer } from '../../mail/outbound.js';
import { createOutboxSender } from '../../mail/outbox.js';
import { uniqueViolation } from '../../db/pg-errors.js';
import { assetLookupOf, quotaUsedMinutes } from '../entitlement.js';
import { staffById } from '../directory/staff.js';
import { recordEntryEvent, type EntryActor, type TimeEntryEventType, type TimeEntryRow } from './audit.js';
import { describeOnDraftInvoice, lockBillingOfEntry, lockEntryForChange, releaseFromDraftInvoice } from './invoice-guard.js';
import { priceEntry, type EntryPricing, type PricedEntry, type PricingTerms } from './pricing.js';
import { recordQuotaNotices } from './quota-notices.js';

export interface TimeEntryDeps {
  db: Db;
  /** The house time zone: "today" and "in the future" for work dates. */
  timezone: string;
  defaultRates?: Rates | undefined;
  mailFrom: string;
  mailer?: Mailer | undefined;
  logger?: Logger | undefined;
}

export interface NewTimeEntry {
  minutes: number;
  activityType: ActivityType;
  description: string;
  workDate?: string | undefined;
  agentId?: string | undefined;
}

export type TimeEntryChange = Partial<Pick<NewTimeEntry, 'minutes' | 'activityType' | 'description' | 'workDate'>>;

export function checkWorkDate(deps: Pick<TimeEntryDeps, 'timezone'>, workDate: string): void {
  const today = businessDate(new Date(), deps.timezone);
  if (workDate > today) throw new ValidationError(`workDate ${workDate} is in the future (today is ${today}); log time only for work already done.`, 'workDate');
}

/** Agents change their own entries; managers and admins anyone's. */
function checkMayChange(actor: EntryActor, entry: TimeEntryRow): void {
  if (entry.agentId !== actor.userId && !hasRole(actor.role, 'manager')) {
    throw new Forbidden('Agents may change only their own time entries; ask a manager.');
  }
}


/** Logs work on an incident. A repeated Idempotency-Key of the same user returns the first entry unchanged. */
export async function logTime(
  deps: TimeEntryDeps,
  actor: EntryActor,
  incidentNumber: string,
  input: NewTimeEntry,
  idempotencyKey?: string,
): Promise<{ entry: TimeEntryRow; replayed: boolean }> {
  const key = idempotencyKey ? `user:${actor.userId}:${idempotencyKey}` : null;
  const replay = async () => {
    if (!key) return undefined;
    const [entry] = await deps.db.select().from(timeEntries).where(eq(timeEntries.idempotencyKey, key));
    if (entry && entry.incidentNumber !== incidentNumber) {
      throw new IllegalTransition(`Idempotency-Key "${idempotencyKey}" was already used for time on ${entry.incidentNumber}; use a new key for new work.`);
    }
    return entry && { entry, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const incident = await incidentTermsOf(deps.db, incidentNumber);
  const agentId = input.agentId ?? actor.userId;
  if (agentId !== actor.userId) {
    if (!hasRole(actor.role, 'manager')) throw new Forbidden('Only a manager or admin may log time for another agent.');
    // Time is worked by support staff; a sales or mail gateway account cannot be its agent.
    await staffById(deps.db, agentId, 'agentId');
  }
  const workDate = input.workDate ?? businessDate(new Date(), deps.timezone);
  checkWorkDate(deps, workDate);

  let written: { entry: TimeEntryRow; mails: string[] };
  try {
    // New time is on no invoice: the quota locks (taken by the pricing) are all it needs.
    written = await deps.db.transaction((tx) =>
      insertTimeEntry(tx, deps, actor, incident, { ...input, agentId, workDate, idempotencyKey: key, createdBy: `user:${actor.userId}` }),
    );
  } catch (err) {
    // The same key raced in from a parallel retry: that one won, this one rolled back.
    const again = uniqueViolation(err) ? await replay() : undefined;
    if (again) return again;
    throw err;
  }
  await deliverQuotaNotices(deps, written.mails);
  return { entry: written.entry, replayed: false };
}

/** What new time on an incident is priced on: its customer, the asset its intake found, its contract and project. */
export interface IncidentTerms {
  incidentNumber: string;
  customerId: string;
  asset: PricingTerms['asset'];
  contractId: string | null;
  projectId: string | null;
}

export async function incidentTermsOf(conn: Db | Tx, incidentNumber: string): Promise<IncidentTerms> {
  const [incident] = await conn.select().from(incidents).where(eq(incidents.number, incidentNumber));
  // Just opened, its projection not written yet: the recorded intake has the same terms.
  const terms = incident ?? (await intakeTermsOf(conn, incidentNumber));
  if (!terms) throw new NotFound(`Incident ${incidentNumber} does not exist.`);
  const customerId = terms.customerId;
  if (!customerId) throw new IllegalTransition(`Incident ${incidentNumber} has no customer, so its time can be neither billed nor drawn from a quota.`);
  return { incidentNumber, customerId, asset: assetLookupOf(terms), contractId: terms.contractId, projectId: terms.projectId };
}

/** The terms an intake recorded, in the projection's shape. */
async function intakeTermsOf(conn: Db | Tx, incidentNumber: string) {
  const [row] = await conn.select({ request: incidentIntakes.request }).from(incidentIntakes).where(eq(incidentIntakes.number, incidentNumber));
  if (!row) return undefined;
  const intake = row.request as IncidentIntake;
  return {
    customerId: intake.customer?.id ?? null,
    entitlement: intake.entitlement ?? null,
    assetId: intake.asset?.id ?? null,
    serialNumber: intake.asset?.serialNumber ?? null,
    contractId: intake.contract?.id ?? null,
    projectId: intake.project?.id ?? null,
  };
}

export interface TimeEntryInsert {
  agentId: string;
  workDate: string;
  minutes: number;
  activityType: ActivityType;
  description: string;
  createdBy: string;
  idempotencyKey?: string | null | undefined;
  /** The work report line it is booked from. */
  followUp?: { workflowId: string; lineNo: number } | undefined;
}

/**
 * Prices and writes one new entry inside the caller's transaction, with its audit event and
 * quota notices; returns the outbox keys to deliver after commit. Takes the quota locks only.
 */
export async function insertTimeEntry(tx: Tx, deps: TimeEntryDeps, actor: EntryActor, incident: IncidentTerms, input: TimeEntryInsert): Promise<{ entry: TimeEntryRow; mails: string[] }> {
  const { customerId, incidentNumber } = incident;
  const terms: PricingTerms = { customerId, asset: incident.asset, contractId: incident.contractId, projectId: incident.projectId, workDate: input.workDate, minutes: input.minutes, activityType: input.activityType, override: null };
  const priced = await priceEntry(tx, terms, deps.defaultRates);
  return writeAndNotify(tx, deps, actor, priced, async () => {
    const [entry] = await tx
      .insert(timeEntries)
      .values({
        incidentNumber,
        customerId,
        agentId: input.agentId,
        workDate: input.workDate,
        minutes: input.minutes,
        activityType: input.activityType,
        description: input.description,
        ...priced.columns,
        idempotencyKey: input.idempotencyKey ?? null,
        followUpWorkflowId: input.followUp?.workflowId ?? null,
        followUpLineNo: input.followUp?.lineNo ?? null,
        createdBy: input.createdBy,
      })
      .returning();
    return { before: null, after: entry!, type: 'created' };
  });
}

/** Edits the work of an entry and prices it again on its (possibly new) date. */
export async function editTimeEntry(deps: TimeEntryDeps, actor: EntryActor, id: string, change: TimeEntryChange): Promise<TimeEntryRow> {
  if (change.workDate) checkWorkDate(deps, change.workDate);
  return rewrite(deps, actor, id, 'updated', null, (entry) => ({ ...change, override: overrideOf(entry) }));
}

/** Sets (true/false) or clears (null) a manager's billing decision, with the reason. */
export async function overrideBilling(deps: TimeEntryDeps, actor: EntryActor, id: string, decision: { billable: boolean | null; reason?: string | undefined }): Promise<TimeEntryRow> {
  if (!hasRole(actor.role, 'manager')) throw new Forbidden('Only a manager or admin may override billing.');
  const reason = decision.reason?.trim() ?? '';
  if (decision.billable !== null && !reason) throw new ValidationError('A reason is required when overriding billing.', 'reason');
  const override = decision.billable === null ? null : { billable: decision.billable, reason };
  return rewrite(deps, actor, id, 'billing_overridden', reason || null, () => ({ override }), {
    billableOverride: override?.billable ?? null,
    overrideReason: override?.reason ?? null,
    overrideBy: override ? `user:${actor.userId}` : null,
  });
}

/** Soft-deletes an entry: its quota minutes are free again and it is never invoiced. */
export async function deleteTimeEntry(deps: TimeEntryDeps, actor: EntryActor, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    checkMayChange(actor, await lockBillingOfEntry(tx, id));
    const before = await lockEntryForChange(tx, id);
    await releaseFromDraftInvoice(tx, id);
    const [after] = await tx.update(timeEntries).set({ deletedAt: new Date(), updatedAt: new Date() }).where(eq(timeEntries.id, id)).returning();
    await recordEntryEvent(tx, { type: 'deleted', actor, before, after: after! });
  });
}

const overrideOf = (entry: TimeEntryRow) =>
  entry.billableOverride === null ? null : { billable: entry.billableOverride, reason: entry.overrideReason ?? '' };

/** Whether the change touches what the entry is billed on; anything else leaves its billing as it was priced. */
function billingInputsChange(entry: TimeEntryRow, work: Pick<TimeEntryRow, 'minutes' | 'activityType' | 'workDate'>, override: PricingTerms['override']): boolean {
  const was = overrideOf(entry);
  return (
    work.minutes !== entry.minutes ||
    work.activityType !== entry.activityType ||
    work.workDate !== entry.workDate ||
    was?.billable !== override?.billable ||
    was?.reason !== override?.reason
  );
}

/**
 * Changes an entry in one transaction, taking the locks in the order of billing-locks.ts:
 * the customer's billing lock, the quota locks (only when it is priced again), then its
 * invoice and entry rows. Only a change of minutes, activity type, work date or override
 * prices it again (on today's master data) and takes it off a draft invoice; a change of the
 * description keeps the billing it was priced with, so old work does not change its price by
 * a typo fix.
 */
async function rewrite(
  deps: TimeEntryDeps,
  actor: EntryActor,
  id: string,
  type: TimeEntryEventType,
  reason: string | null,
  changeOf: (entry: TimeEntryRow) => TimeEntryChange & { override: PricingTerms['override'] },
  extra: Partial<TimeEntryRow> = {},
): Promise<TimeEntryRow> {
  const written = await deps.db.transaction(async (tx) => {
    const current = await lockBillingOfEntry(tx, id);
    checkMayChange(actor, current);
    const { override, ...change } = changeOf(current);
    const work = { minutes: current.minutes, activityType: current.activityType, description: current.description, workDate: current.workDate, ...change };
    const reprice = billingInputsChange(current, work, override);
    const priced = reprice ? await priceEntry(tx, await termsOf(tx, current, work, override), deps.defaultRates) : null;

    const before = await lockEntryForChange(tx, id);
    if (reprice) await releaseFromDraftInvoice(tx, id);
    else if (work.description !== before.description) await describeOnDraftInvoice(tx, id, { description: work.description });
    return writeAndNotify(
      tx,
      deps,
      actor,
      priced,
      async (columns) => {
        const [after] = await tx
          .update(timeEntries)
          .set({ ...work, ...columns, ...extra, updatedAt: new Date() })
          .where(eq(timeEntries.id, id))
          .returning();
        return { before, after: after!, type };
      },
      reason,
    );
  });
  await deliverQuotaNotices(deps, written.mails);
  return written.entry;
}

/**
 * The terms an entry is priced on again: the incident's intake terms and its contract as it is
 * now, the same as a new entry would get (a contract a manager corrected since applies).
 */
async function termsOf(
  tx: Tx,
  entry: TimeEntryRow,
  work: Pick<TimeEntryRow, 'minutes' | 'activityType' | 'workDate'>,
  override: PricingTerms['override'],
): Promise<PricingTerms> {
  const [incident] = await tx
    .select({ assetId: incidents.assetId, serialNumber: incidents.serialNumber, entitlement: incidents.entitlement, contractId: incidents.contractId, projectId: incidents.projectId })
    .from(incidents)
    .where(eq(incidents.number, entry.incidentNumber));
  return {
    customerId: entry.customerId,
    asset: incident ? assetLookupOf(incident) : { kind: 'none' },
    contractId: incident ? incident.contractId : entry.contractId,
    projectId: incident ? incident.projectId : entry.projectId,
    workDate: work.workDate,
    minutes: work.minutes,
    activityType: work.activityType,
    override,
    excludeTimeEntryId: entry.id,
  };
}

/**
 * Writes (with the new billing columns when priced, else the stored ones stay), audits, and
 * records the quota thresholds the write crossed in the work date's period.
 */
async function writeAndNotify(
  tx: Tx,
  deps: TimeEntryDeps,
  actor: EntryActor,
  priced: PricedEntry | null,
  write: (columns: EntryPricing | Record<string, never>) => Promise<{ before: TimeEntryRow | null; after: TimeEntryRow; type: TimeEntryEventType }>,
  reason: string | null = null,
): Promise<{ entry: TimeEntryRow; mails: string[] }> {
  const columns = priced?.columns;
  const quota = priced?.quota;
  const draws = quota && columns?.contractId && columns.quotaMinutes > 0 ? { contractId: columns.contractId, quota } : null;
  const usedBefore = draws ? await quotaUsedMinutes(tx, draws.contractId, draws.quota.periodStart) : 0;
  const { before, after, type } = await write(columns ?? {});
  await recordEntryEvent(tx, { type, actor, before, after, reason });
  if (!draws) return { entry: after, mails: [] };
  const usedAfter = await quotaUsedMinutes(tx, draws.contractId, draws.quota.periodStart);
  const mails = await recordQuotaNotices(
    tx,
    {
      contractId: draws.contractId,
      periodStart: draws.quota.periodStart,
      periodEnd: draws.quota.periodEnd,
      totalMinutes: draws.quota.totalMinutes,
      before: usedBefore,
      after: usedAfter,
      timeEntryId: after.id,
      incidentNumber: after.incidentNumber,
    },
    deps.mailFrom,
  );
  return { entry: after, mails };
}

/** Sends the new notices now if SMTP is configured; whatever fails, the outbox sweeper retries. */
export async function deliverQuotaNotices(deps: TimeEntryDeps, keys: string[]): Promise<void> {
  if (keys.length === 0 || !deps.mailer) return;
  await createOutboxSender({ db: deps.db, mailer: deps.mailer, mailFrom: deps.mailFrom, logger: deps.logger })
    .deliverKeys(keys)
    .catch((err: unknown) => deps.logger?.warn({ err, keys }, 'quota notice not delivered yet; the outbox sweeper retries'));
}
