// GET /api/reports/profitability against the seeded billing fixture, figures computed by hand.
import { parse } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers } from '../../src/db/schema/index.js';
import { marginPercentOf } from '../../src/services/reports/profitability.js';
import { fixtureCostRates, seedBillingFixture } from '../support/billing-fixture.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { type TestUser } from '../support/users.js';

const api = apiOnTestDatabase({ manager: 'manager', admin: 'admin', agent: 'agent', sales: 'sales' }, { seed: seedBillingFixture, services: { costRates: fixtureCostRates } });
const { manager, admin, agent, sales } = api.users;

async function get(path: string, user?: TestUser) {
  const res = await api.app.request(path, { headers: user ? { Authorization: `Bearer ${user.token}` } : {} });
  const text = await res.text();
  const isJson = (res.headers.get('Content-Type') ?? '').includes('json');
  return { status: res.status, contentType: res.headers.get('Content-Type'), text, body: isJson && text ? JSON.parse(text) : undefined };
}

const period = '/api/reports/profitability?from=2026-10-01&to=2026-11-30';

/*
 * Hand computation for 1 Oct - 30 Nov 2026. Cost rates: Anna 4750/h (own), Ben 4230/h (agent role),
 * Mia 0 (manager, no rate configured). Effort per entry = minutes × rate ÷ 60, half up.
 *
 * Alpha, P-V-1001-A (V-1001-A from 16 Oct, 1500.00/month):
 *   fee   Oct 150000 × 16/31 = 77419.35 -> 77419; Nov 150000; = 227419
 *   billed e3 on final RE-2026-000001: 7500
 *   effort Anna 90 min: 7125; Ben 513 min: 36166.5 -> 36167; Anna 50 min: 3958.33 -> 3958
 *          = 653 min, 47250 (Anna's deleted 600 min are left out)
 *   revenue 234919, margin 187669, 187669/234919 = 79.886 % -> 79.9
 * Alpha, P-V-1001-B (V-1001-B until 10 Oct, 450.00/month):
 *   fee   Oct 45000 × 10/31 = 14516.13 -> 14516
 *   unbilled e4 3958 (only on a draft invoice); effort Ben 25 min: 1762.5 -> 1763
 *   margin 12753, 12753/14516 = 87.855 % -> 87.9
 *   (the September entry of 120 min, billed 19000, lies before the period)
 * Alpha, no project: unbilled e5 1108; effort Anna 7 min: 554.17 -> 554; margin -554; no revenue -> null
 * Alpha: fee 241935, billed 7500, revenue 249435, unbilled 5066, 685 min, effort 49567,
 *        margin 199868, 199868/249435 = 80.129 % -> 80.1
 * Beta, V-1002-A (no project, from 15 Nov, 200.00/month): fee 20000 × 16/30 = 10666.67 -> 10667, 100 %
 * Beta, no project: billed 6000 + 4000 (final RE-2026-000003); effort Mia 30 min: 0; Anna 20 min: 1583.33 -> 1583
 *        margin 8417, 8417/10000 = 84.17 % -> 84.2
 * Beta: fee 10667, billed 10000, revenue 20667, 50 min, effort 1583, margin 19084, 92.34 % -> 92.3
 * Gamma: contract ended 30 Sep, no time in the period: not in the report.
 * Totals: fee 252602, billed 17500, revenue 270102, unbilled 5066, 735 min, effort 51150,
 *         margin 218952, 218952/270102 = 81.063 % -> 81.1
 */
const fig = (fee: number, billed: number, unbilled: number, minutes: number, effort: number, marginPercent: number | null) => ({
  feeRevenueCents: fee,
  billedRevenueCents: billed,
  revenueCents: fee + billed,
  unbilledCents: unbilled,
  effortMinutes: minutes,
  effortCents: effort,
  marginCents: fee + billed - effort,
  marginPercent,
});

describe('GET /api/reports/profitability', () => {
  it('answers revenue, effort and margin per customer and project with totals, to the cent', async () => {
    const res = await get(period, manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      from: '2026-10-01',
      to: '2026-11-30',
      customers: [
        {
          customerNumber: 'K-1001',
          name: 'Alpha GmbH',
          ...fig(241935, 7500, 5066, 685, 49567, 80.1),
          projects: [
            { projectNumber: 'P-V-1001-A', kind: 'support', contractNumber: 'V-1001-A', ...fig(227419, 7500, 0, 653, 47250, 79.9) },
            { projectNumber: 'P-V-1001-B', kind: 'maintenance', contractNumber: 'V-1001-B', ...fig(14516, 0, 3958, 25, 1763, 87.9) },
            { projectNumber: null, kind: null, contractNumber: null, ...fig(0, 0, 1108, 7, 554, null) },
          ],
        },
        {
          customerNumber: 'K-1002',
          name: 'Beta AG',
          ...fig(10667, 10000, 0, 50, 1583, 92.3),
          projects: [
            { projectNumber: null, kind: null, contractNumber: 'V-1002-A', ...fig(10667, 0, 0, 0, 0, 100) },
            { projectNumber: null, kind: null, contractNumber: null, ...fig(0, 10000, 0, 50, 1583, 84.2) },
          ],
        },
      ],
      totals: fig(252602, 17500, 5066, 735, 51150, 81.1),
    });
    expect(res.body.customers[0].marginCents).toBe(199868);
    expect(res.body.totals.marginCents).toBe(218952);
  });

  it('prorates a single month and leaves out work outside the period', async () => {
    // November only: V-1001-A full month 150000; V-1001-B ended 10 Oct (no fee, its October work is out).
    // Alpha effort: Ben 513 min 36167 + Anna 50 min 3958 + Anna 7 min 554 = 40679 for 570 min.
    const res = await get('/api/reports/profitability?from=2026-11-01&to=2026-11-30', admin);
    expect(res.status).toBe(200);
    const alpha = res.body.customers[0];
    expect(alpha.customerNumber).toBe('K-1001');
    expect(alpha.projects.map((p: { projectNumber: string | null }) => p.projectNumber)).toEqual(['P-V-1001-A', null]);
    expect(alpha).toMatchObject({ feeRevenueCents: 150000, billedRevenueCents: 7500, unbilledCents: 1108, effortMinutes: 570, effortCents: 40679, marginCents: 116821 });
  });

  it('exports the same figures as CSV', async () => {
    const res = await get(`${period}&format=csv`, manager);
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('text/csv');
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe('row,customerNumber,customerName,projectNumber,kind,contractNumber,feeRevenueCents,billedRevenueCents,revenueCents,unbilledCents,effortMinutes,effortCents,marginCents,marginPercent');
    expect(lines).toContain('project,K-1001,Alpha GmbH,P-V-1001-A,support,V-1001-A,227419,7500,234919,0,653,47250,187669,79.9');
    expect(lines).toContain('project,K-1001,Alpha GmbH,,,,0,0,0,1108,7,554,-554,');
    expect(lines).toContain('customer,K-1002,Beta AG,,,,10667,10000,20667,0,50,1583,19084,92.3');
    expect(lines.at(-1)).toBe('total,,,,,,252602,17500,270102,5066,735,51150,218952,81.1');
    expect(lines).toHaveLength(1 + 3 + 1 + 2 + 1 + 1);
  });

  it('neutralises a customer name that would run as a formula in the CSV, and leaves negative figures numbers', async () => {
    const formula = '=HYPERLINK("http://evil.example","Beta")';
    await api.database.db.update(customers).set({ name: formula }).where(eq(customers.customerNumber, 'K-1002'));
    try {
      const res = await get(`${period}&format=csv`, manager);
      expect(res.status).toBe(200);
      const rows: string[][] = parse(res.text);
      expect(rows.find((r) => r[0] === 'customer' && r[1] === 'K-1002')![2]).toBe(`'${formula}`);
      for (const row of rows) for (const cell of row.slice(0, 6)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
      expect(res.text.split('\n')).toContain('project,K-1001,Alpha GmbH,,,,0,0,0,1108,7,554,-554,');
      // The JSON report is data, not a spreadsheet: the name as it is.
      expect((await get(period, manager)).body.customers[1].name).toBe(formula);
    } finally {
      await api.database.db.update(customers).set({ name: 'Beta AG' }).where(eq(customers.customerNumber, 'K-1002'));
    }
  });

  it('answers an empty report for a period without contracts or time', async () => {
    const res = await get('/api/reports/profitability?from=2024-01-01&to=2024-12-31', manager);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ from: '2024-01-01', to: '2024-12-31', customers: [], totals: fig(0, 0, 0, 0, 0, null) });
  });

  it.each([
    ['?to=2026-11-30', 'from'],
    ['?from=2026-10-01', 'to'],
    ['?from=2026-10-01&to=2026-13-01', 'to'],
    ['?from=2026-11-30&to=2026-11-01', 'to'],
    ['?from=2025-01-01&to=2027-01-01', 'to'],
    ['?from=2026-10-01&to=2026-11-30&format=xlsx', 'format'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const res = await get(`/api/reports/profitability${query}`, manager);
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe(field);
  });

  it('accepts a period of exactly two years', async () => {
    expect((await get('/api/reports/profitability?from=2025-01-01&to=2026-12-31', manager)).status).toBe(200);
  });

  it('is for managers and admins only', async () => {
    expect((await get(period, agent)).status).toBe(403);
    expect((await get(period, sales)).status).toBe(403);
    expect((await get(period)).status).toBe(401);
  });
});

describe('marginPercentOf', () => {
  it('rounds half away from zero to one decimal and has no percentage without revenue', () => {
    expect(marginPercentOf(1, 8)).toBe(12.5);
    expect(marginPercentOf(1, 16)).toBe(6.3); // 6.25
    expect(marginPercentOf(-1, 16)).toBe(-6.3);
    expect(marginPercentOf(-554, 0)).toBeNull();
    expect(marginPercentOf(2, 3)).toBe(66.7);
  });
});
