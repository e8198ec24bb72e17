// OpenAPI route spec for POST /api/sla/preview (sales and above); the handler lives in index.ts.
import { createRoute } from '@hono/zod-openapi';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { PreviewBody, PreviewResult } from './schemas.js';

export const previewRoute = createRoute({
  method: 'post',
  path: '/preview',
  middleware: [requireRole('sales')],
  tags: ['SLA'],
  security: [{ bearerAuth: [] }],
  summary: 'Due instants for a calendar, a start and targets',
  description: 'Give an inline calendar or the id of a stored one, the start instant, targets in business minutes and optional pause intervals. Answers the due instant of each target in UTC. Received outside business time, the clock starts at the next business instant; landing exactly on the end of an interval, due is that end.',
  request: { body: { required: true, content: json(PreviewBody) } },
  responses: { 200: { description: 'The due instants.', content: json(PreviewResult) }, ...problemResponses(400, 401, 403, 404) },
});
