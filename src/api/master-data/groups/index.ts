// /api/groups: the support groups work is assigned to (agents read, admins write).
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from '../../../services/directory/groups.js';
import { createRouter } from '../../context.js';
import { withInstants } from '../schemas.js';
import { changeGroupRoute, createGroupRoute, deleteGroupRoute, getGroupRoute, listGroupsRoute } from './routes.js';

export const groupsRouter = createRouter();

groupsRouter.openapi(listGroupsRoute, async (c) => c.json({ items: (await listGroups(c.var.services.db)).map(withInstants) }, 200));

groupsRouter.openapi(getGroupRoute, async (c) => c.json(withInstants(await getGroup(c.var.services.db, c.req.valid('param').name)), 200));

groupsRouter.openapi(createGroupRoute, async (c) => c.json(withInstants(await createGroup(c.var.services.db, c.req.valid('json'))), 201));

groupsRouter.openapi(changeGroupRoute, async (c) => c.json(withInstants(await updateGroup(c.var.services.db, c.req.valid('param').name, c.req.valid('json'))), 200));

groupsRouter.openapi(deleteGroupRoute, async (c) => {
  await deleteGroup(c.var.services.db, c.req.valid('param').name);
  return c.body(null, 204);
});
