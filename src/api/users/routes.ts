// OpenAPI route specs for /api/users (agents read, admins write) and /api/me; handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { Colleague, IssuedToken, Me, PasswordLinkRequest, PasswordLinkSent, Token, TokenCreate, TokenListQuery, TokenParams, User, UserChanges, UserCreate, UserIdParam, UserListQuery, UserPage } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Users'];
/** Every role: the caller's own record and own tokens. */
const anyRole = requireRole('mailgate');

export const meRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [anyRole],
  tags,
  security,
  summary: 'Who am I',
  description: 'The user behind the token, with the id to use for `assignee=me`-style filters and for listing or revoking your own tokens.',
  responses: { 200: { description: 'The caller.', content: json(Me) }, ...problemResponses(401, 403) },
});

export const listUsersRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List users',
  description: 'Ordered by name. Filter by `role` (one or several), `group`, `active`, or `q` (part of name or e-mail). Cost rates are for admins only (GET /api/users/{id}).',
  request: { query: UserListQuery },
  responses: { 200: { description: 'A page of users.', content: json(UserPage) }, ...problemResponses(400, 401, 403) },
});

export const getUserRoute = createRoute({
  method: 'get',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Get a user',
  description: 'Admins see the cost rate; others see what the list shows.',
  request: { params: UserIdParam },
  responses: { 200: { description: 'The user.', content: json(z.union([User, Colleague])) }, ...problemResponses(400, 401, 403, 404) },
});

export const createUserRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create a user (admin)',
  description: 'The e-mail is unique regardless of case (409). The group must be a known one (400 listing them). Give the user a token with POST /api/users/{id}/tokens.',
  request: { body: { required: true, content: json(UserCreate) } },
  responses: { 201: { description: 'Created.', content: json(User) }, ...problemResponses(400, 401, 403, 409) },
});

export const changeUserRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Change a user (admin)',
  description: 'Name, e-mail, role, group (null: none), cost rate (null: the default), `active`. A role change holds for the user\'s existing tokens from their next request. The last active admin cannot be demoted or deactivated (409).',
  request: { params: UserIdParam, body: { required: true, content: json(UserChanges) } },
  responses: { 200: { description: 'Changed.', content: json(User) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const createTokenRoute = createRoute({
  method: 'post',
  path: '/{id}/tokens',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Issue an API token for a user (admin)',
  description: 'The secret is in this answer only; Helpdesk stores its SHA-256. A deactivated user gets no token (409).',
  request: { params: UserIdParam, body: { required: true, content: json(TokenCreate) } },
  responses: { 201: { description: 'Issued; keep the `token` now.', content: json(IssuedToken) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const listTokensRoute = createRoute({
  method: 'get',
  path: '/{id}/tokens',
  middleware: [anyRole],
  tags,
  security,
  summary: "List a user's tokens (admin, or the user)",
  description: 'Name, created, last used, expiry; never the secret. Newest first. Anyone but an admin sees only their own (another user\'s answer 404).',
  request: { params: UserIdParam, query: TokenListQuery },
  responses: { 200: { description: 'The tokens.', content: json(z.object({ items: z.array(Token) })) }, ...problemResponses(400, 401, 403, 404) },
});

export const revokeTokenRoute = createRoute({
  method: 'delete',
  path: '/{id}/tokens/{tokenId}',
  middleware: [anyRole],
  tags,
  security,
  summary: 'Revoke a token (admin, or the user)',
  description: 'The token opens nothing from now on; revoking it again changes nothing. Anyone but an admin may revoke only their own (another user\'s answer 404).',
  request: { params: TokenParams },
  responses: { 204: { description: 'Revoked.' }, ...problemResponses(400, 401, 403, 404) },
});

export const sendPasswordLinkRoute = createRoute({
  method: 'post',
  path: '/{id}/password-link',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Mail a user a link to set their web-page password (admin)',
  description:
    'For an agent, manager or admin: a single-use link to /staff/set-password, valid STAFF_PASSWORD_LINK_HOURS (default 72), is mailed to the user (only its hash is stored; the answer does not contain it). The current password, if any, stays valid until the user sets a new one; setting it signs out all of their sessions. A deactivated user or one with another role (sales, mailgate: they use tokens only) gets none (409). The body is optional.',
  request: { params: UserIdParam, body: { required: false, content: json(PasswordLinkRequest) } },
  responses: { 202: { description: 'Mailed (or queued in the outbox without SMTP).', content: json(PasswordLinkSent) }, ...problemResponses(400, 401, 403, 404, 409) },
});
