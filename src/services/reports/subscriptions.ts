// Who gets the weekly report mail: managers (and admins) subscribe themselves in their language;
// unsubscribing keeps the row, inactive, so a re-subscription keeps its first date.
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { reportSubscriptions, users } from '../../db/schema/index.js';
import type { Language } from '../../domain/enums.js';
import { NotFound } from '../../domain/errors.js';

export interface ReportSubscription {
  userId: string;
  name: string;
  email: string;
  language: Language;
  active: boolean;
  createdAt: string;
}

const columns = {
  userId: reportSubscriptions.userId,
  name: users.name,
  email: users.email,
  language: reportSubscriptions.language,
  active: reportSubscriptions.active,
  createdAt: reportSubscriptions.createdAt,
};

const view = (row: Omit<ReportSubscription, 'createdAt'> & { createdAt: Date }): ReportSubscription => ({ ...row, createdAt: row.createdAt.toISOString() });

/** One user's subscription, or all of them (the admin's view), by name. */
export async function listReportSubscriptions(db: Db, filter: { userId?: string } = {}): Promise<ReportSubscription[]> {
  const rows = await db
    .select(columns)
    .from(reportSubscriptions)
    .innerJoin(users, eq(users.id, reportSubscriptions.userId))
    .where(filter.userId ? eq(reportSubscriptions.userId, filter.userId) : undefined)
    .orderBy(asc(users.name), asc(users.id));
  return rows.map(view);
}

/** Subscribes the user (again) in the language; a repeat just updates the language. */
export async function subscribeToWeeklyReport(db: Db, userId: string, language: Language): Promise<ReportSubscription> {
  await db
    .insert(reportSubscriptions)
    .values({ userId, language })
    .onConflictDoUpdate({ target: reportSubscriptions.userId, set: { language, active: true, updatedAt: new Date() } });
  const [subscription] = await listReportSubscriptions(db, { userId });
  return subscription!;
}

/** Ends the user's subscription; NotFound when there is none active. */
export async function unsubscribeFromWeeklyReport(db: Db, userId: string): Promise<void> {
  const ended = await db
    .update(reportSubscriptions)
    .set({ active: false, updatedAt: new Date() })
    .where(and(eq(reportSubscriptions.userId, userId), eq(reportSubscriptions.active, true)))
    .returning({ userId: reportSubscriptions.userId });
  if (ended.length === 0) throw new NotFound('You have no subscription to the weekly report.');
}

/** The week's recipients: active subscriptions of users who are not deactivated and still managers or admins. */
export async function activeReportSubscribers(db: Db): Promise<{ userId: string; name: string; email: string; language: Language }[]> {
  return db
    .select({ userId: columns.userId, name: columns.name, email: columns.email, language: columns.language })
    .from(reportSubscriptions)
    .innerJoin(users, eq(users.id, reportSubscriptions.userId))
    .where(and(eq(reportSubscriptions.active, true), isNull(users.deactivatedAt), inArray(users.role, ['manager', 'admin'])))
    .orderBy(asc(users.id));
}
