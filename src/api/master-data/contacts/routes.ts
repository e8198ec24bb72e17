// OpenAPI route specs for /api/contacts (agents read, admins write); handlers live in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../../auth.js';
import { json, problemResponses } from '../../common-schemas.js';
import { Contact, ContactChanges, ContactCreate, ContactIdParam, ContactListQuery, ContactPage } from '../schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

export const listContactsRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List contacts',
  description: 'Filter by `customerNumber`; `q` searches name and e-mail.',
  request: { query: ContactListQuery },
  responses: { 200: { description: 'A page of contacts.', content: json(ContactPage) }, ...problemResponses(400, 401, 403) },
});

export const getContactRoute = createRoute({ method: 'get', path: '/{id}', middleware: [requireRole('agent')], tags, security, summary: 'Get a contact', request: { params: ContactIdParam }, responses: { 200: { description: 'The contact.', content: json(Contact) }, ...problemResponses(400, 401, 403, 404) } });

export const createContactRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create a contact (admin)',
  description: 'The e-mail address is unique regardless of case (409 otherwise); the customer must exist (400).',
  request: { body: { required: true, content: json(ContactCreate) } },
  responses: { 201: { description: 'Created.', content: json(Contact) }, ...problemResponses(400, 401, 403, 409) },
});

export const replaceContactRoute = createRoute({
  method: 'put',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Replace a contact (admin)',
  request: { params: ContactIdParam, body: { required: true, content: json(ContactCreate) } },
  responses: { 200: { description: 'Replaced.', content: json(Contact) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const changeContactRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Change some fields of a contact (admin)',
  request: { params: ContactIdParam, body: { required: true, content: json(ContactChanges) } },
  responses: { 200: { description: 'Changed.', content: json(Contact) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteContactRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete a contact (admin)',
  description: 'Refused with 409 while an incident names the contact.',
  request: { params: ContactIdParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
