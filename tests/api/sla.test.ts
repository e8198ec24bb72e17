// Calendars, SLA policies and the SLA preview through the API, on a real database.
import { describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { apiOnTestDatabase } from '../support/api-database.js';

const api = apiOnTestDatabase({ agent: 'agent', admin: 'admin' }, { seed: seedDemoData });
const { call, users: { agent, admin } } = api;


const office = [['08:00', '17:00']];
const nrw = { timezone: 'Europe/Berlin', week: { mon: office, tue: office, wed: office, thu: office, fri: office }, holidays: { region: 'DE-NW' } };

describe('POST /api/sla/preview', () => {
  it('answers the due instants of a Gold P2 call on Friday 16:30 before a holiday Monday', async () => {
    const res = await call('POST', '/api/sla/preview', agent, {
      calendar: nrw,
      start: '2026-05-22T14:30:00Z', // Friday before Whit Monday (25 May), 16:30 CEST
      targets: { firstResponse: 120, nextResponse: 240, resolution: 960 },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      start: '2026-05-22T14:30:00.000Z',
      clockStart: '2026-05-22T14:30:00.000Z',
      due: {
        firstResponse: '2026-05-26T07:30:00.000Z', // 30 min Friday, Whit Monday off, 90 min Tuesday
        nextResponse: '2026-05-26T09:30:00.000Z',
        resolution: '2026-05-27T12:30:00.000Z', // 30 + 540 (Tue) + 390 (Wed, until 14:30 CEST)
      },
    });
  });

  it('uses a stored calendar and pauses, and starts the clock at the next business instant', async () => {
    const calendars = await call('GET', '/api/calendars', agent);
    const id = calendars.body.items[0].id;
    const res = await call('POST', '/api/sla/preview', agent, {
      calendarId: id,
      start: '2026-11-27T18:00:00Z',
      targets: { firstResponse: 60 },
      pauses: [{ from: '2026-11-30T07:30:00Z', to: '2026-11-30T08:00:00Z' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.clockStart).toBe('2026-11-30T07:00:00.000Z');
    expect(res.body.due).toEqual({ firstResponse: '2026-11-30T08:30:00.000Z' });
  });

  it.each([
    [{ ...nrw, timezone: 'Mars/Olympus' }, 'calendar.timezone', /not an IANA time zone/],
    [{ ...nrw, holidays: { region: 'DE-ZZ' } }, 'calendar.holidays.region', /has no region "ZZ"/],
    [{ ...nrw, week: { mon: [['08:00', '12:00'], ['11:30', '17:00']] } }, 'calendar.week', /overlaps/],
    [{ ...nrw, week: { mon: [['17:00', '08:00']] } }, 'calendar.week', /is not after the start/],
  ])('refuses an invalid inline calendar with 400 and the reason (%#)', async (calendar, field, reason) => {
    const res = await call('POST', '/api/sla/preview', agent, { calendar, start: '2026-11-27T10:00:00Z', targets: { resolution: 10 } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(reason);
    expect(res.body.errors[0].field).toContain(field);
  });

  it('refuses both or neither calendar, bad instants, negative targets and inverted pauses', async () => {
    const base = { start: '2026-11-27T10:00:00Z', targets: { resolution: 10 } };
    expect((await call('POST', '/api/sla/preview', agent, base)).status).toBe(400);
    expect((await call('POST', '/api/sla/preview', agent, { ...base, calendar: nrw, calendarId: '00000000-0000-4000-8000-000000000000' })).status).toBe(400);
    expect((await call('POST', '/api/sla/preview', agent, { ...base, calendar: nrw, start: 'tomorrow' })).status).toBe(400);
    expect((await call('POST', '/api/sla/preview', agent, { ...base, calendar: nrw, targets: { resolution: -1 } })).status).toBe(400);
    const inverted = await call('POST', '/api/sla/preview', agent, { ...base, calendar: nrw, pauses: [{ from: '2026-11-27T12:00:00Z', to: '2026-11-27T11:00:00Z' }] });
    expect(inverted.status).toBe(400);
    expect(inverted.body.detail).toMatch(/pauses\[0\]/);
    expect((await call('POST', '/api/sla/preview', agent, { ...base, calendarId: '00000000-0000-4000-8000-000000000000' })).status).toBe(404);
  });
});

describe('calendars and SLA policies', () => {
  const calendar = { name: 'Bavaria with lunch', timezone: 'Europe/Berlin', week: { mon: [['08:00', '12:00'], ['13:00', '17:00']] }, holidays: { region: 'DE-BY' }, closedDates: ['2026-12-31'], specialDays: { '2026-12-24': [['08:00', '12:00']] } };
  const targets = (f: number) => ({ P1: { firstResponse: f, nextResponse: 2 * f, resolution: 8 * f }, P2: { firstResponse: 2 * f, nextResponse: 4 * f, resolution: 16 * f }, P3: { firstResponse: 4 * f, nextResponse: 8 * f, resolution: 32 * f }, P4: { firstResponse: 8 * f, nextResponse: 16 * f, resolution: 64 * f } });

  it('lets admins create, read, replace and delete a calendar; agents only read', async () => {
    expect((await call('POST', '/api/calendars', agent, calendar)).status).toBe(403);
    const created = await call('POST', '/api/calendars', admin, calendar);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...calendar, id: expect.any(String) });
    expect((await call('GET', `/api/calendars/${created.body.id}`, agent)).body.holidays).toEqual({ region: 'DE-BY' });
    expect((await call('POST', '/api/calendars', admin, calendar)).status).toBe(409);
    const replaced = await call('PUT', `/api/calendars/${created.body.id}`, admin, { ...calendar, holidays: null });
    expect(replaced.status).toBe(200);
    expect(replaced.body.holidays).toBeNull();
    expect((await call('DELETE', `/api/calendars/${created.body.id}`, agent)).status).toBe(403);
    expect((await call('DELETE', `/api/calendars/${created.body.id}`, admin)).status).toBe(204);
    expect((await call('GET', `/api/calendars/${created.body.id}`, agent)).status).toBe(404);
  });

  it('refuses invalid calendars with the reason', async () => {
    const res = await call('POST', '/api/calendars', admin, { ...calendar, name: 'Broken', week: { tue: [['09:00', '08:00']] } });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/week\.tue\[0\]: the end 08:00 is not after the start 09:00/);
  });

  it('manages policies: all priorities required, one default per tier, in-use calendars and policies protected', async () => {
    const cal = (await call('POST', '/api/calendars', admin, { ...calendar, name: 'For policies' })).body;
    const missing = await call('POST', '/api/sla-policies', admin, { name: 'Partial', calendarId: cal.id, targets: { P1: targets(10).P1 } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['targets.P2', 'targets.P3', 'targets.P4']);
    const created = await call('POST', '/api/sla-policies', admin, { name: 'Key account', calendarId: cal.id, targets: targets(15) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ tier: null, version: 1, escalation: { warningPercent: 75, managementOverduePercent: 50 }, pauseOnPendingChange: true, callbackMinutes: null });
    const gold = await call('POST', '/api/sla-policies', admin, { name: 'Second gold', tier: 'gold', calendarId: cal.id, targets: targets(15) });
    expect(gold.status).toBe(409);
    expect(gold.body.detail).toMatch(/gold tier already has a default policy/);
    const updated = await call('PUT', `/api/sla-policies/${created.body.id}`, admin, { name: 'Key account', calendarId: cal.id, targets: targets(20), escalation: { warningPercent: 80, managementOverduePercent: 100 } });
    expect(updated.body).toMatchObject({ version: 2, targets: { P1: { firstResponse: 20 } }, escalation: { warningPercent: 80 } });
    expect((await call('DELETE', `/api/calendars/${cal.id}`, admin)).status).toBe(409);
    const goldDefault = (await call('GET', '/api/sla-policies', agent)).body.items.find((p: { tier: string }) => p.tier === 'gold');
    expect(goldDefault).toBeDefined();
    const unknownCalendar = await call('POST', '/api/sla-policies', admin, { name: 'X', calendarId: '00000000-0000-4000-8000-000000000000', targets: targets(1) });
    expect(unknownCalendar.status).toBe(400);
    expect((await call('DELETE', `/api/sla-policies/${created.body.id}`, admin)).status).toBe(204);
  });

  it('takes and shows the callback SLA and whether waiting for follow-up work pauses the clocks', async () => {
    const cal = (await call('POST', '/api/calendars', admin, { ...calendar, name: 'For callbacks' })).body;
    const body = { name: 'Callback in 90', calendarId: cal.id, targets: targets(15), callbackMinutes: 90, pauseOnPendingChange: false };
    const created = await call('POST', '/api/sla-policies', admin, body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ callbackMinutes: 90, pauseOnPendingChange: false });
    expect((await call('GET', `/api/sla-policies/${created.body.id}`, agent)).body).toMatchObject({ callbackMinutes: 90, pauseOnPendingChange: false });
    const [row] = await api.database.sql<{ callback_minutes: number | null; pause_on_pending_change: boolean }[]>`select callback_minutes, pause_on_pending_change from sla_policies where id = ${created.body.id}`;
    expect(row).toEqual({ callback_minutes: 90, pause_on_pending_change: false });
    // Back to the tier default.
    const { pauseOnPendingChange: _, ...withoutPause } = body;
    const reset = await call('PUT', `/api/sla-policies/${created.body.id}`, admin, { ...withoutPause, callbackMinutes: null });
    expect(reset.body).toMatchObject({ version: 2, callbackMinutes: null, pauseOnPendingChange: true });
    for (const callbackMinutes of [0, 10_081, 1.5]) {
      const refused = await call('POST', '/api/sla-policies', admin, { ...body, name: `Bad ${callbackMinutes}`, callbackMinutes });
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field)).toEqual(['callbackMinutes']);
    }
  });
});
