// The rate limit of staff sign-in and password-reset requests: per address and per client, counted
// in Postgres so that every API process shares the count (as the portal's, in a table of its own).
import { and, count, eq, gt, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { staffAttempts } from '../../db/schema/index.js';
import { TooManyAttempts, type SignInLimits } from '../portal/sign-in.js';

export { TooManyAttempts, type SignInLimits };

export const defaultStaffSignInLimits: SignInLimits = { perAddress: 5, perClient: 30, windowMinutes: 15 };

const addressKey = (email: string) => `address:${email.trim().toLowerCase()}`;
const clientKey = (client: string) => `client:${client}`;

/**
 * Counts the attempt against the address and the client, and refuses (TooManyAttempts) when either
 * is over its limit. The address need not exist: probing unknown addresses is limited just the same.
 * A refused attempt is not written, so refusals do not extend the wait.
 */
export async function countStaffAttempt(db: Db, email: string, client: string, limits: SignInLimits = defaultStaffSignInLimits): Promise<void> {
  const since = new Date(Date.now() - limits.windowMinutes * 60_000);
  const keys = [addressKey(email), clientKey(client)] as const;
  await db.delete(staffAttempts).where(lt(staffAttempts.at, new Date(Date.now() - 24 * 3_600_000)));
  // Counted and written under a lock per key: attempts at the same moment queue, so exactly the limit gets through.
  await db.transaction(async (tx) => {
    for (const key of [...keys].sort()) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`staff-attempt:${key}`}))`);
    const counts = await Promise.all(keys.map((key) => tx.select({ n: count() }).from(staffAttempts).where(and(eq(staffAttempts.key, key), gt(staffAttempts.at, since)))));
    const [perAddress, perClient] = counts.map((rows) => rows[0]?.n ?? 0) as [number, number];
    if (perAddress >= limits.perAddress || perClient >= limits.perClient) throw new TooManyAttempts(limits.windowMinutes);
    await tx.insert(staffAttempts).values(keys.map((key) => ({ key })));
  });
}
