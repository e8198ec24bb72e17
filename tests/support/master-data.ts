// The master-data API (customers, contacts, contracts, assets) on a database with the demo data,
// and the helpers its test files share.
import { eq } from 'drizzle-orm';
import { customers, incidents } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { apiOnTestDatabase } from './api-database.js';

/** Registers the file's set-up: the demo data and an agent, a manager, an admin and a sales user. */
export function masterDataApi() {
  const api = apiOnTestDatabase({ agent: 'agent', manager: 'manager', admin: 'admin', sales: 'sales' }, { seed: seedDemoData });

  let incidentSeq = 900;
  /** An incident projection row naming the given parties, as intake would write it. */
  async function incidentNaming(parties: { customerNumber: string; contactId?: string; assetId?: string; contractId?: string }) {
    const [customer] = await api.database.db.select().from(customers).where(eq(customers.customerNumber, parties.customerNumber));
    const number = `INC-2026-${String(++incidentSeq).padStart(6, '0')}`;
    const now = new Date('2026-11-02T08:00:00Z');
    await api.database.db.insert(incidents).values({
      number,
      customerId: customer!.id,
      customerNumber: parties.customerNumber,
      contactId: parties.contactId ?? null,
      assetId: parties.assetId ?? null,
      contractId: parties.contractId ?? null,
      title: 'Printer jams',
      description: 'Paper jam',
      channel: 'phone',
      priority: 'P3',
      status: 'in_progress',
      receivedAt: now,
      updatedAt: now,
      version: 1,
    });
    return { number, customerId: customer!.id };
  }

  return { api, incidentNaming };
}

/** A contract body for K-20001 (the customer tests/api/master-data/contracts.test.ts creates), valid through 2026. */
export const contract = (overrides: Record<string, unknown>) => ({ customerNumber: 'K-20001', tier: 'gold', validFrom: '2026-01-01', validTo: '2026-12-31', ...overrides });
