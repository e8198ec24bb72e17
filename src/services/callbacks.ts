// The callback service: identify who asked to be called back, pick the SLA policy and window,
// and start the callback workflow (on its own, or as a child of an incident); plus the reads
// of the callback projection and the commands to a running callback.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { businessCalendars, contacts, contracts, customers, followUps, slaPolicies } from '../db/schema/index.js';
import * as callback from '../domain/callback.js';
import type { CallbackChannel, CallbackRecord, CallbackRequest, CallWindow, PhoneSource } from '../domain/callback.js';
import { bestContractInForce, callbackWindow, houseCallbackCalendar, type CallbackBasis, type CallbackContract, type CallbackSla, type CallbackWindowDecision } from '../domain/callback-sla.js';
import type { CalendarDefinition } from '../domain/business-calendar.js';
import type { ContractTier } from '../domain/enums.js';
import { earlierLink } from '../domain/incident/follow-ups.js';
import { IllegalTransition, NotFound, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/kernel.js';
import type { SlaPolicySnapshot } from '../domain/sla.js';
import { businessDate, defaultBusinessTimezone, isIncidentNumber } from '../domain/ticket-number.js';
import { incidentCallbackWorkflowId, parseFollowUpWorkflowId, standaloneCallbackIdOf, standaloneCallbackWorkflowId } from '../domain/workflow-ids.js';
import { CustomerNumber, FollowUpKind } from '../temporal/search-attributes.js';
import { assignCallbackUpdate, getCallbackQuery, type CallbackWorkflowInput } from '../workflows/callback/messages.js';
import type { callbackWorkflow } from '../workflows/index.js';
import { addNoteUpdate, createFollowUpUpdate } from '../workflows/incident/messages.js';
import { checkEntitlement, policyIdOf, slaSnapshot } from './entitlement.js';
import { callerContact } from './master-data/contacts.js';
import { sendFollowUpCommand, type FollowUpRow } from './follow-ups.js';
import { knownGroup, staffByRef } from './directory/staff.js';
import { commandError, isNotFound, sendIncidentCommand } from './incident-commands.js';
import type { IntakeDeps } from './incident-intake.js';
import { findIncident, findIntake } from './incident-queries.js';
import { calendarDefinition } from './sla-config.js';
import { withWorkflowDeadline } from '../temporal/client.js';

export type CallbackDeps = Pick<IntakeDeps, 'db' | 'temporal' | 'logger' | 'timezone' | 'defaultRates'>;

export interface CallbackRequestInput {
  phone: string;
  topic: string;
  contactName?: string | undefined;
  customerNumber?: string | undefined;
  contactEmail?: string | undefined;
  /** The asset the call is about: its entitlement decides the terms (else the customer's best contract). */
  serialNumber?: string | undefined;
  incidentNumber?: string | undefined;
  window?: CallWindow | undefined;
  /** The customer asked for a window after the SLA's latest end. */
  laterByAgreement?: boolean | undefined;
  requestedBy: CallbackChannel;
  assigneeId?: string | undefined;
  /** The assignee by e-mail, instead of assigneeId. */
  assigneeEmail?: string | undefined;
  group?: string | undefined;
  /** Requests by mail: where the number came from, and the contact's number on record when it differs. */
  phoneSource?: PhoneSource | undefined;
  contactPhone?: string | null | undefined;
}

export interface RequestedCallback {
  record: CallbackRecord;
  sla: CallbackSla;
  href: string;
  replayed: boolean;
}

/** Who asked, and on what terms. */
interface Caller {
  customerNumber: string | null;
  contactName: string | null;
  contactEmail: string | null;
  tier: ContractTier | null;
  policy: SlaPolicySnapshot | null;
  incidentNumber: string | null;
  contract: CallbackContract | null;
  basis: CallbackBasis;
}

/** A follow-up title has at most 200 characters. */
const titleOf = (record: CallbackRecord) => (record.title.length > 200 ? `${record.title.slice(0, 199)}…` : record.title);

/** Where the API shows a callback: its own resource, or the follow-up of its incident. */
export function callbackHref(workflowId: string): string {
  const target = parseFollowUpWorkflowId(workflowId);
  if ('callbackId' in target) return `/api/callbacks/${target.callbackId}`;
  return `/api/incidents/${target.incidentNumber}/follow-ups/${target.ref}`;
}

/** The workflow id of the standalone callback that an Idempotency-Key of a caller (scope) names. */
export const keyedWorkflowId = (scope: string, key: string) => standaloneCallbackWorkflowId(uuidFromKey(scope, key));

/** The same key from the same caller names the same callback: a UUID from a hash of both. */
function uuidFromKey(scope: string, key: string): string {
  const hex = createHash('sha256').update(`callback:${scope}:${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Takes a callback request: identify the caller, compute the window from the callback SLA, check
 * everything the workflow would check, then start it and assign it. With an Idempotency-Key the
 * same caller's retry answers with the first callback instead of starting a second one.
 */
export async function requestCallback(
  deps: CallbackDeps,
  request: CallbackRequestInput,
  actor: Actor,
  options: { idempotencyKey?: string | undefined; keyScope?: string; requestedAt?: Date | undefined } = {},
): Promise<RequestedCallback> {
  const scope = options.keyScope ?? actor.id;
  const standaloneId = options.idempotencyKey ? keyedWorkflowId(scope, options.idempotencyKey) : standaloneCallbackWorkflowId(randomUUID());
  if (options.idempotencyKey && !request.incidentNumber) {
    const earlier = await existingCallback(deps, standaloneId);
    if (earlier) return { record: earlier, sla: earlier.details.sla!, href: callbackHref(standaloneId), replayed: true };
  }

  const at = new Date();
  // The SLA and the contract count from when the request reached us (a mail's arrival), not from
  // when it is taken up. Taken up so late that its window has closed (e.g. after an outage), the
  // window counts from now, so a callback is never born overdue, and the SLA says `late`.
  const requestedAt = options.requestedAt && options.requestedAt < at ? options.requestedAt : at;
  const phone = callback.requireCallablePhone(request.phone);
  const caller = await identifyCaller(deps, request, requestedAt);
  const contactName = request.contactName?.trim() || caller.contactName;
  if (!contactName) throw new ValidationError('contactName: give the name of the person to call (the caller is no known contact).', 'contactName');
  const calendar = caller.policy?.calendar ?? (await houseCalendar(deps));
  const { window, sla } = callbackWindow({
    tier: caller.tier,
    policy: caller.policy,
    contract: caller.contract,
    basis: caller.basis,
    calendar,
    requestedAt,
    takenUpAt: at,
    preferred: request.window,
    laterByAgreement: request.laterByAgreement,
  });
  const assignee = (await staffByRef(deps.db, { id: request.assigneeId, email: request.assigneeEmail }, ['assigneeId', 'assigneeEmail'])) ?? null;
  const group = request.group?.trim() ? await knownGroup(deps.db, request.group.trim()) : null;

  const child = {
    phone,
    topic: request.topic,
    contactName,
    window,
    requestedBy: request.requestedBy,
    contactEmail: caller.contactEmail,
    sla,
    ...(request.phoneSource ? { phoneSource: request.phoneSource } : {}),
    ...(request.contactPhone ? { contactPhone: request.contactPhone } : {}),
  };
  const workflowId = caller.incidentNumber ? incidentCallbackWorkflowId(caller.incidentNumber) : standaloneId;
  const input: CallbackRequest = { ...child, workflowId, incidentNumber: caller.incidentNumber, customerNumber: caller.customerNumber };
  // Everything the workflow checks, checked here: a bad request is a 400, not a failed workflow.
  const created = callback.requestCallback(input, { actor, at });

  let record: CallbackRecord;
  let replayed = false;
  if (caller.incidentNumber) {
    const updateId = options.idempotencyKey ? `callback:${scope}:${options.idempotencyKey}` : undefined;
    const followUp = { kind: 'callback', title: titleOf(created.record), waitFor: false, child, actor, requestKey: updateId } as const;
    const state = await sendIncidentCommand(deps.temporal, caller.incidentNumber, createFollowUpUpdate, followUp, updateId ? { updateId } : {});
    // A retry with the same key finds the link the first request made, also after continue-as-new.
    const link = earlierLink(state, followUp) ?? state.followUps!.at(-1)!;
    record = { ...created.record, workflowId: link.workflowId };
  } else {
    try {
      await startStandalone(deps, { ...input, openedBy: actor });
      record = created.record;
    } catch (err) {
      // Temporal away: a 503 to retry (with the same Idempotency-Key), not a 500.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw commandError(err, `callback ${standaloneId}`);
      // The same key raced us: answer with the callback the other request started.
      record = (await existingCallback(deps, standaloneId)) ?? created.record;
      replayed = true;
    }
  }
  if (!replayed && (assignee || group)) {
    const assignment = { assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null, group, actor };
    record = await sendFollowUpCommand(deps.temporal, record, assignCallbackUpdate, assignment, { updateId: 'initial-assignment' });
  }
  return { record, sla, href: callbackHref(record.workflowId), replayed };
}

/**
 * The terms a callback request would get now, without taking it: the SLA's minutes and the window
 * it allows (the portal shows them before the customer picks a time).
 */
export async function previewCallbackTerms(deps: CallbackDeps, request: Pick<CallbackRequestInput, 'customerNumber' | 'contactEmail' | 'incidentNumber'>, at = new Date()): Promise<CallbackWindowDecision> {
  const caller = await identifyCaller(deps, { ...request, phone: '', topic: '', requestedBy: 'portal' }, at);
  const calendar = caller.policy?.calendar ?? (await houseCalendar(deps));
  return callbackWindow({ tier: caller.tier, policy: caller.policy, contract: caller.contract, basis: caller.basis, calendar, requestedAt: at });
}

async function startStandalone(deps: CallbackDeps, input: CallbackWorkflowInput): Promise<void> {
  await deps.temporal.client.workflow.start<typeof callbackWorkflow>('callbackWorkflow', {
    workflowId: input.workflowId,
    taskQueue: deps.temporal.taskQueue,
    // Never a second run under the same id: an Idempotency-Key maps to exactly one callback.
    workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    args: [input],
    typedSearchAttributes: [{ key: FollowUpKind, value: 'callback' }, ...(input.customerNumber ? [{ key: CustomerNumber, value: input.customerNumber }] : [])],
    staticSummary: `Callback to ${input.contactName}: ${input.topic}`,
    staticDetails: `${input.phone} · window ${input.window.from} to ${input.window.to} · customer ${input.customerNumber ?? 'unknown'} · SLA ${input.sla?.minutes ?? '?'} business minutes (${input.sla?.met ?? 'within'})`,
  });
}

/**
 * The incident's terms; else the entitlement of the asset the caller named; else the customer's
 * best contract in force on the day of the request (highest tier, even one that lists only some
 * assets); no contract at all for an unknown caller.
 */
async function identifyCaller(deps: CallbackDeps, request: CallbackRequestInput, at: Date): Promise<Caller> {
  const { db } = deps;
  if (request.incidentNumber) {
    if (request.serialNumber) throw new ValidationError('serialNumber: a callback under an incident counts on the incident\'s terms; leave serialNumber out.', 'serialNumber');
    return incidentCaller(db, request);
  }
  const caller = request.contactEmail ? await callerContact(db, request.contactEmail, request.customerNumber) : undefined;
  if (request.contactEmail && !caller && !request.customerNumber) {
    throw new ValidationError(`No customer is known for ${request.contactEmail}; give customerNumber, or leave contactEmail out to call back an unknown caller.`, 'contactEmail');
  }
  const contact = caller?.contact;
  const customerNumber = request.customerNumber ?? caller?.customerNumber;
  const who = { contactName: contact?.name ?? null, contactEmail: contact?.email ?? request.contactEmail ?? null, incidentNumber: null };
  const day = businessDate(at, deps.timezone ?? defaultBusinessTimezone);
  if (request.serialNumber) return { ...who, ...(await assetTerms(deps, { customerNumber, serialNumber: request.serialNumber }, day)) };
  if (!customerNumber) return { ...who, customerNumber: null, tier: null, policy: null, contract: null, basis: 'none' };
  return { ...who, ...(await customerTerms(db, customerNumber, day)) };
}

type Terms = Pick<Caller, 'customerNumber' | 'tier' | 'policy' | 'contract' | 'basis'>;

/** The entitlement of the named asset (which also names the customer); an asset we do not know as theirs is a 400. */
async function assetTerms(deps: CallbackDeps, query: { customerNumber: string | undefined; serialNumber: string }, day: string): Promise<Terms> {
  const check = await checkEntitlement(deps.db, query, day, { defaultRates: deps.defaultRates });
  const asset = check.entitlement.asset;
  if (asset?.kind === 'unknown') throw new ValidationError(`No asset with serial number ${query.serialNumber}.`, 'serialNumber');
  if (asset?.kind === 'other-customer') throw new ValidationError(`Asset ${query.serialNumber} is not an asset of customer ${query.customerNumber}.`, 'serialNumber');
  const contract = check.entitlement.contract;
  return { customerNumber: check.customer?.customerNumber ?? null, tier: contract?.tier ?? null, policy: check.sla, contract: contract ? { id: contract.id, number: contract.number, tier: contract.tier } : null, basis: 'asset' };
}

/** The customer's best contract in force on `day` (bestContractInForce) and its SLA policy. */
async function customerTerms(db: Db, customerNumber: string, day: string): Promise<Terms> {
  const [customer] = await db.select({ id: customers.id }).from(customers).where(eq(customers.customerNumber, customerNumber));
  if (!customer) throw new ValidationError(`No customer with number ${customerNumber}.`, 'customerNumber');
  const rows = await db
    .select({ id: contracts.id, number: contracts.contractNumber, tier: contracts.tier, validFrom: contracts.validFrom, validTo: contracts.validTo })
    .from(contracts)
    .where(eq(contracts.customerId, customer.id));
  const best = bestContractInForce(rows, day);
  if (!best) return { customerNumber, tier: null, policy: null, contract: null, basis: 'customer' };
  const policyId = await policyIdOf(db, best.id);
  return { customerNumber, tier: best.tier, policy: policyId ? await slaSnapshot(db, policyId) : null, contract: { id: best.id, number: best.number, tier: best.tier }, basis: 'customer' };
}

async function incidentCaller(db: Db, request: CallbackRequestInput): Promise<Caller> {
  const number = request.incidentNumber!;
  if (!isIncidentNumber(number)) throw new ValidationError('incidentNumber must look like INC-2026-000123.', 'incidentNumber');
  const row = await findIncident(db, number);
  let caller: Caller;
  if (row) {
    const [contact] = row.contactId ? await db.select().from(contacts).where(eq(contacts.id, row.contactId)) : [];
    // The incident's contract now (a manager may have changed it since intake).
    const [contract] = row.contractId ? await db.select({ id: contracts.id, number: contracts.contractNumber, tier: contracts.tier }).from(contracts).where(eq(contracts.id, row.contractId)) : [];
    caller = { customerNumber: row.customerNumber, contactName: contact?.name ?? null, contactEmail: row.contactEmail, tier: row.contractTier, policy: row.slaPolicy, incidentNumber: number, contract: contract ?? null, basis: 'incident' };
  } else {
    const recorded = await findIntake(db, number);
    if (!recorded) throw new NotFound(`Incident ${number} does not exist.`);
    const { intake } = recorded;
    const contract = intake.contract ? { id: intake.contract.id, number: intake.contract.number, tier: intake.contract.tier } : null;
    caller = { customerNumber: intake.customer?.number ?? null, contactName: intake.contact?.name ?? null, contactEmail: intake.contact?.email ?? null, tier: intake.contract?.tier ?? null, policy: intake.sla ?? null, incidentNumber: number, contract, basis: 'incident' };
  }
  if (request.customerNumber && caller.customerNumber && request.customerNumber !== caller.customerNumber) {
    throw new ValidationError(`Incident ${number} belongs to customer ${caller.customerNumber}, not ${request.customerNumber}.`, 'customerNumber');
  }
  return caller;
}

/**
 * The calendar of a caller without policy: the silver default policy's (the house's basic support
 * hours), else office hours in the house's time zone (houseCallbackCalendar).
 */
async function houseCalendar(deps: CallbackDeps): Promise<CalendarDefinition> {
  const [row] = await deps.db
    .select({ calendar: businessCalendars })
    .from(slaPolicies)
    .innerJoin(businessCalendars, eq(businessCalendars.id, slaPolicies.calendarId))
    .where(eq(slaPolicies.tier, 'silver'));
  return row ? calendarDefinition(row.calendar) : houseCallbackCalendar(deps.timezone ?? defaultBusinessTimezone);
}

/** The callback as its workflow has it now (also once ended), or undefined when there is none. */
export async function existingCallback(deps: Pick<CallbackDeps, 'temporal'>, workflowId: string): Promise<CallbackRecord | undefined> {
  try {
    return await withWorkflowDeadline(deps.temporal, () => deps.temporal.client.workflow.getHandle(workflowId).query(getCallbackQuery));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw commandError(err, `callback ${workflowId}`, deps.temporal);
  }
}

/** Like existingCallback, but a missing callback is a 404. */
export async function currentCallback(deps: Pick<CallbackDeps, 'temporal'>, workflowId: string): Promise<CallbackRecord> {
  const record = await existingCallback(deps, workflowId);
  if (!record) throw new NotFound(`There is no callback ${workflowId}.`);
  return record;
}

/**
 * Puts a note on the incident's timeline saying which standalone callback was attached to it. The
 * update id comes from the callback's workflow id (a callback is attached at most once), so a
 * retry, or a second path that ensures the note, adds it once. A closed incident takes no note:
 * the attachment stands (it is on the callback's own timeline), the miss is logged.
 */
export async function noteAttachedCallback(deps: Pick<CallbackDeps, 'temporal' | 'logger'>, record: CallbackRecord, incidentNumber: string, actor: Actor): Promise<void> {
  if (standaloneCallbackIdOf(record.workflowId) === null) return;
  const { contactName, phone, topic } = record.details;
  const text = `Callback attached: ${contactName}, ${phone}, about "${topic}" (${callbackHref(record.workflowId)}).`;
  try {
    await sendIncidentCommand(deps.temporal, incidentNumber, addNoteUpdate, { text, actor }, { updateId: `callback-attached:${record.workflowId}` });
  } catch (err) {
    if (!(err instanceof IllegalTransition)) throw err;
    deps.logger.warn({ callback: record.workflowId, incident: incidentNumber, reason: err.message }, 'callback attached, but the incident took no note');
  }
}

// Reads of the projection (table follow_ups, kind callback).

export const callbackViews = ['due', 'overdue', 'open', 'all'] as const;
export type CallbackListView = (typeof callbackViews)[number];

export interface CallbackFilter {
  view: CallbackListView;
  assigneeId?: string | undefined;
  group?: string | undefined;
  limit: number;
  offset: number;
}

/**
 * Callbacks by view, the earliest due first: `due` = open and its window has opened (no call yet)
 * or its retry is due; `overdue` = the window closed without a call; `open` = not ended.
 */
export async function listCallbacks(db: Db, filter: CallbackFilter, now = new Date()): Promise<FollowUpRow[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const attempts = sql`jsonb_array_length(coalesce(${followUps.details}->'attempts', '[]'::jsonb))`;
  const conditions: SQL[] = [eq(followUps.kind, 'callback')];
  if (filter.view !== 'all') conditions.push(eq(followUps.ended, false));
  if (filter.view === 'overdue') conditions.push(eq(followUps.state, 'overdue'));
  if (filter.view === 'due') {
    conditions.push(sql`((${attempts} = 0 and (${followUps.details}->'window'->>'from')::timestamptz <= ${at}) or (${attempts} > 0 and ${followUps.dueAt} <= ${at}))`);
  }
  if (filter.assigneeId) conditions.push(eq(followUps.assigneeId, filter.assigneeId));
  if (filter.group) conditions.push(sql`${followUps.details}->>'group' = ${filter.group}`);
  return db
    .select()
    .from(followUps)
    .where(and(...conditions))
    .orderBy(sql`${followUps.dueAt} asc nulls last`, asc(followUps.workflowId))
    .limit(filter.limit)
    .offset(filter.offset);
}

export async function findCallbackRow(db: Db, workflowId: string): Promise<FollowUpRow | undefined> {
  const [row] = await db.select().from(followUps).where(and(eq(followUps.workflowId, workflowId), eq(followUps.kind, 'callback')));
  return row;
}
