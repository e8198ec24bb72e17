// Zod schemas of /api/sla-policies: the SLA schemas of /api/sla with the policy's options.
import { z } from '@hono/zod-openapi';
import { callbackMinutesRange, defaultCallbackMinutes } from '../../domain/callback-sla.js';
import { SlaPolicy as SlaPolicyBase, SlaPolicyBody as SlaPolicyBodyBase } from '../sla/schemas.js';

const d = defaultCallbackMinutes;
const policyOptions = {
  pauseOnPendingChange: z.boolean().default(true).openapi({ description: 'Waiting for follow-up work (status pending_change) pauses resolution and next response, like pending_customer.' }),
  callbackMinutes: z
    .number()
    .int()
    .min(callbackMinutesRange.min)
    .max(callbackMinutesRange.max)
    .nullable()
    .default(null)
    .openapi({ description: `Callback SLA: business minutes from a callback request to the latest end of its call window. null is the tier default (platinum ${d.platinum}, gold ${d.gold}, silver ${d.silver}; ${d.none} without contract).`, example: 90 }),
};
export const SlaPolicyBody = z.strictObject({ ...SlaPolicyBodyBase.shape, ...policyOptions }).openapi('SlaPolicyWrite');
export const SlaPolicy = SlaPolicyBase.extend({ pauseOnPendingChange: z.boolean(), callbackMinutes: z.number().int().nullable() }).openapi('SlaPolicyWithOptions');
