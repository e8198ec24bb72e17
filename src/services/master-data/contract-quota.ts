// The quota terms of a contract once time entries have drawn from them. Usage is summed per entry by
// time_entries.quota_period_start, fixed when the entry was written, so terms that re-label the periods
// would leave drawn minutes uncounted and let the quota be drawn a second time.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import { timeEntries } from '../../db/schema/index.js';
import type { QuotaPeriod } from '../../domain/enums.js';
import { IllegalTransition } from '../../domain/errors.js';
import { quotaRelabelling } from './rules.js';
import type { Conn } from './shared.js';

/** Minutes the contract's live (not deleted) time entries drew from its quota, over all periods. */
export async function drawnQuotaMinutes(conn: Conn, contractId: string): Promise<number> {
  const [row] = await conn
    .select({ minutes: sql<number>`coalesce(sum(${timeEntries.quotaMinutes}), 0)::int` })
    .from(timeEntries)
    .where(and(eq(timeEntries.contractId, contractId), isNull(timeEntries.deletedAt), gt(timeEntries.quotaMinutes, 0)));
  return row?.minutes ?? 0;
}

/** Refuses new quota terms that would re-label periods minutes were already drawn from; the caller holds the quota lock. */
export async function checkQuotaTermsChange(
  conn: Conn,
  current: { id: string; contractNumber: string; quotaPeriod: QuotaPeriod | null; validFrom: string },
  next: { quotaPeriod: QuotaPeriod | null; validFrom: string },
): Promise<void> {
  const change = quotaRelabelling(current, next);
  if (!change) return;
  const drawn = await drawnQuotaMinutes(conn, current.id);
  if (drawn === 0) return;
  throw new IllegalTransition(
    `Contract ${current.contractNumber} has ${drawn} minutes drawn from its quota by time entries; ${change} would re-label the periods they were drawn from and let the quota be drawn again. Change quotaMinutes instead, or end this contract and start a new one with the new terms.`,
  );
}
