import { randomBytes } from 'node:crypto';
import { generateToken, hashToken } from '../../src/services/directory/tokens.js';
import type { Db } from '../../src/db/client.js';
import { apiTokens, staffGroups, users } from '../../src/db/schema/index.js';
import type { UserRole } from '../../src/domain/enums.js';

export interface TestUser {
  id: string;
  name: string;
  role: UserRole;
  token: string;
}

export async function createUserWithToken(db: Db, role: UserRole, name = `Test ${role}`): Promise<TestUser> {
  const [user] = await db
    .insert(users)
    .values({ name, email: `${role}-${randomBytes(4).toString('hex')}@test.example`, role })
    .returning();
  const token = generateToken();
  await db.insert(apiTokens).values({ userId: user!.id, name: 'test', tokenHash: hashToken(token) });
  return { id: user!.id, name, role, token };
}

/** Makes the support groups a test assigns work to known (an unknown group is refused with 400). */
export async function ensureGroups(db: Db, names: string[]): Promise<void> {
  await db.insert(staffGroups).values(names.map((name) => ({ name }))).onConflictDoNothing();
}
