// OpenAPI route specs for material entries; handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { maxMaterialAmountCents } from '../../domain/billing.js';
import { MaterialBillingBody, MaterialCorrectionBody, MaterialDeleteBody, MaterialEntryDetail, MaterialEntryEvent, MaterialEntryIdParam } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Material entries'];

const frozen =
  'Managers and admins only, always with a reason, each change in the audit trail. Invoiced entries (on a final invoice) are frozen (409), as are deleted ones. An entry on a draft invoice is taken off the draft when its money changes, and the next invoice run bills it as it is then.';

export const getMaterialRoute = createRoute({
  method: 'get',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Get a material entry',
  description: 'Also a deleted one (with deletedAt), so its audit trail can be followed.',
  request: { params: MaterialEntryIdParam },
  responses: { 200: { description: 'The entry.', content: json(MaterialEntryDetail) }, ...problemResponses(400, 401, 403, 404) },
});

export const materialAuditRoute = createRoute({
  method: 'get',
  path: '/{id}/audit',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "A material entry's audit trail",
  description: "Every correction, billing decision and delete: who, when, why, and the fields before and after. The booking itself is the entry's createdBy and createdAt.",
  request: { params: MaterialEntryIdParam },
  responses: { 200: { description: 'The events, oldest first.', content: json(z.object({ items: z.array(MaterialEntryEvent) })) }, ...problemResponses(400, 401, 403, 404) },
});

export const correctMaterialRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Correct a material entry (manager)',
  description: `Corrects quantity, unit price, description or article number; the amount is recomputed as quantity × unit price in exact cents and must fit ${maxMaterialAmountCents} cents. A correction of wording only keeps the entry on its draft invoice, whose line follows it. ${frozen}`,
  request: { params: MaterialEntryIdParam, body: { required: true, content: json(MaterialCorrectionBody) } },
  responses: { 200: { description: 'The entry after the correction.', content: json(MaterialEntryDetail) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const materialBillingRoute = createRoute({
  method: 'put',
  path: '/{id}/billing',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Waive or bill again a material entry (manager)',
  description: `billable false waives the entry, e.g. parts a contract includes: no invoice bills it, its value stays in amountCents. billable true bills it again from the next run. ${frozen}`,
  request: { params: MaterialEntryIdParam, body: { required: true, content: json(MaterialBillingBody) } },
  responses: { 200: { description: 'The entry after the decision.', content: json(MaterialEntryDetail) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteMaterialRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Delete a material entry (manager)',
  description: `Soft delete, with the reason in the JSON body: the entry stays for its audit trail and is never billed. Re-booking the service order's work report does not bring it back. ${frozen}`,
  request: { params: MaterialEntryIdParam, body: { required: true, content: json(MaterialDeleteBody) } },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
