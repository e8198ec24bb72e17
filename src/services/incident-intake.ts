// Opening an incident: identify the caller, pick contract and SLA policy, allocate the number
// durably, then start the incident workflow. API, mail and portal all come through here.
import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { eq, isNull } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { allocateIncidentNumber } from '../db/yearly-numbers.js';
import { contracts, incidentIntakes } from '../db/schema/index.js';
import { inForce, type AssetLookup, type Rates } from '../domain/entitlement.js';
import type { Channel, Impact, Priority, Urgency } from '../domain/enums.js';
import { IllegalTransition, ValidationError } from '../domain/errors.js';
import type { MailIntake } from '../domain/incident/mail.js';
import { openIncident, type IncidentIntake, type IncidentParties, type IncidentState } from '../domain/incident/state.js';
import type { Actor } from '../domain/kernel.js';
import type { ParentLink } from '../domain/incident/follow-ups.js';
import { defaultImpact, defaultUrgency, priorityFor } from '../domain/priority.js';
import { businessDate, defaultBusinessTimezone, incidentYear } from '../domain/ticket-number.js';
import { incidentWorkflowId } from '../domain/workflow-ids.js';
import { checkEntitlement, entitlementFor } from './entitlement.js';
import { callerContact } from './master-data/contacts.js';
import { sendIncidentCommand } from './incident-commands.js';
import type { Temporal } from '../temporal/client.js';
import { incidentStartSearchAttributes } from '../temporal/search-attributes.js';
import type { incidentWorkflow } from '../workflows/index.js';
import { createFollowUpUpdate } from '../workflows/incident/messages.js';

export interface IncidentRequest {
  title: string;
  description: string;
  customerNumber?: string | undefined;
  serialNumber?: string | undefined;
  identNumber?: string | undefined;
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
  /** Hourly rates for work no contract prices (DEFAULT_HOURLY_RATES). */
  defaultRates?: Rates | undefined;
}


/**
 * Resolves who is calling and on what terms: customer, contact, asset, and the entitlement
 * check's contract, SLA policy and project. An unknown serial number or one of another
 * customer is recorded as billable, not refused, as long as the customer is known.
 */
export async function identifyCaller(deps: Pick<IntakeDeps, 'db' | 'timezone' | 'defaultRates'>, request: IncidentRequest, at: Date): Promise<IncidentParties> {
  const { db } = deps;
  const caller = request.contactEmail ? await callerContact(db, request.contactEmail, request.customerNumber) : undefined;
  const contact = caller?.contact;
  // The caller is the contact's customer; an asset that is not theirs is then not covered.
  const customerNumber = request.customerNumber ?? caller?.customerNumber;
  const day = businessDate(at, deps.timezone ?? defaultBusinessTimezone);
  const check = await checkEntitlement(db, { customerNumber, serialNumber: request.serialNumber, identNumber: request.identNumber }, day, { defaultRates: deps.defaultRates });
  const { customer, entitlement } = check;
  if (!customer) {
    throw new ValidationError(
      request.serialNumber || request.identNumber
        ? `${entitlement.reason.split('.')[0]}; give customerNumber so the incident can be recorded.`
        : `No customer is known for ${request.contactEmail}; give customerNumber or serialNumber.`,
      request.serialNumber ? 'serialNumber' : request.identNumber ? 'identNumber' : 'contactEmail',
    );
  }
  if (contact && contact.customerId !== customer.id) throw new ValidationError(`${request.contactEmail} is a contact of another customer.`, 'contactEmail');

  return {
    customer: { id: customer.id, number: customer.customerNumber, name: customer.name },
    contact: request.contactEmail
      ? { id: contact?.id ?? null, email: contact?.email ?? request.contactEmail, name: contact?.name ?? null }
      : null,
    asset: check.asset ? { id: check.asset.id, serialNumber: check.asset.serialNumber } : null,
    contract: entitlement.contract,
    slaPolicyId: check.slaPolicyId,
    sla: check.sla,
    entitlement,
    project: check.project,
  };
}

type Cover = Pick<IncidentParties, 'contract' | 'slaPolicyId' | 'sla' | 'entitlement' | 'project'>;

/**
 * The terms under another contract a manager chose (`contractNumber`), or with none (null):
 * the contract must be the customer's and in force today; "none" is refused while a contract
 * covers the incident anyway (override the time entries' billing instead).
 */
export async function contractCover(
  deps: Pick<IntakeDeps, 'db' | 'timezone' | 'defaultRates'>,
  incident: { customerId: string | null; asset: AssetLookup },
  contractNumber: string | null,
  at = new Date(),
): Promise<Cover> {
  const day = businessDate(at, deps.timezone ?? defaultBusinessTimezone);
  const options = { defaultRates: deps.defaultRates };
  if (contractNumber === null) {
    if (!incident.customerId) return { contract: null, slaPolicyId: null, sla: null, entitlement: null, project: null };
    const { entitlement } = await entitlementFor(deps.db, { customerId: incident.customerId, asset: incident.asset }, day, options);
    if (entitlement.contract) {
      throw new IllegalTransition(`Contract ${entitlement.contract.number} covers this incident, so it cannot go without one; to charge for work anyway, override the billing of its time entries.`);
    }
    return { contract: null, slaPolicyId: null, sla: null, entitlement, project: null };
  }
  const [contract] = await deps.db.select().from(contracts).where(eq(contracts.contractNumber, contractNumber));
  if (!contract) throw new ValidationError(`No contract with number ${contractNumber}.`, 'contractNumber');
  if (incident.customerId && contract.customerId !== incident.customerId) throw new ValidationError(`Contract ${contractNumber} belongs to another customer.`, 'contractNumber');
  if (!inForce(contract, day)) throw new ValidationError(`Contract ${contractNumber} is not in force on ${day} (${contract.validFrom} to ${contract.validTo ?? 'open-ended'}).`, 'contractNumber');
  const check = await entitlementFor(deps.db, { customerId: contract.customerId, asset: incident.asset, contractId: contract.id }, day, options);
  return { contract: check.entitlement.contract, slaPolicyId: check.slaPolicyId, sla: check.sla, entitlement: check.entitlement, project: check.project };
}

export function priorityOf(request: Pick<IncidentRequest, 'priority' | 'impact' | 'urgency'>): Priority {
  return request.priority ?? priorityFor(request.impact ?? defaultImpact, request.urgency ?? defaultUrgency);
}

/** The stored form of an Idempotency-Key: whose keys (the scope) and the key. */
const intakeKey = (scope: string, key: string) => `${scope}:${key}`;

async function intakeByKey(db: Db, key: string) {
  const [row] = await db.select().from(incidentIntakes).where(eq(incidentIntakes.idempotencyKey, key));
  return row;
}

/** The number of the incident an earlier request with this key (in this scope) opened, if any. */
export async function incidentOpenedByKey(db: Db, scope: string, key: string): Promise<string | undefined> {
  return (await intakeByKey(db, intakeKey(scope, key)))?.number;
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
    /** Acknowledge by mail although no mail opened it (the portal: its page promises the mail). */
    acknowledge?: boolean;
    /** A child ticket: its parent starts it as a child workflow and links it. */
    parent?: ParentLink;
  },
): Promise<{ incident: IncidentState; started: boolean; replayed: boolean }> {
  const key = options.idempotencyKey ? intakeKey(options.keyScope ?? options.actor.id, options.idempotencyKey) : null;
  const replay = async () => {
    const row = key ? await intakeByKey(deps.db, key) : undefined;
    if (!row) return undefined;
    const intake = row.request as IncidentIntake;
    // The first request may still be starting the workflow (or have failed to): make sure it runs.
    const started = row.workflowStartedAt !== null || (await startIncidentWorkflow(deps, intake).then(() => true, () => false));
    return { incident: openIncident(intake).state, started, replayed: true };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  const receivedAt = options.receivedAt ?? new Date();
  const parties = await identifyCaller(deps, request, receivedAt);
  let intake: IncidentIntake;
  try {
    intake = await recordIntake(deps, request, parties, receivedAt, options.actor, key, options.mail, options.parent, options.acknowledge === true);
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
  parent: IncidentIntake['parent'],
  acknowledge: boolean,
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
      ...(acknowledge && !mail ? { acknowledge } : {}),
      ...(parent ? { parent } : {}),
    };
    await tx.insert(incidentIntakes).values({ number, request: intake, receivedAt, idempotencyKey });
    return intake;
  });
}

export async function startIncidentWorkflow(deps: IntakeDeps, intake: IncidentIntake): Promise<void> {
  if (!intake.parent || !(await startAsChildTicket(deps, intake, intake.parent))) await startOnItsOwn(deps, intake);
  await deps.db.update(incidentIntakes).set({ workflowStartedAt: new Date() }).where(eq(incidentIntakes.number, intake.number));
}

/**
 * Asks the parent to start the child ticket as its child workflow and link it (a repeat is
 * answered with the link made before). False when the parent can no longer take it (closed
 * meanwhile): the ticket then runs on its own and keeps its parent's number in its intake.
 */
async function startAsChildTicket(deps: IntakeDeps, intake: IncidentIntake, parent: NonNullable<IncidentIntake['parent']>): Promise<boolean> {
  try {
    await sendIncidentCommand(
      deps.temporal,
      parent.number,
      createFollowUpUpdate,
      { kind: 'child_ticket', title: intake.title, waitFor: Boolean(parent.waits), childNumber: intake.number, child: { intake }, actor: intake.openedBy },
      // The API, its retry and the start-up sweep may all ask: the parent links it once.
      { updateId: `child-ticket:${intake.number}` },
    );
    return true;
  } catch (err) {
    // Temporal away: try again later. The parent refusing (closed, or an intake it does not accept): run on its own.
    if (!(err instanceof IllegalTransition || err instanceof ValidationError)) throw err;
    deps.logger.warn({ err, number: intake.number, parent: parent.number }, 'the parent no longer takes its child ticket; it runs on its own');
    return false;
  }
}

async function startOnItsOwn(deps: IntakeDeps, intake: IncidentIntake): Promise<void> {
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
      staticDetails: `Customer ${intake.customer?.number ?? 'unknown'} · ${intake.contract?.tier ?? 'no contract'} · ${intake.entitlement?.decision ?? 'entitlement unknown'} · ${intake.priority} · via ${intake.channel}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
}

/** Starts the workflows of intakes whose start failed earlier (Temporal down, process crash). */
export async function startPendingIntakes(deps: IntakeDeps): Promise<number> {
  const pending = await deps.db.select().from(incidentIntakes).where(isNull(incidentIntakes.workflowStartedAt));
  let started = 0;
  for (const row of pending) {
    // One intake that cannot start yet does not hold up the others; the next sweep tries it again.
    try {
      await startIncidentWorkflow(deps, row.request as IncidentIntake);
      started += 1;
      deps.logger.info({ number: row.number }, 'started pending incident intake');
    } catch (err) {
      deps.logger.error({ err, number: row.number }, 'pending incident intake could not start; retried at the next sweep');
    }
  }
  return started;
}
