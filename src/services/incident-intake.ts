// Opening an incident: identify the caller, pick contract and SLA policy, allocate the number
// durably, then start the incident workflow. API, mail and portal all come through here.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { and, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { allocateIncidentNumber } from '../db/incident-numbers.js';
import { assets, businessCalendars, contacts, contracts, customers, incidentIntakes, slaPolicies } from '../db/schema/index.js';
import type { Channel, Impact, Priority, Urgency } from '../domain/enums.js';
import { ValidationError } from '../domain/errors.js';
import type { MailIntake } from '../domain/incident-mail.js';
import { openIncident, type Actor, type IncidentIntake, type IncidentParties, type IncidentState } from '../domain/incident.js';
import { defaultImpact, defaultUrgency, priorityFor } from '../domain/priority.js';
import type { SlaPolicySnapshot } from '../domain/sla.js';
import { businessDate, incidentWorkflowId, incidentYear } from '../domain/ticket-number.js';
import { calendarDefinition } from './sla-config.js';
import type { Temporal } from '../temporal/client.js';
import { incidentStartSearchAttributes } from '../temporal/search-attributes.js';
import type { incidentWorkflow } from '../workflows/index.js';

export interface IncidentRequest {
  title: string;
  description: string;
  customerNumber?: string | undefined;
  serialNumber?: string | undefined;
  contactEmail?: string | undefined;
  impact?: Impact | undefined;
  urgency?: Urgency | undefined;
  priority?: Priority | undefined;
  channel: Channel;
}

export interface IntakeDeps {
  db: Db;
  temporal: Temporal;
  logger: Logger;
  /** Days after resolution until automatic close; the incident keeps the value it was opened with. */
  autoCloseDays?: number;
  /** The house's time zone (incident-number year, contract validity day); default Europe/Berlin. */
  timezone?: string;
}

const defaultBusinessTimezone = 'Europe/Berlin';

type CustomerRow = typeof customers.$inferSelect;

/** Resolves who is calling: customer, contact, asset, the covering contract and its SLA policy. */
export async function identifyCaller(db: Db, request: IncidentRequest, at: Date, timezone = defaultBusinessTimezone): Promise<IncidentParties> {
  let customer: CustomerRow | undefined;
  if (request.customerNumber) {
    [customer] = await db.select().from(customers).where(eq(customers.customerNumber, request.customerNumber));
    if (!customer) throw new ValidationError(`No customer with number ${request.customerNumber}.`, 'customerNumber');
  }

  let asset: typeof assets.$inferSelect | undefined;
  if (request.serialNumber) {
    [asset] = await db.select().from(assets).where(eq(assets.serialNumber, request.serialNumber));
    if (!asset) throw new ValidationError(`No asset with serial number ${request.serialNumber}.`, 'serialNumber');
    if (customer && asset.customerId !== customer.id) {
      throw new ValidationError(`Serial number ${request.serialNumber} belongs to another customer than ${customer.customerNumber}.`, 'serialNumber');
    }
    customer ??= (await db.select().from(customers).where(eq(customers.id, asset.customerId)))[0];
  }

  let contact: typeof contacts.$inferSelect | undefined;
  if (request.contactEmail) {
    [contact] = await db.select().from(contacts).where(eq(sql`lower(${contacts.email})`, request.contactEmail.toLowerCase()));
    if (contact && customer && contact.customerId !== customer.id) {
      throw new ValidationError(`${request.contactEmail} is a contact of another customer.`, 'contactEmail');
    }
    if (contact) customer ??= (await db.select().from(customers).where(eq(customers.id, contact.customerId)))[0];
  }
  if (!customer) {
    throw new ValidationError(`No customer is known for ${request.contactEmail}; give customerNumber or serialNumber.`, 'contactEmail');
  }

  const contract = await coveringContract(db, customer.id, asset?.contractId ?? null, businessDate(at, timezone));
  const slaPolicyId = contract?.slaPolicyId ?? (contract ? await tierPolicyId(db, contract.tier) : null);
  const sla = slaPolicyId ? await slaSnapshot(db, slaPolicyId) : null;

  return {
    customer: { id: customer.id, number: customer.customerNumber, name: customer.name },
    contact: request.contactEmail
      ? { id: contact?.id ?? null, email: contact?.email ?? request.contactEmail, name: contact?.name ?? null }
      : null,
    asset: asset ? { id: asset.id, serialNumber: asset.serialNumber } : null,
    contract: contract ? { id: contract.id, number: contract.contractNumber, tier: contract.tier } : null,
    slaPolicyId,
    sla,
  };
}

/** A contract of the customer by number, with its SLA policy snapshot (tier default if it has none). */
export async function contractCover(db: Db, customerId: string | null, contractNumber: string): Promise<Pick<IncidentParties, 'contract' | 'slaPolicyId' | 'sla'>> {
  const [contract] = await db.select().from(contracts).where(eq(contracts.contractNumber, contractNumber));
  if (!contract) throw new ValidationError(`No contract with number ${contractNumber}.`, 'contractNumber');
  if (customerId && contract.customerId !== customerId) throw new ValidationError(`Contract ${contractNumber} belongs to another customer.`, 'contractNumber');
  const slaPolicyId = contract.slaPolicyId ?? (await tierPolicyId(db, contract.tier));
  return {
    contract: { id: contract.id, number: contract.contractNumber, tier: contract.tier },
    slaPolicyId,
    sla: slaPolicyId ? await slaSnapshot(db, slaPolicyId) : null,
  };
}

/** The policy and its calendar as they are now; the incident keeps this copy for its whole life. */
async function slaSnapshot(db: Db, policyId: string): Promise<SlaPolicySnapshot> {
  const [row] = await db
    .select({ policy: slaPolicies, calendar: businessCalendars })
    .from(slaPolicies)
    .innerJoin(businessCalendars, eq(businessCalendars.id, slaPolicies.calendarId))
    .where(eq(slaPolicies.id, policyId));
  if (!row) throw new Error(`SLA policy ${policyId} vanished during intake`);
  const { policy, calendar } = row;
  return { id: policy.id, name: policy.name, version: policy.version, tier: policy.tier, calendar: calendarDefinition(calendar), targets: policy.targets, escalation: policy.escalation };
}

/** The asset's own contract if active, else an active contract of the customer that covers all assets. */
async function coveringContract(db: Db, customerId: string, assetContractId: string | null, day: string) {
  const active = and(lte(contracts.validFrom, day), or(isNull(contracts.validTo), gte(contracts.validTo, day)));
  if (assetContractId) {
    const [own] = await db.select().from(contracts).where(and(eq(contracts.id, assetContractId), active));
    if (own) return own;
  }
  const [whole] = await db
    .select()
    .from(contracts)
    .where(and(eq(contracts.customerId, customerId), eq(contracts.coversAllAssets, true), active))
    .orderBy(sql`${contracts.validFrom} desc`)
    .limit(1);
  return whole;
}

async function tierPolicyId(db: Db, tier: NonNullable<IncidentParties['contract']>['tier']): Promise<string | null> {
  const [policy] = await db.select({ id: slaPolicies.id }).from(slaPolicies).where(eq(slaPolicies.tier, tier));
  return policy?.id ?? null;
}

export function priorityOf(request: Pick<IncidentRequest, 'priority' | 'impact' | 'urgency'>): Priority {
  return request.priority ?? priorityFor(request.impact ?? defaultImpact, request.urgency ?? defaultUrgency);
}

/**
 * Records the intake with a fresh number and starts the workflow. If the start fails, the
 * intake stays pending and `startPendingIntakes` starts it later: the number is never lost.
 */
export async function openIncidentFromRequest(
  deps: IntakeDeps,
  request: IncidentRequest,
  options: {
    actor: Actor;
    receivedAt?: Date;
    idempotencyKey?: string | undefined;
    /** Whose keys these are; default the actor. Mail uses one scope, so whoever opens it, it opens one incident. */
    keyScope?: string;
    mail?: MailIntake;
  },
): Promise<{ incident: IncidentState; started: boolean; replayed: boolean }> {
  const key = options.idempotencyKey ? `${options.keyScope ?? options.actor.id}:${options.idempotencyKey}` : null;
  const replay = async () => {
    if (!key) return undefined;
    const [row] = await deps.db.select().from(incidentIntakes).where(eq(incidentIntakes.idempotencyKey, key));
    if (!row) return undefined;
    const intake = row.request as IncidentIntake;
    // The first request may still be starting the workflow (or have failed to): make sure it runs.
    const started = row.workflowStartedAt !== null || (await startIncidentWorkflow(deps, intake).then(() => true, () => false));
    return { incident: openIncident(intake).state, started, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const receivedAt = options.receivedAt ?? new Date();
  const parties = await identifyCaller(deps.db, request, receivedAt, deps.timezone);
  let intake: IncidentIntake;
  try {
    intake = await recordIntake(deps, request, parties, receivedAt, options.actor, key, options.mail);
  } catch (err) {
    // The same key raced us: answer with the incident the other request opened.
    const raced = await replay();
    if (raced) return raced;
    throw err;
  }
  let started = true;
  try {
    await startIncidentWorkflow(deps, intake);
  } catch (err) {
    started = false;
    deps.logger.error({ err, number: intake.number }, 'incident recorded, workflow start deferred');
  }
  return { incident: openIncident(intake).state, started, replayed: false };
}

async function recordIntake(
  deps: IntakeDeps,
  request: IncidentRequest,
  parties: IncidentParties,
  receivedAt: Date,
  actor: Actor,
  idempotencyKey: string | null,
  mail: MailIntake | undefined,
): Promise<IncidentIntake> {
  return deps.db.transaction(async (tx) => {
    const number = await allocateIncidentNumber(tx, incidentYear(receivedAt, deps.timezone ?? defaultBusinessTimezone));
    const intake: IncidentIntake = {
      ...parties,
      number,
      title: request.title,
      description: request.description,
      channel: request.channel,
      impact: request.impact ?? null,
      urgency: request.urgency ?? null,
      priority: priorityOf(request),
      receivedAt: receivedAt.toISOString(),
      ...(deps.autoCloseDays ? { autoCloseDays: deps.autoCloseDays } : {}),
      openedBy: actor,
      ...(mail ? { mail } : {}),
    };
    await tx.insert(incidentIntakes).values({ number, request: intake, receivedAt, idempotencyKey });
    return intake;
  });
}

export async function startIncidentWorkflow(deps: IntakeDeps, intake: IncidentIntake): Promise<void> {
  const initial = openIncident(intake).state;
  try {
    await deps.temporal.client.workflow.start<typeof incidentWorkflow>('incidentWorkflow', {
      workflowId: incidentWorkflowId(intake.number),
      taskQueue: deps.temporal.taskQueue,
      // Never a second run for the same number, not even after the first one has closed.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      args: [{ intake }],
      typedSearchAttributes: incidentStartSearchAttributes(initial),
      staticSummary: `${intake.number}: ${intake.title}`,
      staticDetails: `Customer ${intake.customer?.number ?? 'unknown'} · ${intake.contract?.tier ?? 'no contract'} · ${intake.priority} · via ${intake.channel}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  await deps.db.update(incidentIntakes).set({ workflowStartedAt: new Date() }).where(eq(incidentIntakes.number, intake.number));
}

/** Starts the workflows of intakes whose start failed earlier (Temporal down, process crash). */
export async function startPendingIntakes(deps: IntakeDeps): Promise<number> {
  const pending = await deps.db.select().from(incidentIntakes).where(isNull(incidentIntakes.workflowStartedAt));
  for (const row of pending) {
    await startIncidentWorkflow(deps, row.request as IncidentIntake);
    deps.logger.info({ number: row.number }, 'started pending incident intake');
  }
  return pending.length;
}
