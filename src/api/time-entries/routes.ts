// OpenAPI route specs for time entries; handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { IncidentNumberParam } from '../incidents/schemas.js';
import { json, problemResponses } from '../common-schemas.js';
import {
  BillingOverrideBody,
  IdempotencyHeader,
  MaterialList,
  TimeEntry,
  TimeEntryBody,
  TimeEntryEvent,
  TimeEntryIdParam,
  TimeEntryList,
  TimeEntryListQuery,
  TimeEntryPage,
  TimeEntryPatch,
} from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Time entries'];

export const logTimeRoute = createRoute({
  method: 'post',
  path: '/{number}/time-entries',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Log time on an incident',
  description:
    "Prices the work from the entitlement on the work date: covered work is free, quota work draws the contract's quota for that period (the part over it is billable at the contract rate), the rest is billable. Crossing 80 % or 100 % of a quota notifies the customer's account manager once per period.",
  request: { params: IncidentNumberParam, headers: IdempotencyHeader, body: { required: true, content: json(TimeEntryBody) } },
  responses: {
    201: { description: 'The entry, priced.', content: json(TimeEntry) },
    200: { description: 'A retry with an Idempotency-Key already used: the first entry, unchanged (header `Idempotency-Replayed: true`).', content: json(TimeEntry) },
    ...problemResponses(400, 401, 403, 404, 409),
  },
});

export const incidentTimeRoute = createRoute({
  method: 'get',
  path: '/{number}/time-entries',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "An incident's time entries",
  description:
    "Entries not deleted, oldest work first, with their billing and the totals. Time booked from a service order's work report shows the order in `followUp` (its material is under `/materials`).",
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The entries and totals.', content: json(TimeEntryList) }, ...problemResponses(400, 401, 403, 404) },
});

export const incidentMaterialsRoute = createRoute({
  method: 'get',
  path: '/{number}/materials',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "An incident's material entries",
  description:
    "Parts and hardware booked from the work reports of the incident's service orders, oldest first, with the totals in integer cents. Material is billable at quantity × unit price unless a manager waived it (PUT /api/material-entries/{id}/billing; a support contract's quota covers time, not parts); deleted entries are not listed. Invoice runs bill each entry once as a line of kind `material`.",
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The material entries and totals.', content: json(MaterialList) }, ...problemResponses(400, 401, 403, 404) },
});

export const listTimeRoute = createRoute({
  method: 'get',
  path: '/',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Time entries across incidents (manager)',
  description: 'Filtered by customer number, work-date range (inclusive) and billability, with totals.',
  request: { query: TimeEntryListQuery },
  responses: { 200: { description: 'The entries and totals.', content: json(TimeEntryPage) }, ...problemResponses(400, 401, 403, 404) },
});

export const getTimeRoute = createRoute({
  method: 'get',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Get a time entry',
  description: 'Also a deleted one (with deletedAt), so its audit trail can be followed.',
  request: { params: TimeEntryIdParam },
  responses: { 200: { description: 'The entry.', content: json(TimeEntry) }, ...problemResponses(400, 401, 403, 404) },
});

export const auditRoute = createRoute({
  method: 'get',
  path: '/{id}/audit',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "A time entry's audit trail",
  description: 'Every create, edit, billing override and delete: who, when, why, and the fields before and after.',
  request: { params: TimeEntryIdParam },
  responses: { 200: { description: 'The events, oldest first.', content: json(z.object({ items: z.array(TimeEntryEvent) })) }, ...problemResponses(400, 401, 403, 404) },
});

const frozen = 'Invoiced entries are frozen (409). An entry on a draft invoice is taken off the draft and picked up again by the next invoice run.';

export const editTimeRoute = createRoute({
  method: 'patch',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Edit a time entry',
  description: `Agents edit their own entries, managers and admins any. The entry is priced again. ${frozen}`,
  request: { params: TimeEntryIdParam, body: { required: true, content: json(TimeEntryPatch) } },
  responses: { 200: { description: 'The entry after the change.', content: json(TimeEntry) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteTimeRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Delete a time entry',
  description: `Soft delete: the entry stays in the audit trail and its quota minutes become free again. Same rule as editing. ${frozen}`,
  request: { params: TimeEntryIdParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const overrideRoute = createRoute({
  method: 'put',
  path: '/{id}/billing',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Override billing (manager)',
  description: `billable true bills every minute at the rate, false bills none; neither draws quota. null clears the override and the entry is priced from its entitlement again. ${frozen}`,
  request: { params: TimeEntryIdParam, body: { required: true, content: json(BillingOverrideBody) } },
  responses: { 200: { description: 'The entry after the change.', content: json(TimeEntry) }, ...problemResponses(400, 401, 403, 404, 409) },
});
