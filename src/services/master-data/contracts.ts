// Contracts: tier, validity, what they cover, SLA policy, fees, rates and quota, with the support or
// maintenance project each one has. Number and customer are fixed once the contract exists.
import { asc, count, eq, or, sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { assets, contractAssets, contracts, customers, incidents, invoiceLines, projects, quotaEvents, slaPolicies, timeEntries } from '../../db/schema/index.js';
import type { Rates } from '../../domain/entitlement.js';
import { activityTypes, type ContractTier, type ProjectKind, type QuotaPeriod } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { assetsForCover, checkAssetCover, checkWholeCustomerCover, replaceCover, type ContractScope } from './contract-cover.js';
import { lockCustomerQuotas } from '../billing-locks.js';
import { checkQuotaTermsChange } from './contract-quota.js';
import { checkBusinessNumber, checkCents, checkQuota, checkValidity, maxRateCents, projectFor } from './rules.js';
import { customerByNumber, fkViolation, lockCustomer, pgError, refusedWhileReferenced, requiredForNew, sameValues, uniqueViolation, type Conn, type Page, type Paging, type UpsertOutcome } from './shared.js';

export interface ContractInput {
  contractNumber: string;
  customerNumber: string;
  tier: ContractTier;
  validFrom: string;
  /** Inclusive last day; null for open-ended. */
  validTo: string | null;
  coversAllAssets: boolean;
  /** The assets listed by serial number; undefined keeps the current list (an import without that column). */
  coveredSerialNumbers?: string[] | undefined;
  slaPolicyId: string | null;
  monthlyFeeCents: number;
  /** Cents per hour; a missing activity type falls back to the house default rate. */
  hourlyRates: Partial<Rates>;
  quotaMinutes: number | null;
  quotaPeriod: QuotaPeriod | null;
  projectKind: ProjectKind;
}
export type ContractChanges = Partial<ContractInput>;

export interface ContractRecord extends Omit<ContractInput, 'coveredSerialNumbers' | 'projectKind'> {
  coveredSerialNumbers: string[];
  project: { number: string; kind: ProjectKind; name: string } | null;
  createdAt: Date;
  updatedAt: Date;
}

export const contractDefaults = { validTo: null, coversAllAssets: false, slaPolicyId: null, monthlyFeeCents: 0, hourlyRates: {}, quotaMinutes: null, quotaPeriod: null, projectKind: 'support' as const };

const coveredSerials = sql<string[]>`coalesce((select array_agg(${assets.serialNumber} order by ${assets.serialNumber}) from ${contractAssets} join ${assets} on ${assets.id} = ${contractAssets.assetId} where ${contractAssets.contractId} = ${contracts.id}), '{}')`;

const selectRecords = (conn: Conn) =>
  conn
    .select({ contract: contracts, customerNumber: customers.customerNumber, coveredSerialNumbers: coveredSerials, project: { number: projects.projectNumber, kind: projects.kind, name: projects.name } })
    .from(contracts)
    .innerJoin(customers, eq(customers.id, contracts.customerId))
    .leftJoin(projects, eq(projects.contractId, contracts.id));

type Selected = Awaited<ReturnType<ReturnType<typeof selectRecords>['execute']>>[number];

function record({ contract: c, customerNumber, coveredSerialNumbers, project }: Selected): ContractRecord {
  return {
    contractNumber: c.contractNumber,
    customerNumber,
    tier: c.tier,
    validFrom: c.validFrom,
    validTo: c.validTo,
    coversAllAssets: c.coversAllAssets,
    coveredSerialNumbers,
    slaPolicyId: c.slaPolicyId,
    monthlyFeeCents: c.monthlyFeeCents,
    hourlyRates: c.hourlyRates,
    quotaMinutes: c.quotaMinutes,
    quotaPeriod: c.quotaPeriod,
    project,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export async function listContracts(conn: Conn, filter: { customerNumber?: string | undefined } & Paging): Promise<Page<ContractRecord>> {
  const where: SQL | undefined = filter.customerNumber ? eq(customers.customerNumber, filter.customerNumber) : undefined;
  const rows = await selectRecords(conn).where(where).orderBy(asc(contracts.contractNumber)).limit(filter.limit).offset(filter.offset);
  const [total] = await conn.select({ n: count() }).from(contracts).innerJoin(customers, eq(customers.id, contracts.customerId)).where(where);
  return { items: rows.map(record), total: total?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

async function findContract(conn: Conn, contractNumber: string): Promise<ContractRecord | undefined> {
  const [row] = await selectRecords(conn).where(eq(contracts.contractNumber, contractNumber));
  return row ? record(row) : undefined;
}

export async function getContract(conn: Conn, contractNumber: string): Promise<ContractRecord> {
  const found = await findContract(conn, contractNumber);
  if (!found) throw new NotFound(`No contract with number ${contractNumber}.`);
  return found;
}

/** Rates in activity-type order without empty entries, so equal rates compare equal. */
function ratesValue(rates: Partial<Rates>): Partial<Rates> {
  const result: Partial<Rates> = {};
  for (const type of activityTypes) {
    const rate = rates[type];
    if (rate === undefined || rate === null) continue;
    checkCents(rate, `hourlyRates.${type}`, maxRateCents);
    result[type] = rate;
  }
  return result;
}

/**
 * Checks every rule and writes the contract, its project and its cover list. For an existing contract
 * the caller holds its quota lock (see changeContract), so no time entry draws while the terms change.
 */
async function writeContract(conn: Conn, current: { id: string; customerId: string } | null, input: ContractInput): Promise<boolean> {
  const contractNumber = checkBusinessNumber(input.contractNumber, 'contractNumber');
  const customerId = current?.customerId ?? (await customerByNumber(conn, input.customerNumber)).id;
  const validity = { validFrom: input.validFrom, validTo: input.validTo };
  checkValidity(validity);
  checkCents(input.monthlyFeeCents, 'monthlyFeeCents');
  const hourlyRates = ratesValue(input.hourlyRates);
  checkQuota(input);
  const [row] = current ? await conn.select().from(contracts).where(eq(contracts.id, current.id)) : [];
  if (row) await checkQuotaTermsChange(conn, row, input);
  if (input.slaPolicyId) {
    const [policy] = await conn.select({ id: slaPolicies.id }).from(slaPolicies).where(eq(slaPolicies.id, input.slaPolicyId));
    if (!policy) throw new ValidationError(`slaPolicyId: no SLA policy with id ${input.slaPolicyId}.`, 'slaPolicyId');
  }
  const scope: ContractScope = { id: current?.id ?? null, contractNumber, customerId, ...validity };
  if (input.coversAllAssets) await checkWholeCustomerCover(conn, scope);
  const listed = input.coveredSerialNumbers === undefined ? undefined : await assetsForCover(conn, customerId, input.coveredSerialNumbers);
  const checkedAssets = listed ?? (current ? await listedAssets(conn, current.id) : []);
  for (const asset of checkedAssets) await checkAssetCover(conn, asset, scope);

  const values = {
    tier: input.tier,
    ...validity,
    coversAllAssets: input.coversAllAssets,
    slaPolicyId: input.slaPolicyId,
    monthlyFeeCents: input.monthlyFeeCents,
    hourlyRates,
    quotaMinutes: input.quotaMinutes,
    quotaPeriod: input.quotaPeriod,
  };
  const project = projectFor(contractNumber, input.projectKind);
  if (!current) {
    const [created] = await conn.insert(contracts).values({ contractNumber, customerId, ...values }).returning({ id: contracts.id });
    await conn.insert(projects).values({ ...project, contractId: created!.id, customerId, kind: input.projectKind });
    if (listed) await replaceCover(conn, created!.id, listed.map((a) => a.id));
    return true;
  }
  const [oldProject] = await conn.select({ kind: projects.kind }).from(projects).where(eq(projects.contractId, current.id));
  const oldSerials = (await listedAssets(conn, current.id)).map((a) => a.serialNumber).sort();
  const coverChanged = listed !== undefined && JSON.stringify(listed.map((a) => a.serialNumber).sort()) !== JSON.stringify(oldSerials);
  const projectChanged = oldProject?.kind !== input.projectKind;
  if (sameValues(row!, values) && !coverChanged && !projectChanged) return false;
  await conn.update(contracts).set({ ...values, updatedAt: new Date() }).where(eq(contracts.id, current.id));
  if (projectChanged) {
    await conn
      .insert(projects)
      .values({ ...project, contractId: current.id, customerId, kind: input.projectKind })
      .onConflictDoUpdate({ target: projects.contractId, set: { kind: input.projectKind, name: project.name } });
  }
  if (coverChanged) await replaceCover(conn, current.id, listed.map((a) => a.id));
  return true;
}

async function listedAssets(conn: Conn, contractId: string): Promise<{ id: string; serialNumber: string }[]> {
  return conn
    .select({ id: assets.id, serialNumber: assets.serialNumber })
    .from(contractAssets)
    .innerJoin(assets, eq(assets.id, contractAssets.assetId))
    .where(eq(contractAssets.contractId, contractId));
}

async function contractRow(conn: Conn, contractNumber: string) {
  const [row] = await conn.select({ id: contracts.id, customerId: contracts.customerId }).from(contracts).where(eq(contracts.contractNumber, contractNumber));
  return row;
}

/**
 * A write that a constraint refused because another write got there first: the customer lock does not
 * cover a contract number taken by another customer's contract, nor an SLA policy or asset deleted meanwhile.
 */
function raceRefusal(err: unknown, contractNumber: string): unknown {
  if (uniqueViolation(err)) {
    const project = pgError(err).constraint_name?.startsWith('projects_');
    return new IllegalTransition(project ? `Project P-${contractNumber} already exists; contract ${contractNumber} cannot have it.` : `Contract ${contractNumber} already exists.`);
  }
  if (fkViolation(err)) return new IllegalTransition(`Contract ${contractNumber} refers to an SLA policy or asset that was deleted at the same time; check and try again.`);
  return err;
}

/** Creates the contract and its project in one transaction. */
export async function createContract(conn: Conn, input: ContractInput): Promise<ContractRecord> {
  const number = input.contractNumber.trim();
  try {
    await conn.transaction(async (tx) => {
      const customer = await customerByNumber(tx, input.customerNumber);
      // A new contract (with or without quota) changes how the customer's work is priced.
      await lockCustomerQuotas(tx, customer.id);
      await lockCustomer(tx, customer.id);
      if (await contractRow(tx, number)) throw new IllegalTransition(`Contract ${number} already exists.`);
      await writeContract(tx, null, { ...input, contractNumber: number });
    });
  } catch (err) {
    throw raceRefusal(err, number);
  }
  return getContract(conn, number);
}

function inputOf(current: ContractRecord): ContractInput {
  const { project, createdAt: _c, updatedAt: _u, ...input } = current;
  return { ...input, projectKind: project?.kind ?? 'support' };
}

async function changeContract(conn: Conn, contractNumber: string, changes: ContractChanges): Promise<boolean> {
  try {
    return await conn.transaction(async (tx) => {
      const row = await contractRow(tx, contractNumber);
      if (!row) throw new NotFound(`No contract with number ${contractNumber}.`);
      // Quota lock first, then the customer: a time entry takes its quota lock before it writes anything.
      await lockCustomerQuotas(tx, row.customerId);
      await lockCustomer(tx, row.customerId);
      const current = await getContract(tx, contractNumber);
      if (changes.customerNumber !== undefined && changes.customerNumber.trim() !== current.customerNumber) {
        throw new ValidationError(`customerNumber: contract ${contractNumber} belongs to customer ${current.customerNumber}; a contract's customer cannot change.`, 'customerNumber');
      }
      return writeContract(tx, row, { ...inputOf(current), ...changes, contractNumber, customerNumber: current.customerNumber });
    });
  } catch (err) {
    throw raceRefusal(err, contractNumber);
  }
}

export async function updateContract(conn: Conn, contractNumber: string, changes: ContractChanges): Promise<ContractRecord> {
  await changeContract(conn, contractNumber, changes);
  return getContract(conn, contractNumber);
}

/** Creates or updates by contract number (the CSV import and the seed). */
export async function upsertContract(conn: Conn, input: { contractNumber: string } & ContractChanges): Promise<UpsertOutcome> {
  const number = input.contractNumber.trim();
  if (!(await contractRow(conn, number))) {
    await createContract(conn, {
      ...contractDefaults,
      ...input,
      customerNumber: requiredForNew(input.customerNumber, 'customerNumber', 'contract'),
      tier: requiredForNew(input.tier, 'tier', 'contract'),
      validFrom: requiredForNew(input.validFrom, 'validFrom', 'contract'),
    });
    return 'created';
  }
  return (await changeContract(conn, number, input)) ? 'updated' : 'unchanged';
}

/** Deletes a contract nothing has used yet; its project and cover list go with it. */
export async function deleteContract(conn: Conn, contractNumber: string): Promise<void> {
  await refusedWhileReferenced(`Contract ${contractNumber}`, () => conn.transaction((tx) => deleteUnusedContract(tx, contractNumber)));
}

/** Counts what still uses the contract and deletes it, under the customer lock. */
async function deleteUnusedContract(conn: Tx, contractNumber: string): Promise<void> {
  const row = await contractRow(conn, contractNumber);
  if (!row) throw new NotFound(`No contract with number ${contractNumber}.`);
  await lockCustomer(conn, row.customerId);
  const [project] = await conn.select({ id: projects.id }).from(projects).where(eq(projects.contractId, row.id));
  const projectId = project?.id ?? '00000000-0000-0000-0000-000000000000';
  const counts = {
    incidents: (await conn.select({ n: count() }).from(incidents).where(or(eq(incidents.contractId, row.id), eq(incidents.projectId, projectId))))[0]?.n ?? 0,
    'time entries': (await conn.select({ n: count() }).from(timeEntries).where(or(eq(timeEntries.contractId, row.id), eq(timeEntries.projectId, projectId))))[0]?.n ?? 0,
    'invoice lines': (await conn.select({ n: count() }).from(invoiceLines).where(eq(invoiceLines.contractNumber, contractNumber)))[0]?.n ?? 0,
    'quota events': (await conn.select({ n: count() }).from(quotaEvents).where(eq(quotaEvents.contractId, row.id)))[0]?.n ?? 0,
  };
  const uses = Object.entries(counts).filter(([, n]) => n > 0);
  if (uses.length > 0) {
    throw new IllegalTransition(`Contract ${contractNumber} is still referenced by ${uses.map(([what, n]) => `${n} ${what}`).join(', ')}; it cannot be deleted.`);
  }
  await conn.delete(contracts).where(eq(contracts.id, row.id));
}
