// /api/calendars: business calendars (agents read, admins write).
import { createRoute, z } from '@hono/zod-openapi';
import { calendarDefinition, createCalendar, deleteCalendar, getCalendar, listCalendars, updateCalendar, type CalendarRow } from '../../services/sla-config.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { createRouter } from '../context.js';
import { Calendar, CalendarBody, IdParam } from '../sla/schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Calendars'];

export function calendarView(row: CalendarRow): z.infer<typeof Calendar> {
  const { holidays, ...def } = calendarDefinition(row);
  return { id: row.id, name: row.name, ...def, holidays: holidays ?? null, createdAt: row.createdAt.toISOString() };
}

export const calendarsRouter = createRouter();
calendarsRouter.use('*', requireRole('agent'));
for (const method of ['POST', 'PUT', 'DELETE'] as const) calendarsRouter.on(method, '*', requireRole('admin'));

calendarsRouter.openapi(
  createRoute({ method: 'get', path: '/', tags, security, summary: 'List business calendars', responses: { 200: { description: 'All calendars.', content: json(z.object({ items: z.array(Calendar) })) }, ...problemResponses(401, 403) } }),
  async (c) => c.json({ items: (await listCalendars(c.var.services.db)).map(calendarView) }, 200),
);

calendarsRouter.openapi(
  createRoute({ method: 'get', path: '/{id}', tags, security, summary: 'Get a business calendar', request: { params: IdParam }, responses: { 200: { description: 'The calendar.', content: json(Calendar) }, ...problemResponses(400, 401, 403, 404) } }),
  async (c) => c.json(calendarView(await getCalendar(c.var.services.db, c.req.valid('param').id)), 200),
);

calendarsRouter.openapi(
  createRoute({
    method: 'post',
    path: '/',
    tags,
    security,
    summary: 'Create a business calendar (admin)',
    description: 'Weekly `[start, end)` intervals in local time (`24:00` allowed as an end), public holidays of a date-holidays region, closed dates and special days. Overlapping intervals, unknown zones or regions and ends before starts are refused with 400.',
    request: { body: { required: true, content: json(CalendarBody) } },
    responses: { 201: { description: 'Created.', content: json(Calendar) }, ...problemResponses(400, 401, 403, 409) },
  }),
  async (c) => c.json(calendarView(await createCalendar(c.var.services.db, c.req.valid('json'))), 201),
);

calendarsRouter.openapi(
  createRoute({
    method: 'put',
    path: '/{id}',
    tags,
    security,
    summary: 'Replace a business calendar (admin)',
    request: { params: IdParam, body: { required: true, content: json(CalendarBody) } },
    responses: { 200: { description: 'Replaced.', content: json(Calendar) }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => c.json(calendarView(await updateCalendar(c.var.services.db, c.req.valid('param').id, c.req.valid('json'))), 200),
);

calendarsRouter.openapi(
  createRoute({
    method: 'delete',
    path: '/{id}',
    tags,
    security,
    summary: 'Delete a business calendar (admin)',
    description: 'Refused with 409 while an SLA policy uses it.',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
  }),
  async (c) => {
    await deleteCalendar(c.var.services.db, c.req.valid('param').id);
    return c.body(null, 204);
  },
);
