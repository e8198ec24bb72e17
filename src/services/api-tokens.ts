// API tokens: random 256-bit secrets shown once; only their SHA-256 is stored. A fast hash is
// right here (unlike passwords): the secret has full entropy, so there is nothing to guess.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens, users } from '../db/schema/index.js';
import type { UserRole } from '../domain/enums.js';

export const tokenPrefix = 'hd_';

export function generateToken(): string {
  return tokenPrefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface TokenPrincipal {
  tokenId: string;
  userId: string;
  name: string;
  role: UserRole;
}

/**
 * The user behind a valid, unrevoked token, with the role the user has now: a token carries no
 * role of its own, so demoting (or promoting) a user takes effect on their next request.
 */
export async function findTokenPrincipal(db: Db, token: string): Promise<TokenPrincipal | undefined> {
  const [row] = await db
    .select({ tokenId: apiTokens.id, role: users.role, userId: users.id, name: users.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row;
}

/** Records that a token was used, at most once a minute per token, so admins see stale tokens. */
export async function touchToken(db: Db, tokenId: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`))));
}
