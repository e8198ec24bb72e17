// Profitability per customer for a period: revenue (prorated contract fees + billed time) against
// effort (logged time × internal cost rate), broken down by support project. Integer cents only.
import { and, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { contracts, customers, invoiceLines, invoices, projects, timeEntries, users } from '../../db/schema/index.js';
import { amountCents, proratedFeeCents } from '../../domain/billing.js';
import { checkPeriod } from '../../domain/calendar-dates.js';
import type { ProjectKind, UserRole } from '../../domain/enums.js';

export interface ProfitFigures {
  feeRevenueCents: number;
  billedRevenueCents: number;
  /** Fee + billed; unbilled work is shown apart and is not revenue yet. */
  revenueCents: number;
  unbilledCents: number;
  effortMinutes: number;
  effortCents: number;
  marginCents: number;
  /** Margin as a percentage of revenue with one decimal; null without revenue. */
  marginPercent: number | null;
}

export interface ProjectProfit extends ProfitFigures {
  /** Null for the "no project" bucket (time logged on incidents without a project). */
  projectNumber: string | null;
  kind: ProjectKind | null;
  contractNumber: string | null;
}

export interface CustomerProfit extends ProfitFigures {
  customerNumber: string;
  name: string;
  projects: ProjectProfit[];
}

export interface ProfitabilityReport {
  from: string;
  to: string;
  customers: CustomerProfit[];
  totals: ProfitFigures;
}

export interface ProfitabilityOptions {
  /** Internal cost per hour in cents by role, for agents without their own cost rate. */
  costRates?: Partial<Record<UserRole, number>> | undefined;
}

/** marginCents / revenueCents as a percentage, rounded half away from zero to one decimal. */
export function marginPercentOf(marginCents: number, revenueCents: number): number | null {
  if (revenueCents === 0) return null;
  const sign = Math.sign(marginCents) * Math.sign(revenueCents);
  const permille = Math.floor((Math.abs(marginCents) * 2000 + Math.abs(revenueCents)) / (2 * Math.abs(revenueCents)));
  return (sign * permille) / 10;
}

type Sums = Pick<ProfitFigures, 'feeRevenueCents' | 'billedRevenueCents' | 'unbilledCents' | 'effortMinutes' | 'effortCents'>;
const zero = (): Sums => ({ feeRevenueCents: 0, billedRevenueCents: 0, unbilledCents: 0, effortMinutes: 0, effortCents: 0 });

function figures(s: Sums): ProfitFigures {
  const revenueCents = s.feeRevenueCents + s.billedRevenueCents;
  const marginCents = revenueCents - s.effortCents;
  return { ...s, revenueCents, marginCents, marginPercent: marginPercentOf(marginCents, revenueCents) };
}

function add(into: Sums, from: Sums): void {
  for (const key of Object.keys(into) as (keyof Sums)[]) into[key] += from[key];
}

interface Bucket {
  customerId: string;
  project: { number: string | null; kind: ProjectKind | null; contractNumber: string | null };
  sums: Sums;
}

/** Collects sums per customer and project bucket; the key of the "no project" bucket is "none". */
class Ledger {
  readonly buckets = new Map<string, Bucket>();
  constructor(private readonly projectInfo: Map<string, Bucket['project']>) {}

  /** `orphanContract` names a contract that has no project, so its fee gets a bucket of its own. */
  book(customerId: string, projectId: string | null, amounts: Partial<Sums>, orphanContract?: { id: string; number: string }): void {
    const key = `${customerId}/${projectId ?? (orphanContract ? `contract:${orphanContract.id}` : 'none')}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const none = { number: null, kind: null, contractNumber: orphanContract?.number ?? null };
      const project = (projectId && this.projectInfo.get(projectId)) || none;
      bucket = { customerId, project, sums: zero() };
      this.buckets.set(key, bucket);
    }
    add(bucket.sums, { ...zero(), ...amounts });
  }
}

const inPeriod = (from: string, to: string) => and(gte(timeEntries.workDate, from), lte(timeEntries.workDate, to));
const onFinalInvoice = sql`exists (select 1 from ${invoiceLines} join ${invoices} on ${invoices.id} = ${invoiceLines.invoiceId}
  where ${invoiceLines.timeEntryId} = ${timeEntries.id} and ${invoices.status} = 'final')`;

export async function profitabilityReport(db: Db, from: string, to: string, options: ProfitabilityOptions = {}): Promise<ProfitabilityReport> {
  checkPeriod({ from, to }, 2);
  const projectRows = await db
    .select({ id: projects.id, number: projects.projectNumber, kind: projects.kind, contractNumber: contracts.contractNumber, contractId: projects.contractId })
    .from(projects)
    .innerJoin(contracts, eq(contracts.id, projects.contractId));
  const ledger = new Ledger(new Map(projectRows.map((p) => [p.id, { number: p.number, kind: p.kind, contractNumber: p.contractNumber }])));
  const projectOfContract = new Map(projectRows.map((p) => [p.contractId, p.id]));

  // Fees: every contract in force on some day of the period, booked on its project.
  const feeContracts = await db
    .select()
    .from(contracts)
    .where(and(lte(contracts.validFrom, to), or(isNull(contracts.validTo), gte(contracts.validTo, from))));
  for (const c of feeContracts) {
    const projectId = projectOfContract.get(c.id) ?? null;
    const orphan = projectId ? undefined : { id: c.id, number: c.contractNumber };
    ledger.book(c.customerId, projectId, { feeRevenueCents: proratedFeeCents(c.monthlyFeeCents, c, from, to) }, orphan);
  }

  // Billed: lines of final invoices for work done in the period (a draft can still change).
  const billed = await db
    .select({ customerId: timeEntries.customerId, projectId: timeEntries.projectId, amountCents: invoiceLines.amountCents })
    .from(invoiceLines)
    .innerJoin(invoices, eq(invoices.id, invoiceLines.invoiceId))
    .innerJoin(timeEntries, eq(timeEntries.id, invoiceLines.timeEntryId))
    .where(and(eq(invoices.status, 'final'), inPeriod(from, to)));
  for (const line of billed) ledger.book(line.customerId, line.projectId, { billedRevenueCents: line.amountCents });

  // Effort and unbilled work: every live entry of the period.
  const entries = await db
    .select({
      customerId: timeEntries.customerId,
      projectId: timeEntries.projectId,
      minutes: timeEntries.minutes,
      billableMinutes: timeEntries.billableMinutes,
      amountCents: timeEntries.amountCents,
      onFinalInvoice: sql<boolean>`${onFinalInvoice}`,
      ownCostRate: users.costRateCents,
      role: users.role,
    })
    .from(timeEntries)
    .innerJoin(users, eq(users.id, timeEntries.agentId))
    .where(and(isNull(timeEntries.deletedAt), inPeriod(from, to)));
  for (const e of entries) {
    const costRate = e.ownCostRate ?? options.costRates?.[e.role] ?? 0;
    const unbilledCents = e.billableMinutes > 0 && !e.onFinalInvoice ? e.amountCents : 0;
    ledger.book(e.customerId, e.projectId, { effortMinutes: e.minutes, effortCents: amountCents(e.minutes, costRate), unbilledCents });
  }

  return assemble(db, from, to, [...ledger.buckets.values()]);
}

async function assemble(db: Db, from: string, to: string, buckets: Bucket[]): Promise<ProfitabilityReport> {
  const ids = [...new Set(buckets.map((b) => b.customerId))];
  const customerRows = ids.length ? await db.select().from(customers).where(inArray(customers.id, ids)) : [];
  const totals = zero();
  const report: CustomerProfit[] = customerRows
    .sort((a, b) => a.customerNumber.localeCompare(b.customerNumber))
    .map((customer) => {
      const own = buckets.filter((b) => b.customerId === customer.id);
      const sums = zero();
      for (const b of own) add(sums, b.sums);
      add(totals, sums);
      // Projects by number, then contracts without a project, then the "no project" bucket.
      const order = (b: Bucket) => `${b.project.number ? 0 : b.project.contractNumber ? 1 : 2}${b.project.number ?? b.project.contractNumber ?? ''}`;
      const projectsOf = own
        .sort((a, b) => order(a).localeCompare(order(b)))
        .map((b) => ({ projectNumber: b.project.number, kind: b.project.kind, contractNumber: b.project.contractNumber, ...figures(b.sums) }));
      return { customerNumber: customer.customerNumber, name: customer.name, ...figures(sums), projects: projectsOf };
    });
  return { from, to, customers: report, totals: figures(totals) };
}
