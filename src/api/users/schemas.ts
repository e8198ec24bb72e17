// Schemas of the staff directory: users, their tokens, and the caller (/api/me).
import { z } from '@hono/zod-openapi';
import { languages, userRoles } from '../../domain/enums.js';
import { changes, line, oneOrSeveral, paging, queryText } from '../common-schemas.js';
import { GroupName } from '../master-data/schemas.js';

export const UserIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '0b7d8a44-5f7e-4a61-9d0c-3c1e1f7a2b10' }) });
export const TokenParams = UserIdParam.extend({ tokenId: z.uuid().openapi({ param: { name: 'tokenId', in: 'path' } }) });

const costRateCents = z.number().int().min(0).max(10_000_000).nullable().openapi({ description: 'Internal cost per hour in cents (profitability); null: the house default for the role.', example: 6500 });
const userFields = {
  name: line(200).openapi({ example: 'Bernd Berater' }),
  email: z.email().max(254).openapi({ example: 'bernd.berater@helpdesk.example', description: 'Unique regardless of case; a technician, approver or assignee can be named by it.' }),
  role: z.enum(userRoles).openapi({ description: 'mailgate < sales < agent < manager < admin: each role may do what the ones before it may; mailgate hands in mail only.' }),
  group: GroupName.nullable().openapi({ description: 'A known support group (GET /api/groups); null for none.', example: '1st-level' }),
  costRateCents,
};

export const UserCreate = z.strictObject({ ...userFields, group: userFields.group.optional(), costRateCents: costRateCents.optional() }).openapi('UserCreate');

export const UserChanges = changes({
  ...userFields,
  active: z.boolean().openapi({ description: 'false deactivates the user: their tokens stop working and nobody can name them for new work; true reactivates. The last active admin cannot be deactivated or demoted (409).' }),
}).openapi('UserChanges');

export const User = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string(),
    role: z.enum(userRoles),
    group: z.string().nullable(),
    costRateCents: z.number().int().nullable(),
    active: z.boolean(),
    deactivatedAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('User');

/** What agents see of a colleague: no cost rate. */
export const Colleague = User.omit({ costRateCents: true }).openapi('Colleague');

export const UserListQuery = z.strictObject({
  role: oneOrSeveral(userRoles, 'agent,manager').optional(),
  group: queryText(64).pipe(z.string().min(1)).optional().openapi({ description: 'Members of this group.', example: '1st-level' }),
  active: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ type: 'boolean', description: 'Only active (true) or deactivated (false) users; both by default.' }),
  q: queryText(100).optional().openapi({ description: 'Part of the name or e-mail.' }),
  ...paging(50, 500),
});

export const UserPage = z.object({ items: z.array(Colleague), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('UserPage');

export const Me = z
  .object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.enum(userRoles), group: z.string().nullable(), tokenId: z.uuid().openapi({ description: 'The token this request came with.' }) })
  .openapi('Me');

export const TokenCreate = z
  .strictObject({
    name: line(100).openapi({ example: 'mail gateway', description: 'What the token is for, so it can be told apart when revoking.' }),
    expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'After this instant the token opens nothing; default: until revoked.', example: '2027-12-31T23:00:00Z' }),
  })
  .openapi('TokenCreate');

export const Token = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    createdBy: z.string().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: 'Recorded at most once a minute.' }),
    revokedAt: z.iso.datetime().nullable(),
  })
  .openapi('Token');

export const IssuedToken = Token.extend({ token: z.string().openapi({ description: 'The secret, shown this once: only its hash is stored.', example: 'hd_3q2…' }) }).openapi('IssuedToken');

export const TokenListQuery = z.strictObject({
  includeRevoked: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ type: 'boolean', description: 'Also list revoked tokens.' }),
});

export const PasswordLinkRequest = z
  .strictObject({
    language: z.enum(languages).optional().openapi({ description: 'The language of the mail; default de.', example: 'de' }),
  })
  .openapi('PasswordLinkRequest');

export const PasswordLinkSent = z
  .object({
    userId: z.uuid(),
    sentTo: z.string().openapi({ description: "The user's e-mail address; the link itself is in the mail only.", example: 'anna.agent@helpdesk.example' }),
    expiresAt: z.iso.datetime().openapi({ description: 'The link sets a password once, until this instant (STAFF_PASSWORD_LINK_HOURS after sending).' }),
  })
  .openapi('PasswordLinkSent');
