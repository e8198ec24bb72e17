import { describe, expect, it } from 'vitest';
import { bestContractInForce, callbackMinutesFor, callbackSlaOutcomes, callbackWindow, defaultCallbackMinutes, houseCallbackCalendar, type CallbackWindowRequest } from '../../src/domain/callback-sla.js';
import { ValidationError } from '../../src/domain/errors.js';
import { goldPolicy } from '../support/policies.js';

// Mon-Fri 08:00-17:00 Europe/Berlin with the public holidays of NRW.
const calendar = goldPolicy.calendar;
/** A Berlin wall-clock time in March 2026 (CET, UTC+1). */
const march = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2026, 2, day, hour - 1, minute));
/** A Berlin wall-clock time in April 2026 (CEST, UTC+2). */
const april = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2026, 3, day, hour - 2, minute));
const iso = (d: Date) => d.toISOString();
const policy = { id: 'p1', name: 'Gold', tier: 'gold' as const, callbackMinutes: null };

const decide = (changes: Partial<CallbackWindowRequest>) => callbackWindow({ tier: 'gold', policy, calendar, requestedAt: march(11, 10), ...changes });

describe('callback minutes', () => {
  it('takes the tier default, the policy override, and the no-contract default', () => {
    expect(defaultCallbackMinutes).toEqual({ platinum: 60, gold: 120, silver: 240, none: 480 });
    expect(callbackMinutesFor({ tier: 'platinum', policy: null })).toBe(60);
    expect(callbackMinutesFor({ tier: 'gold', policy: { ...policy, callbackMinutes: 30 } })).toBe(30);
    expect(callbackMinutesFor({ tier: null, policy: null })).toBe(480);
    // A contract-specific policy has no tier of its own: the contract's tier decides.
    expect(callbackMinutesFor({ tier: 'silver', policy: { id: 'x', name: 'Own', tier: null, callbackMinutes: null } })).toBe(240);
  });
});

describe('the callback window', () => {
  it('runs from the request to the tier minutes later in business time', () => {
    const { window, sla } = decide({});
    expect(window).toEqual({ from: iso(march(11, 10)), to: iso(march(11, 12)) });
    expect(sla).toEqual({ minutes: 120, tier: 'gold', policy: { id: 'p1', name: 'Gold' }, source: 'tier_default', latestEnd: iso(march(11, 12)), met: 'within', contract: null, basis: 'none' });
  });

  it('carries over the weekend: gold on Friday 16:00 ends Monday 09:00', () => {
    const { window } = decide({ requestedAt: march(13, 16) });
    expect(window.to).toBe(iso(march(16, 9)));
  });

  it('skips Good Friday and Easter Monday: platinum on Thursday 16:30 ends Tuesday 08:30', () => {
    const { window, sla } = decide({ tier: 'platinum', policy: { ...policy, name: 'Platinum', tier: 'platinum' }, requestedAt: april(2, 16, 30) });
    expect(sla.minutes).toBe(60);
    expect(window.to).toBe(iso(april(7, 8, 30)));
  });

  it('ends at the end of the business day when the minutes run out exactly there', () => {
    const { window } = decide({ tier: 'silver', policy: null, requestedAt: march(11, 13) });
    expect(window.to).toBe(iso(march(11, 17)));
  });

  it('opens at the next business instant when requested outside business hours', () => {
    const { window } = decide({ requestedAt: march(14, 11) }); // Saturday
    expect(window).toEqual({ from: iso(march(16, 8)), to: iso(march(16, 10)) });
  });

  it('uses the policy override and says so', () => {
    const { window, sla } = decide({ policy: { ...policy, callbackMinutes: 30 } });
    expect(window.to).toBe(iso(march(11, 10, 30)));
    expect(sla).toMatchObject({ minutes: 30, source: 'policy' });
  });

  it('gives a caller without contract 480 minutes on the house calendar', () => {
    const { window, sla } = callbackWindow({ tier: null, policy: null, calendar: houseCallbackCalendar('Europe/Berlin'), requestedAt: march(10, 10) });
    expect(sla).toMatchObject({ minutes: 480, tier: null, policy: null, source: 'no_contract_default' });
    expect(window.to).toBe(iso(march(11, 9)));
  });
});

describe('the contract a callback counts on', () => {
  const contract = (number: string, tier: 'silver' | 'gold' | 'platinum', validFrom: string, validTo: string | null = null) => ({ id: number, number, tier, validFrom, validTo });

  it('is the highest tier in force, whatever it covers', () => {
    const silver = contract('V-1', 'silver', '2026-01-01');
    const platinum = contract('V-2', 'platinum', '2025-07-01');
    const gold = contract('V-3', 'gold', '2026-02-01');
    expect(bestContractInForce([silver, platinum, gold], '2026-03-11')).toBe(platinum);
    expect(bestContractInForce([silver, gold], '2026-03-11')).toBe(gold);
  });

  it('leaves out contracts not in force on the day (validity days inclusive)', () => {
    const ended = contract('V-1', 'platinum', '2025-01-01', '2026-03-10');
    const future = contract('V-2', 'platinum', '2026-03-12');
    const silver = contract('V-3', 'silver', '2026-01-01');
    expect(bestContractInForce([ended, future, silver], '2026-03-11')).toBe(silver);
    expect(bestContractInForce([ended], '2026-03-10')).toBe(ended);
    expect(bestContractInForce([ended, future], '2026-03-11')).toBeNull();
    expect(bestContractInForce([], '2026-03-11')).toBeNull();
  });

  it('prefers the later start, then the contract number, within a tier', () => {
    const older = contract('V-9', 'gold', '2025-01-01');
    const renewal = contract('V-8', 'gold', '2026-01-01');
    const twin = contract('V-7', 'gold', '2026-01-01');
    expect(bestContractInForce([older, renewal], '2026-03-11')).toBe(renewal);
    expect(bestContractInForce([older, renewal, twin], '2026-03-11')).toBe(twin);
  });

  it('is recorded with the SLA, with how it was chosen', () => {
    const platinum = { id: 'c2', number: 'V-2026-0002', tier: 'platinum' as const };
    const { sla } = decide({ tier: 'platinum', policy: { ...policy, name: 'Platinum', tier: 'platinum' }, contract: platinum, basis: 'customer' });
    expect(sla).toMatchObject({ minutes: 60, tier: 'platinum', contract: platinum, basis: 'customer', source: 'tier_default' });
    const { sla: asset } = decide({ tier: null, policy: null, contract: null, basis: 'asset' });
    expect(asset).toMatchObject({ minutes: 480, tier: null, contract: null, basis: 'asset', source: 'no_contract_default' });
  });
});

describe('a request taken up late (a mail processed after an outage)', () => {
  it('keeps the window and the SLA from the arrival while its window is still open', () => {
    const { window, sla } = decide({ requestedAt: march(11, 10), takenUpAt: march(11, 11, 30) });
    expect(window).toEqual({ from: iso(march(11, 10)), to: iso(march(11, 12)) });
    expect(sla).toMatchObject({ met: 'within', latestEnd: iso(march(11, 12)) });
    expect(sla).not.toHaveProperty('takenUpAt');
  });

  it('counts the window from the take-up once the SLA ran out, and records the breach', () => {
    const { window, sla } = decide({ requestedAt: march(11, 10), takenUpAt: march(12, 9) });
    // The latest end stays the arrival's; the customer still gets a full window from now.
    expect(window).toEqual({ from: iso(march(12, 9)), to: iso(march(12, 11)) });
    expect(sla).toMatchObject({ minutes: 120, met: 'late', latestEnd: iso(march(11, 12)), takenUpAt: iso(march(12, 9)) });
    expect(callbackSlaOutcomes).toEqual(['within', 'by_agreement', 'late']);
  });

  it('is late exactly when the latest end has passed at the take-up', () => {
    expect(decide({ requestedAt: march(11, 10), takenUpAt: march(11, 12) }).sla.met).toBe('late');
    expect(decide({ requestedAt: march(11, 10), takenUpAt: march(11, 11, 59) }).sla.met).toBe('within');
    // A take-up "before" the arrival (clock skew) changes nothing.
    expect(decide({ requestedAt: march(11, 10), takenUpAt: march(11, 9) }).sla).toMatchObject({ met: 'within', latestEnd: iso(march(11, 12)) });
  });
});

describe('a preferred window', () => {
  it('is accepted when it ends by the latest end', () => {
    const preferred = { from: iso(march(11, 11)), to: iso(march(11, 12)) };
    const { window, sla } = decide({ preferred });
    expect(window).toEqual(preferred);
    expect(sla.met).toBe('within');
  });

  it('is refused when it ends later, naming the latest end', () => {
    const preferred = { from: iso(march(11, 14)), to: iso(march(11, 15)) };
    let error: unknown;
    try {
      decide({ preferred });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'window.to' });
    expect((error as Error).message).toContain(iso(march(11, 12)));
  });

  it('is accepted later when the customer asked for it: the SLA is met by agreement', () => {
    const preferred = { from: iso(march(12, 14)), to: iso(march(12, 15)) };
    const { window, sla } = decide({ preferred, laterByAgreement: true });
    expect(window).toEqual(preferred);
    expect(sla).toMatchObject({ met: 'by_agreement', latestEnd: iso(march(11, 12)) });
  });

  it('must end after it starts and be made of instants', () => {
    expect(() => decide({ preferred: { from: iso(march(11, 11)), to: iso(march(11, 11)) } })).toThrow(/end after it starts/);
    expect(() => decide({ preferred: { from: 'tomorrow', to: iso(march(11, 11)) } })).toThrow(ValidationError);
  });
});
