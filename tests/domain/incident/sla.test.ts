import { describe, expect, it } from 'vitest';
import { holidaysToResolve } from '../../../src/domain/incident/sla.js';
import { openIncident } from '../../../src/domain/incident/state.js';
import { testIntake } from '../../support/intake.js';
import { goldPolicy } from '../../support/policies.js';

const stateWith = (sla: typeof goldPolicy, receivedAt = '2026-03-10T09:00:00Z') => openIncident(testIntake({ number: 'INC-2026-000001', sla, receivedAt })).state;

describe('the public holidays a snapshot still needs', () => {
  it('none while its resolved years reach past this one, or without a region', () => {
    expect(holidaysToResolve(stateWith(goldPolicy), new Date('2030-06-01T00:00:00Z'))).toBeUndefined();
    const { holidays: _none, ...week } = goldPolicy.calendar;
    expect(holidaysToResolve(stateWith({ ...goldPolicy, calendar: week, publicHolidays: null }), new Date('2040-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('an old snapshot: from the year before receipt to four years ahead', () => {
    const { publicHolidays: _dropped, ...legacy } = goldPolicy;
    expect(holidaysToResolve(stateWith(legacy, '2025-12-30T09:00:00Z'), new Date('2027-02-01T00:00:00Z'))).toEqual({ region: 'DE-NW', fromYear: 2024, toYear: 2031 });
  });

  it('renewed in its last year, keeping the years behind its clocks', () => {
    const ending = { ...goldPolicy, publicHolidays: { region: 'DE-NW', fromYear: 2025, toYear: 2030, dates: [] } };
    expect(holidaysToResolve(stateWith(ending), new Date('2030-03-01T00:00:00Z'))).toEqual({ region: 'DE-NW', fromYear: 2025, toYear: 2034 });
  });
});
