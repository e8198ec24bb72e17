// The callback service: identify who asked to be called back, pick the SLA policy and window,
// and start the callback workflow (on its own, or as a child of an incident); plus the reads
// of the callback projection and the commands to a running callback.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy, WorkflowNotFoundError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { businessCalendars, contacts, customers, followUps, slaPolicies } from '../db/schema/index.js';
import * as callback from '../domain/callback.js';
import type { CallbackChannel, CallbackRecord, CallbackRequest, CallWindow } from '../domain/callback.js';
import { callbackWindow, houseCallbackCalendar, type CallbackSla } from '../domain/callback-sla.js';
import type { CalendarDefinition } from '../domain/business-calendar.js';
import type { ContractTier } from '../domain/enums.js';
import { NotFound, ValidationError } from '../domain/errors.js';
import type { Actor } from '../domain/incident.js';
import type { SlaPolicySnapshot } from '../domain/sla.js';
import { businessDate, defaultBusinessTimezone, incidentWorkflowId, isIncidentNumber } from '../domain/ticket-number.js';
import { CustomerNumber, FollowUpKind } from '../temporal/search-attributes.js';
import { assignCallbackUpdate, getCallbackQuery, type CallbackWorkflowInput } from '../workflows/callback/messages.js';
import type { callbackWorkflow } from '../workflows/index.js';
import { createFollowUpUpdate } from '../workflows/incident/messages.js';
import { checkEntitlement } from './entitlement.js';
import { staffById, type FollowUpRow } from './follow-ups.js';
import { commandError, sendIncidentCommand } from './incident-commands.js';
import type { IntakeDeps } from './incident-intake.js';
import { findIncident, findIntake } from './incident-queries.js';
import { calendarDefinition } from './sla-config.js';

export type CallbackDeps = Pick<IntakeDeps, 'db' | 'temporal' | 'logger' | 'timezone' | 'defaultRates'>;

export interface CallbackRequestInput {
  phone: string;
  topic: string;
  contactName?: string | undefined;
  customerNumber?: string | undefined;
  contactEmail?: string | undefined;
  incidentNumber?: string | undefined;
  window?: CallWindow | undefined;
  /** The customer asked for a window after the SLA's latest end. */
  laterByAgreement?: boolean | undefined;
  requestedBy: CallbackChannel;
  assigneeId?: string | undefined;
  group?: string | undefined;
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
}

const callbackPrefix = 'callback-';
const grpcNotFound = 5;
/** A follow-up title has at most 200 characters. */
const titleOf = (record: CallbackRecord) => (record.title.length > 200 ? `${record.title.slice(0, 199)}…` : record.title);
export const standaloneWorkflowId = (id: string) => `${callbackPrefix}${id}`;

/** Where the API shows a callback: its own resource, or the follow-up of its incident. */
export function callbackHref(workflowId: string): string {
  if (workflowId.startsWith(callbackPrefix)) return `/api/callbacks/${workflowId.slice(callbackPrefix.length)}`;
  const [parent, ref] = workflowId.split('/');
  return `/api/incidents/${parent!.replace(/^incident-/, '')}/follow-ups/${ref}`;
}

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
  options: { idempotencyKey?: string | undefined; keyScope?: string } = {},
): Promise<RequestedCallback> {
  const scope = options.keyScope ?? actor.id;
  const standaloneId = standaloneWorkflowId(options.idempotencyKey ? uuidFromKey(scope, options.idempotencyKey) : randomUUID());
  if (options.idempotencyKey && !request.incidentNumber) {
    const earlier = await existingCallback(deps, standaloneId);
    if (earlier) return { record: earlier, sla: earlier.details.sla!, href: callbackHref(standaloneId), replayed: true };
  }

  const at = new Date();
  const phone = callback.normalisePhone(request.phone);
  const caller = await identifyCaller(deps, request, at);
  const contactName = request.contactName?.trim() || caller.contactName;
  if (!contactName) throw new ValidationError('contactName: give the name of the person to call (the caller is no known contact).', 'contactName');
  const calendar = caller.policy?.calendar ?? (await houseCalendar(deps));
  const { window, sla } = callbackWindow({ tier: caller.tier, policy: caller.policy, calendar, requestedAt: at, preferred: request.window, laterByAgreement: request.laterByAgreement });
  const assignee = request.assigneeId ? await staffById(deps.db, request.assigneeId, 'assigneeId') : null;
  const group = request.group?.trim() || null;

  const child = { phone, topic: request.topic, contactName, window, requestedBy: request.requestedBy, contactEmail: caller.contactEmail, sla };
  const workflowId = caller.incidentNumber ? `${incidentWorkflowId(caller.incidentNumber)}/callback-0` : standaloneId;
  const input: CallbackRequest = { ...child, workflowId, incidentNumber: caller.incidentNumber, customerNumber: caller.customerNumber };
  // Everything the workflow checks, checked here: a bad request is a 400, not a failed workflow.
  const created = callback.requestCallback(input, { actor, at });

  let record: CallbackRecord;
  let replayed = false;
  if (caller.incidentNumber) {
    const updateId = options.idempotencyKey ? `callback:${scope}:${options.idempotencyKey}` : undefined;
    const state = await sendIncidentCommand(
      deps.temporal,
      caller.incidentNumber,
      createFollowUpUpdate,
      { kind: 'callback', title: titleOf(created.record), waitFor: false, child, actor },
      updateId ? { updateId } : {},
    );
    const link = state.followUps!.at(-1)!;
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
    record = await sendCallbackCommand(deps, record.workflowId, assignCallbackUpdate, { assigneeId: assignee?.id ?? null, assigneeName: assignee?.name ?? null, group, actor }, 'initial-assignment');
  }
  return { record, sla, href: callbackHref(record.workflowId), replayed };
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

/** The incident's terms, the customer's entitlement, or no contract at all for an unknown caller. */
async function identifyCaller(deps: CallbackDeps, request: CallbackRequestInput, at: Date): Promise<Caller> {
  const { db } = deps;
  if (request.incidentNumber) return incidentCaller(db, request);
  let contact: typeof contacts.$inferSelect | undefined;
  let customerNumber = request.customerNumber;
  if (request.contactEmail) {
    [contact] = await db.select().from(contacts).where(eq(sql`lower(${contacts.email})`, request.contactEmail.toLowerCase()));
    const [ofContact] = contact ? await db.select().from(customers).where(eq(customers.id, contact.customerId)) : [];
    if (ofContact && customerNumber && ofContact.customerNumber !== customerNumber) throw new ValidationError(`${request.contactEmail} is a contact of another customer.`, 'contactEmail');
    if (!ofContact && !customerNumber) throw new ValidationError(`No customer is known for ${request.contactEmail}; give customerNumber, or leave contactEmail out to call back an unknown caller.`, 'contactEmail');
    customerNumber ??= ofContact?.customerNumber;
  }
  if (!customerNumber) return { customerNumber: null, contactName: null, contactEmail: null, tier: null, policy: null, incidentNumber: null };
  const check = await checkEntitlement(db, { customerNumber }, businessDate(at, deps.timezone ?? defaultBusinessTimezone), { defaultRates: deps.defaultRates });
  return {
    customerNumber,
    contactName: contact?.name ?? null,
    contactEmail: contact?.email ?? request.contactEmail ?? null,
    tier: check.entitlement.contract?.tier ?? null,
    policy: check.sla,
    incidentNumber: null,
  };
}

async function incidentCaller(db: Db, request: CallbackRequestInput): Promise<Caller> {
  const number = request.incidentNumber!;
  if (!isIncidentNumber(number)) throw new ValidationError('incidentNumber must look like INC-2026-000123.', 'incidentNumber');
  const row = await findIncident(db, number);
  let caller: Caller;
  if (row) {
    const [contact] = row.contactId ? await db.select().from(contacts).where(eq(contacts.id, row.contactId)) : [];
    caller = { customerNumber: row.customerNumber, contactName: contact?.name ?? null, contactEmail: row.contactEmail, tier: row.contractTier, policy: row.slaPolicy, incidentNumber: number };
  } else {
    const recorded = await findIntake(db, number);
    if (!recorded) throw new NotFound(`Incident ${number} does not exist.`);
    const { intake } = recorded;
    caller = { customerNumber: intake.customer?.number ?? null, contactName: intake.contact?.name ?? null, contactEmail: intake.contact?.email ?? null, tier: intake.contract?.tier ?? null, policy: intake.sla ?? null, incidentNumber: number };
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
    return await deps.temporal.client.workflow.getHandle(workflowId).query(getCallbackQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError || (err as { code?: unknown }).code === grpcNotFound) return undefined;
    throw commandError(err, `callback ${workflowId}`);
  }
}

/** Like existingCallback, but a missing callback is a 404. */
export async function currentCallback(deps: Pick<CallbackDeps, 'temporal'>, workflowId: string): Promise<CallbackRecord> {
  const record = await existingCallback(deps, workflowId);
  if (!record) throw new NotFound(`There is no callback ${workflowId}.`);
  return record;
}

/** Sends an update to a callback; its refusals come back as domain errors. An updateId makes a retry run once. */
export async function sendCallbackCommand<I>(
  deps: Pick<CallbackDeps, 'temporal'>,
  workflowId: string,
  update: UpdateDefinition<CallbackRecord, [I & { actor: Actor }]>,
  input: I & { actor: Actor },
  updateId?: string,
): Promise<CallbackRecord> {
  try {
    return await deps.temporal.client.workflow.getHandle(workflowId).executeUpdate(update, { args: [input], ...(updateId ? { updateId } : {}) });
  } catch (err) {
    throw commandError(err, `callback ${workflowId}`);
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
