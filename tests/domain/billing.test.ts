// Billing arithmetic in integer cents: rounding, quota split, thresholds and prorated fees.
import { describe, expect, it } from 'vitest';
import { amountCents, billEntry, proratedFeeCents, thresholdsCrossed, type EntryTerms } from '../../src/domain/billing.js';

describe('amountCents', () => {
  it.each([
    [1, 100, 2], // 1.67 -> 2
    [1, 90, 2], // exactly 1.5 -> 2 (half up)
    [1, 89, 1], // 1.48 -> 1
    [1, 30, 1], // 0.5 -> 1
    [1, 29, 0], // 0.48 -> 0
    [90, 9600, 14_400],
    [60, 9500, 9500],
    [7, 11_500, 1342], // 1341.67 -> 1342
    [1440, 123_457, 2_962_968],
    [0, 9500, 0],
  ])('%i min at %i c/h = %i c', (minutes, rate, expected) => {
    expect(amountCents(minutes, rate)).toBe(expected);
  });

  it('is always a whole number of cents', () => {
    for (let rate = 1; rate < 500; rate += 7) for (let m = 1; m < 200; m += 13) expect(Number.isInteger(amountCents(m, rate))).toBe(true);
  });
});

describe('billEntry', () => {
  const rates = { remote: 9600, onsite: 12_000, travel: 6000 };
  const terms = (over: Partial<EntryTerms>): EntryTerms => ({ minutes: 90, activityType: 'remote', decision: 'billable', quotaRemainingMinutes: 0, rates, override: null, ...over });

  it('covered work bills nothing and draws no quota', () => {
    expect(billEntry(terms({ decision: 'covered' }))).toEqual({ quotaMinutes: 0, billableMinutes: 0, rateCents: null, amountCents: 0, reason: 'Covered by the contract.' });
  });

  it('quota work within the remaining quota draws it all', () => {
    const b = billEntry(terms({ decision: 'quota', quotaRemainingMinutes: 600 }));
    expect(b).toMatchObject({ quotaMinutes: 90, billableMinutes: 0, rateCents: null, amountCents: 0 });
    expect(b.reason).toContain('510 min left');
  });

  it('quota work straddling the rest of the quota is split', () => {
    const b = billEntry(terms({ decision: 'quota', quotaRemainingMinutes: 30, activityType: 'onsite' }));
    expect(b).toMatchObject({ quotaMinutes: 30, billableMinutes: 60, rateCents: 12_000, amountCents: 12_000 });
    expect(b.reason).toBe('30 min from the quota, 60 min over it are billable.');
  });

  it('quota work after exhaustion is billable at the rate of its activity', () => {
    expect(billEntry(terms({ decision: 'quota', quotaRemainingMinutes: 0 }))).toMatchObject({ quotaMinutes: 0, billableMinutes: 90, rateCents: 9600, amountCents: 14_400, reason: 'The quota is used up: billable.' });
    expect(billEntry(terms({ decision: 'quota', quotaRemainingMinutes: -5, activityType: 'travel' }))).toMatchObject({ quotaMinutes: 0, billableMinutes: 90, amountCents: 9000 });
  });

  it('billable and blocked work bill every minute', () => {
    expect(billEntry(terms({ decision: 'billable' }))).toMatchObject({ quotaMinutes: 0, billableMinutes: 90, rateCents: 9600, amountCents: 14_400 });
    expect(billEntry(terms({ decision: 'blocked', minutes: 1, activityType: 'onsite' }))).toMatchObject({ billableMinutes: 1, rateCents: 12_000, amountCents: 200 });
  });

  it('a manager override wins over every decision and never draws quota', () => {
    const yes = billEntry(terms({ decision: 'covered', override: { billable: true, reason: 'outside scope' } }));
    expect(yes).toMatchObject({ quotaMinutes: 0, billableMinutes: 90, rateCents: 9600, amountCents: 14_400, reason: 'Billable by manager decision: outside scope' });
    const no = billEntry(terms({ decision: 'quota', quotaRemainingMinutes: 600, override: { billable: false, reason: 'goodwill' } }));
    expect(no).toEqual({ quotaMinutes: 0, billableMinutes: 0, rateCents: null, amountCents: 0, reason: 'Not billable by manager decision: goodwill' });
  });
});

describe('thresholdsCrossed', () => {
  it.each([
    [600, 0, 479, []],
    [600, 0, 480, [80]], // exactly 80 %
    [600, 479, 480, [80]],
    [600, 480, 599, []], // 80 % was reached before
    [600, 480, 600, [100]],
    [600, 0, 600, [80, 100]], // jumps over both
    [600, 100, 900, [80, 100]],
    [600, 600, 700, []], // already exhausted
    [600, 500, 400, []], // usage going down crosses nothing
    [0, 0, 10, []], // no quota
    [7, 5, 6, [80]], // 5.6 min is 80 % of 7: 5 < 5.6 <= 6
  ])('quota %i, %i -> %i min crosses %j', (quota, before, after, expected) => {
    expect(thresholdsCrossed(quota, before, after)).toEqual(expected);
  });
});

describe('proratedFeeCents', () => {
  const open = { validFrom: '2020-01-01', validTo: null };
  it('a full month is the full fee', () => {
    expect(proratedFeeCents(50_000, open, '2026-11-01', '2026-11-30')).toBe(50_000);
  });
  it('a partial month is prorated by days, rounded half up', () => {
    expect(proratedFeeCents(50_000, open, '2026-11-01', '2026-11-10')).toBe(16_667); // 50000 × 10/30 = 16666.67
    expect(proratedFeeCents(100, open, '2026-11-01', '2026-11-03')).toBe(10); // exactly 10
    expect(proratedFeeCents(31, open, '2026-01-01', '2026-01-15')).toBe(15); // 15.0
    expect(proratedFeeCents(1, open, '2026-11-01', '2026-11-15')).toBe(1); // 0.5 -> 1
  });
  it('February counts 28 days, and 29 in a leap year', () => {
    expect(proratedFeeCents(28_000, open, '2026-02-01', '2026-02-14')).toBe(14_000);
    expect(proratedFeeCents(29_000, open, '2028-02-01', '2028-02-14')).toBe(14_000);
    expect(proratedFeeCents(29_000, open, '2028-02-01', '2028-02-29')).toBe(29_000);
  });
  it('a range spanning months is prorated per month', () => {
    // 16-31 Jan: 16/31 of 31000 = 16000; all of Feb; 1-15 Mar: 15/31 of 31000 = 15000.
    expect(proratedFeeCents(31_000, open, '2026-01-16', '2026-03-15')).toBe(16_000 + 31_000 + 15_000);
    expect(proratedFeeCents(10_000, open, '2026-01-01', '2026-12-31')).toBe(120_000);
  });
  it('counts only the days the contract is in force', () => {
    expect(proratedFeeCents(30_000, { validFrom: '2026-11-21', validTo: null }, '2026-11-01', '2026-11-30')).toBe(10_000);
    expect(proratedFeeCents(30_000, { validFrom: '2026-09-01', validTo: '2026-11-05' }, '2026-11-01', '2026-11-30')).toBe(5000);
    expect(proratedFeeCents(30_000, { validFrom: '2027-01-01', validTo: null }, '2026-11-01', '2026-11-30')).toBe(0);
    expect(proratedFeeCents(30_000, { validFrom: '2025-01-01', validTo: '2026-10-31' }, '2026-11-01', '2026-11-30')).toBe(0);
    expect(proratedFeeCents(0, open, '2026-11-01', '2026-11-30')).toBe(0);
  });
});
