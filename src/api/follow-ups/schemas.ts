import { z } from '@hono/zod-openapi';
import { followUpKinds, impacts, priorities, urgencies } from '../../domain/enums.js';
import { callbackChannels } from '../../domain/callback.js';
import { CreateCallbackBody } from '../callbacks/schemas.js';
import { anyOfRequired, line, text } from '../common-schemas.js';
import { IncidentNumberParam } from '../incidents/schemas.js';

export const FollowUpRefParam = IncidentNumberParam.extend({
  ref: z
    .string()
    .regex(/^(service-order|hardware-change|software-change|child-ticket|callback)-\d{1,3}$/, 'expected a follow-up like service-order-1')
    .openapi({ param: { name: 'ref', in: 'path' }, example: 'service-order-1' }),
});

/** What each kind of follow-up can be told to do, as `POST .../follow-ups/{ref}/{action}`. */
export const followUpActions = {
  service_order: ['schedule', 'start', 'complete', 'cancel'],
  hardware_change: ['assess', 'submit', 'decide', 'schedule', 'implement', 'review', 'close', 'roll-back'],
  software_change: ['assess', 'submit', 'decide', 'schedule', 'implement', 'review', 'close', 'roll-back'],
  // A child ticket is an incident: it is worked through /api/incidents/{its number}.
  child_ticket: [],
  callback: ['assign', 'log-call', 'cancel', 'attach', 'open-incident'],
} as const;
const allActions = [...new Set(Object.values(followUpActions).flat())] as [string, ...string[]];

/**
 * The top-level fields each action of a service order or change takes. The workflow's validator
 * checks the values (and what lies below); the API refuses a field not listed here with 400 naming
 * it (and the closest known one), so a typo is never silently dropped.
 */
export const followUpActionFields: Record<'service_order' | 'hardware_change' | 'software_change', Record<string, readonly string[]>> = {
  service_order: { schedule: ['technicianId', 'technicianEmail', 'from', 'to'], start: [], complete: ['summary', 'timeEntries', 'materials'], cancel: ['reason'] },
  hardware_change: changeActionFields('hardware'),
  software_change: changeActionFields('software'),
};
function changeActionFields(detail: 'hardware' | 'software'): Record<string, readonly string[]> {
  return { assess: ['risk', 'impact', 'implementationPlan', 'rollbackPlan', detail], submit: [], decide: ['decision', 'comment'], schedule: ['from', 'to'], implement: ['notes'], review: ['outcome', 'notes'], close: [], 'roll-back': ['reason'] };
}

export const FollowUpActionParam = FollowUpRefParam.extend({
  action: z.enum(allActions).openapi({ param: { name: 'action', in: 'path' }, example: 'schedule' }),
});

const common = {
  title: line(200),
  waitFor: z.boolean().default(false).openapi({ description: 'The incident waits for it: status pending_change, resolution and next-response clocks pause until it ends.' }),
  description: text(20_000).default(''),
};
const change = (kind: 'hardware_change' | 'software_change') =>
  z.strictObject({
    kind: z.literal(kind),
    ...common,
    changeType: z.enum(['normal', 'standard']).default('normal').openapi({ description: 'Standard changes are pre-approved; normal ones need every approver.' }),
    approverEmails: z.array(z.email()).max(20).default([]).openapi({ description: 'Approvers or CAB members (staff users), by e-mail.' }),
    approverIds: z.array(z.uuid()).max(20).default([]).openapi({ description: 'Approvers by user id; together with approverEmails, each person counts once.' }),
    changeManagerEmail: z.email().optional().openapi({ description: 'Hears of an approval that is late, and may approve or reject on behalf of the approvers (with a reason). Give this or changeManagerId.' }),
    changeManagerId: z.uuid().optional().openapi({ description: 'The change manager by user id, instead of changeManagerEmail.' }),
    approvalHours: z.number().int().min(1).max(720).default(24),
  }).openapi(anyOfRequired('changeManagerEmail', 'changeManagerId'));

export const CreateFollowUpBody = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('service_order'), ...common, location: z.enum(['onsite', 'workshop']).default('onsite') }),
    change('hardware_change'),
    change('software_change'),
    z.strictObject({
      kind: z.literal('child_ticket'),
      ...common,
      description: text(20_000).default('').openapi({ description: 'Default: "Split from <parent>: <parent title>".' }),
      priority: z.enum(priorities).optional().openapi({ description: "Default: the parent's, unless impact and urgency are given." }),
      impact: z.enum(impacts).optional(),
      urgency: z.enum(urgencies).optional(),
      serialNumber: line(100).optional().openapi({ description: "Another device of the same customer; default the parent's." }),
      contactEmail: z.email().optional().openapi({ description: 'The contact who hears of this ticket; by default none, so the customer hears from the parent only.' }),
      group: line(100).optional().openapi({ description: 'The team the work goes to.' }),
      assigneeId: z.uuid().optional().openapi({ description: 'A staff user to assign it to.' }),
      assigneeEmail: z.email().optional().openapi({ description: 'The staff user by e-mail, instead of assigneeId.' }),
    }),
    CreateCallbackBody.omit({ incidentNumber: true, requestedBy: true, serialNumber: true }).extend({
      kind: z.literal('callback'),
      requestedBy: z.enum(callbackChannels).default('phone'),
    }),
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
    'The action\'s input (a field the action does not take is a 400 naming it). Service order: schedule {technicianId | technicianEmail, from, to}, start {}, complete {summary, timeEntries?, materials?}, cancel {reason}. Change: assess {risk, impact, implementationPlan, rollbackPlan, software? | hardware?}, submit {}, decide {decision, comment?} (a named approver for themselves; the change manager, if not a named approver, decides for all approvers at once and must give the reason as comment), schedule {from, to}, implement {notes?}, review {outcome, notes?}, close {}, roll-back {reason}.',
});
