import { z } from '@hono/zod-openapi';
import { callbackChannels, callOutcomes } from '../../domain/callback.js';
import { callbackBases, callbackSlaOutcomes } from '../../domain/callback-sla.js';
import { contractTiers, priorities } from '../../domain/enums.js';
import { callbackViews } from '../../services/callbacks.js';
import { idempotencyHeader, incidentNumberDoc, line, paging, queryText, text } from '../common-schemas.js';

const instant = z.iso.datetime({ offset: true });
const incidentNumber = z.string().regex(/^INC-\d{4}-\d{6}$/, 'expected an incident number like INC-2026-000123').openapi({ example: incidentNumberDoc.example });

export const CallbackIdParam = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'The UUID of a standalone callback (workflow id `callback-<uuid>`).', example: '1b4e28ba-2fa1-41d2-883f-0016d3cca427' }),
});

export const callbackActions = ['assign', 'log-call', 'cancel', 'attach', 'open-incident'] as const;
export type CallbackAction = (typeof callbackActions)[number];

export const CallbackActionParam = CallbackIdParam.extend({
  action: z.enum(callbackActions).openapi({ param: { name: 'action', in: 'path' }, example: 'log-call' }),
});

export const CreateCallbackHeaders = idempotencyHeader('callback');

export const CreateCallbackBody = z
  .strictObject({
    phone: z.string().min(1).max(40).openapi({ description: '"+" and 6 to 15 digits; spaces are allowed and removed.', example: '+49 221 123 45 67' }),
    topic: line(200).openapi({ example: 'VPN drops every hour' }),
    contactName: line(200).optional().openapi({ description: 'Whom to ask for; defaults to the contact\'s (or the incident contact\'s) name. Required for an unknown caller.' }),
    customerNumber: z.string().trim().min(1).max(40).optional().openapi({ example: 'K-10001' }),
    contactEmail: z.email().max(320).optional().openapi({ description: 'A known contact: gives the customer and the name.' }),
    serialNumber: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .openapi({
        description:
          'The asset the call is about: its entitlement decides tier and policy (and names the customer). Without it the customer\'s best contract in force today counts (highest tier, also one that covers only listed assets). An unknown serial number, or another customer\'s, is a 400; not with incidentNumber.',
        example: 'FW-FG100F-0042',
      }),
    incidentNumber: incidentNumber.optional().openapi({ description: 'Attach the callback to this incident: it runs as the incident\'s follow-up `callback-<k>` on the incident\'s SLA policy.' }),
    window: z
      .strictObject({ from: instant, to: instant })
      .optional()
      .openapi({ description: 'The customer\'s preferred window. Without it the window runs from now (the next business instant) to the callback SLA\'s latest end.' }),
    laterByAgreement: z.boolean().default(false).openapi({ description: 'The customer asked for a window that ends after the SLA\'s latest end; the SLA then counts as met by agreement. Without it such a window is refused (400).' }),
    requestedBy: z.enum(callbackChannels).openapi({ description: 'How the request came in. A mailgate token may only send `mail`.' }),
    assigneeId: z.uuid().optional().openapi({ description: 'A staff user who makes the call.' }),
    assigneeEmail: z.email().optional().openapi({ description: 'The staff user by e-mail, instead of assigneeId.' }),
    group: line(100).optional().openapi({ example: '1st-level', description: 'A known support group (GET /api/groups).' }),
  })
  .openapi('CreateCallback', {
    example: { phone: '+49 221 123 45 67', topic: 'VPN drops every hour', customerNumber: 'K-10001', contactName: 'Carla Kunde', requestedBy: 'phone', group: '1st-level' },
  });

export const CallbackSlaSchema = z
  .object({
    minutes: z.number().int().openapi({ description: 'Callback SLA in business minutes.' }),
    tier: z.enum(contractTiers).nullable(),
    policy: z.object({ id: z.string(), name: z.string() }).nullable().openapi({ description: 'The SLA policy counted on; null without contract (house calendar).' }),
    source: z.enum(['policy', 'tier_default', 'no_contract_default']),
    latestEnd: z.string().openapi({ description: 'Request time plus the minutes in business time.' }),
    met: z.enum(callbackSlaOutcomes).openapi({
      description: '`within`: the window ends by `latestEnd`; `by_agreement`: the customer asked for a later window; `late`: the request (a mail) was taken up only after `latestEnd` had passed, so the SLA is breached and the window counts from `takenUpAt`.',
    }),
    takenUpAt: z.string().optional().openapi({ description: 'With `met: late`: when the request was taken up; the window counts from then.' }),
    contract: z
      .object({ id: z.string(), number: z.string(), tier: z.enum(contractTiers) })
      .nullable()
      .optional()
      .openapi({ description: 'The contract behind tier and policy; null without one. Absent on callbacks requested before it was recorded.', example: { id: '0b5f7c1e-4a7e-4d2a-9a57-2f7c1d9e8a10', number: 'V-2026-0002', tier: 'platinum' } }),
    basis: z
      .enum(callbackBases)
      .optional()
      .openapi({
        description:
          'How the contract was chosen: `incident` the incident\'s contract and policy; `asset` the entitlement of the asset named by `serialNumber`; `customer` the customer\'s best contract in force today (highest tier); `none` an unknown caller.',
      }),
  })
  .openapi('CallbackSla');

export const Callback = z
  .object({
    id: z.string().nullable().openapi({ description: 'The UUID of a standalone callback; null for one under an incident (see href).' }),
    workflowId: z.string().openapi({ example: 'callback-1b4e28ba-2fa1-41d2-883f-0016d3cca427' }),
    href: z.string().openapi({ example: '/api/callbacks/1b4e28ba-2fa1-41d2-883f-0016d3cca427' }),
    title: z.string(),
    state: z.string().openapi({ description: 'requested, assigned, reminded, overdue, done or cancelled.' }),
    ended: z.boolean(),
    customerNumber: z.string().nullable(),
    incidentNumber: z.string().nullable(),
    assigneeId: z.string().nullable(),
    dueAt: z.string().nullable().openapi({ description: 'The window end, or the next retry after a call that did not reach them; null once ended.' }),
    details: z.record(z.string(), z.unknown()).openapi({ description: 'Phone, topic, contact, window, assignee, group, attempts, retryAt, sla, ...' }),
    updatedAt: z.string(),
  })
  .openapi('Callback');

export const CreatedCallback = Callback.extend({ sla: CallbackSlaSchema }).openapi('CreatedCallback');

export const CallbackWithTimeline = Callback.extend({
  events: z.array(z.object({ seq: z.number().int(), type: z.string(), actor: z.object({ id: z.string(), name: z.string() }), at: z.string(), payload: z.record(z.string(), z.unknown()) })),
}).openapi('CallbackWithTimeline');

export const ListCallbacksQuery = z.strictObject({
  view: z.enum(callbackViews).default('open').openapi({ description: 'due: open, and its window has opened or a retry is due; overdue: the window closed without a call; open: not ended; all.' }),
  assignee: z
    .union([z.literal('me'), z.uuid()])
    .optional()
    .openapi({ description: '`me` or a user id.' }),
  group: queryText(100).pipe(z.string().min(1)).optional(),
  ...paging(100, 500),
});

// The bodies of the actions, checked by runCallbackAction (the incident follow-ups route shares it).
export const actionBodies = {
  assign: z.strictObject({ assigneeId: z.uuid().optional(), assigneeEmail: z.email().optional(), group: line(100).optional() }),
  'log-call': z.strictObject({ outcome: z.enum(callOutcomes), note: text(2000).optional(), needsIncident: z.boolean().optional() }),
  cancel: z.strictObject({ reason: line(1000) }),
  attach: z.strictObject({ incidentNumber }),
  'open-incident': z.strictObject({
    title: line(200).optional(),
    description: text(20_000).optional(),
    priority: z.enum(priorities).optional(),
    customerNumber: line(40).optional(),
    contactEmail: z.email().max(320).optional(),
  }),
} satisfies Record<CallbackAction, z.ZodType>;

export const CallbackActionBody = z.record(z.string(), z.unknown()).openapi('CallbackAction', {
  description:
    'assign {assigneeId? | assigneeEmail?, group?}; log-call {outcome: reached | not_reached | voicemail, note?, needsIncident?}; cancel {reason}; attach {incidentNumber}; open-incident {title?, description?, priority?, customerNumber?, contactEmail?}.',
  example: { outcome: 'not_reached', note: 'Mailbox full.' },
});

export const OpenedIncident = z.object({
  number: z.string(),
  href: z.string(),
  replayed: z.boolean().openapi({ description: 'An earlier open-incident of this callback opened it already.' }),
  attached: z.boolean().openapi({ description: 'The callback is attached to it (false when the callback had ended already).' }),
});

export const CallbackAfterAction = Callback.extend({ openedIncident: OpenedIncident.optional() }).openapi('CallbackAfterAction');

