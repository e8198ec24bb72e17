// /api/contacts: the people of a customer who call or write in (agents read, admins write).
import { createContact, deleteContact, getContact, listContacts, updateContact } from '../../../services/master-data/contacts.js';
import { createRouter } from '../../context.js';
import { withInstants } from '../schemas.js';
import { changeContactRoute, createContactRoute, deleteContactRoute, getContactRoute, listContactsRoute, replaceContactRoute } from './routes.js';

export const contactsRouter = createRouter();

contactsRouter.openapi(listContactsRoute, async (c) => {
  const page = await listContacts(c.var.services.db, c.req.valid('query'));
  return c.json({ ...page, items: page.items.map(withInstants) }, 200);
});

contactsRouter.openapi(getContactRoute, async (c) => c.json(withInstants(await getContact(c.var.services.db, c.req.valid('param').id)), 200));

contactsRouter.openapi(createContactRoute, async (c) => c.json(withInstants(await createContact(c.var.services.db, c.req.valid('json'))), 201));

contactsRouter.openapi(replaceContactRoute, async (c) => c.json(withInstants(await updateContact(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200));

contactsRouter.openapi(changeContactRoute, async (c) => c.json(withInstants(await updateContact(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200));

contactsRouter.openapi(deleteContactRoute, async (c) => {
  await deleteContact(c.var.services.db, c.req.valid('param').id);
  return c.body(null, 204);
});
