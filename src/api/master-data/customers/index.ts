// /api/customers: the debtors (agents read, admins write). GET /{customerNumber}/insight lives in the reports router.
import { createCustomer, deleteCustomer, getCustomer, listCustomers, updateCustomer } from '../../../services/master-data/customers.js';
import { createRouter } from '../../context.js';
import { withInstants } from '../schemas.js';
import { changeCustomerRoute, createCustomerRoute, deleteCustomerRoute, getCustomerRoute, listCustomersRoute, replaceCustomerRoute } from './routes.js';

export const customersRouter = createRouter();

customersRouter.openapi(listCustomersRoute, async (c) => {
  const page = await listCustomers(c.var.services.db, c.req.valid('query'));
  return c.json({ ...page, items: page.items.map(withInstants) }, 200);
});

customersRouter.openapi(getCustomerRoute, async (c) => c.json(withInstants(await getCustomer(c.var.services.db, c.req.valid('param').customerNumber)), 200));

customersRouter.openapi(createCustomerRoute, async (c) => c.json(withInstants(await createCustomer(c.var.services.db, c.req.valid('json'))), 201));

customersRouter.openapi(replaceCustomerRoute, async (c) => c.json(withInstants(await updateCustomer(c.var.services.db, c.req.valid('param').customerNumber, c.req.valid('json'))), 200));

customersRouter.openapi(changeCustomerRoute, async (c) => c.json(withInstants(await updateCustomer(c.var.services.db, c.req.valid('param').customerNumber, c.req.valid('json'))), 200));

customersRouter.openapi(deleteCustomerRoute, async (c) => {
  await deleteCustomer(c.var.services.db, c.req.valid('param').customerNumber);
  return c.body(null, 204);
});
