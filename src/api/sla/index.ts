// POST /api/sla/preview: "if they call now on Gold, when must we answer?"
import { addBusinessMinutes, businessCalendar, nextBusinessInstant } from '../../domain/business-calendar.js';
import { ValidationError } from '../../domain/errors.js';
import { calendarDefinition, checkCalendar, getCalendar } from '../../services/sla-config.js';
import { createRouter } from '../context.js';
import { previewRoute } from './routes.js';

export const slaRouter = createRouter();

slaRouter.openapi(previewRoute, async (c) => {
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
});
