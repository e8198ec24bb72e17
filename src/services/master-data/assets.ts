// Assets: the customer's devices by serial and ident number. A serial number belongs to one customer;
// moving a device to another customer means deleting it and registering it again.
import { and, asc, count, eq, ilike, inArray, ne, or, type SQL } from 'drizzle-orm';
import { assets, contractAssets, contracts, customers, incidents } from '../../db/schema/index.js';
import type { ContractTier } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';
import { addCover, checkAssetCover } from './contract-cover.js';
import { checkBusinessNumber, checkName } from './rules.js';
import { customerByNumber, likePattern, lockCustomer, refusedWhileReferenced, requiredForNew, sameValues, uniqueViolation, type Conn, type Page, type Paging, type UpsertOutcome } from './shared.js';

export interface AssetInput {
  serialNumber: string;
  identNumber: string | null;
  product: string;
  customerNumber: string;
  /** Convenience: also list the asset on this contract (never removes it from others). */
  contractNumber?: string | null | undefined;
}
export type AssetChanges = Partial<Omit<AssetInput, 'serialNumber'>>;

export interface AssetRecord {
  serialNumber: string;
  identNumber: string | null;
  product: string;
  customerNumber: string;
  /** The day a hardware change took it out of service, and which change; no contract covers it from then on. */
  retiredOn: string | null;
  retiredBy: string | null;
  /** The contracts that list the asset, with their validity. */
  contracts: { contractNumber: string; tier: ContractTier; validFrom: string; validTo: string | null }[];
  createdAt: Date;
  updatedAt: Date;
}

const selectRows = (conn: Conn) =>
  conn.select({ asset: assets, customerNumber: customers.customerNumber }).from(assets).innerJoin(customers, eq(customers.id, assets.customerId));

async function records(conn: Conn, rows: Awaited<ReturnType<ReturnType<typeof selectRows>['execute']>>): Promise<AssetRecord[]> {
  const ids = rows.map((r) => r.asset.id);
  const listings =
    ids.length === 0
      ? []
      : await conn
          .select({ assetId: contractAssets.assetId, contractNumber: contracts.contractNumber, tier: contracts.tier, validFrom: contracts.validFrom, validTo: contracts.validTo })
          .from(contractAssets)
          .innerJoin(contracts, eq(contracts.id, contractAssets.contractId))
          .where(inArray(contractAssets.assetId, ids))
          .orderBy(asc(contracts.validFrom), asc(contracts.contractNumber));
  return rows.map(({ asset: a, customerNumber }) => ({
    serialNumber: a.serialNumber,
    identNumber: a.identNumber,
    product: a.product,
    customerNumber,
    retiredOn: a.retiredOn,
    retiredBy: a.retiredBy,
    contracts: listings.filter((l) => l.assetId === a.id).map(({ assetId: _id, ...l }) => l),
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  }));
}

export async function listAssets(conn: Conn, filter: { customerNumber?: string | undefined; q?: string | undefined } & Paging): Promise<Page<AssetRecord>> {
  const conditions: (SQL | undefined)[] = [];
  if (filter.customerNumber) conditions.push(eq(customers.customerNumber, filter.customerNumber));
  if (filter.q) conditions.push(or(ilike(assets.serialNumber, likePattern(filter.q)), ilike(assets.identNumber, likePattern(filter.q)), ilike(assets.product, likePattern(filter.q))));
  const where = and(...conditions);
  const rows = await selectRows(conn).where(where).orderBy(asc(assets.serialNumber)).limit(filter.limit).offset(filter.offset);
  const [total] = await conn.select({ n: count() }).from(assets).innerJoin(customers, eq(customers.id, assets.customerId)).where(where);
  return { items: await records(conn, rows), total: total?.n ?? 0, limit: filter.limit, offset: filter.offset };
}

export async function getAsset(conn: Conn, serialNumber: string): Promise<AssetRecord> {
  const rows = await selectRows(conn).where(eq(assets.serialNumber, serialNumber));
  if (rows.length === 0) throw new NotFound(`No asset with serial number ${serialNumber}.`);
  return (await records(conn, rows))[0]!;
}

async function findRow(conn: Conn, serialNumber: string) {
  return (await selectRows(conn).where(eq(assets.serialNumber, serialNumber)))[0];
}

/** Checks the input and writes the asset; answers whether anything changed. */
async function writeAsset(conn: Conn, input: AssetInput): Promise<UpsertOutcome> {
  const serialNumber = checkBusinessNumber(input.serialNumber, 'serialNumber');
  const identNumber = input.identNumber?.trim() ? checkBusinessNumber(input.identNumber, 'identNumber') : null;
  const product = checkName(input.product, 'product');
  const customer = await customerByNumber(conn, input.customerNumber);
  try {
    return await writeLocked(conn, customer, { ...input, serialNumber, identNumber, product });
  } catch (err) {
    // Another customer's write took the serial or ident number at the same moment (the lock is per customer).
    if (uniqueViolation(err)) throw await numberTaken(conn, serialNumber, identNumber, customer.customerNumber);
    throw err;
  }
}

/** The refusal for a serial or ident number that a concurrent write registered; read after it committed. */
async function numberTaken(conn: Conn, serialNumber: string, identNumber: string | null, customerNumber: string): Promise<IllegalTransition> {
  const serialOwner = await findRow(conn, serialNumber);
  if (serialOwner && serialOwner.customerNumber !== customerNumber) return new IllegalTransition(`Serial number ${serialNumber} is registered to customer ${serialOwner.customerNumber}.`);
  if (identNumber) {
    const [identOwner] = await selectRows(conn).where(eq(assets.identNumber, identNumber));
    if (identOwner && identOwner.asset.serialNumber !== serialNumber) {
      return new IllegalTransition(
        identOwner.customerNumber === customerNumber
          ? `Ident number ${identNumber} already belongs to asset ${identOwner.asset.serialNumber}.`
          : `Ident number ${identNumber} is registered to customer ${identOwner.customerNumber}.`,
      );
    }
  }
  if (serialOwner) return new IllegalTransition(`Asset ${serialNumber} already exists.`);
  return new IllegalTransition(`Serial number ${serialNumber}${identNumber ? ` or ident number ${identNumber}` : ''} was registered by another write at the same time; try again.`);
}

/** Writes the checked asset under its customer's lock. */
async function writeLocked(conn: Conn, customer: { id: string; customerNumber: string }, input: AssetInput & { identNumber: string | null }): Promise<UpsertOutcome> {
  const { serialNumber, identNumber, product } = input;
  return conn.transaction(async (tx) => {
    await lockCustomer(tx, customer.id);
    const current = await findRow(tx, serialNumber);
    if (current && current.asset.customerId !== customer.id) {
      throw new IllegalTransition(`Serial number ${serialNumber} is registered to customer ${current.customerNumber}.`);
    }
    if (identNumber) {
      const [other] = await selectRows(tx).where(and(eq(assets.identNumber, identNumber), current ? ne(assets.id, current.asset.id) : undefined));
      if (other && other.asset.customerId !== customer.id) throw new IllegalTransition(`Ident number ${identNumber} is registered to customer ${other.customerNumber}.`);
      if (other) throw new IllegalTransition(`Ident number ${identNumber} already belongs to asset ${other.asset.serialNumber}.`);
    }
    const values = { identNumber, product };
    let outcome: UpsertOutcome = 'unchanged';
    let assetId = current?.asset.id;
    if (!current) {
      assetId = (await tx.insert(assets).values({ serialNumber, customerId: customer.id, ...values }).returning({ id: assets.id }))[0]!.id;
      outcome = 'created';
    } else if (!sameValues(current.asset, values)) {
      await tx.update(assets).set({ ...values, updatedAt: new Date() }).where(eq(assets.id, current.asset.id));
      outcome = 'updated';
    }
    if (input.contractNumber?.trim()) {
      const contractNumber = input.contractNumber.trim();
      const [contract] = await tx.select().from(contracts).where(eq(contracts.contractNumber, contractNumber));
      if (!contract) throw new ValidationError(`contractNumber: no contract with number ${contractNumber}.`, 'contractNumber');
      if (contract.customerId !== customer.id) {
        throw new ValidationError(`contractNumber: contract ${contractNumber} belongs to another customer; a contract may only list assets of its own customer.`, 'contractNumber');
      }
      await checkAssetCover(tx, { id: assetId!, serialNumber }, { id: contract.id, contractNumber, customerId: customer.id, validFrom: contract.validFrom, validTo: contract.validTo });
      if ((await addCover(tx, contract.id, assetId!)) && outcome === 'unchanged') outcome = 'updated';
    }
    return outcome;
  });
}

export async function createAsset(conn: Conn, input: AssetInput): Promise<AssetRecord> {
  const serialNumber = input.serialNumber.trim();
  const existing = await findRow(conn, serialNumber);
  if (existing) {
    const owner = existing.customerNumber === input.customerNumber.trim() ? `Asset ${serialNumber} already exists.` : `Serial number ${serialNumber} is registered to customer ${existing.customerNumber}.`;
    throw new IllegalTransition(owner);
  }
  await writeAsset(conn, input);
  return getAsset(conn, serialNumber);
}

export async function updateAsset(conn: Conn, serialNumber: string, changes: AssetChanges): Promise<AssetRecord> {
  const current = await getAsset(conn, serialNumber);
  await writeAsset(conn, { serialNumber, identNumber: current.identNumber, product: current.product, customerNumber: current.customerNumber, ...changes });
  return getAsset(conn, serialNumber);
}

/** Creates or updates by serial number (the CSV import and the seed). */
export async function upsertAsset(conn: Conn, input: { serialNumber: string } & AssetChanges): Promise<UpsertOutcome> {
  const current = await findRow(conn, input.serialNumber.trim());
  if (current) return writeAsset(conn, { identNumber: current.asset.identNumber, product: current.asset.product, customerNumber: current.customerNumber, ...input });
  return writeAsset(conn, {
    identNumber: null,
    ...input,
    product: requiredForNew(input.product, 'product', 'asset'),
    customerNumber: requiredForNew(input.customerNumber, 'customerNumber', 'asset'),
  });
}

/** Deletes an asset no incident names (time is logged on incidents, so no time entry can name it either). */
export async function deleteAsset(conn: Conn, serialNumber: string): Promise<void> {
  await refusedWhileReferenced(`Asset ${serialNumber}`, () =>
    conn.transaction(async (tx) => {
      const row = await findRow(tx, serialNumber);
      if (!row) throw new NotFound(`No asset with serial number ${serialNumber}.`);
      // Under the lock no contract of the customer can list the asset while it goes.
      await lockCustomer(tx, row.asset.customerId);
      const [used] = await tx.select({ n: count() }).from(incidents).where(eq(incidents.assetId, row.asset.id));
      if ((used?.n ?? 0) > 0) throw new IllegalTransition(`Asset ${serialNumber} is named on ${used!.n} incident(s); it cannot be deleted.`);
      await tx.delete(assets).where(eq(assets.id, row.asset.id));
    }),
  );
}
