// Which contract covers what: the cover list (contract_assets) and the rule that no asset, and no
// customer as a whole, is covered by two contracts on the same day. Contracts and assets both write here.
import { and, eq, inArray, ne } from 'drizzle-orm';
import { assets, contractAssets, contracts, customers } from '../../db/schema/index.js';
import { IllegalTransition, ValidationError } from '../../domain/errors.js';
import { describeValidity, validitiesOverlap, type Validity } from './rules.js';
import type { Conn } from './shared.js';

/** The contract being written: `id` null while it is new. */
export interface ContractScope extends Validity {
  id: string | null;
  contractNumber: string;
  customerId: string;
}

/** The assets a contract lists, by serial number: each must exist and belong to the contract's customer. */
export async function assetsForCover(conn: Conn, customerId: string, serialNumbers: readonly string[], field = 'coveredSerialNumbers'): Promise<{ id: string; serialNumber: string }[]> {
  const wanted = [...new Set(serialNumbers.map((s) => s.trim()).filter((s) => s.length > 0))];
  if (wanted.length === 0) return [];
  const rows = await conn
    .select({ id: assets.id, serialNumber: assets.serialNumber, customerId: assets.customerId, customerNumber: customers.customerNumber })
    .from(assets)
    .innerJoin(customers, eq(customers.id, assets.customerId))
    .where(inArray(assets.serialNumber, wanted));
  for (const serial of wanted) {
    const row = rows.find((r) => r.serialNumber === serial);
    if (!row) throw new ValidationError(`${field}: no asset with serial number ${serial}.`, field);
    if (row.customerId !== customerId) {
      throw new ValidationError(`${field}: asset ${serial} belongs to customer ${row.customerNumber}; a contract may only list assets of its own customer.`, field);
    }
  }
  return rows.map(({ id, serialNumber }) => ({ id, serialNumber }));
}

/** Refuses when another contract lists the asset for a day this contract also covers. */
export async function checkAssetCover(conn: Conn, asset: { id: string; serialNumber: string }, contract: ContractScope): Promise<void> {
  const others = await conn
    .select({ contractNumber: contracts.contractNumber, validFrom: contracts.validFrom, validTo: contracts.validTo })
    .from(contractAssets)
    .innerJoin(contracts, eq(contracts.id, contractAssets.contractId))
    .where(and(eq(contractAssets.assetId, asset.id), contract.id ? ne(contracts.id, contract.id) : undefined));
  const clash = others.find((other) => validitiesOverlap(other, contract));
  if (clash) {
    throw new IllegalTransition(
      `Asset ${asset.serialNumber} is already covered by contract ${clash.contractNumber} (${describeValidity(clash)}); contract ${contract.contractNumber} (${describeValidity(contract)}) overlaps it.`,
    );
  }
}

/** Refuses a second whole-customer contract for a day another one already covers. */
export async function checkWholeCustomerCover(conn: Conn, contract: ContractScope): Promise<void> {
  const others = await conn
    .select({ contractNumber: contracts.contractNumber, validFrom: contracts.validFrom, validTo: contracts.validTo })
    .from(contracts)
    .where(and(eq(contracts.customerId, contract.customerId), eq(contracts.coversAllAssets, true), contract.id ? ne(contracts.id, contract.id) : undefined));
  const clash = others.find((other) => validitiesOverlap(other, contract));
  if (clash) {
    throw new IllegalTransition(
      `Contract ${clash.contractNumber} (${describeValidity(clash)}) already covers all assets of this customer; contract ${contract.contractNumber} (${describeValidity(contract)}) overlaps it.`,
    );
  }
}

/** Replaces a contract's cover list. */
export async function replaceCover(conn: Conn, contractId: string, assetIds: readonly string[]): Promise<void> {
  await conn.delete(contractAssets).where(eq(contractAssets.contractId, contractId));
  if (assetIds.length > 0) await conn.insert(contractAssets).values(assetIds.map((assetId) => ({ contractId, assetId })));
}

/** Adds one asset to a contract's cover list (no-op when it is listed already). */
export async function addCover(conn: Conn, contractId: string, assetId: string): Promise<boolean> {
  const added = await conn.insert(contractAssets).values({ contractId, assetId }).onConflictDoNothing().returning();
  return added.length > 0;
}
