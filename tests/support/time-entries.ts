// Time entries through the API: a database without demo data, the app with default rates and a
// mailer that keeps what it sends, an agent, another agent, a manager and a sales user, and the
// customers, contracts and incidents the time-entry test files log time on.
import { and, eq, like } from 'drizzle-orm';
import type { HourlyRates } from '../../src/db/schema/contracts.js';
import { contracts, customers, incidents, outboxMessages, projects, quotaEvents, users } from '../../src/db/schema/index.js';
import type { Entitlement } from '../../src/domain/entitlement.js';
import type { OutgoingMail } from '../../src/mail/outbound.js';
import { apiOnTestDatabase } from './api-database.js';
import type { TestUser } from './users.js';

/** The rates of work without a contract. */
export const defaultRates = { remote: 9000, onsite: 12_000, travel: 6000 };

export interface Setup {
  customerId: string;
  customerNumber: string;
  contractId: string | null;
  projectId: string | null;
  incident: string;
  managerEmail: string | null;
}

/** Registers the file's set-up and returns the helpers on it. */
export function timeEntriesApi() {
  const sent: OutgoingMail[] = [];
  const api = apiOnTestDatabase(
    { agent: ['agent', 'Anna Agent'], otherAgent: ['agent', 'Otto Agent'], manager: ['manager', 'Mia Manager'], sales: ['sales', 'Sam Sales'] },
    { services: { defaultRates, mail: { mailFrom: 'Helpdesk <helpdesk@systemhaus.example>', mailer: { send: (mail) => Promise.resolve(void sent.push(mail)), close: () => {} } } } },
  );
  let seq = 0;

  /** A customer (with an account manager unless told otherwise), optionally a contract with its project, and an incident projection row. */
  async function setUp(options: {
    contract?: { quotaMinutes?: number | null; quotaPeriod?: 'month' | 'quarter' | 'year' | 'prepaid' | null; validFrom?: string; validTo?: string | null; hourlyRates?: HourlyRates; coversAllAssets?: boolean };
    accountManager?: boolean;
    onIncident?: boolean;
    /** The entitlement the incident's intake recorded (its asset terms price the time). */
    entitlement?: Entitlement;
  } = {}): Promise<Setup> {
    seq += 1;
    const db = api.database.db;
    let managerId: string | null = null;
    let managerEmail: string | null = null;
    if (options.accountManager !== false) {
      const [am] = await db.insert(users).values({ name: `Account Manager ${seq}`, email: `am${seq}@systemhaus.example`, role: 'sales' }).returning();
      managerId = am!.id;
      managerEmail = am!.email;
    }
    const [customer] = await db.insert(customers).values({ customerNumber: `K-${10_000 + seq}`, name: `Kunde ${seq} GmbH`, accountManagerId: managerId }).returning();
    let contractId: string | null = null;
    let projectId: string | null = null;
    if (options.contract) {
      const c = options.contract;
      const [contract] = await db
        .insert(contracts)
        .values({
          contractNumber: `V-${2000 + seq}`,
          customerId: customer!.id,
          tier: 'gold',
          validFrom: c.validFrom ?? '2026-01-01',
          validTo: c.validTo ?? null,
          coversAllAssets: c.coversAllAssets ?? true,
          hourlyRates: c.hourlyRates ?? { remote: 9600, onsite: 13_200, travel: 7200 },
          quotaMinutes: c.quotaMinutes === undefined ? 600 : c.quotaMinutes,
          quotaPeriod: c.quotaPeriod === undefined ? 'month' : c.quotaPeriod,
        })
        .returning();
      contractId = contract!.id;
      const [project] = await db.insert(projects).values({ projectNumber: `P-V-${2000 + seq}`, contractId, customerId: customer!.id, kind: 'support', name: `Support ${seq}` }).returning();
      projectId = project!.id;
    }
    const incident = `INC-2026-${String(seq).padStart(6, '0')}`;
    const now = new Date('2026-10-01T08:00:00Z');
    await db.insert(incidents).values({
      number: incident,
      customerId: customer!.id,
      customerNumber: customer!.customerNumber,
      contractId: options.onIncident === false ? null : contractId,
      projectId: options.onIncident === false ? null : projectId,
      title: 'Printer jams',
      description: 'Paper jam on floor 2',
      channel: 'phone',
      priority: 'P3',
      status: 'in_progress',
      entitlementDecision: options.entitlement?.decision ?? null,
      entitlement: options.entitlement ?? null,
      receivedAt: now,
      updatedAt: now,
      version: 1,
    });
    return { customerId: customer!.id, customerNumber: customer!.customerNumber, contractId, projectId, incident, managerEmail };
  }

  const log = (s: Setup, body: Record<string, unknown>, user: TestUser = api.users.agent, headers: Record<string, string> = {}) =>
    api.call('POST', `/api/incidents/${s.incident}/time-entries`, user, { activityType: 'remote', description: 'Remote session', ...body }, headers);

  const quotaMails = (contractId: string) =>
    api.database.db.select().from(outboxMessages).where(and(eq(outboxMessages.template, 'quota'), like(outboxMessages.idempotencyKey, `quota:${contractId}:%`)));
  const quotaEventsOf = (contractId: string) => api.database.db.select().from(quotaEvents).where(eq(quotaEvents.contractId, contractId)).orderBy(quotaEvents.threshold);

  /** The number of the last setUp (its customer K-<10000 + n>, contract V-<2000 + n>, incident INC-2026-<n>). */
  const lastSeq = () => seq;

  return { api, sent, setUp, log, quotaMails, quotaEventsOf, lastSeq };
}
