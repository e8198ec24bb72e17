// /api/calendars: business calendars (agents read, admins write).
import { createCalendar, deleteCalendar, getCalendar, listCalendars, updateCalendar } from '../../services/sla-config.js';
import { createRouter } from '../context.js';
import { createCalendarRoute, deleteCalendarRoute, getCalendarRoute, listCalendarsRoute, replaceCalendarRoute } from './routes.js';
import { calendarView } from './views.js';

export const calendarsRouter = createRouter();

calendarsRouter.openapi(listCalendarsRoute, async (c) => c.json({ items: (await listCalendars(c.var.services.db)).map(calendarView) }, 200));

calendarsRouter.openapi(getCalendarRoute, async (c) => c.json(calendarView(await getCalendar(c.var.services.db, c.req.valid('param').id)), 200));

calendarsRouter.openapi(createCalendarRoute, async (c) => c.json(calendarView(await createCalendar(c.var.services.db, c.req.valid('json'))), 201));

calendarsRouter.openapi(replaceCalendarRoute, async (c) => c.json(calendarView(await updateCalendar(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200));

calendarsRouter.openapi(deleteCalendarRoute, async (c) => {
  await deleteCalendar(c.var.services.db, c.req.valid('param').id);
  return c.body(null, 204);
});
