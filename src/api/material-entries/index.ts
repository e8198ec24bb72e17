// /api/material-entries/{id}: read, correct, waive or bill again, delete, and the audit trail.
// Agents and above read; managers and admins change (with a reason).
import {
  correctMaterialEntry,
  deleteMaterialEntry,
  getMaterialEntry,
  materialEntryAudit,
  overrideMaterialBilling,
} from '../../services/material-entries.js';
import { entryActorOf } from '../auth.js';
import { eventView } from '../time-entries/views.js';
import { createRouter } from '../context.js';
import { correctMaterialRoute, deleteMaterialRoute, getMaterialRoute, materialAuditRoute, materialBillingRoute } from './routes.js';
import { materialEntryView } from './views.js';

/** Mounted at /api/material-entries. */
export const materialEntriesRouter = createRouter();

materialEntriesRouter.openapi(getMaterialRoute, async (c) => c.json(materialEntryView(await getMaterialEntry(c.var.services.db, c.req.valid('param').id)), 200));

materialEntriesRouter.openapi(materialAuditRoute, async (c) => c.json({ items: (await materialEntryAudit(c.var.services.db, c.req.valid('param').id)).map(eventView) }, 200));

materialEntriesRouter.openapi(correctMaterialRoute, async (c) =>
  c.json(materialEntryView(await correctMaterialEntry(c.var.services.db, entryActorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json'))), 200),
);

materialEntriesRouter.openapi(materialBillingRoute, async (c) =>
  c.json(materialEntryView(await overrideMaterialBilling(c.var.services.db, entryActorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json'))), 200),
);

materialEntriesRouter.openapi(deleteMaterialRoute, async (c) => {
  await deleteMaterialEntry(c.var.services.db, entryActorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json').reason);
  return c.body(null, 204);
});
