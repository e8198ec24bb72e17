// The callback SLA: how long a customer may wait for a call back, in business minutes of the
// policy's calendar, and the call window that follows from it. Pure; the callback service picks
// policy and calendar, the callback workflow only ever sees the resulting window.
import { addBusinessMinutes, businessCalendar, nextBusinessInstant, type CalendarDefinition } from './business-calendar.js';
import { contractTiers, type ContractTier } from './enums.js';
import { inForce, type ContractFacts } from './entitlement.js';
import { CallbackWindowRefused } from './callback-window.js';
import type { SlaPolicySnapshot } from './sla.js';
import { instant } from './validation.js';

/** Business minutes from the request to the latest end of the call window, per tier; `none` without a contract. */
export const defaultCallbackMinutes: Record<ContractTier | 'none', number> = { platinum: 60, gold: 120, silver: 240, none: 480 };
/** Bounds of a policy's own callback minutes (one week of 24x7). */
export const callbackMinutesRange = { min: 1, max: 10_080 } as const;

const office: [string, string][] = [['08:00', '17:00']];
/**
 * The calendar when no policy and no tier default gives one: office hours Mon-Fri 08:00-17:00 in
 * the house's time zone, public holidays of Germany. The service prefers the silver default
 * policy's calendar (the house's basic support hours) and falls back to this one.
 */
export function houseCallbackCalendar(timezone: string): CalendarDefinition {
  return { timezone, week: { mon: office, tue: office, wed: office, thu: office, fri: office }, holidays: { region: 'DE' } };
}

/** The contract whose terms a callback counts on. */
export type CallbackContract = { id: string; number: string; tier: ContractTier };

/**
 * How the callback's contract was chosen: `incident` the incident's contract and policy; `asset`
 * the entitlement of the asset the caller named (its serial number); `customer` the customer's best
 * contract in force (highest tier), whatever assets it lists; `none` an unknown caller.
 */
export const callbackBases = ['incident', 'asset', 'customer', 'none'] as const;
export type CallbackBasis = (typeof callbackBases)[number];

export interface CallbackTerms {
  /** The contract tier of the caller, or null without a contract. */
  tier: ContractTier | null;
  /** The SLA policy the callback counts on (the incident's or the contract's); null without one. */
  policy: (Pick<SlaPolicySnapshot, 'id' | 'name' | 'callbackMinutes'> & { tier?: ContractTier | null }) | null;
  /** The contract behind tier and policy, recorded with the SLA; null (or absent) without one. */
  contract?: CallbackContract | null | undefined;
  /** How that contract was chosen; absent means `none` without a contract. */
  basis?: CallbackBasis | undefined;
}

/**
 * The contract a customer's callback counts on when no asset says otherwise: of the contracts in
 * force on `day`, the highest tier (platinum > gold > silver), then the latest start, then the
 * contract number. A contract that lists only some assets still counts: the callback is about the
 * customer, not about one device. Null when none is in force.
 */
export function bestContractInForce<C extends Pick<ContractFacts, 'number' | 'tier' | 'validFrom' | 'validTo'>>(contracts: readonly C[], day: string): C | null {
  const rank = (c: C) => contractTiers.indexOf(c.tier);
  const better = (a: C, b: C) => rank(b) - rank(a) || b.validFrom.localeCompare(a.validFrom) || a.number.localeCompare(b.number);
  return contracts.filter((c) => inForce(c, day)).sort(better)[0] ?? null;
}

/** The policy's own minutes when it sets them, else the tier's default (the policy's tier stands in for a missing contract tier). */
export function callbackMinutesFor(terms: CallbackTerms): number {
  const own = terms.policy?.callbackMinutes;
  return own ?? defaultCallbackMinutes[tierOf(terms) ?? 'none'];
}

const tierOf = (terms: CallbackTerms): ContractTier | null => terms.tier ?? terms.policy?.tier ?? null;

/**
 * How the window stands to the SLA: `within` it ends by the latest end; `by_agreement` the customer
 * asked for a later time; `late` the request was taken up only after its latest end had passed
 * (a mail processed after an outage): the SLA is breached, the window counts from the take-up.
 */
export const callbackSlaOutcomes = ['within', 'by_agreement', 'late'] as const;
export type CallbackSlaOutcome = (typeof callbackSlaOutcomes)[number];

/** What the callback was promised and how the window stands to it; recorded on the callback's `created` event. */
export type CallbackSla = {
  minutes: number;
  tier: ContractTier | null;
  policy: { id: string; name: string } | null;
  /** Where the minutes came from. */
  source: 'policy' | 'tier_default' | 'no_contract_default';
  /** The latest end of the window the SLA allows: request time (a mail's arrival) plus the minutes in business time. */
  latestEnd: string;
  /** See callbackSlaOutcomes; `late` is a breach (latestEnd had passed when the request was taken up). */
  met: CallbackSlaOutcome;
  /** With `late`: when the request was taken up, the instant the window counts from. */
  takenUpAt?: string;
  /** The contract behind tier and policy (absent on callbacks requested before it was recorded). */
  contract?: CallbackContract | null;
  /** How that contract was chosen (absent on callbacks requested before it was recorded). */
  basis?: CallbackBasis;
};

export interface CallbackWindowRequest extends CallbackTerms {
  requestedAt: Date;
  /** The calendar to count on: the policy's, or the house calendar without one. */
  calendar: CalendarDefinition;
  /** The customer's preferred window, if any. */
  preferred?: { from: string; to: string } | null | undefined;
  /** The customer explicitly asked for a time after the SLA's latest end. */
  laterByAgreement?: boolean | undefined;
  /**
   * When the request is taken up, if later than `requestedAt` (a mail processed late). Once the
   * window counted from `requestedAt` has closed by then, the window counts from `takenUpAt` and
   * the SLA, its latest end still from `requestedAt`, is `late`.
   */
  takenUpAt?: Date | undefined;
}

export interface CallbackWindowDecision {
  window: { from: string; to: string };
  sla: CallbackSla;
}

/**
 * The call window: without a preference, from the next business instant to the SLA's latest end.
 * A preferred window is taken as it is when it ends by the latest end, or when the customer asked
 * for later (`laterByAgreement`); otherwise it is refused, naming the latest end. Refused, not
 * clamped: a silently shortened window is a promise the customer never heard.
 */
export function callbackWindow(request: CallbackWindowRequest): CallbackWindowDecision {
  const { takenUpAt, ...asked } = request;
  const onTime = windowFrom(asked);
  if (!takenUpAt || takenUpAt <= request.requestedAt || Date.parse(onTime.window.to) > takenUpAt.getTime()) return onTime;
  // Never born overdue, never hiding the breach: the window from now, the SLA from the arrival.
  const fromNow = windowFrom({ ...asked, requestedAt: takenUpAt });
  return { window: fromNow.window, sla: { ...onTime.sla, met: 'late', takenUpAt: takenUpAt.toISOString() } };
}

function windowFrom(request: Omit<CallbackWindowRequest, 'takenUpAt'>): CallbackWindowDecision {
  const minutes = callbackMinutesFor(request);
  const calendar = businessCalendar(request.calendar);
  const at = request.requestedAt.getTime();
  const latestEnd = addBusinessMinutes(calendar, at, minutes);
  const tier = tierOf(request);
  const source = request.policy?.callbackMinutes != null ? 'policy' : tier ? 'tier_default' : 'no_contract_default';
  const sla = (met: CallbackSla['met']): CallbackSla => ({
    minutes,
    tier,
    policy: request.policy ? { id: request.policy.id, name: request.policy.name } : null,
    source,
    latestEnd: new Date(latestEnd).toISOString(),
    met,
    contract: request.contract ?? null,
    basis: request.basis ?? 'none',
  });
  if (!request.preferred) {
    return { window: { from: new Date(nextBusinessInstant(calendar, at)).toISOString(), to: new Date(latestEnd).toISOString() }, sla: sla('within') };
  }
  const from = instant(request.preferred.from, 'window.from');
  const to = instant(request.preferred.to, 'window.to');
  if (from >= to) throw new CallbackWindowRefused('order', 'The window must end after it starts.');
  const window = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  if (to <= latestEnd) return { window, sla: sla('within') };
  if (request.laterByAgreement) return { window, sla: sla('by_agreement') };
  throw new CallbackWindowRefused(
    'tooLate',
    `The callback SLA (${minutes} business minutes${tier ? `, ${tier}` : ', no contract'}) needs the call by ${new Date(latestEnd).toISOString()}; choose a window that ends by then, or set laterByAgreement when the customer asked for a later time.`,
    new Date(latestEnd).toISOString(),
  );
}
