// Prices a time entry inside the writing transaction: the entitlement on the work date, the
// quota left in that period and the rates decide how many minutes are drawn and billed.
import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { billEntry } from '../../domain/billing.js';
import type { AssetLookup, QuotaStatus, Rates } from '../../domain/entitlement.js';
import type { ActivityType, EntitlementDecision } from '../../domain/enums.js';
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

/**
 * Serialises every quota draw on one contract: the quota left is read and drawn under this
 * lock, so two entries written at once cannot both take the last minutes.
 */
export async function lockContractQuota(tx: Tx, contractId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`quota:${contractId}`}))`);
}

export async function priceEntry(tx: Tx, terms: PricingTerms, defaultRates: Rates | undefined): Promise<PricedEntry> {
  const locked = new Set<string>();
  if (terms.contractId) {
    await lockContractQuota(tx, terms.contractId);
    locked.add(terms.contractId);
  }
  const check = () =>
    entitlementFor(tx, { customerId: terms.customerId, asset: terms.asset, contractId: terms.contractId }, terms.workDate, {
      defaultRates,
      excludeTimeEntryId: terms.excludeTimeEntryId,
    });
  let { entitlement, project } = await check();
  // An incident without a contract may still be covered by one on the work date: lock its quota and read again.
  const found = entitlement.contract?.id;
  if (found && entitlement.quota && !locked.has(found)) {
    await lockContractQuota(tx, found);
    ({ entitlement, project } = await check());
  }
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
      contractId: entitlement.contract?.id ?? terms.contractId,
      projectId: terms.projectId ?? project?.id ?? null,
    },
    quota: entitlement.quota,
  };
}
