// Instants written out for people: the day in words relative to now, the clock in the zone, spans,
// durations, and datetime-local values across the DST change.
import { describe, expect, it } from 'vitest';
import { date, duration, instantOfLocal, localInputValue, span, when } from '../../src/web/format.js';

const zone = 'Europe/Berlin';
// Thursday 3 December 2026, 10:00 in Berlin (09:00 UTC).
const now = new Date('2026-12-03T09:00:00Z');

describe('when', () => {
  it.each([
    ['2026-12-03T15:00:00Z', 'de', 'heute 16:00'],
    ['2026-12-03T15:00:00Z', 'en', 'today 16:00'],
    ['2026-12-04T07:30:00Z', 'de', 'morgen 08:30'],
    ['2026-12-02T22:59:00Z', 'de', 'gestern 23:59'],
    ['2026-12-02T23:00:00Z', 'de', 'heute 00:00'], // Berlin's midnight, not UTC's
    ['2026-12-08T08:00:00Z', 'de', 'Di 09:00'],
    ['2026-12-08T08:00:00Z', 'en', 'Tue 09:00'],
    ['2026-12-20T08:00:00Z', 'de', '20. Dez. 2026 09:00'],
    ['2027-01-05T08:00:00Z', 'en', '5 Jan 2027 09:00'],
  ] as const)('%s in %s is "%s"', (iso, language, words) => {
    expect(when(iso, language, zone, now)).toBe(words);
  });

  it('writes the same instant in another zone by that zone', () => {
    expect(when('2026-12-03T15:00:00Z', 'en', 'America/New_York', now)).toBe('today 10:00');
  });
});

describe('span', () => {
  it('writes a window on one day once, and one across days with both ends', () => {
    expect(span('2026-12-08T08:00:00Z', '2026-12-08T10:00:00Z', 'de', zone, now)).toBe('Di 09:00–11:00');
    expect(span('2026-12-03T16:00:00Z', '2026-12-04T08:00:00Z', 'en', zone, now)).toBe('today 17:00 – tomorrow 09:00');
  });
});

describe('date and duration', () => {
  it('writes a calendar day and minutes per language', () => {
    expect(date('2026-12-31', 'de')).toBe('31.12.2026');
    expect(date('2026-12-31', 'en')).toBe('31/12/2026');
    expect(duration(150, 'de')).toMatch(/^2 Std\. 30 Min\.$/);
    expect(duration(120, 'en')).toMatch(/^2 h$/);
  });
});

describe('datetime-local values', () => {
  it('reads a wall time in the zone, on both sides of the change to summer time', () => {
    expect(instantOfLocal('2026-12-03T09:00', zone)).toBe('2026-12-03T08:00:00.000Z');
    expect(instantOfLocal('2026-07-01T09:00', zone)).toBe('2026-07-01T07:00:00.000Z');
    expect(instantOfLocal('2026-03-29T03:30', zone)).toBe('2026-03-29T01:30:00.000Z');
    expect(localInputValue('2026-07-01T07:00:00.000Z', zone)).toBe('2026-07-01T09:00');
  });

  it('refuses what is no datetime-local value', () => {
    for (const bad of ['', '2026-12-03', '03.12.2026 09:00', '2026-12-03T9:00', '2026-12-03T09:00:00Z']) expect(instantOfLocal(bad, zone), bad).toBeNull();
  });
});
