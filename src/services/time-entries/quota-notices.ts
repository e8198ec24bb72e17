// Quota notices at 80 % and 100 %: a quota_events row per contract, period and threshold, and
// an outbox mail to the account manager (else the service managers) only for a row this
// transaction inserted. Both are
// written with the time entry, so a retry or a crash never sends a notice twice or loses one.
import { eq } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { contracts, customers, outboxMessages, quotaEvents, users } from '../../db/schema/index.js';
import { thresholdsCrossed } from '../../domain/billing.js';
import { spokenDate, spokenMinutes } from '../../domain/calendar-dates.js';
import { newMessageId } from '../../mail/outbound.js';

export interface QuotaUsageChange {
  contractId: string;
  periodStart: string;
  periodEnd: string | null;
  totalMinutes: number;
  /** Quota minutes used in the period before and after the write. */
  before: number;
  after: number;
  timeEntryId: string;
  incidentNumber: string;
}

/** Records the thresholds the change crosses; returns the outbox keys of the mails to deliver. */
export async function recordQuotaNotices(tx: Tx, change: QuotaUsageChange, mailFrom: string): Promise<string[]> {
  const crossed = thresholdsCrossed(change.totalMinutes, change.before, change.after);
  if (crossed.length === 0) return [];
  const [facts] = await tx
    .select({ contractNumber: contracts.contractNumber, customerNumber: customers.customerNumber, customerName: customers.name, managerEmail: users.email })
    .from(contracts)
    .innerJoin(customers, eq(customers.id, contracts.customerId))
    .leftJoin(users, eq(users.id, customers.accountManagerId))
    .where(eq(contracts.id, change.contractId));
  if (!facts) return [];
  // Without an account manager, the service managers hear of it: a quota running out must reach someone.
  const recipients = facts.managerEmail
    ? [facts.managerEmail]
    : (await tx.select({ email: users.email }).from(users).where(eq(users.role, 'manager'))).map((u) => u.email).sort();
  const keys: string[] = [];
  for (const threshold of crossed) {
    const [event] = await tx
      .insert(quotaEvents)
      .values({
        contractId: change.contractId,
        periodStart: change.periodStart,
        threshold,
        usedMinutes: change.after,
        quotaMinutes: change.totalMinutes,
        timeEntryId: change.timeEntryId,
        notified: recipients.length > 0 ? recipients.join(', ') : null,
      })
      .onConflictDoNothing({ target: [quotaEvents.contractId, quotaEvents.periodStart, quotaEvents.threshold] })
      .returning({ id: quotaEvents.id });
    // Already reached earlier in this period (e.g. usage fell and rose again): told once is enough.
    if (!event || recipients.length === 0) continue;
    const { subject, body } = quotaNoticeWording({ ...facts, ...change, threshold });
    const rows = recipients.map((recipient) => ({
      idempotencyKey: `quota:${change.contractId}:${change.periodStart}:${threshold}:${recipient}`,
      kind: 'email' as const,
      incidentNumber: change.incidentNumber,
      recipient,
      messageId: newMessageId(mailFrom),
      template: 'quota',
      subject,
      body,
      payload: { type: 'quota_threshold', contractId: change.contractId, periodStart: change.periodStart, threshold, usedMinutes: change.after, quotaMinutes: change.totalMinutes },
    }));
    await tx.insert(outboxMessages).values(rows).onConflictDoNothing({ target: outboxMessages.idempotencyKey });
    keys.push(...rows.map((r) => r.idempotencyKey));
  }
  return keys;
}


export function quotaNoticeWording(notice: {
  contractNumber: string;
  customerNumber: string;
  customerName: string;
  periodStart: string;
  periodEnd: string | null;
  totalMinutes: number;
  after: number;
  threshold: number;
  incidentNumber: string;
}): { subject: string; body: string } {
  const period = notice.periodEnd ? `${spokenDate(notice.periodStart)} to ${spokenDate(notice.periodEnd)}` : `from ${spokenDate(notice.periodStart)}`;
  const used = `${notice.after} of ${notice.totalMinutes} minutes (${spokenMinutes(notice.after)} of ${spokenMinutes(notice.totalMinutes)})`;
  const next =
    notice.threshold >= 100
      ? 'The quota is used up: further work in this period is billable at the contract rates. Consider talking to the customer about a larger quota.'
      : `${100 - notice.threshold} % left: ${Math.max(0, notice.totalMinutes - notice.after)} minutes remain in this period; after that, work is billable at the contract rates.`;
  return {
    subject: `Quota ${notice.threshold} % reached: contract ${notice.contractNumber}, ${notice.customerName} (${notice.customerNumber})`,
    body: [
      `Contract ${notice.contractNumber} of ${notice.customerName} (${notice.customerNumber}) has reached ${notice.threshold} % of its quota.`,
      `Period: ${period}`,
      `Used: ${used}`,
      `Last entry on incident ${notice.incidentNumber}.`,
      '',
      next,
    ].join('\n'),
  };
}
