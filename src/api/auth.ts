// Bearer-token authentication and role checks for the API.
import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { hasRole, userRoles, type UserRole } from '../domain/enums.js';
import { Forbidden, Unauthorized } from '../domain/errors.js';
import { findTokenPrincipal, touchToken, type TokenRefusal } from '../services/directory/tokens.js';
import type { Actor } from '../domain/kernel.js';
import type { EntryActor } from '../services/time-entries/index.js';
import type { AppEnv, Principal } from './context.js';

/** Paths that answer without an API token (/metrics takes METRICS_TOKEN instead, when it is set). */
export function isPublicPath(path: string): boolean {
  return path === '/healthz' || path === '/metrics' || path === '/openapi.json' || path === '/docs' || path.startsWith('/docs/');
}

/** The areas of web pages: the customer portal, the staff's pages (src/web/staff) and the reports (src/web/reports). */
const webAreas = ['/portal', '/staff', '/reports'];

/**
 * The web pages (the portal, the staff pages and their assets). They never take a bearer token: a
 * page that needs a person takes a session cookie instead, and /api never takes a session (it
 * needs a token). A new area of staff pages (under its own prefix) is added to webAreas.
 */
export function isWebPath(path: string): boolean {
  return webAreas.some((area) => path === area || path.startsWith(`${area}/`)) || path.startsWith('/assets/');
}

const tokenRefusals: Record<TokenRefusal, string> = {
  unknown: 'Invalid or revoked token.',
  revoked: 'This token was revoked.',
  expired: 'This token has expired; ask an admin for a new one.',
  deactivated: "This token's user is deactivated.",
};

export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  if (isPublicPath(c.req.path) || isWebPath(c.req.path)) return next();
  const header = c.req.header('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new Unauthorized('Missing bearer token: send "Authorization: Bearer <token>".');
  const { db, logger } = c.var.services;
  const principal = await findTokenPrincipal(db, match[1]!);
  if ('refused' in principal) throw new Unauthorized(tokenRefusals[principal.refused]);
  c.set('principal', principal);
  touchToken(db, principal.tokenId).catch((err: unknown) => logger.warn({ err }, 'could not record token use'));
  await next();
});

/** The roles each role guard admits, so the OpenAPI document can say who may call a route (`x-roles`). */
const admittedRoles = new WeakMap<MiddlewareHandler, readonly UserRole[]>();

/** The roles a middleware admits if it is a role guard (requireRole, requireAnyRole), else undefined. */
export function rolesAdmittedBy(handler: unknown): readonly UserRole[] | undefined {
  return typeof handler === 'function' ? admittedRoles.get(handler as MiddlewareHandler) : undefined;
}

function guard(roles: readonly UserRole[], handler: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  admittedRoles.set(handler as MiddlewareHandler, roles);
  return handler;
}

/**
 * Admits the role and every role above it (agent < manager < admin); mailgate ranks below all.
 * `also` admits integration roles besides. A route declares its guard in its spec
 * (`middleware: [requireRole('agent', { also: ['mailgate'] })]`), so no path list decides.
 */
export function requireRole(minimum: UserRole, options: { also?: readonly UserRole[] } = {}) {
  const roles = userRoles.filter((role) => hasRole(role, minimum) || options.also?.includes(role));
  return guard(
    roles,
    createMiddleware<AppEnv>(async (c, next) => {
      const { role } = c.var.principal;
      if (!hasRole(role, minimum) && !options.also?.includes(role)) {
        throw new Forbidden(`This action needs the ${minimum} role; your token has ${c.var.principal.role}.`);
      }
      await next();
    }),
  );
}

/** Admits exactly these roles (for integration roles such as mailgate, which sit outside the ladder). */
export function requireAnyRole(...roles: UserRole[]) {
  return guard(
    userRoles.filter((role) => roles.includes(role)),
    createMiddleware<AppEnv>(async (c, next) => {
      if (!roles.includes(c.var.principal.role)) {
        throw new Forbidden(`This action needs one of the roles ${roles.join(', ')}; your token has ${c.var.principal.role}.`);
      }
      await next();
    }),
  );
}

/** The timeline's actor for a request's principal: "user:<id>" and the user's name. */
export const actorOf = (principal: Principal): Actor => ({ id: `user:${principal.userId}`, name: principal.name });

/** The audit trail's actor of a time or material entry change: the user with the role their rights come from. */
export const entryActorOf = (principal: Principal): EntryActor => ({ userId: principal.userId, name: principal.name, role: principal.role });
