// GET /api/customers/{customerNumber}/insight against the seeded fixture at a pinned instant,
// the wording of its summary line, and what the sales role may and may not see.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { insightSummary, type SummaryFacts } from '../../src/services/reports/insight-summary.js';
import { salesInsight } from '../../src/services/reports/sales-insight.js';
import { fixtureCostRates, insightNow, secretMarker, seedBillingFixture } from '../support/billing-fixture.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { type TestUser } from '../support/users.js';

const api = apiOnTestDatabase({ sales: 'sales', agent: 'agent', manager: 'manager', admin: 'admin', mailgate: 'mailgate' }, { seed: seedBillingFixture, services: { costRates: fixtureCostRates, timezone: 'Europe/Berlin' } });
const { sales, agent, manager, admin, mailgate } = api.users;
afterEach(() => vi.useRealTimers());

async function get(path: string, user?: TestUser) {
  const res = await api.app.request(path, { headers: user ? { Authorization: `Bearer ${user.token}` } : {} });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

/** Pins only `Date`, so the route's "now" is the fixture's while timers and I/O run normally. */
const pinNow = () => vi.useFakeTimers({ toFake: ['Date'], now: insightNow });

const insight = (customerNumber: string, days: number) => salesInsight(api.database.db, customerNumber, { days, now: insightNow, timezone: 'Europe/Berlin' });

/*
 * At Thu 26 Nov 2026 10:00Z with 14 days the window starts 12 Nov 10:00Z. Alpha's escalation events:
 *   000101 0->1 20 Nov (level 1: left out), 1->2 20 Nov 10:00 (in), 2->3 24 Nov 23:30Z = 25 Nov 00:30 Berlin (in, newest)
 *   000102 0->2 1 Nov, 2->3 3 Nov (before the window), 3->2 22 Nov (down: left out)
 *   000103 0->2 13 Nov 09:00 (in, though the incident is closed now)
 * Open: 000105 (new), 000101 (in_progress), 000102 (pending_customer), newest first; 000103/000104 closed, 000106 resolved.
 * Breached and open in the window: 000101 (open), 000106 (resolved, not closed), 000103 (closed 15 Nov >= 12 Nov);
 *   000104 closed 5 Nov, before the window.
 * Quota V-1001-A, November: Ben's 513 min (Anna's 600 min are deleted, October's 90 are another period)
 *   of 600 = 85.5 % -> 85 %, 87 min left.
 */
const alphaEscalations14 = [
  { incidentNumber: 'INC-2026-000101', title: 'Server down', level: 3, levelName: 'management', at: '2026-11-24T23:30:00.000Z' },
  { incidentNumber: 'INC-2026-000101', title: 'Server down', level: 2, levelName: 'breach', at: '2026-11-20T10:00:00.000Z' },
  { incidentNumber: 'INC-2026-000103', title: 'VPN drops', level: 2, levelName: 'breach', at: '2026-11-13T09:00:00.000Z' },
];
const alphaOpen = [
  { number: 'INC-2026-000105', title: 'New laptop', priority: 'P4', status: 'new', escalationLevel: 0, receivedAt: '2026-11-25T15:00:00.000Z' },
  { number: 'INC-2026-000101', title: 'Server down', priority: 'P1', status: 'in_progress', escalationLevel: 3, receivedAt: '2026-11-20T08:00:00.000Z' },
  { number: 'INC-2026-000102', title: 'Mail relay slow', priority: 'P3', status: 'pending_customer', escalationLevel: 2, receivedAt: '2026-10-20T08:00:00.000Z' },
];
/** What sales sees of them: numbers, levels, statuses and dates, no titles (a mail incident's title is the customer's subject line). */
const withoutTitles = <T extends { title: string }>(rows: T[]) => rows.map(({ title: _title, ...row }) => row);
const alphaQuota = [{ contractNumber: 'V-1001-A', period: 'month', periodStart: '2026-11-01', periodEnd: '2026-11-30', totalMinutes: 600, usedMinutes: 513, remainingMinutes: 87, percentUsed: 85 }];

describe('GET /api/customers/{customerNumber}/insight', () => {
  const alphaBreaches14 = [
    { number: 'INC-2026-000101', title: 'Server down', status: 'in_progress' },
    { number: 'INC-2026-000106', title: 'Backup failed', status: 'resolved' },
    { number: 'INC-2026-000103', title: 'VPN drops', status: 'closed' },
  ];
  const alpha14 = {
    customerNumber: 'K-1001',
    name: 'Alpha GmbH',
    days: 14,
    since: '2026-11-12T10:00:00.000Z',
    creditHold: false,
    quota: alphaQuota,
    escalatedIncidents: 2,
    summary: '2 escalated incidents in the last 14 days, last one INC-2026-000101 on 25 Nov: consider a goodwill gesture. Quota of V-1001-A is 85 % used.',
  };

  it('answers sales escalations, open incidents, SLA breaches, quota and the summary for the last 14 days, without incident titles', async () => {
    pinNow();
    const res = await get('/api/customers/K-1001/insight', sales);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...alpha14, escalations: withoutTitles(alphaEscalations14), openIncidents: withoutTitles(alphaOpen), slaBreaches: withoutTitles(alphaBreaches14) });
    for (const title of ['Server down', 'Backup failed', 'VPN drops', 'New laptop', 'Mail relay slow']) expect(res.text).not.toContain(title);
  });

  it('gives agents, managers and admins the titles too (they read the incidents themselves)', async () => {
    pinNow();
    for (const user of [agent, manager, admin]) {
      const res = await get('/api/customers/K-1001/insight', user);
      expect(res.body).toEqual({ ...alpha14, escalations: alphaEscalations14, openIncidents: alphaOpen, slaBreaches: alphaBreaches14 });
    }
  });

  it('shows neither incident descriptions nor timeline bodies', async () => {
    pinNow();
    const res = await get('/api/customers/K-1001/insight', sales);
    expect(res.status).toBe(200);
    expect(res.text).not.toContain(secretMarker);
    expect(res.text).not.toContain('Description of');
    expect(res.body.openIncidents[0]).not.toHaveProperty('description');
  });

  it('widens the window with ?days: 30 days take in the early-November escalations and breach', async () => {
    // Window from 27 Oct 10:00Z: 000102's 0->2 (1 Nov) and 2->3 (3 Nov) join; 000104 (closed 5 Nov) counts as breached.
    const result = await insight('K-1001', 30);
    expect(result.escalations.map((e) => [e.incidentNumber, e.level, e.at])).toEqual([
      ['INC-2026-000101', 3, '2026-11-24T23:30:00.000Z'],
      ['INC-2026-000101', 2, '2026-11-20T10:00:00.000Z'],
      ['INC-2026-000103', 2, '2026-11-13T09:00:00.000Z'],
      ['INC-2026-000102', 3, '2026-11-03T10:00:00.000Z'],
      ['INC-2026-000102', 2, '2026-11-01T10:00:00.000Z'],
    ]);
    expect(result.slaBreaches.map((b) => b.number)).toEqual(['INC-2026-000101', 'INC-2026-000106', 'INC-2026-000103', 'INC-2026-000104']);
    expect(result.summary).toBe('3 escalated incidents in the last 30 days, last one INC-2026-000101 on 25 Nov: consider a goodwill gesture. Quota of V-1001-A is 85 % used.');
  });

  it('says so when there was no escalation in the window', async () => {
    // One day back (from 25 Nov 10:00Z): the 24 Nov 23:30Z escalation is older; 000103 closed before the window.
    const result = await insight('K-1001', 1);
    expect(result.escalations).toEqual([]);
    expect(result.slaBreaches.map((b) => b.number)).toEqual(['INC-2026-000101', 'INC-2026-000106']);
    expect(result.summary).toBe('No escalated incidents in the last day; 3 open incidents. Quota of V-1001-A is 85 % used.');
  });

  it('keeps to the customer asked about and mentions the credit hold', async () => {
    const result = await insight('K-1002', 14);
    expect(result).toMatchObject({
      creditHold: true,
      escalations: [{ incidentNumber: 'INC-2026-000201', title: 'Firewall blocks', level: 2, levelName: 'breach', at: '2026-11-25T09:00:00.000Z' }],
      openIncidents: [{ number: 'INC-2026-000201', status: 'assigned' }],
      slaBreaches: [],
      quota: [],
      escalatedIncidents: 1,
      summary: '1 escalated incident in the last 14 days, last one INC-2026-000201 on 25 Nov: consider a goodwill gesture. On credit hold.',
    });
  });

  it('answers 404 for an unknown customer and 400 for days outside 1-365', async () => {
    expect((await get('/api/customers/K-9999/insight', sales)).status).toBe(404);
    for (const days of ['0', '366', 'two']) {
      const res = await get(`/api/customers/K-1001/insight?days=${days}`, sales);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('days');
    }
  });

  it('is open to sales, agents, managers and admins, not to the mailgate or without a token', async () => {
    for (const user of [sales, agent, manager, admin]) expect((await get('/api/customers/K-1001/insight', user)).status).toBe(200);
    expect((await get('/api/customers/K-1001/insight', mailgate)).status).toBe(403);
    expect((await get('/api/customers/K-1001/insight')).status).toBe(401);
  });
});

describe('the sales role sees no incident content and no mail', () => {
  it.each([
    '/api/incidents',
    '/api/incidents/INC-2026-000101',
    '/api/incidents/INC-2026-000101/timeline',
    '/api/incidents/INC-2026-000101/messages',
    '/api/mail/inbound',
    '/api/reports/profitability?from=2026-10-01&to=2026-11-30',
  ])('GET %s is 403 for sales', async (path) => {
    const res = await get(path, sales);
    expect(res.status).toBe(403);
    expect(res.text).not.toContain(secretMarker);
  });
});

describe('insightSummary', () => {
  const facts: SummaryFacts = { days: 14, today: '2026-11-26', escalations: [], openIncidentCount: 0, quotas: [], creditHold: false };

  it('counts open incidents when nothing escalated', () => {
    expect(insightSummary(facts)).toBe('No escalated incidents in the last 14 days; no open incidents.');
    expect(insightSummary({ ...facts, openIncidentCount: 1 })).toBe('No escalated incidents in the last 14 days; 1 open incident.');
  });

  it('names the latest escalation and suggests a goodwill gesture', () => {
    const escalations = [
      { incidentNumber: 'INC-2026-000123', day: '2026-11-12' },
      { incidentNumber: 'INC-2026-000099', day: '2026-11-02' },
    ];
    expect(insightSummary({ ...facts, escalations, openIncidentCount: 4 })).toBe('2 escalated incidents in the last 14 days, last one INC-2026-000123 on 12 Nov: consider a goodwill gesture.');
    expect(insightSummary({ ...facts, days: 1, escalations: escalations.slice(0, 1) })).toBe('1 escalated incident in the last day, last one INC-2026-000123 on 12 Nov: consider a goodwill gesture.');
  });

  it('gives the year of an escalation from another year', () => {
    expect(insightSummary({ ...facts, days: 60, today: '2027-01-10', escalations: [{ incidentNumber: 'INC-2026-000999', day: '2026-12-20' }] })).toBe(
      '1 escalated incident in the last 60 days, last one INC-2026-000999 on 20 Dec 2026: consider a goodwill gesture.',
    );
  });

  it('mentions quotas from 80 % used, and the credit hold', () => {
    const quotas = [
      { contractNumber: 'V-1', percentUsed: 79 },
      { contractNumber: 'V-2', percentUsed: 80 },
      { contractNumber: 'V-3', percentUsed: 112 },
    ];
    expect(insightSummary({ ...facts, quotas, creditHold: true })).toBe(
      'No escalated incidents in the last 14 days; no open incidents. Quota of V-2 is 80 % used. Quota of V-3 is 112 % used. On credit hold.',
    );
  });
});
