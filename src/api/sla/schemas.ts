// Shared zod schemas for calendars, SLA targets and policies.
import { z } from '@hono/zod-openapi';
import { contractTiers, priorities, weekdays } from '../../domain/enums.js';
import { defaultEscalationLadder } from '../../domain/sla.js';
import { calendarDay, line } from '../common-schemas.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:MM (00:00-24:00)');
const intervals = z.array(z.tuple([hhmm, hhmm])).openapi({ example: [['08:00', '12:00'], ['13:00', '17:00']] });
const isoDate = calendarDay;

export const InlineCalendar = z
  .strictObject({
    timezone: line(64).openapi({ example: 'Europe/Berlin' }),
    week: z.partialRecord(z.enum(weekdays), intervals).openapi({
      description: 'Business hours per weekday; at least one weekday with at least one interval.',
      example: { mon: [['08:00', '17:00']], tue: [['08:00', '17:00']], wed: [['08:00', '17:00']], thu: [['08:00', '17:00']], fri: [['08:00', '17:00']] },
      anyOf: weekdays.map((day) => ({ required: [day], properties: { [day]: { minItems: 1 } } })),
    }),
    holidays: z.strictObject({ region: line(20).pipe(z.string().min(2)).openapi({ example: 'DE-NW' }) }).nullish(),
    closedDates: z.array(isoDate).max(1000).optional(),
    specialDays: z.record(isoDate, intervals).optional().openapi({ example: { '2026-12-24': [['08:00', '12:00']] } }),
  })
  .openapi('CalendarDefinition');
export type InlineCalendar = z.infer<typeof InlineCalendar>;

export const CalendarBody = z.strictObject({ ...InlineCalendar.shape, name: line(120) }).openapi('CalendarInput');
export const Calendar = z.object({ ...CalendarBody.shape, id: z.uuid(), createdAt: z.string() }).openapi('Calendar');

export const businessMinutes = z.number().int().min(0).max(10_000_000);

export const Targets = z.strictObject({ firstResponse: businessMinutes, nextResponse: businessMinutes, resolution: businessMinutes });
export const EscalationLadder = z
  .strictObject({
    warningPercent: z.number().int().min(1).max(99).default(75),
    managementOverduePercent: z.number().int().min(1).max(1000).default(50),
    recipients: z
      .strictObject({ level1: z.array(line(254)).max(50), level2: z.array(line(254)).max(50), level3: z.array(line(254)).max(50) })
      .default(defaultEscalationLadder.recipients),
  })
  .openapi('EscalationLadder');

export const SlaPolicyBody = z
  .strictObject({
    name: line(120),
    tier: z.enum(contractTiers).nullable().default(null).openapi({ description: 'The tier this policy is the default for; null for a contract-specific policy.' }),
    calendarId: z.uuid(),
    targets: z.record(z.enum(priorities), Targets).openapi({ description: 'Business minutes per priority P1-P4.', required: [...priorities] }),
    escalation: EscalationLadder.default(defaultEscalationLadder),
  })
  .openapi('SlaPolicyInput');
export const SlaPolicy = z.object({ ...SlaPolicyBody.shape, id: z.uuid(), version: z.number().int(), createdAt: z.string() }).openapi('SlaPolicy');

export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const instant = z.iso.datetime({ offset: true });

export const PreviewBody = z
  .strictObject({
    calendar: InlineCalendar.optional(),
    calendarId: z.uuid().optional(),
    start: instant.openapi({ example: '2026-11-27T15:30:00Z' }),
    targets: z.strictObject({ firstResponse: businessMinutes.optional(), nextResponse: businessMinutes.optional(), resolution: businessMinutes.optional() }),
    pauses: z.array(z.strictObject({ from: instant, to: instant })).max(1000).default([]),
  })
  .refine((b) => (b.calendar === undefined) !== (b.calendarId === undefined), { message: 'give exactly one of calendar and calendarId', path: ['calendar'] })
  .openapi('SlaPreviewRequest', { oneOf: [{ required: ['calendar'] }, { required: ['calendarId'] }] });

const due = instant.optional();
export const PreviewResult = z
  .object({
    start: z.string(),
    clockStart: z.string().openapi({ description: 'The first business instant at or after start: where the clock starts.' }),
    due: z.object({ firstResponse: due, nextResponse: due, resolution: due }),
  })
  .openapi('SlaPreview');
