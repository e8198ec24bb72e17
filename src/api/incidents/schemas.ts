import { z } from '@hono/zod-openapi';
import { channels, contractTiers, followUpKinds, impacts, incidentStatuses, priorities, urgencies } from '../../domain/enums.js';
import { isIncidentNumber } from '../../domain/ticket-number.js';

import { anyOfRequired, incidentNumberDoc, line, paging, text } from '../common-schemas.js';
import { Entitlement } from '../entitlement/schemas.js';

export const IncidentNumberParam = z.object({
  number: z
    .string()
    .refine(isIncidentNumber, 'expected an incident number like INC-2026-000123')
    .openapi({ param: { name: 'number', in: 'path' }, ...incidentNumberDoc }),
});

export const CreateIncidentBody = z
  .strictObject({
    title: line(200),
    description: text(20_000).default(''),
    customerNumber: line(64).optional(),
    serialNumber: line(128).optional(),
    identNumber: line(128).optional(),
    contactEmail: z.email().max(254).optional(),
    impact: z.enum(impacts).optional(),
    urgency: z.enum(urgencies).optional(),
    priority: z.enum(priorities).optional().openapi({ description: 'Overrides the impact x urgency matrix.' }),
    channel: z.enum(channels).default('api'),
  })
  .refine((b) => b.customerNumber || b.serialNumber || b.identNumber || b.contactEmail, {
    message: 'give customerNumber, serialNumber, identNumber or contactEmail to identify the caller',
    path: ['customerNumber'],
  })
  .openapi('CreateIncident', anyOfRequired('customerNumber', 'serialNumber', 'identNumber', 'contactEmail'));
export type CreateIncidentBody = z.infer<typeof CreateIncidentBody>;

export const AssignBody = z
  .strictObject({
    assigneeId: z.uuid().optional(),
    group: line(100).optional(),
  })
  .refine((b) => b.assigneeId || b.group, { message: 'give assigneeId, group or both', path: ['assigneeId'] })
  .openapi('AssignIncident', anyOfRequired('assigneeId', 'group'));

export const NoteBody = z.strictObject({ text: line(20_000) }).openapi('AddNote');
export const CustomerMessageBody = z
  .strictObject({
    text: line(200_000),
    from: line(254).optional(),
    channel: z.enum(['email', 'portal', 'phone']).default('portal'),
    automatic: z.boolean().default(false).openapi({ description: 'An automatic reply (out of office): logged only.' }),
  })
  .openapi('CustomerMessage');
export const ReasonBody = z.strictObject({ reason: line(20_000) }).openapi('Reason');
export const PriorityBody = z.strictObject({ priority: z.enum(priorities), reason: line(20_000) }).openapi('ChangePriority');
export const ContractBody = z
  .strictObject({ contractNumber: line(64).nullable().openapi({ description: 'null: no contract (time and material).' }), reason: line(20_000) })
  .openapi('ChangeContract');
export const ReplyBody = z
  .strictObject({
    text: line(100_000),
    cc: z
      .array(z.email().max(320))
      .max(20)
      .optional()
      .openapi({
        description:
          'Addresses to copy besides the customer\'s own people, e.g. a supplier the customer asked us to include; always copied. Without it the answer copies only the contacts and mail-domain addresses of the incident\'s customer that were on its last mail.',
        example: ['it-dienstleister@partner.example'],
      }),
  })
  .openapi('Reply');
export const ResolveBody = z.strictObject({ resolution: line(20_000) }).openapi('ResolveIncident');


const instant = z.iso.datetime({ offset: true }).nullable();

export const SlaTargetPicture = z
  .object({
    target: z.enum(['firstResponse', 'nextResponse', 'resolution']),
    state: z.enum(['running', 'paused', 'met', 'breached']),
    budgetMinutes: z.number(),
    dueAt: instant.openapi({ description: 'Null while paused: it depends on when the pause ends.' }),
    elapsedMinutes: z.number(),
    remainingMinutes: z.number(),
    pausedMinutes: z.number(),
    level: z.number().int(),
  })
  .openapi('SlaTargetPicture');

export const SlaPicture = z
  .object({
    policy: z.object({ name: z.string(), version: z.number().int(), tier: z.enum(contractTiers).nullable() }),
    level: z.number().int().openapi({ description: '0 on track, 1 warning, 2 breach, 3 management.' }),
    levelName: z.string(),
    breached: z.boolean(),
    asOf: z.string(),
    targets: z.array(SlaTargetPicture),
    escalations: z
      .array(z.object({ at: z.string(), reachedAt: z.string().nullable(), from: z.number().int(), to: z.number().int(), name: z.string(), target: z.string().nullable() }))
      .optional()
      .openapi({ description: 'The history of level changes (single-incident reads only).' }),
  })
  .openapi('SlaPicture');

export const FollowUpLink = z
  .object({
    ref: z.string().openapi({ example: 'service-order-1' }),
    kind: z.enum(followUpKinds),
    title: z.string(),
    status: z.enum(['open', 'completed', 'failed', 'cancelled', 'detached']).openapi({ description: 'open until the follow-up ends; detached ones no longer hold the incident.' }),
    waitFor: z.boolean().openapi({ description: 'The incident waits for it (pending_change).' }),
    workflowId: z.string(),
    number: z.string().nullable().openapi({ description: "A child ticket's own incident number." }),
    result: z.string().nullable().openapi({ description: 'Its end state in its own words (done, closed, rejected, rolled_back, resolved, ...).' }),
    createdAt: z.string(),
    endedAt: z.string().nullable(),
  })
  .openapi('FollowUpLink');

export const Incident = z
  .object({
    number: z.string(),
    title: z.string(),
    description: z.string(),
    status: z.enum(incidentStatuses),
    priority: z.enum(priorities),
    impact: z.enum(impacts).nullable(),
    urgency: z.enum(urgencies).nullable(),
    channel: z.enum(channels),
    customerNumber: z.string().nullable(),
    contactEmail: z.string().nullable(),
    serialNumber: z.string().nullable(),
    contractTier: z.enum(contractTiers).nullable(),
    entitlement: Entitlement.nullable().openapi({ description: 'The entitlement decision at intake or the last contract change; null on incidents from before entitlements.' }),
    assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
    assignedGroup: z.string().nullable(),
    resolution: z.string().nullable(),
    due: z.object({ firstResponse: instant, nextResponse: instant, resolution: instant }),
    escalationLevel: z.number().int(),
    slaBreached: z.boolean(),
    sla: SlaPicture.nullable().optional().openapi({ description: 'The live SLA picture: per target its due instant, elapsed, remaining and paused business minutes and state.' }),
    receivedAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: instant,
    closedAt: instant,
    parentNumber: z.string().nullable().openapi({ description: 'A child ticket: the incident it was split from.' }),
    followUps: z.array(FollowUpLink).openapi({ description: 'Follow-up work started from this incident, oldest first; read each at `/api/incidents/{number}/follow-ups/{ref}` (a child ticket also as `/api/incidents/{child number}`).' }),
  })
  .openapi('Incident');
export type Incident = z.infer<typeof Incident>;

export const IncidentList = z
  .object({ items: z.array(Incident), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .openapi('IncidentList');

export const ListQuery = z.strictObject({
  status: z.enum(incidentStatuses).optional(),
  customerNumber: line(64).optional(),
  priority: z.enum(priorities).optional(),
  ...paging(50, 200),
});

export const TimelineEvent = z
  .object({
    seq: z.number().int(),
    type: z.string(),
    actor: z.object({ id: z.string(), name: z.string() }),
    at: z.string(),
    payload: z.record(z.string(), z.unknown()),
  })
  .openapi('TimelineEvent');

export const Timeline = z.object({ number: z.string(), events: z.array(TimelineEvent) }).openapi('Timeline');
