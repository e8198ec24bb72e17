// /api/sla-policies: targets per priority, calendar and escalation ladder (agents read, admins write).
import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from '../../services/sla-config.js';
import { createRouter } from '../context.js';
import { createPolicyRoute, deletePolicyRoute, getPolicyRoute, listPoliciesRoute, replacePolicyRoute } from './routes.js';
import { policyView } from './views.js';

export const slaPoliciesRouter = createRouter();

slaPoliciesRouter.openapi(listPoliciesRoute, async (c) => c.json({ items: (await listPolicies(c.var.services.db)).map(policyView) }, 200));

slaPoliciesRouter.openapi(getPolicyRoute, async (c) => c.json(policyView(await getPolicy(c.var.services.db, c.req.valid('param').id)), 200));

slaPoliciesRouter.openapi(createPolicyRoute, async (c) => c.json(policyView(await createPolicy(c.var.services.db, c.req.valid('json'))), 201));

slaPoliciesRouter.openapi(replacePolicyRoute, async (c) => c.json(policyView(await updatePolicy(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200));

slaPoliciesRouter.openapi(deletePolicyRoute, async (c) => {
  await deletePolicy(c.var.services.db, c.req.valid('param').id);
  return c.body(null, 204);
});
