// /api/users: the staff directory (agents read, admins write), API tokens and password links; /api/me: the caller.
import { hasRole } from '../../domain/enums.js';
import { NotFound } from '../../domain/errors.js';
import { issueToken, listTokens, revokeToken } from '../../services/directory/tokens.js';
import { createUser, getUser, listUsers, updateUser } from '../../services/directory/users.js';
import { passwordLinkDeps, sendSetPasswordLink } from '../../services/staff/password-links.js';
import { createRouter, type Principal } from '../context.js';
import { changeUserRoute, createTokenRoute, createUserRoute, getUserRoute, listTokensRoute, listUsersRoute, meRoute, revokeTokenRoute, sendPasswordLinkRoute } from './routes.js';
import { colleagueView, tokenView, userView } from './views.js';

export const usersRouter = createRouter();
export const meRouter = createRouter();

/** Tokens are the admin's to see for anyone, and each user's for themselves; another user's are "not found". */
function ownTokensOnly(principal: Principal, userId: string): void {
  if (principal.userId !== userId && !hasRole(principal.role, 'admin')) throw new NotFound(`No user with id ${userId} among yours: you may list and revoke only your own tokens.`);
}

meRouter.openapi(meRoute, async (c) => {
  const { principal, services } = c.var;
  const user = await getUser(services.db, principal.userId);
  return c.json({ id: user.id, name: user.name, email: user.email, role: user.role, group: user.group, tokenId: principal.tokenId }, 200);
});

usersRouter.openapi(listUsersRoute, async (c) => {
  const page = await listUsers(c.var.services.db, c.req.valid('query'));
  return c.json({ ...page, items: page.items.map(colleagueView) }, 200);
});

usersRouter.openapi(getUserRoute, async (c) => {
  const user = await getUser(c.var.services.db, c.req.valid('param').id);
  return c.json(hasRole(c.var.principal.role, 'admin') ? userView(user) : colleagueView(user), 200);
});

usersRouter.openapi(createUserRoute, async (c) => c.json(userView(await createUser(c.var.services.db, c.req.valid('json'))), 201));

usersRouter.openapi(changeUserRoute, async (c) => c.json(userView(await updateUser(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200));

usersRouter.openapi(createTokenRoute, async (c) => {
  const { db } = c.var.services;
  const { id } = c.req.valid('param');
  const body = c.req.valid('json');
  const issued = await issueToken(db, id, { name: body.name, expiresAt: body.expiresAt ? new Date(body.expiresAt) : null }, `user:${c.var.principal.userId}`);
  return c.json({ ...tokenView(issued), token: issued.token }, 201);
});

usersRouter.openapi(listTokensRoute, async (c) => {
  const { id } = c.req.valid('param');
  ownTokensOnly(c.var.principal, id);
  await getUser(c.var.services.db, id);
  const tokens = await listTokens(c.var.services.db, id, { includeRevoked: c.req.valid('query').includeRevoked ?? false });
  return c.json({ items: tokens.map(tokenView) }, 200);
});

usersRouter.openapi(revokeTokenRoute, async (c) => {
  const { id, tokenId } = c.req.valid('param');
  ownTokensOnly(c.var.principal, id);
  await revokeToken(c.var.services.db, id, tokenId);
  return c.body(null, 204);
});

usersRouter.openapi(sendPasswordLinkRoute, async (c) => {
  const { services, principal, logger } = c.var;
  const sent = await sendSetPasswordLink(passwordLinkDeps(services, logger), { userId: c.req.valid('param').id, language: c.req.valid('json').language ?? 'de', sentBy: principal.userId });
  if (services.portal?.logLinks && !services.mail?.mailer) logger.info({ link: sent.link, user: sent.email }, 'staff password link (no SMTP_URL configured, so it is logged for development)');
  return c.json({ userId: sent.userId, sentTo: sent.email, expiresAt: sent.expiresAt.toISOString() }, 202);
});
