// Zod schemas for time entries: the work logged, its pricing, overrides and the audit trail.
import { z } from '@hono/zod-openapi';
import { activityTypes, entitlementDecisions } from '../../domain/enums.js';
import { calendarDay, idempotencyHeader, line, paging, queryText, text } from '../common-schemas.js';

const workDate = calendarDay.openapi({ example: '2026-11-12', description: 'The day the work was done (YYYY-MM-DD, house time zone); not in the future.' });
const minutes = z.number().int('minutes must be whole minutes').min(1, 'at least 1 minute').max(1440, 'at most 1440 minutes (one day)');
const activityType = z.enum(activityTypes).openapi({ description: 'remote, onsite or travel; each has its own hourly rate.' });

export const TimeEntryBody = z
  .strictObject({
    minutes: minutes.openapi({ example: 90 }),
    activityType,
    description: line(2000).openapi({ example: 'Replaced the fuser unit.' }),
    workDate: workDate.optional().openapi({ description: 'Defaults to today in the house time zone.' }),
    agentId: z.uuid().optional().openapi({ description: 'Who did the work; defaults to the caller. Only managers and admins may log for someone else.' }),
  })
  .openapi('TimeEntryInput');

export const TimeEntryPatch = z
  .strictObject({ minutes: minutes.optional(), activityType: activityType.optional(), description: line(2000).optional(), workDate: workDate.optional() })
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'give at least one of minutes, activityType, description, workDate' })
  .openapi('TimeEntryChange', { minProperties: 1 });

export const BillingOverrideBody = z
  .strictObject({
    billable: z.boolean().nullable().openapi({ description: 'true bills every minute, false none (neither draws quota); null clears the override.' }),
    reason: text(500).optional().openapi({ description: 'Required unless billable is null.' }),
  })
  .refine((b) => b.billable === null || (b.reason ?? '').length > 0, { message: 'a reason is required when overriding billing', path: ['reason'] })
  .openapi('BillingOverride', {
    anyOf: [{ properties: { billable: { type: 'null' } } }, { required: ['reason'], properties: { reason: { minLength: 1 } } }],
    example: { billable: false, reason: 'Warranty repair: not billed.' },
  });

export const TimeEntryIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const IdempotencyHeader = idempotencyHeader('entry');

export const TimeEntry = z
  .object({
    id: z.uuid(),
    incidentNumber: z.string(),
    customerId: z.uuid(),
    contractId: z.uuid().nullable(),
    projectId: z.uuid().nullable(),
    agentId: z.uuid(),
    workDate: z.string(),
    minutes: z.number().int(),
    activityType: z.enum(activityTypes),
    description: z.string(),
    decision: z.enum(entitlementDecisions).openapi({ description: 'The entitlement of the work on its date; quota also when the quota was used up (then billed as overage).' }),
    billable: z.boolean().openapi({ description: 'Some minutes of this entry are billed.' }),
    quotaMinutes: z.number().int(),
    quotaPeriodStart: z.string().nullable(),
    billableMinutes: z.number().int(),
    rateCents: z.number().int().nullable().openapi({ description: 'Net hourly rate in cents for the billable minutes.' }),
    amountCents: z.number().int().openapi({ description: 'Net amount in cents: billable minutes × rate, rounded half up.' }),
    billingReason: z.string(),
    billableOverride: z.boolean().nullable(),
    overrideReason: z.string().nullable(),
    overrideBy: z.string().nullable(),
    invoicedAt: z.string().nullable(),
    followUp: z
      .object({
        workflowId: z.string().openapi({ example: 'incident-INC-2026-000123/service-order-1' }),
        lineNo: z.number().int().openapi({ description: 'The line of the work report (0-based).' }),
      })
      .nullable()
      .openapi({ description: "The service order whose work report booked this entry; null for time logged directly." }),
    createdBy: z.string().openapi({ description: '"user:<id>", or "follow-up:<workflow id>" for time booked from a service order.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable(),
  })
  .openapi('TimeEntry');

export const Totals = z
  .object({ minutes: z.number().int(), quotaMinutes: z.number().int(), billableMinutes: z.number().int(), amountCents: z.number().int() })
  .openapi('TimeEntryTotals');

export const TimeEntryList = z.object({ items: z.array(TimeEntry), totals: Totals }).openapi('TimeEntryList');
export const TimeEntryPage = z
  .object({ items: z.array(TimeEntry), totals: Totals.openapi({ description: 'Sums over every matching entry, not only this page.' }), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('TimeEntryPage');

export const TimeEntryEvent = z
  .object({
    id: z.number().int(),
    type: z.enum(['created', 'updated', 'billing_overridden', 'deleted']),
    actor: z.string(),
    actorName: z.string(),
    reason: z.string().nullable(),
    before: z.record(z.string(), z.unknown()).nullable(),
    after: z.record(z.string(), z.unknown()).nullable(),
    occurredAt: z.string(),
  })
  .openapi('TimeEntryEvent');

export const TimeEntryListQuery = z.strictObject({
  customerNumber: queryText(50).pipe(z.string().min(1)).optional(),
  from: calendarDay.optional(),
  to: calendarDay.optional(),
  billable: z.enum(['true', 'false']).optional().openapi({ description: 'true: only entries with billable minutes; false: only those without.' }),
  ...paging(200, 1000),
});

export const MaterialEntry = z
  .object({
    id: z.uuid(),
    incidentNumber: z.string(),
    customerId: z.uuid(),
    contractId: z.uuid().nullable(),
    projectId: z.uuid().nullable(),
    workDate: z.string().openapi({ description: 'The day the material was used: the service order\'s completion day (house time zone).' }),
    followUp: z.object({ workflowId: z.string(), lineNo: z.number().int() }).openapi({ description: 'The service order and the line of its work report this entry was booked from.' }),
    articleNumber: z.string().openapi({ example: 'FU-4711' }),
    description: z.string(),
    quantity: z.number().int(),
    unitPriceCents: z.number().int().openapi({ description: 'Net price per piece in cents.' }),
    amountCents: z.number().int().openapi({ description: 'quantity × unit price, exact integer cents.' }),
    billable: z.boolean().openapi({ description: 'false when a manager waived it; a support contract\'s quota covers time, not parts.' }),
    invoicedAt: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .openapi('MaterialEntry');

export const MaterialList = z
  .object({
    items: z.array(MaterialEntry),
    totals: z
      .object({ lineCount: z.number().int(), amountCents: z.number().int(), unbilledCents: z.number().int().openapi({ description: 'The part not yet on a final invoice.' }) })
      .openapi('MaterialTotals'),
  })
  .openapi('MaterialList');
