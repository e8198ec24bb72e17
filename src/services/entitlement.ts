// The entitlement check against the master data: find customer, asset and contracts, let the
// domain decide, and attach the SLA policy and support project of the covering contract.
// Intake (API, mail, portal), the check endpoint and time entries all come through here.
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db, Tx } from '../db/client.js';
import { assets, businessCalendars, contractAssets, contracts, customers, projects, slaPolicies, timeEntries } from '../db/schema/index.js';
import { decideEntitlement, houseDefaultRates, inForce, quotaPeriodOf, type AssetLookup, type ContractFacts, type Entitlement, type Rates } from '../domain/entitlement.js';
import { snapshotHolidays, snapshotZone } from '../domain/business-calendar.js';
import { ValidationError } from '../domain/errors.js';
import type { SlaPolicySnapshot } from '../domain/sla.js';
import { calendarDefinition } from './sla-config.js';

export type CustomerRow = typeof customers.$inferSelect;
export type AssetRow = typeof assets.$inferSelect;
type Conn = Db | Tx;

export interface EntitlementQuery {
  customerNumber?: string | undefined;
  serialNumber?: string | undefined;
  identNumber?: string | undefined;
}

export interface EntitlementCheck {
  entitlement: Entitlement;
  customer: CustomerRow | null;
  /** The asset, when it is the customer's own. */
  asset: AssetRow | null;
  project: { id: string; number: string } | null;
  slaPolicyId: string | null;
  sla: SlaPolicySnapshot | null;
}

export interface CheckOptions {
  defaultRates?: Rates | undefined;
  /** Leave this entry's own quota minutes out of the usage (when re-pricing it). */
  excludeTimeEntryId?: string | undefined;
}

/** The check by customer number, serial number and/or ident number on a business day. */
export async function checkEntitlement(db: Conn, query: EntitlementQuery, day: string, options: CheckOptions = {}): Promise<EntitlementCheck> {
  let customer: CustomerRow | undefined;
  if (query.customerNumber) {
    [customer] = await db.select().from(customers).where(eq(customers.customerNumber, query.customerNumber));
    if (!customer) throw new ValidationError(`No customer with number ${query.customerNumber}.`, 'customerNumber');
  }
  const bySerial = query.serialNumber ? await assetBy(db, 'serialNumber', query.serialNumber) : undefined;
  const byIdent = query.identNumber ? await assetBy(db, 'identNumber', query.identNumber) : undefined;
  if (bySerial && byIdent && bySerial.id !== byIdent.id) {
    throw new ValidationError(`Serial number ${query.serialNumber} and ident number ${query.identNumber} name two different assets.`, 'identNumber');
  }
  const found = bySerial ?? byIdent;
  const asked = query.serialNumber ?? query.identNumber;
  let lookup: AssetLookup = { kind: 'none' };
  if (asked && !found) lookup = { kind: 'unknown', number: asked };
  else if (found && customer && found.customerId !== customer.id) lookup = { kind: 'other-customer', number: asked! };
  else if (found?.retiredOn && found.retiredOn <= day) {
    lookup = { kind: 'retired', number: found.serialNumber, retiredOn: found.retiredOn };
    customer ??= (await db.select().from(customers).where(eq(customers.id, found.customerId)))[0];
  } else if (found) {
    lookup = { kind: 'own', id: found.id, serialNumber: found.serialNumber };
    customer ??= (await db.select().from(customers).where(eq(customers.id, found.customerId)))[0];
  }
  return decide(db, customer ?? null, lookup, day, options);
}

/**
 * The entitlement of work for a known customer on a day, with the asset as the incident's
 * intake found it. With `contractId` (the incident's contract, perhaps set by a manager) that
 * contract covers whatever its scope while it is in force; once it has ended (a renewal), the
 * customer's contracts decide again.
 */
export async function entitlementFor(
  db: Conn,
  parties: { customerId: string; asset: AssetLookup; contractId?: string | null | undefined },
  day: string,
  options: CheckOptions = {},
): Promise<EntitlementCheck> {
  const [customer] = await db.select().from(customers).where(eq(customers.id, parties.customerId));
  if (!customer) throw new ValidationError(`No customer with id ${parties.customerId}.`, 'customerId');
  return decide(db, customer, parties.asset, day, { ...options, contractId: parties.contractId ?? undefined });
}

/** The asset terms an incident was taken in on: its intake's lookup, else its own asset or none. */
export function assetLookupOf(incident: { entitlement?: Entitlement | null; assetId: string | null; serialNumber: string | null }): AssetLookup {
  if (incident.entitlement?.asset) return incident.entitlement.asset;
  return incident.assetId ? { kind: 'own', id: incident.assetId, serialNumber: incident.serialNumber ?? '' } : { kind: 'none' };
}

async function decide(db: Conn, customer: CustomerRow | null, asset: AssetLookup, day: string, options: CheckOptions & { contractId?: string | undefined }): Promise<EntitlementCheck> {
  const all = customer ? await contractFacts(db, customer.id, asset.kind === 'own' ? asset.id : null) : [];
  const chosen = options.contractId ? all.find((c) => c.id === options.contractId) : undefined;
  const useChosen = chosen !== undefined && inForce(chosen, day);
  const facts = useChosen ? [{ ...chosen, listsAsset: true, coversAllAssets: true }] : all;
  // A chosen contract covers even an asset the register does not know as the customer's.
  const lookup: AssetLookup = useChosen && (asset.kind === 'unknown' || asset.kind === 'other-customer' || asset.kind === 'retired') ? { kind: 'none' } : asset;
  const used = new Map<string, number>();
  for (const contract of facts) {
    const period = quotaPeriodOf(contract, day);
    if (period && contract.quotaMinutes !== null) used.set(contract.id, await quotaUsedMinutes(db, contract.id, period.start, options.excludeTimeEntryId));
  }
  const decided = decideEntitlement({
    day,
    customer: customer ? { number: customer.customerNumber, name: customer.name, creditHold: customer.creditHold } : null,
    asset: lookup,
    contracts: facts,
    quotaUsedMinutes: (c) => used.get(c.id) ?? 0,
    defaultRates: options.defaultRates ?? houseDefaultRates,
  });
  const entitlement = { ...decided, asset };
  const contractId = entitlement.contract?.id;
  const [project] = contractId ? await db.select({ id: projects.id, number: projects.projectNumber }).from(projects).where(eq(projects.contractId, contractId)) : [];
  const slaPolicyId = contractId ? await policyIdOf(db, contractId) : null;
  return {
    entitlement,
    customer,
    asset: asset.kind === 'own' ? ((await db.select().from(assets).where(eq(assets.id, asset.id)))[0] ?? null) : null,
    project: project ?? null,
    slaPolicyId,
    sla: slaPolicyId ? await slaSnapshot(db, slaPolicyId) : null,
  };
}

async function assetBy(db: Conn, column: 'serialNumber' | 'identNumber', value: string): Promise<AssetRow | undefined> {
  return (await db.select().from(assets).where(eq(assets[column], value)))[0];
}

/** Every contract of the customer, with whether it lists the asset. */
async function contractFacts(db: Conn, customerId: string, assetId: string | null): Promise<ContractFacts[]> {
  const rows = await db
    .select({
      contract: contracts,
      listsAsset: assetId
        ? sql<boolean>`exists (select 1 from ${contractAssets} where ${contractAssets.contractId} = ${contracts.id} and ${contractAssets.assetId} = ${assetId})`
        : sql<boolean>`false`,
    })
    .from(contracts)
    .where(eq(contracts.customerId, customerId));
  return rows.map(({ contract: c, listsAsset }) => ({
    id: c.id,
    number: c.contractNumber,
    tier: c.tier,
    validFrom: c.validFrom,
    validTo: c.validTo,
    coversAllAssets: c.coversAllAssets,
    listsAsset,
    hourlyRates: c.hourlyRates,
    quotaMinutes: c.quotaMinutes,
    quotaPeriod: c.quotaPeriod,
  }));
}

/** Minutes drawn from a contract's quota in the period starting on `periodStart`. */
export async function quotaUsedMinutes(db: Conn, contractId: string, periodStart: string, excludeTimeEntryId?: string): Promise<number> {
  const [row] = await db
    .select({ used: sql<number>`coalesce(sum(${timeEntries.quotaMinutes}), 0)::int` })
    .from(timeEntries)
    .where(
      and(
        eq(timeEntries.contractId, contractId),
        eq(timeEntries.quotaPeriodStart, periodStart),
        isNull(timeEntries.deletedAt),
        excludeTimeEntryId ? sql`${timeEntries.id} <> ${excludeTimeEntryId}` : undefined,
      ),
    );
  return row?.used ?? 0;
}

export async function policyIdOf(db: Conn, contractId: string): Promise<string | null> {
  const [contract] = await db.select({ own: contracts.slaPolicyId, tier: contracts.tier }).from(contracts).where(eq(contracts.id, contractId));
  if (!contract) return null;
  if (contract.own) return contract.own;
  const [policy] = await db.select({ id: slaPolicies.id }).from(slaPolicies).where(eq(slaPolicies.tier, contract.tier));
  return policy?.id ?? null;
}

/** The policy and its calendar as they are now; the incident keeps this copy for its whole life. */
export async function slaSnapshot(db: Conn, policyId: string): Promise<SlaPolicySnapshot> {
  const [row] = await db
    .select({ policy: slaPolicies, calendar: businessCalendars })
    .from(slaPolicies)
    .innerJoin(businessCalendars, eq(businessCalendars.id, slaPolicies.calendarId))
    .where(eq(slaPolicies.id, policyId));
  if (!row) throw new Error(`SLA policy ${policyId} vanished during intake`);
  const { policy, calendar } = row;
  const definition = calendarDefinition(calendar);
  return { id: policy.id, name: policy.name, version: policy.version, tier: policy.tier, calendar: definition, publicHolidays: snapshotHolidays(definition, new Date()), zoneOffsets: snapshotZone(definition, new Date()), targets: policy.targets, escalation: policy.escalation, pauseOnPendingChange: policy.pauseOnPendingChange, callbackMinutes: policy.callbackMinutes };
}
