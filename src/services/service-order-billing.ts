// Books a done service order's work report: each time line as a time entry of the technician,
// priced like any logged time (entitlement of the incident on the work date, quota draw-down and
// notices, billable at the contract rate), each material line as a billable material entry.
// One transaction per report, keyed by the order's workflow id and the line number, so a retried
// activity or a crashed worker books once and gets the same ids back.
// Lock order (see billing-locks.ts): only the customer's quota lock, taken by the pricing; new
// entries are on no invoice yet, so no billing lock is needed.
import { asc, eq } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { uniqueViolation } from '../db/pg-errors.js';
import { materialEntries, timeEntries } from '../db/schema/index.js';
import { materialAmountCents, maxMaterialAmountCents } from '../domain/billing.js';
import { ValidationError } from '../domain/errors.js';
import type { ServiceOrderReportBooking, WorkBooking } from '../domain/service-order.js';
import { businessDate } from '../domain/ticket-number.js';
import { contractOfWork } from './time-entries/pricing.js';
import { staffById } from './directory/staff.js';
import { checkWorkDate, deliverQuotaNotices, incidentTermsOf, insertTimeEntry, totalsOf, type TimeEntryDeps } from './time-entries/index.js';

export interface BookedReport extends WorkBooking {
  /** True when the report had been booked before (a retry): nothing was written now. */
  replayed: boolean;
}


/** Books the report once; a second call returns what the first booked. */
export async function bookServiceOrderReport(deps: TimeEntryDeps, report: ServiceOrderReportBooking): Promise<BookedReport> {
  const earlier = await bookedBefore(deps, report.followUpWorkflowId);
  if (earlier) return earlier;
  report.timeEntries.forEach((line) => checkWorkDate(deps, line.workDate));
  report.materials.forEach((m, i) => {
    if (materialAmountCents(m.quantity, m.unitPriceCents) === null) {
      throw new ValidationError(`Material line ${i + 1} (${m.articleNumber}) is worth more than ${maxMaterialAmountCents} cents; split it into several lines in the ERP.`, `materials[${i}]`);
    }
  });
  const incident = await incidentTermsOf(deps.db, report.incidentNumber);
  const technician = await staffById(deps.db, report.technicianId, 'technicianId');
  // The technician reported the work: the audit trail shows them as the entries' creator.
  const actor = { userId: technician.id, name: technician.name, role: technician.role };
  const createdBy = `follow-up:${report.followUpWorkflowId}`;
  const usedOn = businessDate(new Date(report.completedAt), deps.timezone);

  let written: { timeIds: string[]; materialIds: string[]; mails: string[] };
  try {
    written = await deps.db.transaction(async (tx) => {
      const timeIds: string[] = [];
      const mails: string[] = [];
      // In report order: each line sees the quota the lines before it drew.
      for (const [lineNo, line] of report.timeEntries.entries()) {
        const { entry, mails: notices } = await insertTimeEntry(tx, deps, actor, incident, {
          ...line,
          agentId: technician.id,
          createdBy,
          followUp: { workflowId: report.followUpWorkflowId, lineNo },
        });
        timeIds.push(entry.id);
        mails.push(...notices);
      }
      const materialIds = await insertMaterials(tx, report, incident, usedOn, createdBy);
      return { timeIds, materialIds, mails };
    });
  } catch (err) {
    // A parallel attempt of the same booking won the race; this one rolled back.
    const again = uniqueViolation(err) ? await bookedBefore(deps, report.followUpWorkflowId) : undefined;
    if (again) return again;
    throw err;
  }
  await deliverQuotaNotices(deps, written.mails);
  const booked = await bookedBefore(deps, report.followUpWorkflowId);
  return { ...booked!, replayed: false };
}

async function insertMaterials(
  tx: Tx,
  report: ServiceOrderReportBooking,
  incident: Awaited<ReturnType<typeof incidentTermsOf>>,
  usedOn: string,
  createdBy: string,
): Promise<string[]> {
  if (report.materials.length === 0) return [];
  // Material is billed under the contract and project the day's work is priced under.
  const placement = await contractOfWork(tx, { ...incident, workDate: usedOn });
  const rows = await tx
    .insert(materialEntries)
    .values(
      report.materials.map((m, lineNo) => ({
        incidentNumber: incident.incidentNumber,
        customerId: incident.customerId,
        ...placement,
        workDate: usedOn,
        followUpWorkflowId: report.followUpWorkflowId,
        lineNo,
        articleNumber: m.articleNumber,
        description: m.description,
        quantity: m.quantity,
        unitPriceCents: m.unitPriceCents,
        // Checked before the transaction: every line fits.
        amountCents: materialAmountCents(m.quantity, m.unitPriceCents)!,
        createdBy,
      })),
    )
    .returning({ id: materialEntries.id, lineNo: materialEntries.lineNo });
  return rows.sort((a, b) => a.lineNo - b.lineNo).map((r) => r.id);
}

/** What an earlier booking of the order wrote, in line order; undefined when nothing was booked yet. */
async function bookedBefore(deps: TimeEntryDeps, followUpWorkflowId: string): Promise<BookedReport | undefined> {
  const [time, material] = await Promise.all([
    deps.db.select().from(timeEntries).where(eq(timeEntries.followUpWorkflowId, followUpWorkflowId)).orderBy(asc(timeEntries.followUpLineNo)),
    deps.db.select().from(materialEntries).where(eq(materialEntries.followUpWorkflowId, followUpWorkflowId)).orderBy(asc(materialEntries.lineNo)),
  ]);
  if (time.length === 0 && material.length === 0) return undefined;
  const t = totalsOf(time);
  const materialAmountCents = material.reduce((sum, m) => sum + m.amountCents, 0);
  return {
    timeEntryIds: time.map((e) => e.id),
    materialEntryIds: material.map((m) => m.id),
    totals: {
      minutes: t.minutes,
      quotaMinutes: t.quotaMinutes,
      billableMinutes: t.billableMinutes,
      timeAmountCents: t.amountCents,
      materialAmountCents,
      amountCents: t.amountCents + materialAmountCents,
    },
    replayed: true,
  };
}
