// POST /api/sla/preview: "if they call now on Gold, when must we answer?"
import { createRoute } from '@hono/zod-openapi';
import { addBusinessMinutes, businessCalendar, nextBusinessInstant } from '../../domain/business-calendar.js';
import { calendarDefinition, checkCalendar, getCalendar } from '../../services/sla-config.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { PreviewBody, PreviewResult } from './schemas.js';
import { ValidationError } from '../../domain/errors.js';


export const slaRouter = createRouter();
slaRouter.use('*', requireRole('sales'));

slaRouter.openapi(
  createRoute({
    method: 'post',
    path: '/preview',
    tags: ['SLA'],
    security: [{ bearerAuth: [] }],
    summary: 'Due instants for a calendar, a start and targets',
    description: 'Give an inline calendar or the id of a stored one, the start instant, targets in business minutes and optional pause intervals. Answers the due instant of each target in UTC. Received outside business time, the clock starts at the next business instant; landing exactly on the end of an interval, due is that end.',
    request: { body: { required: true, content: json(PreviewBody) } },
    responses: { 200: { description: 'The due instants.', content: json(PreviewResult) }, ...problemResponses(400, 401, 403, 404) },
  }),
  async (c) => {
    const body = c.req.valid('json');
    let definition;
    if (body.calendar) {
      definition = body.calendar;
      checkCalendar(definition, 'calendar.');
    } else {
      definition = calendarDefinition(await getCalendar(c.var.services.db, body.calendarId!));
    }
    const calendar = businessCalendar(definition);
    const start = Date.parse(body.start);
    const pauses = body.pauses.map((p, i) => {
      const span = { from: Date.parse(p.from), to: Date.parse(p.to) };
      if (span.to < span.from) throw new ValidationError(`pauses[${i}]: "to" is before "from".`, `pauses.${i}.to`);
      return span;
    });
    const due: Record<string, string> = {};
    for (const [target, minutes] of Object.entries(body.targets)) {
      if (minutes !== undefined) due[target] = new Date(addBusinessMinutes(calendar, start, minutes, pauses)).toISOString();
    }
    return c.json({ start: new Date(start).toISOString(), clockStart: new Date(nextBusinessInstant(calendar, start, pauses)).toISOString(), due }, 200);
  },
);
