// Zod schemas for correcting, waiving and deleting material entries, and their audit trail.
import { z } from '@hono/zod-openapi';
import { maxMaterialAmountCents } from '../../domain/billing.js';
import { materialEntryEventTypes } from '../../domain/enums.js';
import { anyOfRequired, line } from '../common-schemas.js';
import { MaterialEntry as MaterialEntryBase } from '../time-entries/schemas.js';

export const MaterialEntryIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '3f1c2a9e-8b4d-4c6e-9a7f-1d2e3f4a5b6c' }) });

const reason = line(500).openapi({ description: 'Why: kept in the audit trail. Required.', example: 'Technician booked the list price; the agreed price is 149.00 EUR.' });

export const MaterialCorrectionBody = z
  .strictObject({
    quantity: z.number().int('quantity must be a whole number').min(1, 'quantity must be at least 1').max(maxMaterialAmountCents).optional().openapi({ example: 2 }),
    unitPriceCents: z.number().int('unitPriceCents must be whole cents').min(0, 'unitPriceCents must not be negative').max(maxMaterialAmountCents).optional().openapi({ description: 'Net price per piece in cents.', example: 14_900 }),
    description: line(500).optional().openapi({ example: 'Fuser unit (refurbished)' }),
    articleNumber: line(100).optional().openapi({ example: 'FU-4711-R' }),
    reason,
  })
  .refine((b) => [b.quantity, b.unitPriceCents, b.description, b.articleNumber].some((v) => v !== undefined), { message: 'give at least one of quantity, unitPriceCents, description, articleNumber' })
  .refine((b) => b.quantity === undefined || b.unitPriceCents === undefined || b.quantity * b.unitPriceCents <= maxMaterialAmountCents, {
    message: `quantity × unitPriceCents must not exceed ${maxMaterialAmountCents} cents; split it into several entries`,
    path: ['unitPriceCents'],
  })
  .openapi('MaterialCorrection', anyOfRequired('quantity', 'unitPriceCents', 'description', 'articleNumber'));

export const MaterialBillingBody = z
  .strictObject({
    billable: z.boolean().openapi({ description: 'false waives the entry (an invoice bills nothing of it; its value stays in amountCents); true bills it again.', example: false }),
    reason,
  })
  .openapi('MaterialBillingDecision');

export const MaterialDeleteBody = z.strictObject({ reason }).openapi('MaterialDeletion');

export const MaterialEntryDetail = MaterialEntryBase.extend({
  billable: z.boolean().openapi({ description: 'false when a manager waived it.' }),
  billableCents: z.number().int().openapi({ description: 'What an invoice bills of it: amountCents, or 0 when waived or deleted.' }),
  overrideReason: z.string().nullable().openapi({ description: "The reason of the manager's last billing decision (waive or bill again)." }),
  overrideBy: z.string().nullable().openapi({ description: '"user:<id>" of that manager.' }),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
}).openapi('MaterialEntryDetail');

export const MaterialEntryEvent = z
  .object({
    id: z.number().int(),
    type: z.enum(materialEntryEventTypes),
    actor: z.string().openapi({ example: 'user:6a0e…' }),
    actorName: z.string(),
    reason: z.string(),
    before: z.record(z.string(), z.unknown()).openapi({ description: 'articleNumber, description, quantity, unitPriceCents, amountCents, billable, overrideReason, deletedAt before the change.' }),
    after: z.record(z.string(), z.unknown()),
    occurredAt: z.string(),
  })
  .openapi('MaterialEntryEvent');
