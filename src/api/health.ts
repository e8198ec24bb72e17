// GET /healthz: public; reports whether Postgres and Temporal answer.
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from './context.js';

const Check = z.enum(['ok', 'failing']);
const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({ database: Check, temporal: Check }),
    errors: z.record(z.string(), z.string()).optional(),
  })
  .openapi('Health');

const healthRoute = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['Operations'],
  summary: 'Health of the API and its backing services',
  responses: {
    200: { description: 'Everything answers.', content: { 'application/json': { schema: Health } } },
    503: { description: 'A backing service does not answer.', content: { 'application/json': { schema: Health } } },
  },
});

const timeoutMs = 3000;
async function probe(fn: () => Promise<unknown>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
  }
}

export const healthRouter = createRouter();

healthRouter.openapi(healthRoute, async (c) => {
  const { pingDatabase, temporal } = c.var.services;
  const [database, temporalError] = await Promise.all([
    probe(pingDatabase),
    probe(() => temporal.connection.workflowService.getSystemInfo({})),
  ]);
  const errors = Object.fromEntries(Object.entries({ database, temporal: temporalError }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const ok = Object.keys(errors).length === 0;
  const body = {
    status: ok ? ('ok' as const) : ('degraded' as const),
    checks: { database: database ? ('failing' as const) : ('ok' as const), temporal: temporalError ? ('failing' as const) : ('ok' as const) },
    ...(ok ? {} : { errors }),
  };
  return c.json(body, ok ? 200 : 503);
});
