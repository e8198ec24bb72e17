import { describe, expect, it } from 'vitest';
import { callbackMinutesFor, callbackWindow, defaultCallbackMinutes, houseCallbackCalendar, type CallbackWindowRequest } from '../../src/domain/callback-sla.js';
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
    expect(sla).toEqual({ minutes: 120, tier: 'gold', policy: { id: 'p1', name: 'Gold' }, source: 'tier_default', latestEnd: iso(march(11, 12)), met: 'within' });
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
