// /api/customers: the debtors (agents read, admins write). GET /{customerNumber}/insight lives in the reports router.
import { createRoute } from '@hono/zod-openapi';
import { createCustomer, deleteCustomer, getCustomer, listCustomers, updateCustomer } from '../../services/master-data/customers.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { Customer, CustomerChanges, CustomerCreate, CustomerListQuery, CustomerNumberParam, CustomerPage, CustomerReplace, withInstants } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

export const customersRouter = createRouter();
// Only the paths of this router: /{customerNumber}/insight answers the sales role through another router.
for (const path of ['/', '/:customerNumber']) {
  customersRouter.use(path, requireRole('agent'));
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) customersRouter.on(method, path, requireRole('admin'));
}

customersRouter.openapi(
  createRoute({
    method: 'get',
    path: '/',
    tags,
    security,
    summary: 'List customers',
    description: 'Ordered by customer number; `q` searches number and name.',
    request: { query: CustomerListQuery },
    responses: { 200: { description: 'A page of customers.', content: json(CustomerPage) }, ...problemResponses(400, 401, 403) },
  }),
  async (c) => {
    const page = await listCustomers(c.var.services.db, c.req.valid('query'));
    return c.json({ ...page, items: page.items.map(withInstants) }, 200);
  },
);

customersRouter.openapi(
  createRoute({ method: 'get', path: '/{customerNumber}', tags, security, summary: 'Get a customer', request: { params: CustomerNumberParam }, responses: { 200: { description: 'The customer.', content: json(Customer) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => c.json(withInstants(await getCustomer(c.var.services.db, c.req.valid('param').customerNumber)), 200),
);

customersRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    security,
    summary: 'Create a customer (admin)',
    description: 'A mail domain belongs to at most one customer. The account manager must be an existing user with role agent, manager or admin.',
    request: { body: { required: true, content: json(CustomerCreate) } },
    responses: { 201: { description: 'Created.', content: json(Customer) }, ...problemResponses(400, 401, 403, 409) },
  }),
  async (c) => c.json(withInstants(await createCustomer(c.var.services.db, c.req.valid('json'))), 201),
);

customersRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{customerNumber}',
    tags,
    security,
    summary: 'Replace a customer (admin)',
    description: 'Omitted optional fields take their defaults (no mail domains, German, no credit hold, no account manager).',
    request: { params: CustomerNumberParam, body: { required: true, content: json(CustomerReplace) } },
    responses: { 200: { description: 'Replaced.', content: json(Customer) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(withInstants(await updateCustomer(c.var.services.db, c.req.valid('param').customerNumber, c.req.valid('json'))), 200),
);

customersRouter.openapi(
  createRoute({
    method: 'patch',
    path: '/{customerNumber}',
    tags,
    security,
    summary: 'Change some fields of a customer (admin)',
    description: 'E.g. `{"creditHold": true}`.',
    request: { params: CustomerNumberParam, body: { required: true, content: json(CustomerChanges) } },
    responses: { 200: { description: 'Changed.', content: json(Customer) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(withInstants(await updateCustomer(c.var.services.db, c.req.valid('param').customerNumber, c.req.valid('json'))), 200),
);

customersRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{customerNumber}',
    tags,
    security,
    summary: 'Delete a customer (admin)',
    description: 'Refused with 409 while contracts, contacts, assets, incidents, time entries or invoices refer to the customer.',
    request: { params: CustomerNumberParam },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    await deleteCustomer(c.var.services.db, c.req.valid('param').customerNumber);
    return c.body(null, 204);
  },
);
