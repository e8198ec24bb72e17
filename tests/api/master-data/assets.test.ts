// Assets through the API on a real database with the demo data: registration onto contracts, ownership, cover, delete.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { assets } from '../../../src/db/schema/index.js';
import { masterDataApi } from '../../support/master-data.js';

const { api, incidentNaming } = masterDataApi();
const { call, users: { agent, admin } } = api;

describe('assets', () => {
  it('registers an asset onto a contract and shows the contracts that list it', async () => {
    const res = await call('POST', '/api/assets', admin, { serialNumber: 'AP-U6-0001', identNumber: 'ID-200009', product: 'UniFi U6 access point', customerNumber: 'K-10002', contractNumber: 'V-2026-0002' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ serialNumber: 'AP-U6-0001', customerNumber: 'K-10002', contracts: [{ contractNumber: 'V-2026-0002', tier: 'platinum', validFrom: '2025-07-01', validTo: null }] });
    const list = await call('GET', '/api/assets?customerNumber=K-10002&q=fortigate', agent);
    expect(list.body).toMatchObject({ total: 1, items: [{ serialNumber: 'FW-FG100F-0042', contracts: [{ contractNumber: 'V-2026-0002' }] }] });
    const changed = await call('PATCH', '/api/assets/AP-U6-0001', admin, { product: 'UniFi U6 Pro access point' });
    expect(changed.body).toMatchObject({ product: 'UniFi U6 Pro access point', identNumber: 'ID-200009', contracts: [{ contractNumber: 'V-2026-0002' }] });
  });

  it('refuses a serial or ident number registered to another customer', async () => {
    const serial = await call('POST', '/api/assets', admin, { serialNumber: 'FW-FG100F-0042', product: 'Firewall', customerNumber: 'K-10001' });
    expect(serial.status).toBe(409);
    expect(serial.body.detail).toBe('Serial number FW-FG100F-0042 is registered to customer K-10002.');
    const moved = await call('PATCH', '/api/assets/FW-FG100F-0042', admin, { customerNumber: 'K-10001' });
    expect(moved.status).toBe(409);
    expect(moved.body.detail).toBe('Serial number FW-FG100F-0042 is registered to customer K-10002.');
    const ident = await call('POST', '/api/assets', admin, { serialNumber: 'NEW-1', identNumber: 'ID-200001', product: 'Thing', customerNumber: 'K-10001' });
    expect(ident.status).toBe(409);
    expect(ident.body.detail).toBe('Ident number ID-200001 is registered to customer K-10002.');
    const own = await call('POST', '/api/assets', admin, { serialNumber: 'SW-C9300-1187', product: 'Switch', customerNumber: 'K-10002' });
    expect(own.status).toBe(409);
    expect(own.body.detail).toBe('Asset SW-C9300-1187 already exists.');
  });

  it('refuses a contract of another customer and cover that would overlap', async () => {
    const other = await call('PATCH', '/api/assets/NAS-DS923-5501', admin, { contractNumber: 'V-2026-0001' });
    expect(other.status).toBe(400);
    expect(other.body.errors[0].field).toBe('contractNumber');
    const unknown = await call('PATCH', '/api/assets/NAS-DS923-5501', admin, { contractNumber: 'V-0000' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toBe('contractNumber: no contract with number V-0000.');

    await call('POST', '/api/contracts', admin, { contractNumber: 'V-2026-0099', customerNumber: 'K-10002', tier: 'silver', validFrom: '2026-01-01', validTo: '2026-12-31' });
    const overlap = await call('PATCH', '/api/assets/FW-FG100F-0042', admin, { contractNumber: 'V-2026-0099' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.detail).toContain('Asset FW-FG100F-0042 is already covered by contract V-2026-0002 (from 2025-07-01, open-ended); contract V-2026-0099');
  });

  it('deletes an asset no incident names and refuses one that is named', async () => {
    await call('POST', '/api/assets', admin, { serialNumber: 'TMP-1', product: 'Temp', customerNumber: 'K-10001' });
    expect((await call('DELETE', '/api/assets/TMP-1', admin)).status).toBe(204);
    expect((await call('GET', '/api/assets/TMP-1', agent)).status).toBe(404);
    const [row] = await api.database.db.select().from(assets).where(eq(assets.serialNumber, 'NAS-DS923-5501'));
    await incidentNaming({ customerNumber: 'K-10002', assetId: row!.id });
    const refused = await call('DELETE', '/api/assets/NAS-DS923-5501', admin);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toBe('Asset NAS-DS923-5501 is named on 1 incident(s); it cannot be deleted.');
  });
});
