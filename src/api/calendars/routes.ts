// OpenAPI route specs for /api/calendars (agents read, admins write); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { Calendar, CalendarBody, IdParam } from '../sla/schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Calendars'];

export const listCalendarsRoute = createRoute({ method: 'get', path: '/', middleware: [requireRole('agent')], tags, security, summary: 'List business calendars', responses: { 200: { description: 'All calendars.', content: json(z.object({ items: z.array(Calendar) })) }, ...problemResponses(401, 403) } });

export const getCalendarRoute = createRoute({ method: 'get', path: '/{id}', middleware: [requireRole('agent')], tags, security, summary: 'Get a business calendar', request: { params: IdParam }, responses: { 200: { description: 'The calendar.', content: json(Calendar) }, ...problemResponses(400, 401, 403, 404) } });

export const createCalendarRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Create a business calendar (admin)',
  description: 'Weekly `[start, end)` intervals in local time (`24:00` allowed as an end), public holidays of a date-holidays region, closed dates and special days. Overlapping intervals, unknown zones or regions and ends before starts are refused with 400.',
  request: { body: { required: true, content: json(CalendarBody) } },
  responses: { 201: { description: 'Created.', content: json(Calendar) }, ...problemResponses(400, 401, 403, 409) },
});

export const replaceCalendarRoute = createRoute({
  method: 'put',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Replace a business calendar (admin)',
  request: { params: IdParam, body: { required: true, content: json(CalendarBody) } },
  responses: { 200: { description: 'Replaced.', content: json(Calendar) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteCalendarRoute = createRoute({
  method: 'delete',
  path: '/{id}',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: 'Delete a business calendar (admin)',
  description: 'Refused with 409 while an SLA policy uses it.',
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404, 409) },
});
