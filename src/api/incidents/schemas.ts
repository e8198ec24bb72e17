import { z } from '@hono/zod-openapi';
import { channels, contractTiers, followUpKinds, impacts, incidentStatuses, kbVisibilities, languages, priorities, urgencies } from '../../domain/enums.js';
import { isIncidentNumber } from '../../domain/ticket-number.js';

import { incidentListSorts } from '../../services/incident-list.js';
import { anyOfRequired, calendarDay, incidentNumberDoc, line, queryInt, queryText, oneOrSeveral, text } from '../common-schemas.js';
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
    assigneeId: z.uuid().optional().openapi({ description: 'A staff user (agent, manager or admin) by id.' }),
    assigneeEmail: z.email().optional().openapi({ description: 'The staff user by e-mail, instead of assigneeId.' }),
    group: line(100).optional().openapi({ description: 'A known support group (GET /api/groups); an unknown one is refused with 400 listing them.', example: '2nd-level' }),
  })
  .refine((b) => b.assigneeId || b.assigneeEmail || b.group, { message: 'give assigneeId (or assigneeEmail), group or both', path: ['assigneeId'] })
  .openapi('AssignIncident', anyOfRequired('assigneeId', 'assigneeEmail', 'group'));

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
export const BreachCauseInput = z
  .strictObject({
    cause: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'expected a breach cause code').openapi({ description: 'One of the configured causes (BREACH_CAUSES), by default waiting_on_customer, waiting_on_vendor, misrouted, capacity, outside_contract, other.', example: 'waiting_on_vendor' }),
    note: text(2000).optional().openapi({ description: 'Free text; required for "other".', example: 'Spare part from the vendor took three days.' }),
  })
  .openapi('BreachCauseInput');
export const BreachCause = z
  .object({
    incidentNumber: z.string(),
    cause: z.string(),
    note: z.string().nullable(),
    recordedBy: z.string().openapi({ description: 'Who gave it (name).' }),
    recordedAt: z.iso.datetime({ offset: true }),
    source: z.enum(['resolve', 'correction']),
  })
  .openapi('BreachCause');
export const ResolveBody = z
  .strictObject({
    resolution: line(20_000),
    breachCause: BreachCauseInput.optional().openapi({ description: 'Why the SLA was breached. Required when a target of the incident was missed (else 409 naming breachCause); a cause given otherwise is kept too.' }),
  })
  .openapi('ResolveIncident');


const instant = z.iso.datetime({ offset: true }).nullable();

/** Wall-clock time in the SLA calendar's zone, RFC 9557, e.g. "2026-12-02T16:00+01:00[Europe/Berlin]". */
const localInstant = z.string().nullable().openapi({ example: '2026-12-02T16:00+01:00[Europe/Berlin]' });

export const SlaTargetPicture = z
  .object({
    target: z.enum(['firstResponse', 'nextResponse', 'resolution']),
    state: z.enum(['running', 'paused', 'met', 'breached']),
    budgetMinutes: z.number().int().openapi({ description: 'The target in business minutes.' }),
    dueAt: instant.openapi({ description: 'Null while paused: it depends on when the pause ends.' }),
    dueAtLocal: localInstant.openapi({ description: '`dueAt` in the calendar\'s zone.' }),
    metAt: instant.openapi({ description: 'When the target was met (state `met`); null otherwise.' }),
    metAtLocal: localInstant.openapi({ description: '`metAt` in the calendar\'s zone.' }),
    elapsedMinutes: z.number().int().openapi({ description: 'Business minutes counted, rounded down.' }),
    remainingMinutes: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Business minutes left, rounded up (elapsed + remaining = budget while it runs); 0 once overdue; null once met.' }),
    pausedMinutes: z.number().int().openapi({ description: 'Business minutes spent paused, rounded down.' }),
    level: z.number().int(),
  })
  .openapi('SlaTargetPicture');

export const SlaPicture = z
  .object({
    policy: z.object({ name: z.string(), version: z.number().int(), tier: z.enum(contractTiers).nullable() }),
    zone: z.string().openapi({ description: 'The IANA zone of the policy\'s business calendar, in which the `...Local` times are given.', example: 'Europe/Berlin' }),
    level: z.number().int().openapi({ description: '0 on track, 1 warning, 2 breach, 3 management.' }),
    levelName: z.string(),
    breached: z.boolean(),
    asOf: z.string(),
    asOfLocal: localInstant,
    targets: z.array(SlaTargetPicture),
    escalations: z
      .array(
        z.object({
          at: z.string(),
          atLocal: localInstant,
          reachedAt: z.string().nullable(),
          reachedAtLocal: localInstant,
          from: z.number().int(),
          to: z.number().int(),
          name: z.string(),
          target: z.string().nullable(),
        }),
      )
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

const KbArticleRef = z.object({ id: z.uuid(), title: z.string(), language: z.enum(languages), visibility: z.enum(kbVisibilities) }).openapi('KbArticleRef');

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
    dueLocal: z
      .object({ firstResponse: localInstant, nextResponse: localInstant, resolution: localInstant })
      .openapi({ description: '`due` in the SLA calendar\'s zone (`sla.zone`); null without an SLA policy.' }),
    escalationLevel: z.number().int(),
    slaBreached: z.boolean(),
    sla: SlaPicture.nullable().optional().openapi({ description: 'The live SLA picture: per target its due instant (and met instant), elapsed, remaining and paused whole business minutes and state, instants also in local time of the calendar\'s zone.' }),
    receivedAt: z.string(),
    updatedAt: z.string(),
    resolvedAt: instant,
    closedAt: instant,
    parentNumber: z.string().nullable().openapi({ description: 'A child ticket: the incident it was split from.' }),
    followUps: z.array(FollowUpLink).openapi({ description: 'Follow-up work started from this incident, oldest first; read each at `/api/incidents/{number}/follow-ups/{ref}` (a child ticket also as `/api/incidents/{child number}`).' }),
    articles: z
      .array(KbArticleRef)
      .optional()
      .openapi({ description: 'Knowledge-base articles linked to the incident (POST /api/incidents/{number}/articles), oldest link first. In GET /api/incidents/{number} only.' }),
    suggestedArticles: z
      .array(KbArticleRef.extend({ snippet: z.string(), score: z.number() }))
      .optional()
      .openapi({ description: 'Published articles matching the title and description (at most 5, none when nothing matches well), the linked ones left out. In GET /api/incidents/{number} only.' }),
  })
  .openapi('Incident');
export type Incident = z.infer<typeof Incident>;

export const IncidentList = z
  .object({
    items: z.array(Incident),
    total: z.number().int().nullable().openapi({ description: 'All incidents matching the filters (not only this page); null when not counted (see the `total` parameter).' }),
    limit: z.number().int(),
    offset: z.number().int(),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` (with the same filters and sort) for the next page; null on the last page.' }),
  })
  .openapi('IncidentList');

/** An instant with offset, or a calendar day meaning its start in the house time zone. */
const instantOrDay = z.union([z.iso.datetime({ offset: true }), calendarDay]).openapi({ example: '2026-11-01' });

export const ListQuery = z
  .strictObject({
    status: oneOrSeveral(incidentStatuses, 'new,in_progress').optional(),
    priority: oneOrSeveral(priorities, 'P1,P2').optional(),
    customerNumber: line(64).optional(),
    assignee: z
      .union([z.literal('me'), z.uuid()])
      .optional()
      .openapi({ description: 'A user id, or `me` for the caller.', example: 'me' }),
    group: line(100).optional().openapi({ description: 'The assigned group.', example: '2nd-level' }),
    escalationLevel: queryInt(0, 3).optional().openapi({ description: 'At least this escalation level (1 warning, 2 breach, 3 management).' }),
    breached: z.enum(['true', 'false']).transform((v) => v === 'true').optional().openapi({ description: 'Whether any SLA target was ever missed (sticky).' }),
    receivedFrom: instantOrDay.optional().openapi({ description: 'Received at or after (inclusive). A day means its start (00:00) in the house time zone (TIMEZONE).' }),
    receivedTo: instantOrDay.optional().openapi({ description: 'Received before (exclusive): `receivedFrom=2026-11-01&receivedTo=2026-12-01` is November.' }),
    q: queryText(200).optional().openapi({ description: 'Full text over number, title and description, German and English stemming, accents ignored, web-search syntax ("quoted phrase", or, -not). An incident number finds that incident.', example: 'Drucker' }),
    sort: z.enum(incidentListSorts).default('received').openapi({ description: '`received`: newest first (default). `due`: the earliest due instant of a running target first (overdue ones first; incidents with no running target last). `level`: highest escalation level first. Ties: by number (descending for received and level, ascending for due).' }),
    offset: queryInt(0, 10_000_000).optional().openapi({ description: 'Kept for compatibility; prefer `cursor` (deep offsets read every row before them). Not together with `cursor`.', 'x-exclusive-with': ['cursor'] }),
    cursor: z.string().max(400).optional().openapi({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$', description: 'The `nextCursor` of the previous page (keyset pagination; same sort). Not together with `offset`.', 'x-exclusive-with': ['offset'] }),
    total: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .openapi({
        type: 'boolean',
        description: 'Count all matches into `total`: by default on a first page (no cursor), not on the pages after it (the count of a filter matching most of 100,000 incidents takes 100-300 ms). false: never, true: also with a cursor.',
      }),
    limit: queryInt(1, 200).default(50),
  })
  .refine((query) => query.cursor === undefined || query.offset === undefined, { message: 'give cursor or offset, not both', path: ['cursor'] });

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
