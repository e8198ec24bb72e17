// The pure master data rules: validity intervals, quotas, money, mail domains.
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { checkCents, checkQuota, checkValidity, normaliseMailDomains, projectFor, quotaRelabelling, validitiesOverlap } from '../../src/services/master-data/rules.js';

const v = (validFrom: string, validTo: string | null) => ({ validFrom, validTo });

describe('validitiesOverlap', () => {
  it('treats validity days as inclusive at both ends', () => {
    expect(validitiesOverlap(v('2026-01-01', '2026-12-31'), v('2026-12-31', '2027-12-31'))).toBe(true);
    expect(validitiesOverlap(v('2026-01-01', '2026-12-31'), v('2027-01-01', '2027-12-31'))).toBe(false);
    expect(validitiesOverlap(v('2027-01-01', '2027-12-31'), v('2026-01-01', '2026-12-31'))).toBe(false);
  });
  it('treats a null end as open-ended', () => {
    expect(validitiesOverlap(v('2025-07-01', null), v('2030-01-01', '2030-12-31'))).toBe(true);
    expect(validitiesOverlap(v('2025-07-01', null), v('2024-01-01', '2025-06-30'))).toBe(false);
    expect(validitiesOverlap(v('2025-07-01', null), v('2020-01-01', null))).toBe(true);
  });
});

describe('checkValidity', () => {
  it('refuses an end before the start, naming validTo', () => {
    expect(() => checkValidity(v('2026-05-01', '2026-04-30'))).toThrow(expect.objectContaining({ field: 'validTo', message: expect.stringContaining('ends (2026-04-30) before it starts (2026-05-01)') }));
    expect(() => checkValidity(v('2026-05-01', '2026-05-01'))).not.toThrow();
    expect(() => checkValidity(v('2026-05-01', null))).not.toThrow();
  });
  it('refuses days that do not exist', () => {
    expect(() => checkValidity(v('2026-02-30', null))).toThrow(expect.objectContaining({ field: 'validFrom' }));
    expect(() => checkValidity(v('2026-02-01', '2026-13-01'))).toThrow(expect.objectContaining({ field: 'validTo' }));
  });
});

describe('checkQuota', () => {
  it('wants minutes and period together or neither, and positive minutes', () => {
    expect(() => checkQuota({ quotaMinutes: null, quotaPeriod: null })).not.toThrow();
    expect(() => checkQuota({ quotaMinutes: 600, quotaPeriod: 'prepaid' })).not.toThrow();
    expect(() => checkQuota({ quotaMinutes: 600, quotaPeriod: null })).toThrow(expect.objectContaining({ field: 'quotaPeriod' }));
    expect(() => checkQuota({ quotaMinutes: null, quotaPeriod: 'month' })).toThrow(expect.objectContaining({ field: 'quotaMinutes' }));
    expect(() => checkQuota({ quotaMinutes: 0, quotaPeriod: 'month' })).toThrow(expect.objectContaining({ field: 'quotaMinutes' }));
    expect(() => checkQuota({ quotaMinutes: 10_000_001, quotaPeriod: 'year' })).toThrow(expect.objectContaining({ field: 'quotaMinutes' }));
  });
});

describe('quotaRelabelling', () => {
  const terms = (quotaPeriod: 'month' | 'quarter' | 'year' | 'prepaid' | null, validFrom = '2026-01-01') => ({ quotaPeriod, validFrom });
  it('names a new period type, also to or from none', () => {
    expect(quotaRelabelling(terms('month'), terms('year'))).toBe('changing quotaPeriod from month to year');
    expect(quotaRelabelling(terms('prepaid'), terms(null))).toBe('changing quotaPeriod from prepaid to none');
    expect(quotaRelabelling(terms(null), terms('quarter'))).toBe('changing quotaPeriod from none to quarter');
  });
  it('names a prepaid block that would start on another day, and nothing else', () => {
    expect(quotaRelabelling(terms('prepaid'), terms('prepaid', '2026-02-01'))).toBe('moving validFrom, where its prepaid block starts, from 2026-01-01 to 2026-02-01');
    expect(quotaRelabelling(terms('month'), terms('month', '2026-02-01'))).toBeNull();
    expect(quotaRelabelling(terms(null), terms(null, '2026-02-01'))).toBeNull();
    expect(quotaRelabelling(terms('year'), terms('year'))).toBeNull();
  });
});

describe('money and names', () => {
  it('takes only non-negative whole cents', () => {
    expect(() => checkCents(0, 'monthlyFeeCents')).not.toThrow();
    expect(() => checkCents(-1, 'monthlyFeeCents')).toThrow(ValidationError);
    expect(() => checkCents(12.5, 'hourlyRates.remote')).toThrow(expect.objectContaining({ field: 'hourlyRates.remote' }));
    // Beyond a Postgres integer: refused here rather than failing in the database.
    expect(() => checkCents(9_999_999_999, 'monthlyFeeCents')).toThrow(expect.objectContaining({ field: 'monthlyFeeCents' }));
  });
  it('normalises mail domains to lower case without duplicates and refuses non-domains', () => {
    expect(normaliseMailDomains(['Example.COM', '@example.com', ' sub.example.org '])).toEqual(['example.com', 'sub.example.org']);
    expect(() => normaliseMailDomains(['not a domain'])).toThrow(expect.objectContaining({ field: 'mailDomains' }));
  });
  it('names projects as migration 0007 did', () => {
    expect(projectFor('V-1', 'support')).toEqual({ projectNumber: 'P-V-1', name: 'Support V-1' });
    expect(projectFor('V-1', 'maintenance')).toEqual({ projectNumber: 'P-V-1', name: 'Maintenance V-1' });
  });
});
