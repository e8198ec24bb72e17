// A completed hardware change keeps the asset register and the entitlement check consistent.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { assets, contractAssets, contracts, customers, projects } from '../../src/db/schema/index.js';
import { applyHardwareChange } from '../../src/services/asset-register.js';
import { checkEntitlement } from '../../src/services/entitlement.js';
import { createTestDatabase } from '../support/database.js';

let database: Database;
const day = '2026-11-20';
const change = 'incident-INC-2026-000042/hardware-change-1';

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const [acme, other] = await db.insert(customers).values([{ customerNumber: 'K-1', name: 'Acme' }, { customerNumber: 'K-2', name: 'Other' }]).returning();
  const [named] = await db
    .insert(contracts)
    .values({ contractNumber: 'V-NAMED', customerId: acme!.id, tier: 'platinum', validFrom: '2026-01-01', validTo: null })
    .returning();
  await db.insert(projects).values({ projectNumber: 'P-V-NAMED', contractId: named!.id, customerId: acme!.id, kind: 'support', name: 'Support V-NAMED' });
  const [server, switchA] = await db
    .insert(assets)
    .values([
      { serialNumber: 'SRV-OLD', product: 'Server Gen10', customerId: acme!.id },
      { serialNumber: 'SW-1', product: 'Switch', customerId: acme!.id },
      { serialNumber: 'FOREIGN-1', product: 'NAS', customerId: other!.id },
    ])
    .returning();
  await db.insert(contractAssets).values([
    { contractId: named!.id, assetId: server!.id },
    { contractId: named!.id, assetId: switchA!.id },
  ]);
});
afterAll(async () => database?.close());

const decision = async (serialNumber: string) => (await checkEntitlement(database.db, { serialNumber }, day)).entitlement;

describe('applying a hardware change to the asset register', () => {
  it('moves the contract cover from a replaced device to its successor and takes the old one out of service', async () => {
    expect((await decision('SRV-NEW')).decision).toBe('billable');
    const applied = await applyHardwareChange(database.db, { customerNumber: 'K-1', changeId: change, day, items: [{ action: 'replace', serialNumber: 'SRV-NEW', replacesSerialNumber: 'SRV-OLD', product: 'Server Gen11' }] });
    expect(applied).toEqual({ added: [], replaced: [{ from: 'SRV-OLD', to: 'SRV-NEW', contractsMoved: 1 }], retired: [] });

    const fresh = await decision('SRV-NEW');
    expect(fresh).toMatchObject({ decision: 'covered', contract: { number: 'V-NAMED' }, customerNumber: 'K-1' });
    const old = await decision('SRV-OLD');
    expect(old).toMatchObject({ decision: 'billable', contract: null, customerNumber: 'K-1' });
    expect(old.reason).toMatch(/^Serial number SRV-OLD was taken out of service on 20 Nov 2026, so no contract covers it\./);
    // Before the change day the old device was still in service and covered.
    expect((await checkEntitlement(database.db, { serialNumber: 'SRV-OLD' }, '2026-11-19')).entitlement.decision).toBe('covered');

    const [oldRow] = await database.db.select().from(assets).where(eq(assets.serialNumber, 'SRV-OLD'));
    expect(oldRow).toMatchObject({ retiredOn: day, retiredBy: change });
    const [newRow] = await database.db.select().from(assets).where(eq(assets.serialNumber, 'SRV-NEW'));
    expect(newRow).toMatchObject({ product: 'Server Gen11', retiredOn: null });
  });

  it('changes nothing when the same change is applied again', async () => {
    const before = await database.db.select().from(contractAssets);
    const again = await applyHardwareChange(database.db, { customerNumber: 'K-1', changeId: change, day, items: [{ action: 'replace', serialNumber: 'SRV-NEW', replacesSerialNumber: 'SRV-OLD' }] });
    expect(again.replaced).toEqual([{ from: 'SRV-OLD', to: 'SRV-NEW', contractsMoved: 1 }]);
    expect(await database.db.select().from(contractAssets)).toEqual(before);
    expect(await database.db.select().from(assets).where(eq(assets.serialNumber, 'SRV-NEW'))).toHaveLength(1);
  });

  it('registers an added device and retires a device with its cover', async () => {
    const applied = await applyHardwareChange(database.db, {
      customerNumber: 'K-1',
      changeId: 'incident-INC-2026-000042/hardware-change-2',
      day,
      items: [
        { action: 'add', serialNumber: 'AP-7', product: 'Access point', identNumber: 'ID-AP-7' },
        { action: 'retire', serialNumber: 'SW-1' },
      ],
    });
    expect(applied).toEqual({ added: ['AP-7'], replaced: [], retired: ['SW-1'] });
    const added = await checkEntitlement(database.db, { identNumber: 'ID-AP-7' }, day);
    expect(added.customer?.customerNumber).toBe('K-1');
    expect((await decision('SW-1')).decision).toBe('billable');
    expect((await checkEntitlement(database.db, { serialNumber: 'SW-1' }, '2026-11-19')).entitlement.decision).toBe('covered');
  });

  it('refuses to touch another customer\'s device or an unknown one, and changes nothing then', async () => {
    const count = async () => (await database.db.select().from(assets)).length;
    const before = await count();
    await expect(
      applyHardwareChange(database.db, { customerNumber: 'K-1', changeId: 'x', day, items: [{ action: 'add', serialNumber: 'AP-8', product: 'AP' }, { action: 'replace', serialNumber: 'FOREIGN-1', replacesSerialNumber: 'SRV-NEW' }] }),
    ).rejects.toThrow(/FOREIGN-1 is registered to another customer/);
    await expect(applyHardwareChange(database.db, { customerNumber: 'K-1', changeId: 'x', day, items: [{ action: 'retire', serialNumber: 'NOPE' }] })).rejects.toThrow(/NOPE is not in the asset register/);
    await expect(applyHardwareChange(database.db, { customerNumber: 'K-1', changeId: 'x', day, items: [{ action: 'add', serialNumber: 'AP-9' }] })).rejects.toThrow(/Give the product/);
    expect(await count()).toBe(before);
  });
});
