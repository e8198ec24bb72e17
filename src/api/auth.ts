// Bearer-token authentication. Tokens are random 256-bit secrets, so a SHA-256 of the token
// is a safe lookup key; the plain token is shown once at creation and never stored.
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import type { Db } from '../db/client.js';
import { apiTokens, users } from '../db/schema/index.js';
import { userRoles, type UserRole } from '../domain/enums.js';
import { Forbidden, Unauthorized } from '../domain/errors.js';
import type { AppEnv, Principal } from './context.js';

export const tokenPrefix = 'hd_';

export function generateToken(): string {
  return tokenPrefix + randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Paths that answer without a token. */
export function isPublicPath(path: string): boolean {
  return path === '/healthz' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

export async function authenticate(db: Db, token: string): Promise<Principal | undefined> {
  const [row] = await db
    .select({ tokenId: apiTokens.id, role: apiTokens.role, userId: users.id, name: users.name })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt)))
    .limit(1);
  return row;
}

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (isPublicPath(c.req.path)) return next();
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new Unauthorized('Missing bearer token: send "Authorization: Bearer <token>".');
  const principal = await authenticate(c.var.services.db, match[1]!);
  if (!principal) throw new Unauthorized('Invalid or revoked token.');
  c.set('principal', principal);
  await next();
});

const rank = (role: UserRole) => userRoles.indexOf(role);

/** Admits the role and every role above it (agent < manager < admin). */
export function requireRole(minimum: UserRole) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (rank(c.var.principal.role) < rank(minimum)) {
      throw new Forbidden(`This action needs the ${minimum} role; your token has ${c.var.principal.role}.`);
    }
    await next();
  });
}
