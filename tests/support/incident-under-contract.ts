// A customer with a Gold contract covering all its assets (quota per month unless null), the
// contract's support project, and an incident under it, written straight into the projection:
// for billing tests that book work onto an incident without running its workflow.
import type { Db } from '../../src/db/client.js';
import { contracts, customers, incidents, projects } from '../../src/db/schema/index.js';
import type { Rates } from '../../src/domain/entitlement.js';

export async function incidentUnderContract(
  db: Db,
  options: { key: string; incidentNumber: string; rates: Rates; quotaMinutes?: number | null; accountManagerId?: string },
) {
  const { key, incidentNumber: number, rates } = options;
  const quotaMinutes = options.quotaMinutes ?? null;
  const [customer] = await db.insert(customers).values({ customerNumber: `K-${key}`, name: `Kunde ${key}`, accountManagerId: options.accountManagerId ?? null }).returning();
  const [contract] = await db
    .insert(contracts)
    .values({ contractNumber: `V-${key}`, customerId: customer!.id, tier: 'gold', validFrom: '2026-01-01', coversAllAssets: true, hourlyRates: rates, quotaMinutes, quotaPeriod: quotaMinutes === null ? null : 'month' })
    .returning();
  const [project] = await db.insert(projects).values({ projectNumber: `P-V-${key}`, contractId: contract!.id, customerId: customer!.id, kind: 'support', name: 'Support' }).returning();
  const at = new Date('2026-10-01T08:00:00Z');
  await db.insert(incidents).values({
    number,
    customerId: customer!.id,
    customerNumber: customer!.customerNumber,
    contractId: contract!.id,
    projectId: project!.id,
    title: 'Printer jams',
    description: 'Paper jam on floor 2',
    channel: 'phone',
    priority: 'P3',
    status: 'in_progress',
    receivedAt: at,
    updatedAt: at,
    version: 1,
  });
  return { number, customer: customer!, contract: contract!, project: project! };
}
