// Seeds the demo master data into an empty database and issues one API token per demo user.
import { count } from 'drizzle-orm';
import { generateToken, hashToken } from '../services/api-tokens.js';
import type { UserRole } from '../domain/enums.js';
import type { Db } from '../db/client.js';
import { apiTokens, assets, businessCalendars, contacts, contracts, customers, slaPolicies, users } from '../db/schema/index.js';
import { defaultEscalation, demoAssets, demoCalendar, demoContacts, demoContracts, demoCustomers, demoPolicies, demoUsers } from './demo-data.js';

export interface DemoToken {
  name: string;
  email: string;
  role: UserRole;
  token: string;
}

export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(customers);
  return (row?.n ?? 0) === 0;
}

/** Inserts the demo data in one transaction; returns the plain tokens (shown once, stored hashed). */
export async function seedDemoData(db: Db): Promise<DemoToken[]> {
  return db.transaction(async (tx) => {
    const [calendar] = await tx.insert(businessCalendars).values({ ...demoCalendar, week: structuredClone(demoCalendar.week) as never }).returning();
    await tx.insert(slaPolicies).values(demoPolicies.map((p) => ({ ...p, calendarId: calendar!.id, escalation: defaultEscalation })));
    const customerRows = await tx.insert(customers).values(demoCustomers).returning();
    const customerId = (n: string) => customerRows.find((c) => c.customerNumber === n)!.id;
    await tx.insert(contacts).values(demoContacts.map(({ customerNumber, ...c }) => ({ ...c, customerId: customerId(customerNumber) })));
    const contractRows = await tx
      .insert(contracts)
      .values(
        // No own policy: each contract gets its tier's default policy.
        demoContracts.map(({ customerNumber, ...c }) => ({ ...c, customerId: customerId(customerNumber) })),
      )
      .returning();
    await tx.insert(assets).values(
      demoAssets.map(({ customerNumber, contractNumber, ...a }) => ({
        ...a,
        customerId: customerId(customerNumber),
        contractId: contractNumber ? contractRows.find((c) => c.contractNumber === contractNumber)!.id : null,
      })),
    );
    const userRows = await tx.insert(users).values(demoUsers).returning();
    const tokens = userRows.map((u) => ({ name: u.name, email: u.email, role: u.role, token: generateToken(), userId: u.id }));
    await tx.insert(apiTokens).values(tokens.map((t) => ({ userId: t.userId, name: 'demo', tokenHash: hashToken(t.token), role: t.role })));
    return tokens.map(({ userId: _userId, ...t }) => t);
  });
}
