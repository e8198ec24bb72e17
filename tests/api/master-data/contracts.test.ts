// Contracts through the API on a real database with the demo data: the support project, validity, asset cover, references, delete.
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { contractAssets, contracts, projects, slaPolicies, timeEntries, users } from '../../../src/db/schema/index.js';
import { contract, masterDataApi } from '../../support/master-data.js';

const { api, incidentNaming } = masterDataApi();
const { call, users: { agent, admin } } = api;

describe('contracts', () => {
  beforeAll(async () => {
    await call('POST', '/api/customers', admin, { customerNumber: 'K-20001', name: 'Neue Kunde AG' });
    await call('POST', '/api/assets', admin, { serialNumber: 'SRV-NEU-1', product: 'Server', customerNumber: 'K-20001' });
    await call('POST', '/api/assets', admin, { serialNumber: 'SRV-NEU-2', product: 'Server', customerNumber: 'K-20001' });
  });

  it('creates a contract with its support project in the same write', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-1001', coveredSerialNumbers: ['SRV-NEU-1'], monthlyFeeCents: 29_900, hourlyRates: { remote: 9_000 } }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      contractNumber: 'V-2026-1001',
      customerNumber: 'K-20001',
      coveredSerialNumbers: ['SRV-NEU-1'],
      monthlyFeeCents: 29_900,
      hourlyRates: { remote: 9_000 },
      quotaMinutes: null,
      project: { number: 'P-V-2026-1001', kind: 'support', name: 'Support V-2026-1001' },
    });
    const [row] = await api.database.db.select().from(projects).where(eq(projects.projectNumber, 'P-V-2026-1001'));
    expect(row).toMatchObject({ kind: 'support', name: 'Support V-2026-1001' });

    const maintenance = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-1002', validFrom: '2027-01-01', validTo: null, projectKind: 'maintenance', quotaMinutes: 1200, quotaPeriod: 'prepaid' }));
    expect(maintenance.status).toBe(201);
    expect(maintenance.body).toMatchObject({ validTo: null, quotaMinutes: 1200, quotaPeriod: 'prepaid', project: { number: 'P-V-2026-1002', kind: 'maintenance', name: 'Maintenance V-2026-1002' } });
  });

  it('shows the demo contracts with fees, rates, quota and project', async () => {
    const silver = await call('GET', '/api/contracts/V-2026-0003', agent);
    expect(silver.body).toMatchObject({ customerNumber: 'K-10003', tier: 'silver', quotaMinutes: 600, quotaPeriod: 'month', monthlyFeeCents: 19_000, project: { number: 'P-V-2026-0003' } });
    const platinum = await call('GET', '/api/contracts/V-2026-0002', agent);
    expect(platinum.body.coveredSerialNumbers).toEqual(['FW-FG100F-0042', 'SW-C9300-1187']);
    const list = await call('GET', '/api/contracts?customerNumber=K-10004', agent);
    expect(list.body.items.map((c: { contractNumber: string }) => c.contractNumber)).toEqual(['V-2024-0107']);
  });

  it('refuses a validity that ends before it starts, naming validTo', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-1', validFrom: '2026-06-01', validTo: '2026-05-31' }));
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'validTo', message: 'validTo: the validity ends (2026-05-31) before it starts (2026-06-01).' }]);
  });

  it('refuses to list an asset another contract covers on an overlapping day, naming both contracts and the asset', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-1003', validFrom: '2026-12-01', validTo: '2027-11-30', coveredSerialNumbers: ['SRV-NEU-1'] }));
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Asset SRV-NEU-1 is already covered by contract V-2026-1001 (2026-01-01 to 2026-12-31); contract V-2026-1003 (2026-12-01 to 2027-11-30) overlaps it.');
    expect((await call('GET', '/api/contracts/V-2026-1003', agent)).status).toBe(404);

    const renewal = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2027-1003', validFrom: '2027-01-01', validTo: '2027-12-31', coveredSerialNumbers: ['SRV-NEU-1'] }));
    expect(renewal.status).toBe(201);

    const stretched = await call('PATCH', '/api/contracts/V-2026-1001', admin, { validTo: '2027-03-31' });
    expect(stretched.status).toBe(409);
    expect(stretched.body.detail).toContain('Asset SRV-NEU-1 is already covered by contract V-2027-1003');
  });

  it('refuses two whole-customer contracts of one customer with overlapping validity', async () => {
    const res = await call('POST', '/api/contracts', admin, { contractNumber: 'V-2027-0003', customerNumber: 'K-10003', tier: 'gold', validFrom: '2027-02-01', coversAllAssets: true });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBe('Contract V-2026-0003 (2026-03-01 to 2027-02-28) already covers all assets of this customer; contract V-2027-0003 (from 2027-02-01, open-ended) overlaps it.');
    const after = await call('POST', '/api/contracts', admin, { contractNumber: 'V-2027-0003', customerNumber: 'K-10003', tier: 'gold', validFrom: '2027-03-01', coversAllAssets: true });
    expect(after.status).toBe(201);
  });

  it('lets a contract list only assets of its own customer', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-2', coveredSerialNumbers: ['NAS-DS923-5501'] }));
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toEqual({
      field: 'coveredSerialNumbers',
      message: 'coveredSerialNumbers: asset NAS-DS923-5501 belongs to customer K-10002; a contract may only list assets of its own customer.',
    });
    const missing = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-2', coveredSerialNumbers: ['NOPE-1'] }));
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toBe('coveredSerialNumbers: no asset with serial number NOPE-1.');
  });

  it('names the field of unknown references, bad money and half a quota', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ customerNumber: 'K-77777' }, 'customerNumber'],
      [{ slaPolicyId: '00000000-0000-4000-8000-000000000000' }, 'slaPolicyId'],
      [{ monthlyFeeCents: -1 }, 'monthlyFeeCents'],
      [{ monthlyFeeCents: 10.5 }, 'monthlyFeeCents'],
      [{ hourlyRates: { remote: -100 } }, 'hourlyRates.remote'],
      [{ quotaMinutes: 600 }, 'quotaPeriod'],
      [{ quotaMinutes: 0, quotaPeriod: 'month' }, 'quotaMinutes'],
      [{ validFrom: '2026-02-30' }, 'validFrom'],
    ];
    for (const [overrides, field] of cases) {
      const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-BAD-3', ...overrides }));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field), JSON.stringify(overrides)).toContain(field);
    }
    const duplicate = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2026-0001' }));
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.detail).toBe('Contract V-2026-0001 already exists.');
  });

  it('accepts an own SLA policy that exists', async () => {
    const [gold] = await api.database.db.select().from(slaPolicies).where(eq(slaPolicies.name, 'Gold'));
    const res = await call('PATCH', '/api/contracts/V-2026-1002', admin, { slaPolicyId: gold!.id });
    expect(res.status).toBe(200);
    expect(res.body.slaPolicyId).toBe(gold!.id);
  });

  it('keeps number and customer fixed, and renames the project with its kind', async () => {
    const moved = await call('PATCH', '/api/contracts/V-2026-1001', admin, { customerNumber: 'K-10001' });
    expect(moved.status).toBe(400);
    expect(moved.body.errors[0].field).toBe('customerNumber');

    const kind = await call('PATCH', '/api/contracts/V-2026-1001', admin, { projectKind: 'maintenance', coveredSerialNumbers: ['SRV-NEU-1', 'SRV-NEU-2'] });
    expect(kind.status).toBe(200);
    expect(kind.body).toMatchObject({ project: { number: 'P-V-2026-1001', kind: 'maintenance', name: 'Maintenance V-2026-1001' }, coveredSerialNumbers: ['SRV-NEU-1', 'SRV-NEU-2'] });

    const replaced = await call('PUT', '/api/contracts/V-2026-1001', admin, { tier: 'platinum', validFrom: '2026-01-01', validTo: '2026-12-31' });
    expect(replaced.body).toMatchObject({ tier: 'platinum', coveredSerialNumbers: [], monthlyFeeCents: 0, hourlyRates: {}, project: { kind: 'support' } });
  });

  it('deletes an unused contract with its project and cover list, and refuses one with time entries', async () => {
    const res = await call('POST', '/api/contracts', admin, contract({ contractNumber: 'V-2030-0001', validFrom: '2030-01-01', validTo: '2030-12-31', coveredSerialNumbers: ['SRV-NEU-2'] }));
    const id = (await api.database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-2030-0001')))[0]!.id;
    expect(res.status).toBe(201);
    expect((await call('DELETE', '/api/contracts/V-2030-0001', admin)).status).toBe(204);
    expect(await api.database.db.select().from(projects).where(eq(projects.contractId, id))).toEqual([]);
    expect(await api.database.db.select().from(contractAssets).where(eq(contractAssets.contractId, id))).toEqual([]);

    const [gold] = await api.database.db.select().from(contracts).where(eq(contracts.contractNumber, 'V-2026-0001'));
    const { number, customerId } = await incidentNaming({ customerNumber: 'K-10001', contractId: gold!.id });
    const [anna] = await api.database.db.select().from(users).where(eq(users.email, 'anna.agent@helpdesk.example'));
    await api.database.db.insert(timeEntries).values({ incidentNumber: number, customerId, contractId: gold!.id, agentId: anna!.id, workDate: '2026-11-02', minutes: 30, activityType: 'remote', description: 'work', decision: 'covered', billingReason: 'covered', createdBy: 'test' });
    const refused = await call('DELETE', '/api/contracts/V-2026-0001', admin);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('Contract V-2026-0001 is still referenced by 1 incidents, 1 time entries; it cannot be deleted.');
  });
});
