import { z } from '@hono/zod-openapi';
import { activityTypes, contractTiers, entitlementDecisions, quotaPeriods } from '../../domain/enums.js';
import type { Entitlement as EntitlementValue } from '../../domain/entitlement.js';
import { calendarDay, line } from '../common-schemas.js';

const day = z.string().openapi({ example: '2026-11-26' });
const rates = z.object(Object.fromEntries(activityTypes.map((t) => [t, z.number().int()])) as Record<(typeof activityTypes)[number], z.ZodNumber>);

export const Entitlement = z
  .object({
    decision: z.enum(entitlementDecisions).openapi({ description: 'covered, quota (covered, time drawn from a quota), billable (time and material) or blocked (credit hold).' }),
    reason: z.string().openapi({ description: 'The reason in words, for the agent.' }),
    day,
    customerNumber: z.string().nullable(),
    contract: z.object({ number: z.string(), tier: z.enum(contractTiers) }).nullable(),
    quota: z
      .object({
        period: z.enum(quotaPeriods),
        periodStart: day,
        periodEnd: day.nullable(),
        totalMinutes: z.number().int(),
        usedMinutes: z.number().int(),
        remainingMinutes: z.number().int(),
      })
      .nullable(),
    rates: rates.openapi({ description: 'Net hourly rates in cents for billable work, per activity type.' }),
    rateSource: z.object({ kind: z.enum(['contract', 'default']), contractNumber: z.string().optional() }),
  })
  .openapi('Entitlement');

export function entitlementView(e: EntitlementValue): z.infer<typeof Entitlement> {
  return {
    decision: e.decision,
    reason: e.reason,
    day: e.day,
    customerNumber: e.customerNumber,
    contract: e.contract ? { number: e.contract.number, tier: e.contract.tier } : null,
    quota: e.quota,
    rates: e.rates,
    rateSource: e.rateSource,
  };
}

export const EntitlementQuery = z
  .strictObject({
    customerNumber: line(64).optional().openapi({ description: 'Give at least one of customerNumber, serialNumber and identNumber.', example: 'K-10002' }),
    serialNumber: line(128).optional().openapi({ example: 'FW-FG100F-0042' }),
    identNumber: line(128).optional().openapi({ example: 'ID-200001' }),
    date: calendarDay.optional().openapi({ description: 'The day to check (default: today in the house time zone).' }),
  })
  .refine((q) => q.customerNumber || q.serialNumber || q.identNumber, { message: 'give customerNumber, serialNumber or identNumber', path: ['customerNumber'] });

export const EntitlementAnswer = z
  .object({
    customer: z.object({ number: z.string(), name: z.string(), creditHold: z.boolean() }).nullable(),
    asset: z.object({ serialNumber: z.string(), identNumber: z.string().nullable(), product: z.string() }).nullable(),
    entitlement: Entitlement,
    slaPolicy: z
      .object({
        name: z.string(),
        version: z.number().int(),
        targets: z.record(z.string(), z.object({ firstResponse: z.number().int(), nextResponse: z.number().int(), resolution: z.number().int() })),
      })
      .nullable()
      .openapi({ description: 'The policy of the covering contract, with targets in business minutes per priority.' }),
    project: z.object({ number: z.string() }).nullable(),
  })
  .openapi('EntitlementCheck');
