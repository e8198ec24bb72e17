// OpenAPI route specs for /api/groups (agents read, admins write); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../../auth.js';
import { json, problemResponses } from '../../common-schemas.js';
import { Group, GroupChanges, GroupCreate, GroupNameParam } from '../schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

export const listGroupsRoute = createRoute({ method: 'get', path: '/', middleware: [requireRole('agent')], tags, security, summary: 'List support groups', description: 'By name, with the number of members. Incidents, callbacks, follow-ups and users may name only these groups.', responses: { 200: { description: 'All groups.', content: json(z.object({ items: z.array(Group) })) }, ...problemResponses(401, 403) } });

export const getGroupRoute = createRoute({ method: 'get', path: '/{name}', middleware: [requireRole('agent')], tags, security, summary: 'Get a support group', request: { params: GroupNameParam }, responses: { 200: { description: 'The group.', content: json(Group) }, ...problemResponses(400, 401, 403, 404) } });

export const createGroupRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create a support group (admin)',
  description: 'The name is its key (letters, digits, ".", "_", "-"); 409 if it exists.',
  request: { body: { required: true, content: json(GroupCreate) } },
  responses: { 201: { description: 'Created.', content: json(Group) }, ...problemResponses(400, 401, 403, 409) },
});

export const changeGroupRoute = createRoute({
  method: 'patch',
  path: '/{name}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Change a support group (admin)',
  request: { params: GroupNameParam, body: { required: true, content: json(GroupChanges) } },
  responses: { 200: { description: 'Changed.', content: json(Group) }, ...problemResponses(400, 401, 403, 404) },
});

export const deleteGroupRoute = createRoute({
  method: 'delete',
  path: '/{name}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete a support group (admin)',
  description: 'Refused with 409 while it has members or open incidents.',
  request: { params: GroupNameParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
