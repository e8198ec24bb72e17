import { describe, expect, it } from 'vitest';
import { coveringContract, decideEntitlement, quotaPeriodOf, ratesOf, type ContractFacts, type EntitlementFacts } from '../../src/domain/entitlement.js';

const defaults = { remote: 9500, onsite: 11500, travel: 6500 };
const contract = (over: Partial<ContractFacts> & { number: string }): ContractFacts => ({
  id: over.number,
  tier: 'gold',
  validFrom: '2026-01-01',
  validTo: '2026-12-31',
  coversAllAssets: false,
  listsAsset: false,
  hourlyRates: {},
  quotaMinutes: null,
  quotaPeriod: null,
  ...over,
});
const customer = { number: 'K-1', name: 'Acme', creditHold: false };
const facts = (over: Partial<EntitlementFacts>): EntitlementFacts => ({
  day: '2026-11-12',
  customer,
  asset: { kind: 'none' },
  contracts: [],
  quotaUsedMinutes: () => 0,
  defaultRates: defaults,
  ...over,
});

describe('coveringContract', () => {
  const wide = contract({ number: 'W', coversAllAssets: true });
  const named = contract({ number: 'N', listsAsset: true, tier: 'platinum' });
  it('prefers the contract that lists the asset over a customer-wide one', () => {
    expect(coveringContract([wide, named], '2026-06-01', { kind: 'own', id: 'a', serialNumber: 'S' })?.number).toBe('N');
  });
  it('falls back to the customer-wide contract for an unlisted asset or no asset', () => {
    expect(coveringContract([wide, { ...named, listsAsset: false }], '2026-06-01', { kind: 'own', id: 'a', serialNumber: 'S' })?.number).toBe('W');
    expect(coveringContract([wide, named], '2026-06-01', { kind: 'none' })?.number).toBe('W');
  });
  it('counts validity days inclusively and ignores contracts out of force', () => {
    expect(coveringContract([wide], '2026-12-31', { kind: 'none' })?.number).toBe('W');
    expect(coveringContract([wide], '2027-01-01', { kind: 'none' })).toBeNull();
    expect(coveringContract([wide], '2025-12-31', { kind: 'none' })).toBeNull();
    expect(coveringContract([{ ...wide, validTo: null }], '2040-01-01', { kind: 'none' })?.number).toBe('W');
  });
  it('never covers an unknown asset or another customer\'s asset', () => {
    expect(coveringContract([wide], '2026-06-01', { kind: 'unknown', number: 'X' })).toBeNull();
    expect(coveringContract([wide], '2026-06-01', { kind: 'other-customer', number: 'X' })).toBeNull();
  });
});

describe('quotaPeriodOf', () => {
  it.each([
    ['month', '2026-02-14', { start: '2026-02-01', end: '2026-02-28' }],
    ['month', '2028-02-29', { start: '2028-02-01', end: '2028-02-29' }],
    ['quarter', '2026-11-26', { start: '2026-10-01', end: '2026-12-31' }],
    ['quarter', '2026-03-31', { start: '2026-01-01', end: '2026-03-31' }],
    ['year', '2026-07-01', { start: '2026-01-01', end: '2026-12-31' }],
    ['prepaid', '2026-07-01', { start: '2026-01-01', end: '2026-12-31' }],
  ] as const)('%s period of %s', (quotaPeriod, day, period) => {
    expect(quotaPeriodOf({ quotaPeriod, validFrom: '2026-01-01', validTo: '2026-12-31' }, day)).toEqual(period);
  });
  it('has no period without a quota', () => {
    expect(quotaPeriodOf({ quotaPeriod: null, validFrom: '2026-01-01', validTo: null }, '2026-07-01')).toBeNull();
  });
});

describe('decideEntitlement', () => {
  const gold = contract({ number: 'V-1', coversAllAssets: true, hourlyRates: { remote: 9000 } });
  it('covered: an active contract covers the customer', () => {
    const e = decideEntitlement(facts({ contracts: [gold] }));
    expect(e).toMatchObject({ decision: 'covered', contract: { number: 'V-1', tier: 'gold' }, quota: null, rateSource: { kind: 'contract', contractNumber: 'V-1' } });
    expect(e.reason).toBe('Gold contract V-1 (valid until 31 Dec 2026) covers all assets of K-1.');
    expect(e.rates).toEqual({ remote: 9000, onsite: 11500, travel: 6500 });
  });

  it('quota: covered, with the minutes left in the period', () => {
    const quota = { ...gold, quotaMinutes: 600, quotaPeriod: 'month' as const };
    const e = decideEntitlement(facts({ contracts: [quota], quotaUsedMinutes: () => 450 }));
    expect(e.decision).toBe('quota');
    expect(e.quota).toEqual({ period: 'month', periodStart: '2026-11-01', periodEnd: '2026-11-30', totalMinutes: 600, usedMinutes: 450, remainingMinutes: 150 });
    expect(e.reason).toBe('Contract V-1 covers all assets of K-1; time is drawn from its quota: 2 h 30 min of 10 h left in Nov 2026.');
  });

  it('billable when the quota is used up, at the contract rates', () => {
    const quota = { ...gold, quotaMinutes: 600, quotaPeriod: 'quarter' as const };
    const e = decideEntitlement(facts({ contracts: [quota], quotaUsedMinutes: () => 610 }));
    expect(e.decision).toBe('billable');
    expect(e.quota?.remainingMinutes).toBe(0);
    expect(e.reason).toBe('Contract V-1 covers all assets of K-1, but its quota of 10 h in Q4 2026 is used up. Work is billable at the rates of contract V-1.');
  });

  it('blocked: credit hold wins over cover, and still names the contract', () => {
    const e = decideEntitlement(facts({ customer: { ...customer, creditHold: true }, contracts: [gold] }));
    expect(e.decision).toBe('blocked');
    expect(e.contract?.number).toBe('V-1');
    expect(e.reason).toMatch(/^Acme \(K-1\) is on credit hold/);
  });

  it('billable: an expired contract, with its rates and end date', () => {
    const e = decideEntitlement(facts({ day: '2027-01-05', contracts: [gold] }));
    expect(e).toMatchObject({ decision: 'billable', contract: null, rateSource: { kind: 'contract', contractNumber: 'V-1' } });
    expect(e.reason).toBe('Contract V-1 expired on 31 Dec 2026. Work is billable at the rates of contract V-1.');
  });

  it('billable: a contract that has not started yet', () => {
    const e = decideEntitlement(facts({ day: '2025-12-20', contracts: [gold] }));
    expect(e.reason).toBe('Contract V-1 starts only on 1 Jan 2026. Work is billable at the rates of contract V-1.');
  });

  it('billable: an unknown serial number, with or without a customer', () => {
    const alone = decideEntitlement(facts({ customer: null, asset: { kind: 'unknown', number: 'SN-9' }, contracts: [] }));
    expect(alone).toMatchObject({ decision: 'billable', customerNumber: null, rateSource: { kind: 'default' }, rates: defaults });
    expect(alone.reason).toBe('Serial or ident number SN-9 is not registered to any customer. Work is billable at the default rates.');
    const known = decideEntitlement(facts({ asset: { kind: 'unknown', number: 'SN-9' }, contracts: [gold] }));
    expect(known.decision).toBe('billable');
    expect(known.reason).toBe('Serial or ident number SN-9 is not registered for K-1, so no contract covers it. Work is billable at the rates of contract V-1.');
  });

  it('billable: another customer\'s serial number is not covered by this customer\'s contract', () => {
    const e = decideEntitlement(facts({ asset: { kind: 'other-customer', number: 'SN-7' }, contracts: [gold] }));
    expect(e).toMatchObject({ decision: 'billable', contract: null });
    expect(e.reason).toMatch(/^Serial or ident number SN-7 is registered to another customer, so K-1's contracts do not cover it\./);
  });

  it('billable: a contract for named assets only, asked without or with another asset', () => {
    const named = contract({ number: 'V-2', listsAsset: false });
    expect(decideEntitlement(facts({ contracts: [named] })).reason).toBe('Contract V-2 covers named assets only; give the serial number to check cover. Work is billable at the rates of contract V-2.');
    const other = decideEntitlement(facts({ contracts: [named], asset: { kind: 'own', id: 'a', serialNumber: 'PRN-1' } }));
    expect(other.reason).toBe('No contract of K-1 covers PRN-1. Work is billable at the rates of contract V-2.');
    const listed = decideEntitlement(facts({ contracts: [{ ...named, listsAsset: true }], asset: { kind: 'own', id: 'a', serialNumber: 'PRN-1' } }));
    expect(listed).toMatchObject({ decision: 'covered', reason: 'Gold contract V-2 (valid until 31 Dec 2026) covers PRN-1.' });
  });

  it('billable: a device taken out of service, even under a customer-wide contract', () => {
    const e = decideEntitlement(facts({ contracts: [gold], asset: { kind: 'retired', number: 'SRV-OLD', retiredOn: '2026-11-01' } }));
    expect(e).toMatchObject({ decision: 'billable', contract: null, rateSource: { kind: 'contract', contractNumber: 'V-1' } });
    expect(e.reason).toBe('Serial number SRV-OLD was taken out of service on 1 Nov 2026, so no contract covers it. Work is billable at the rates of contract V-1.');
  });

  it('billable at the default rates without any contract', () => {
    const e = decideEntitlement(facts({ contracts: [] }));
    expect(e).toMatchObject({ decision: 'billable', rateSource: { kind: 'default' }, rates: defaults });
    expect(e.reason).toBe('Acme (K-1) has no support contract in force. Work is billable at the default rates.');
  });
});

describe('ratesOf', () => {
  it('takes the contract rate per type and the default where the contract names none', () => {
    expect(ratesOf({ hourlyRates: { onsite: 0 } }, defaults)).toEqual({ remote: 9500, onsite: 0, travel: 6500 });
    expect(ratesOf(null, defaults)).toEqual(defaults);
  });
});
