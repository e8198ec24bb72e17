// /api/contacts: the people of a customer who call or write in (agents read, admins write).
import { createRoute } from '@hono/zod-openapi';
import { createContact, deleteContact, getContact, listContacts, updateContact } from '../../services/master-data/contacts.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { Contact, ContactChanges, ContactCreate, ContactIdParam, ContactListQuery, ContactPage, withInstants } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

export const contactsRouter = createRouter();
contactsRouter.use('*', requireRole('agent'));
for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) contactsRouter.on(method, '*', requireRole('admin'));

contactsRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    security,
    summary: 'List contacts',
    description: 'Filter by `customerNumber`; `q` searches name and e-mail.',
    request: { query: ContactListQuery },
    responses: { 200: { description: 'A page of contacts.', content: json(ContactPage) }, ...problemResponses(400, 401, 403) },
  }),
  async (c) => {
    const page = await listContacts(c.var.services.db, c.req.valid('query'));
    return c.json({ ...page, items: page.items.map(withInstants) }, 200);
  },
);

contactsRouter.openapi(
  createRoute({ method: 'get', path: '/{id}', tags, security, summary: 'Get a contact', request: { params: ContactIdParam }, responses: { 200: { description: 'The contact.', content: json(Contact) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => c.json(withInstants(await getContact(c.var.services.db, c.req.valid('param').id)), 200),
);

contactsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    security,
    summary: 'Create a contact (admin)',
    description: 'The e-mail address is unique regardless of case (409 otherwise); the customer must exist (400).',
    request: { body: { required: true, content: json(ContactCreate) } },
    responses: { 201: { description: 'Created.', content: json(Contact) }, ...problemResponses(400, 401, 403, 409) },
  }),
  async (c) => c.json(withInstants(await createContact(c.var.services.db, c.req.valid('json'))), 201),
);

contactsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{id}',
    tags,
    security,
    summary: 'Replace a contact (admin)',
    request: { params: ContactIdParam, body: { required: true, content: json(ContactCreate) } },
    responses: { 200: { description: 'Replaced.', content: json(Contact) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(withInstants(await updateContact(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200),
);

contactsRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/{id}',
    tags,
    security,
    summary: 'Change some fields of a contact (admin)',
    request: { params: ContactIdParam, body: { required: true, content: json(ContactChanges) } },
    responses: { 200: { description: 'Changed.', content: json(Contact) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(withInstants(await updateContact(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200),
);

contactsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags,
    security,
    summary: 'Delete a contact (admin)',
    description: 'Refused with 409 while an incident names the contact.',
    request: { params: ContactIdParam },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    await deleteContact(c.var.services.db, c.req.valid('param').id);
    return c.body(null, 204);
  },
);
