// The report API on a real Postgres: who may read it, its validation, the CSV downloads (streamed,
// header first, text neutralised), and the breach-cause correction. The figures themselves are
// pinned by tests/services/sla-reports-golden.test.ts.
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { driveIncident, gold, platinum, replied, resolved } from '../support/sla-fixture.js';

const until = new Date('2026-04-10T12:00:00Z');
async function seed(db: Db) {
  // Gold, met: replied within 4 business hours, resolved the same day.
  await driveIncident(db, 'INC-2026-000201', gold, '1st-level', '2026-03-30T07:00:00Z', [['2026-03-30T08:00:00Z', replied], ['2026-03-30T12:00:00Z', resolved()]], until);
  // Platinum 24x7, breached: the first response after 90 of 60 minutes; a title a spreadsheet would run.
  await driveIncident(db, 'INC-2026-000202', platinum, '=cmd', '2026-03-31T10:00:00Z', [['2026-03-31T11:30:00Z', replied]], until);
}

const api = apiOnTestDatabase({ manager: 'manager', agent: 'agent', sales: 'sales' }, { seed });
const period = 'from=2026-03-23&to=2026-04-12';

describe('GET /api/reports/sla', () => {
  it('answers managers, not agents or sales', async () => {
    const ok = await api.call('GET', `/api/reports/sla?${period}`, api.users.manager);
    expect(ok.status).toBe(200);
    const body = ok.body as { groups: { key: string; targets: Record<string, { ended: number; met: number; breached: number }> }[] };
    expect(body.groups.map((g) => [g.key, g.targets.firstResponse!.ended, g.targets.firstResponse!.breached])).toEqual([
      ['gold', 1, 0],
      ['platinum', 1, 1],
    ]);
    expect((await api.call('GET', `/api/reports/sla?${period}`, api.users.agent)).status).toBe(403);
    expect((await api.call('GET', `/api/reports/sla?${period}`, api.users.sales)).status).toBe(403);
  });

  it('refuses a period backwards, too long, or a grouping it does not know, naming the field', async () => {
    const backwards = await api.call('GET', '/api/reports/sla?from=2026-04-12&to=2026-03-23', api.users.manager);
    expect(backwards.status).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('"to"');
    expect((await api.call('GET', '/api/reports/sla?from=2024-01-01&to=2026-04-12', api.users.manager)).status).toBe(400);
    const grouping = await api.call('GET', `/api/reports/sla?${period}&groupBy=moon`, api.users.manager);
    expect(grouping.status).toBe(400);
    expect(JSON.stringify(grouping.body)).toContain('groupBy');
  });

  it('streams CSV with a header row; text that would run as a formula is neutralised', async () => {
    const res = await api.call('GET', `/api/reports/sla?${period}&groupBy=group&format=csv`, api.users.manager);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toContain('sla-group-2026-03-23-2026-04-12.csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('groupKey,groupLabel,target,ended,met,breached,compliancePercent,medianBusinessMinutes,p90BusinessMinutes,openBreached');
    expect(lines).toContain("'=cmd,'=cmd,firstResponse,1,0,1,0,90,90,0");
    expect(lines.at(-1)).toMatch(/^total,total,resolution,/);
  });

  it('drills down to the targets behind a figure', async () => {
    const res = await api.call('GET', `/api/reports/sla/incidents?${period}&groupBy=tier&key=platinum&outcome=breached`, api.users.manager);
    expect(res.status).toBe(200);
    expect((res.body as { items: { incidentNumber: string; target: string; usedBusinessMinutes: number }[] }).items.map((i) => [i.incidentNumber, i.target, i.usedBusinessMinutes])).toEqual([['INC-2026-000202', 'firstResponse', 90]]);
  });
});

describe('the other reports', () => {
  it('escalations: JSON and CSV', async () => {
    const json = await api.call('GET', `/api/reports/escalations?${period}&minLevel=2`, api.users.manager);
    expect(json.status).toBe(200);
    const body = json.body as { total: number; incidents: { number: string; levels: { level: number; reachedAt: string }[] }[] };
    // Platinum's first response (60 min from 10:00Z): warning at 75 %, breach, management at 150 %,
    // the very instant of the reply; then the open resolution (240 min): 13:00Z, 14:00Z, 16:00Z.
    expect(body.incidents.map((i) => i.number)).toEqual(['INC-2026-000202']);
    expect(body.incidents[0]!.levels.map((l) => [l.level, l.reachedAt])).toEqual([
      [1, '2026-03-31T10:45:00.000Z'],
      [2, '2026-03-31T11:00:00.000Z'],
      [3, '2026-03-31T11:30:00.000Z'],
      [1, '2026-03-31T13:00:00.000Z'],
      [2, '2026-03-31T14:00:00.000Z'],
      [3, '2026-03-31T16:00:00.000Z'],
    ]);
    const csv = await api.call('GET', `/api/reports/escalations?${period}&format=csv`, api.users.manager);
    expect(csv.status).toBe(200);
    expect(csv.text.split('\n')[0]).toMatch(/^incidentNumber,title,customerNumber/);
    expect(csv.text).toContain('INC-2026-000202');
    expect((await api.call('GET', `/api/reports/escalations?${period}&minLevel=4`, api.users.manager)).status).toBe(400);
  });

  it('backlog: by age and status; a bar needs both dimension and key', async () => {
    const res = await api.call('GET', '/api/reports/backlog', api.users.manager);
    expect(res.status).toBe(200);
    expect((res.body as { open: number; trend: unknown[] }).open).toBe(1);
    expect((res.body as { trend: unknown[] }).trend).toHaveLength(13);
    const bar = await api.call('GET', '/api/reports/backlog?dimension=tier&key=platinum', api.users.manager);
    expect((bar.body as { incidents: { number: string }[] }).incidents.map((i) => i.number)).toEqual(['INC-2026-000202']);
    const half = await api.call('GET', '/api/reports/backlog?dimension=tier', api.users.manager);
    expect(half.status).toBe(400);
    expect(JSON.stringify(half.body)).toContain('key');
  });

  it('volume per week and breach causes', async () => {
    const volume = await api.call('GET', `/api/reports/volume?${period}&interval=week`, api.users.manager);
    expect(volume.status).toBe(200);
    expect((volume.body as { totals: { opened: number; resolved: number } }).totals).toMatchObject({ opened: 2, resolved: 1 });
    const causes = await api.call('GET', `/api/reports/breach-causes?${period}`, api.users.manager);
    expect(causes.status).toBe(200);
    expect(causes.body).toMatchObject({ breachedIncidents: 1, withoutCause: 1, causes: [] });
  });
});

describe('PUT /api/incidents/{number}/breach-cause', () => {
  it('corrects the cause of a breached incident, checks it against the list, and refuses one that did not breach', async () => {
    const bad = await api.call('PUT', '/api/incidents/INC-2026-000202/breach-cause', api.users.agent, { cause: 'bad_luck' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('body.cause');
    const other = await api.call('PUT', '/api/incidents/INC-2026-000202/breach-cause', api.users.agent, { cause: 'other' });
    expect(other.status).toBe(400);
    expect(JSON.stringify(other.body)).toContain('body.note');
    const ok = await api.call('PUT', '/api/incidents/INC-2026-000202/breach-cause', api.users.agent, { cause: 'misrouted', note: 'Went to the network group first.' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ incidentNumber: 'INC-2026-000202', cause: 'misrouted', source: 'correction' });
    const report = await api.call('GET', `/api/reports/breach-causes?${period}`, api.users.manager);
    expect(report.body).toMatchObject({ breachedIncidents: 1, withoutCause: 0, causes: [{ cause: 'misrouted', incidents: 1 }] });
    expect((await api.call('PUT', '/api/incidents/INC-2026-000201/breach-cause', api.users.agent, { cause: 'capacity' })).status).toBe(409);
    expect((await api.call('PUT', '/api/incidents/INC-2026-999999/breach-cause', api.users.agent, { cause: 'capacity' })).status).toBe(404);
  });
});
