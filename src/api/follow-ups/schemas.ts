import { z } from '@hono/zod-openapi';
import { followUpKinds } from '../../domain/enums.js';
import { line, text } from '../common-schemas.js';
import { IncidentNumberParam } from '../incidents/schemas.js';

export const FollowUpRefParam = IncidentNumberParam.extend({
  ref: z
    .string()
    .regex(/^(service-order|hardware-change|software-change)-\d{1,3}$/, 'expected a follow-up like service-order-1')
    .openapi({ param: { name: 'ref', in: 'path' }, example: 'service-order-1' }),
});

/** What each kind of follow-up can be told to do, as `POST .../follow-ups/{ref}/{action}`. */
export const followUpActions = {
  service_order: ['schedule', 'start', 'complete', 'cancel'],
  hardware_change: ['assess', 'submit', 'decide', 'schedule', 'implement', 'review', 'close', 'roll-back'],
  software_change: ['assess', 'submit', 'decide', 'schedule', 'implement', 'review', 'close', 'roll-back'],
} as const;
const allActions = [...new Set(Object.values(followUpActions).flat())] as [string, ...string[]];

export const FollowUpActionParam = FollowUpRefParam.extend({
  action: z.enum(allActions).openapi({ param: { name: 'action', in: 'path' }, example: 'schedule' }),
});

const common = {
  title: line(200),
  waitFor: z.boolean().default(false).openapi({ description: 'The incident waits for it: status pending_change, resolution and next-response clocks pause until it ends.' }),
  description: text(20_000).default(''),
};
const change = (kind: 'hardware_change' | 'software_change') =>
  z.object({
    kind: z.literal(kind),
    ...common,
    changeType: z.enum(['normal', 'standard']).default('normal').openapi({ description: 'Standard changes are pre-approved; normal ones need every approver.' }),
    approverEmails: z.array(z.email()).max(20).default([]).openapi({ description: 'Approvers or CAB members (staff users).' }),
    changeManagerEmail: z.email().openapi({ description: 'Hears of an approval that is late.' }),
    approvalHours: z.number().int().min(1).max(720).default(24),
  });

export const CreateFollowUpBody = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('service_order'), ...common, location: z.enum(['onsite', 'workshop']).default('onsite') }),
    change('hardware_change'),
    change('software_change'),
  ])
  .openapi('CreateFollowUp');

export const FollowUp = z
  .object({
    ref: z.string(),
    workflowId: z.string(),
    kind: z.enum(followUpKinds),
    title: z.string(),
    state: z.string(),
    ended: z.boolean(),
    assigneeId: z.string().nullable(),
    dueAt: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    updatedAt: z.string(),
  })
  .openapi('FollowUp');

export const FollowUpWithTimeline = FollowUp.extend({
  events: z.array(z.object({ seq: z.number().int(), type: z.string(), actor: z.object({ id: z.string(), name: z.string() }), at: z.string(), payload: z.record(z.string(), z.unknown()) })),
}).openapi('FollowUpWithTimeline');

export const ActionBody = z.record(z.string(), z.unknown()).openapi('FollowUpAction', {
  description:
    'The action\'s input. Service order: schedule {technicianId, from, to}, start {}, complete {summary, timeEntries?, materials?}, cancel {reason}. Change: assess {risk, impact, implementationPlan, rollbackPlan, software? | hardware?}, submit {}, decide {decision, comment?}, schedule {from, to}, implement {notes?}, review {outcome, notes?}, close {}, roll-back {reason}.',
});
