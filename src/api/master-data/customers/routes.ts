// OpenAPI route specs for /api/customers (agents read, admins write); handlers live in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../../auth.js';
import { json, problemResponses } from '../../common-schemas.js';
import { Customer, CustomerChanges, CustomerCreate, CustomerListQuery, CustomerNumberParam, CustomerPage, CustomerReplace } from '../schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Master data'];

export const listCustomersRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'List customers',
  description: 'Ordered by customer number; `q` searches number and name.',
  request: { query: CustomerListQuery },
  responses: { 200: { description: 'A page of customers.', content: json(CustomerPage) }, ...problemResponses(400, 401, 403) },
});

export const getCustomerRoute = createRoute({ method: 'get', path: '/{customerNumber}', middleware: [requireRole('agent')], tags, security, summary: 'Get a customer', request: { params: CustomerNumberParam }, responses: { 200: { description: 'The customer.', content: json(Customer) }, ...problemResponses(400, 401, 403, 404) } });

export const createCustomerRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create a customer (admin)',
  description: 'A mail domain belongs to at most one customer. The account manager must be an existing user with role agent, manager or admin.',
  request: { body: { required: true, content: json(CustomerCreate) } },
  responses: { 201: { description: 'Created.', content: json(Customer) }, ...problemResponses(400, 401, 403, 409) },
});

export const replaceCustomerRoute = createRoute({
  method: 'put',
  path: '/{customerNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Replace a customer (admin)',
  description: 'Omitted optional fields take their defaults (no mail domains, German, no credit hold, no account manager).',
  request: { params: CustomerNumberParam, body: { required: true, content: json(CustomerReplace) } },
  responses: { 200: { description: 'Replaced.', content: json(Customer) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const changeCustomerRoute = createRoute({
  method: 'patch',
  path: '/{customerNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Change some fields of a customer (admin)',
  description: 'E.g. `{"creditHold": true}`.',
  request: { params: CustomerNumberParam, body: { required: true, content: json(CustomerChanges) } },
  responses: { 200: { description: 'Changed.', content: json(Customer) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteCustomerRoute = createRoute({
  method: 'delete',
  path: '/{customerNumber}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete a customer (admin)',
  description: 'Refused with 409 while contracts, contacts, assets, incidents, time entries or invoices refer to the customer.',
  request: { params: CustomerNumberParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
