// Prices a time entry inside the writing transaction: the entitlement on the work date, the
// quota left in that period and the rates decide how many minutes are drawn and billed.
import type { Tx } from '../../db/client.js';
import { billEntry } from '../../domain/billing.js';
import type { AssetLookup, QuotaStatus, Rates } from '../../domain/entitlement.js';
import type { ActivityType, EntitlementDecision } from '../../domain/enums.js';
import { lockCustomerQuotas } from '../billing-locks.js';
import { entitlementFor } from '../entitlement.js';

export interface PricingTerms {
  customerId: string;
  /** The asset as the incident's intake found it (its own, unknown, another customer's or none). */
  asset: AssetLookup;
  /** The contract the work is done under (the incident's); null lets the entitlement find one. */
  contractId: string | null;
  projectId: string | null;
  workDate: string;
  minutes: number;
  activityType: ActivityType;
  override: { billable: boolean; reason: string } | null;
  /** The entry being re-priced: its own quota minutes do not count as used. */
  excludeTimeEntryId?: string | undefined;
}

/** The billing columns of a time entry. */
export interface EntryPricing {
  decision: EntitlementDecision;
  quotaMinutes: number;
  quotaPeriodStart: string | null;
  billableMinutes: number;
  rateCents: number | null;
  amountCents: number;
  billingReason: string;
  contractId: string | null;
  projectId: string | null;
}

export interface PricedEntry {
  columns: EntryPricing;
  /** The quota of the covering contract in the work date's period (before this entry), if it has one. */
  quota: QuotaStatus | null;
}

export async function priceEntry(tx: Tx, terms: PricingTerms, defaultRates: Rates | undefined): Promise<PricedEntry> {
  await lockCustomerQuotas(tx, terms.customerId);
  const { entitlement, project } = await entitlementFor(tx, { customerId: terms.customerId, asset: terms.asset, contractId: terms.contractId }, terms.workDate, {
    defaultRates,
    excludeTimeEntryId: terms.excludeTimeEntryId,
  });
  // A quota that is used up makes the entitlement "billable"; for the entry it stays quota work, billed as overage.
  const decision: EntitlementDecision = entitlement.decision === 'billable' && entitlement.quota ? 'quota' : entitlement.decision;
  const billing = billEntry({
    minutes: terms.minutes,
    activityType: terms.activityType,
    decision,
    quotaRemainingMinutes: entitlement.quota?.remainingMinutes ?? 0,
    rates: entitlement.rates,
    override: terms.override,
  });
  // The entitlement's own words say more (which contract, why not covered) than the generic ones.
  const ownWords = !terms.override && (decision === 'covered' || decision === 'billable');
  return {
    columns: {
      decision,
      quotaMinutes: billing.quotaMinutes,
      quotaPeriodStart: billing.quotaMinutes > 0 ? (entitlement.quota?.periodStart ?? null) : null,
      billableMinutes: billing.billableMinutes,
      rateCents: billing.rateCents,
      amountCents: billing.amountCents,
      billingReason: ownWords ? entitlement.reason : billing.reason,
      ...placement(terms, entitlement.contract, project),
    },
    quota: entitlement.quota,
  };
}

/** The work belongs to the project of the contract that prices it: after a renewal, the new one's. */
function placement(terms: Pick<PricingTerms, 'contractId' | 'projectId'>, contract: { id: string } | null, project: { id: string } | null): { contractId: string | null; projectId: string | null } {
  const pricedUnderOther = contract !== null && terms.contractId !== null && contract.id !== terms.contractId;
  return {
    contractId: contract?.id ?? terms.contractId,
    projectId: pricedUnderOther ? (project?.id ?? null) : (terms.projectId ?? project?.id ?? null),
  };
}

/**
 * The contract and project that work of the incident on `workDate` is booked under, as a time
 * entry of that day would be: for material, which draws no quota and has no rate.
 */
export async function contractOfWork(tx: Tx, terms: Pick<PricingTerms, 'customerId' | 'asset' | 'contractId' | 'projectId' | 'workDate'>): Promise<{ contractId: string | null; projectId: string | null }> {
  const { entitlement, project } = await entitlementFor(tx, { customerId: terms.customerId, asset: terms.asset, contractId: terms.contractId }, terms.workDate);
  return placement(terms, entitlement.contract, project);
}
