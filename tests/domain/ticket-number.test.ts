import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessDate, findIncidentNumber, formatIncidentNumber, incidentYear, isIncidentNumber, parseIncidentNumber } from '../../src/domain/ticket-number.js';
import { incidentWorkflowId } from '../../src/domain/workflow-ids.js';

describe('incident numbers', () => {
  it('formats INC-<year>-<6 digits> with zero padding', () => {
    expect(formatIncidentNumber(2026, 123)).toBe('INC-2026-000123');
    expect(formatIncidentNumber(2026, 999_999)).toBe('INC-2026-999999');
  });

  it('refuses sequences outside 1..999999 and odd years', () => {
    expect(() => formatIncidentNumber(2026, 0)).toThrow(RangeError);
    expect(() => formatIncidentNumber(2026, 1_000_000)).toThrow(/out of range/);
    expect(() => formatIncidentNumber(2026, 1.5)).toThrow(RangeError);
    expect(() => formatIncidentNumber(26, 1)).toThrow(RangeError);
  });

  it('parses what it formats', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 1, max: 999_999 }), (year, sequence) => {
        expect(parseIncidentNumber(formatIncidentNumber(year, sequence))).toEqual({ year, sequence });
      }),
    );
  });

  it.each(['INC-2026-12345', 'INC-2026-0001234', 'inc-2026-000001', 'INC-2026-000000', 'INC-2026-000001 ', 'XINC-2026-000001'])('rejects %j', (value) => {
    expect(isIncidentNumber(value)).toBe(false);
  });

  it('names the workflow incident-<number>', () => {
    expect(incidentWorkflowId('INC-2026-000123')).toBe('incident-INC-2026-000123');
  });

  it('finds the bracketed number in a reply subject', () => {
    expect(findIncidentNumber('Re: AW: [INC-2026-000123] Printer offline')).toBe('INC-2026-000123');
    expect(findIncidentNumber('Re: INC-2026-000123 without brackets')).toBeUndefined();
    expect(findIncidentNumber('[INC-2026-000000] zero')).toBeUndefined();
  });
});

describe('business-zone dates', () => {
  it('numbers an incident received at 00:30 on New Year in Berlin with the new year', () => {
    const newYearBerlin = new Date('2026-12-31T23:30:00Z');
    expect(incidentYear(newYearBerlin, 'Europe/Berlin')).toBe(2027);
    expect(incidentYear(newYearBerlin, 'UTC')).toBe(2026);
    expect(businessDate(newYearBerlin, 'Europe/Berlin')).toBe('2027-01-01');
    expect(businessDate(new Date('2026-07-01T21:59:59Z'), 'Europe/Berlin')).toBe('2026-07-01');
    expect(businessDate(new Date('2026-07-01T22:00:00Z'), 'Europe/Berlin')).toBe('2026-07-02');
  });
});
