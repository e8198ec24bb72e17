// OpenAPI route specs for /api/incidents; handlers live in index.ts.
import { createRoute, type z } from '@hono/zod-openapi';
import { problemResponses } from '../common-schemas.js';
import { AssignBody, CreateIncidentBody, Incident, IncidentList, IncidentNumberParam, ListQuery, NoteBody, ReplyBody, ResolveBody, Timeline } from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Incidents'];
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } });

export const createIncidentRoute = createRoute({
  method: 'post',
  path: '/',
  tags,
  security,
  summary: 'Open an incident',
  description: 'Identifies the caller by customer number, serial number or contact e-mail, allocates the next incident number and starts the incident workflow.',
  request: { body: { required: true, content: json(CreateIncidentBody) } },
  responses: {
    201: { description: 'The incident was opened.', content: json(Incident) },
    202: { description: 'The incident was recorded; its workflow starts as soon as Temporal is reachable.', content: json(Incident) },
    ...problemResponses(400, 401, 403),
  },
});

export const listIncidentsRoute = createRoute({
  method: 'get',
  path: '/',
  tags,
  security,
  summary: 'List incidents',
  description: 'Newest first, filtered by status, customer and priority, paginated with limit and offset.',
  request: { query: ListQuery },
  responses: { 200: { description: 'A page of incidents.', content: json(IncidentList) }, ...problemResponses(400, 401, 403) },
});

export const getIncidentRoute = createRoute({
  method: 'get',
  path: '/{number}',
  tags,
  security,
  summary: 'Get an incident',
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The incident.', content: json(Incident) }, ...problemResponses(400, 401, 403, 404, 503) },
});

export const getTimelineRoute = createRoute({
  method: 'get',
  path: '/{number}/timeline',
  tags,
  security,
  summary: "An incident's timeline",
  description: 'Every step of the incident in order: who did what, when.',
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The timeline.', content: json(Timeline) }, ...problemResponses(400, 401, 403, 404) },
});

function commandRoute<B extends z.ZodType>(path: string, summary: string, description: string, body: B) {
  return createRoute({
    method: 'post',
    path: `/{number}/${path}`,
    tags,
    security,
    summary,
    description,
    request: { params: IncidentNumberParam, body: { required: true, content: json(body) } },
    responses: {
      200: { description: 'The incident after the change.', content: json(Incident) },
      ...problemResponses(400, 401, 403, 404, 409, 503),
    },
  });
}

export const assignRoute = commandRoute('assign', 'Assign an incident', 'Sets the assignee (a user id), the group, or both. A new incident becomes assigned.', AssignBody);
export const addNoteRoute = commandRoute('notes', 'Add an internal note', 'Internal notes are never shown to the customer.', NoteBody);
export const replyRoute = commandRoute('reply', 'Reply to the customer', 'A public answer. The first one meets the first-response target; each one meets a pending next-response target. A new or assigned incident becomes in progress.', ReplyBody);
export const resolveRoute = commandRoute('resolve', 'Resolve an incident', 'Records the resolution text; only open incidents can be resolved.', ResolveBody);
export const closeRoute = createRoute({
  method: 'post',
  path: '/{number}/close',
  tags,
  security,
  summary: 'Close an incident',
  description: 'Only a resolved incident can be closed; closing ends its workflow.',
  request: { params: IncidentNumberParam },
  responses: {
    200: { description: 'The closed incident.', content: json(Incident) },
    ...problemResponses(400, 401, 403, 404, 409, 503),
  },
});
