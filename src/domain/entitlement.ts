// Entitlement: on what terms a caller gets support. Pure rules over facts the database supplies:
// the customer, what the serial number turned out to be, and the customer's contracts.
import { isoDate, monthEnd, monthStart, parts, spokenDate, spokenMinutes } from './calendar-dates.js';
import { activityTypes, type ActivityType, type ContractTier, type EntitlementDecision, type QuotaPeriod } from './enums.js';

export type Rates = Record<ActivityType, number>;

/** Net hourly rates in cents when neither the configuration (DEFAULT_HOURLY_RATES) nor a contract names one. */
export const houseDefaultRates: Rates = { remote: 9500, onsite: 11500, travel: 6500 };

export interface ContractFacts {
  id: string;
  number: string;
  tier: ContractTier;
  validFrom: string;
  /** Inclusive last day, or null when open-ended. */
  validTo: string | null;
  coversAllAssets: boolean;
  /** The contract lists the asset asked about. */
  listsAsset: boolean;
  hourlyRates: Partial<Rates>;
  quotaMinutes: number | null;
  quotaPeriod: QuotaPeriod | null;
}

/** What the serial or ident number turned out to be. */
export type AssetLookup =
  | { kind: 'none' }
  | { kind: 'own'; id: string; serialNumber: string }
  | { kind: 'unknown'; number: string }
  | { kind: 'retired'; number: string; retiredOn: string }
  | { kind: 'other-customer'; number: string };

export interface QuotaStatus {
  period: QuotaPeriod;
  /** First and last day of the period the check or the work falls in. */
  periodStart: string;
  periodEnd: string | null;
  totalMinutes: number;
  usedMinutes: number;
  remainingMinutes: number;
}

/** The answer of an entitlement check, kept on the incident. */
export interface Entitlement {
  decision: EntitlementDecision;
  /** The reason in words, for the agent and the timeline. */
  reason: string;
  /** The business day it was decided for. */
  day: string;
  customerNumber: string | null;
  /** What the serial or ident number turned out to be; time on the incident is priced on the same terms. */
  asset?: AssetLookup;
  /** The covering contract (also for `blocked`); null when nothing covers. */
  contract: { id: string; number: string; tier: ContractTier } | null;
  quota: QuotaStatus | null;
  /** Hourly rates in cents for billable work, and where they come from. */
  rates: Rates;
  rateSource: { kind: 'contract'; contractNumber: string } | { kind: 'default' };
}

/** In force on the day: validity days count inclusively, an open end runs forever. */
export const inForce = (c: Pick<ContractFacts, 'validFrom' | 'validTo'>, day: string) => c.validFrom <= day && (c.validTo === null || c.validTo >= day);

/**
 * The covering contract on a day: an active contract that lists the asset wins over an
 * active customer-wide one; without an asset only customer-wide contracts cover.
 */
export function coveringContract(contracts: readonly ContractFacts[], day: string, asset: AssetLookup): ContractFacts | null {
  const live = contracts.filter((c) => inForce(c, day));
  const byStart = (a: ContractFacts, b: ContractFacts) => b.validFrom.localeCompare(a.validFrom) || a.number.localeCompare(b.number);
  if (asset.kind === 'own') {
    const listing = live.filter((c) => c.listsAsset).sort(byStart)[0];
    if (listing) return listing;
  }
  if (asset.kind === 'unknown' || asset.kind === 'other-customer' || asset.kind === 'retired') return null;
  return live.filter((c) => c.coversAllAssets).sort(byStart)[0] ?? null;
}

/** The quota period that contains `day`: calendar month, quarter or year, or the prepaid block (the contract's validity). */
export function quotaPeriodOf(contract: Pick<ContractFacts, 'quotaPeriod' | 'validFrom' | 'validTo'>, day: string): { start: string; end: string | null } | null {
  const { year, month } = parts(day);
  switch (contract.quotaPeriod) {
    case null:
      return null;
    case 'month':
      return { start: monthStart(day), end: monthEnd(day) };
    case 'quarter': {
      const first = month - ((month - 1) % 3);
      return { start: isoDate(year, first, 1), end: monthEnd(isoDate(year, first + 2, 1)) };
    }
    case 'year':
      return { start: isoDate(year, 1, 1), end: isoDate(year, 12, 31) };
    case 'prepaid':
      return { start: contract.validFrom, end: contract.validTo };
  }
}

export function quotaStatus(contract: ContractFacts, day: string, usedMinutes: number): QuotaStatus | null {
  const period = quotaPeriodOf(contract, day);
  if (!period || contract.quotaMinutes === null || contract.quotaPeriod === null) return null;
  return {
    period: contract.quotaPeriod,
    periodStart: period.start,
    periodEnd: period.end,
    totalMinutes: contract.quotaMinutes,
    usedMinutes,
    remainingMinutes: Math.max(0, contract.quotaMinutes - usedMinutes),
  };
}

/** The contract's rate per activity type, the house default where it names none. */
export function ratesOf(contract: Pick<ContractFacts, 'hourlyRates'> | null, defaults: Rates): Rates {
  return Object.fromEntries(activityTypes.map((t) => [t, contract?.hourlyRates[t] ?? defaults[t]])) as Rates;
}

export interface EntitlementFacts {
  day: string;
  customer: { number: string; name: string; creditHold: boolean } | null;
  asset: AssetLookup;
  /** Every contract of the customer, current or not. */
  contracts: readonly ContractFacts[];
  /** Minutes already drawn from the covering contract's quota in the period of `day`. */
  quotaUsedMinutes: (contract: ContractFacts) => number;
  defaultRates: Rates;
}


/** Decides covered, quota, billable or blocked, with the reason in words. */
export function decideEntitlement(facts: EntitlementFacts): Entitlement {
  const { day, customer, asset } = facts;
  const cover = customer ? coveringContract(facts.contracts, day, asset) : null;
  // Not covered: bill at the rates of the contract that comes closest (the asset's, else a current one), else the house's.
  const rateContract = cover ?? rateContractFor(facts.contracts, day, asset);
  const rates = ratesOf(rateContract, facts.defaultRates);
  const rateSource = rateContract ? { kind: 'contract' as const, contractNumber: rateContract.number } : { kind: 'default' as const };
  const rateWords = rateContract ? `the rates of contract ${rateContract.number}` : 'the default rates';
  const quota = cover ? quotaStatus(cover, day, facts.quotaUsedMinutes(cover)) : null;
  const base = {
    day,
    customerNumber: customer?.number ?? null,
    asset,
    contract: cover ? { id: cover.id, number: cover.number, tier: cover.tier } : null,
    quota,
    rates,
    rateSource,
  };
  const billable = (reason: string): Entitlement => ({ ...base, decision: 'billable', reason: `${reason} Work is billable at ${rateWords}.` });

  if (!customer) {
    const what = asset.kind === 'unknown' ? `Serial or ident number ${asset.number} is not registered to any customer.` : 'No customer was identified.';
    return billable(what);
  }
  if (customer.creditHold) {
    return {
      ...base,
      decision: 'blocked',
      reason: `${customer.name} (${customer.number}) is on credit hold: record the request, but agree payment with accounting before any work.`,
    };
  }
  if (asset.kind === 'unknown') return billable(`Serial or ident number ${asset.number} is not registered for ${customer.number}, so no contract covers it.`);
  if (asset.kind === 'other-customer') return billable(`Serial or ident number ${asset.number} is registered to another customer, so ${customer.number}'s contracts do not cover it.`);
  if (asset.kind === 'retired') return billable(`Serial number ${asset.number} was taken out of service on ${spokenDate(asset.retiredOn)}, so no contract covers it.`);

  if (cover) {
    const until = cover.validTo ? `valid until ${spokenDate(cover.validTo)}` : 'open-ended';
    const covers = asset.kind === 'own' && cover.listsAsset ? `covers ${asset.serialNumber}` : `covers all assets of ${customer.number}`;
    if (!quota) return { ...base, decision: 'covered', reason: `${cover.tier[0]!.toUpperCase()}${cover.tier.slice(1)} contract ${cover.number} (${until}) ${covers}.` };
    const period = quotaWords(quota);
    if (quota.remainingMinutes > 0) {
      return {
        ...base,
        decision: 'quota',
        reason: `Contract ${cover.number} ${covers}; time is drawn from its quota: ${spokenMinutes(quota.remainingMinutes)} of ${spokenMinutes(quota.totalMinutes)} left ${period}.`,
      };
    }
    return { ...base, decision: 'billable', reason: `Contract ${cover.number} ${covers}, but its quota of ${spokenMinutes(quota.totalMinutes)} ${period} is used up. Work is billable at ${rateWords}.` };
  }

  const lapsed = lapsedContract(facts.contracts, day, asset);
  if (lapsed && lapsed.validTo !== null && lapsed.validTo < day) return billable(`Contract ${lapsed.number} expired on ${spokenDate(lapsed.validTo)}.`);
  if (lapsed && lapsed.validFrom > day) return billable(`Contract ${lapsed.number} starts only on ${spokenDate(lapsed.validFrom)}.`);
  const namedOnly = facts.contracts.find((c) => inForce(c, day) && !c.coversAllAssets);
  if (namedOnly && asset.kind === 'none') return billable(`Contract ${namedOnly.number} covers named assets only; give the serial number to check cover.`);
  if (namedOnly && asset.kind === 'own') return billable(`No contract of ${customer.number} covers ${asset.serialNumber}.`);
  return billable(`${customer.name} (${customer.number}) has no support contract in force.`);
}

function quotaWords(quota: QuotaStatus): string {
  if (quota.period === 'prepaid') return 'in the prepaid block';
  const { year, month } = parts(quota.periodStart);
  if (quota.period === 'month') return `in ${spokenDate(quota.periodStart).split(' ').slice(1).join(' ')}`;
  if (quota.period === 'quarter') return `in Q${Math.floor((month - 1) / 3) + 1} ${year}`;
  return `in ${year}`;
}

/** The contract that would cover if it were in force: the latest that lists the asset, else the latest customer-wide one. */
function lapsedContract(contracts: readonly ContractFacts[], day: string, asset: AssetLookup): ContractFacts | null {
  const relevant = contracts.filter((c) => !inForce(c, day) && ((asset.kind === 'own' && c.listsAsset) || c.coversAllAssets));
  // Prefer the one nearest to the day: the latest that ended, else the soonest to start.
  const ended = relevant.filter((c) => c.validTo !== null && c.validTo < day).sort((a, b) => b.validTo!.localeCompare(a.validTo!));
  const upcoming = relevant.filter((c) => c.validFrom > day).sort((a, b) => a.validFrom.localeCompare(b.validFrom));
  return ended[0] ?? upcoming[0] ?? null;
}

/** A current contract of the customer, else (for its own asset or no asset) the one that lapsed. */
function rateContractFor(contracts: readonly ContractFacts[], day: string, asset: AssetLookup): ContractFacts | null {
  const current = contracts.filter((c) => inForce(c, day)).sort((a, b) => b.validFrom.localeCompare(a.validFrom))[0];
  if (current || asset.kind === 'unknown' || asset.kind === 'other-customer' || asset.kind === 'retired') return current ?? null;
  return lapsedContract(contracts, day, asset);
}
