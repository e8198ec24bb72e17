// What a completed hardware change does to the asset register: new devices are registered,
// a replaced device's contract cover extends to its successor and the old one is taken out of
// service (no contract covers it from that day on), a retired device is taken out of service. One transaction, and safe to repeat:
// applying the same change again finds everything done and changes nothing.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { assets, contractAssets, customers } from '../db/schema/index.js';
import { IllegalTransition, ValidationError } from '../domain/errors.js';
import { lockCustomer } from './master-data/shared.js';

export interface HardwareChangeItem {
  action: 'add' | 'replace' | 'retire';
  serialNumber: string;
  /** For `replace`: the device the new one takes over from. */
  replacesSerialNumber?: string | undefined;
  product?: string | undefined;
  identNumber?: string | undefined;
}

export interface HardwareChangeApplied {
  added: string[];
  replaced: { from: string; to: string; contractsMoved: number }[];
  retired: string[];
}

type AssetRow = typeof assets.$inferSelect;

/** Applies a completed hardware change of `customerNumber` on `day`; `changeId` names it on retired assets. */
export async function applyHardwareChange(db: Db, change: { customerNumber: string; changeId: string; day: string; items: HardwareChangeItem[] }): Promise<HardwareChangeApplied> {
  return db.transaction(async (tx) => {
    const [customer] = await tx.select().from(customers).where(eq(customers.customerNumber, change.customerNumber));
    if (!customer) throw new ValidationError(`No customer with number ${change.customerNumber}.`, 'customerNumber');
    await lockCustomer(tx, customer.id);
    const bySerial = async (serial: string): Promise<AssetRow | undefined> => (await tx.select().from(assets).where(eq(assets.serialNumber, serial)))[0];
    const own = (row: AssetRow | undefined, serial: string): AssetRow | undefined => {
      if (row && row.customerId !== customer.id) throw new IllegalTransition(`Serial number ${serial} is registered to another customer; the change cannot move it.`);
      return row;
    };
    const register = async (item: HardwareChangeItem, product: string): Promise<AssetRow> => {
      const existing = own(await bySerial(item.serialNumber), item.serialNumber);
      if (existing) return existing;
      const [created] = await tx.insert(assets).values({ serialNumber: item.serialNumber, identNumber: item.identNumber ?? null, product, customerId: customer.id }).returning();
      return created!;
    };
    const retire = async (row: AssetRow) => {
      if (row.retiredOn) return;
      // Its contracts keep listing it, so checks of days before the change still find the cover.
      await tx.update(assets).set({ retiredOn: change.day, retiredBy: change.changeId, updatedAt: new Date() }).where(eq(assets.id, row.id));
    };

    const applied: HardwareChangeApplied = { added: [], replaced: [], retired: [] };
    for (const item of change.items) {
      if (item.action === 'add') {
        if (!item.product) throw new ValidationError(`Give the product of the new device ${item.serialNumber}.`, 'product');
        await register(item, item.product);
        applied.added.push(item.serialNumber);
      } else if (item.action === 'replace') {
        if (!item.replacesSerialNumber) throw new ValidationError(`Say which device ${item.serialNumber} replaces.`, 'replacesSerialNumber');
        const old = own(await bySerial(item.replacesSerialNumber), item.replacesSerialNumber);
        if (!old) throw new ValidationError(`Serial number ${item.replacesSerialNumber} is not in the asset register.`, 'replacesSerialNumber');
        const successor = await register(item, item.product ?? old.product);
        // The cover follows the device: every contract that listed the old one lists the new one.
        const cover = await tx.select({ contractId: contractAssets.contractId }).from(contractAssets).where(eq(contractAssets.assetId, old.id));
        if (cover.length > 0) {
          await tx
            .insert(contractAssets)
            .values(cover.map((c) => ({ contractId: c.contractId, assetId: successor.id })))
            .onConflictDoNothing();
        }
        await retire(old);
        applied.replaced.push({ from: old.serialNumber, to: successor.serialNumber, contractsMoved: cover.length });
      } else {
        const row = own(await bySerial(item.serialNumber), item.serialNumber);
        if (!row) throw new ValidationError(`Serial number ${item.serialNumber} is not in the asset register.`, 'serialNumber');
        await retire(row);
        applied.retired.push(row.serialNumber);
      }
    }
    return applied;
  });
}
