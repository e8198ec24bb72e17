// Reading invoices: summaries for lists and runs, one invoice with its lines, and the lines of
// a period for the ERP export.
import { and, asc, count, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { customers, invoiceLines, invoices } from '../../db/schema/index.js';
import type { InvoiceStatus } from '../../domain/enums.js';
import { NotFound } from '../../domain/errors.js';
import type { BillingPeriod } from './period.js';

type Conn = Db | Tx;
export type InvoiceLineRow = typeof invoiceLines.$inferSelect;

// Spelled out: drizzle leaves columns unqualified in the select list of a single-table query.
const lineCount = sql<number>`(select count(*)::int from invoice_lines l where l.invoice_id = "invoices"."id")`;

const summaryColumns = {
  id: invoices.id,
  invoiceNumber: invoices.invoiceNumber,
  status: invoices.status,
  customerNumber: customers.customerNumber,
  customerName: customers.name,
  periodFrom: invoices.periodFrom,
  periodTo: invoices.periodTo,
  currency: invoices.currency,
  netCents: invoices.netCents,
  lineCount,
  createdAt: invoices.createdAt,
  finalisedAt: invoices.finalisedAt,
  finalisedBy: invoices.finalisedBy,
};

export interface InvoiceSummary {
  id: string;
  invoiceNumber: string | null;
  status: InvoiceStatus;
  customerNumber: string;
  customerName: string;
  periodFrom: string;
  periodTo: string;
  currency: string;
  netCents: number;
  lineCount: number;
  createdAt: Date;
  finalisedAt: Date | null;
  finalisedBy: string | null;
}

export interface InvoiceFilter {
  status?: InvoiceStatus | undefined;
  customerNumber?: string | undefined;
  /** Invoices whose period ends on or after this day. */
  from?: string | undefined;
  /** Invoices whose period starts on or before this day. */
  to?: string | undefined;
  limit: number;
  offset: number;
}

export async function invoicesOfPeriod(db: Conn, period: BillingPeriod): Promise<InvoiceSummary[]> {
  return db
    .select(summaryColumns)
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(and(eq(invoices.periodFrom, period.from), eq(invoices.periodTo, period.to)))
    .orderBy(asc(customers.customerNumber));
}

export async function listInvoices(db: Db, filter: InvoiceFilter): Promise<{ rows: InvoiceSummary[]; total: number }> {
  const conditions: SQL[] = [];
  if (filter.status) conditions.push(eq(invoices.status, filter.status));
  if (filter.customerNumber) conditions.push(eq(customers.customerNumber, filter.customerNumber));
  if (filter.from) conditions.push(gte(invoices.periodTo, filter.from));
  if (filter.to) conditions.push(lte(invoices.periodFrom, filter.to));
  const where = conditions.length > 0 ? and(...conditions) : undefined;
  const [rows, [totals]] = await Promise.all([
    db
      .select(summaryColumns)
      .from(invoices)
      .innerJoin(customers, eq(customers.id, invoices.customerId))
      .where(where)
      .orderBy(desc(invoices.periodTo), asc(customers.customerNumber), asc(invoices.id))
      .limit(filter.limit)
      .offset(filter.offset),
    db.select({ total: count() }).from(invoices).innerJoin(customers, eq(customers.id, invoices.customerId)).where(where),
  ]);
  return { rows, total: totals?.total ?? 0 };
}

export async function findInvoice(db: Conn, id: string): Promise<InvoiceSummary> {
  const [row] = await db.select(summaryColumns).from(invoices).innerJoin(customers, eq(customers.id, invoices.customerId)).where(eq(invoices.id, id));
  if (!row) throw new NotFound(`No invoice with id ${id}.`);
  return row;
}

export async function linesOf(db: Conn, invoiceId: string): Promise<InvoiceLineRow[]> {
  return db.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId)).orderBy(asc(invoiceLines.workDate), asc(invoiceLines.incidentNumber), asc(invoiceLines.id));
}

export interface InvoiceWithLines {
  invoice: InvoiceSummary;
  lines: InvoiceLineRow[];
}

export async function invoiceWithLines(db: Db, id: string): Promise<InvoiceWithLines> {
  const invoice = await findInvoice(db, id);
  return { invoice, lines: await linesOf(db, id) };
}

export interface InvoiceTotals {
  lineCount: number;
  minutes: number;
  netCents: number;
}

/** One invoice with its lines and their totals, summed from the lines themselves (integer cents). */
export interface InvoiceDetail extends InvoiceWithLines {
  totals: InvoiceTotals;
}

export function totalsOfLines(lines: readonly InvoiceLineRow[]): InvoiceTotals {
  return lines.reduce<InvoiceTotals>((sum, l) => ({ lineCount: sum.lineCount + 1, minutes: sum.minutes + l.minutes, netCents: sum.netCents + l.amountCents }), { lineCount: 0, minutes: 0, netCents: 0 });
}

export async function invoiceDetail(db: Db, id: string): Promise<InvoiceDetail> {
  const found = await invoiceWithLines(db, id);
  return { ...found, totals: totalsOfLines(found.lines) };
}

/** Invoices of a status whose period starts within [from, to]: disjoint exports never repeat an invoice. */
export async function invoicesForExport(db: Db, period: BillingPeriod, status: InvoiceStatus): Promise<InvoiceWithLines[]> {
  const found = await db
    .select(summaryColumns)
    .from(invoices)
    .innerJoin(customers, eq(customers.id, invoices.customerId))
    .where(and(eq(invoices.status, status), gte(invoices.periodFrom, period.from), lte(invoices.periodFrom, period.to)))
    .orderBy(asc(invoices.invoiceNumber), asc(customers.customerNumber), asc(invoices.periodFrom), asc(invoices.id));
  if (found.length === 0) return [];
  const lines = await db
    .select()
    .from(invoiceLines)
    .where(inArray(invoiceLines.invoiceId, found.map((i) => i.id)))
    .orderBy(asc(invoiceLines.workDate), asc(invoiceLines.incidentNumber), asc(invoiceLines.id));
  return found.map((invoice) => ({ invoice, lines: lines.filter((l) => l.invoiceId === invoice.id) }));
}
