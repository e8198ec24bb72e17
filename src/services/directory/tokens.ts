// API tokens: random 256-bit secrets shown once; only their SHA-256 is stored. A fast hash is
// right here (unlike passwords): the secret has full entropy, so there is nothing to guess.
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client.js';
import { apiTokens, users } from '../../db/schema/index.js';
import type { UserRole } from '../../domain/enums.js';
import { IllegalTransition, NotFound, ValidationError } from '../../domain/errors.js';

type Conn = Db | Tx;
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

/** Why a presented token opens nothing; the API says which, so an operator knows what to fix. */
export type TokenRefusal = 'unknown' | 'revoked' | 'expired' | 'deactivated';

/**
 * The user behind a valid token, with the role the user has now: a token carries no role of its
 * own, so demoting (or promoting) a user takes effect on their next request. A revoked or expired
 * token, or one of a deactivated user, is refused with the reason.
 */
export async function findTokenPrincipal(db: Db, token: string): Promise<TokenPrincipal | { refused: TokenRefusal }> {
  const [row] = await db
    .select({ tokenId: apiTokens.id, role: users.role, userId: users.id, name: users.name, revokedAt: apiTokens.revokedAt, expired: sql<boolean>`${apiTokens.expiresAt} <= now()`, deactivatedAt: users.deactivatedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hashToken(token)))
    .limit(1);
  if (!row) return { refused: 'unknown' };
  if (row.revokedAt) return { refused: 'revoked' };
  if (row.expired) return { refused: 'expired' };
  if (row.deactivatedAt) return { refused: 'deactivated' };
  return { tokenId: row.tokenId, userId: row.userId, name: row.name, role: row.role };
}

/** Records that a token was used, at most once a minute per token, so admins see stale tokens. */
export async function touchToken(db: Db, tokenId: string): Promise<void> {
  await db
    .update(apiTokens)
    .set({ lastUsedAt: sql`now()` })
    .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`))));
}

/** A token as its owner and admins see it: never the secret, nor its hash. */
export interface TokenRecord {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const recordColumns = {
  id: apiTokens.id,
  userId: apiTokens.userId,
  name: apiTokens.name,
  createdAt: apiTokens.createdAt,
  createdBy: apiTokens.createdBy,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
};

/** Issues a token for an active user; the secret is in the answer and nowhere else, ever. */
export async function issueToken(conn: Conn, userId: string, input: { name: string; expiresAt?: Date | null | undefined }, createdBy: string): Promise<TokenRecord & { token: string }> {
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw new ValidationError('expiresAt: must lie in the future.', 'expiresAt');
  const [user] = await conn.select({ email: users.email, deactivatedAt: users.deactivatedAt }).from(users).where(eq(users.id, userId));
  if (!user) throw new NotFound(`No user with id ${userId}.`);
  if (user.deactivatedAt) throw new IllegalTransition(`${user.email} is deactivated; reactivate the user (PATCH /api/users/${userId} {"active": true}) before issuing a token.`);
  const token = generateToken();
  const [row] = await conn
    .insert(apiTokens)
    .values({ userId, name: input.name, tokenHash: hashToken(token), createdBy, expiresAt: input.expiresAt ?? null })
    .returning(recordColumns);
  return { ...row!, token };
}

/** A user's tokens, newest first; revoked ones only when asked for. */
export async function listTokens(conn: Conn, userId: string, options: { includeRevoked?: boolean } = {}): Promise<TokenRecord[]> {
  const where = options.includeRevoked ? eq(apiTokens.userId, userId) : and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt));
  return conn.select(recordColumns).from(apiTokens).where(where).orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Revokes one of the user's tokens; revoking it again changes nothing. A token of another user is not found. */
export async function revokeToken(conn: Conn, userId: string, tokenId: string): Promise<TokenRecord> {
  const [row] = await conn
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, now())` })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)))
    .returning(recordColumns);
  if (!row) throw new NotFound(`User ${userId} has no token ${tokenId}.`);
  return row;
}
