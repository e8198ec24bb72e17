// The Hono application: middleware, routers and the single error path.
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { requireAuth } from './auth.js';
import type { ApiServices, AppEnv } from './context.js';
import { mountDocs } from './docs.js';
import { healthRouter } from './health.js';
import { calendarsRouter } from './calendars/index.js';
import { incidentsRouter } from './incidents/index.js';
import { incidentMessagesRouter, mailgateRouter, mailRouter } from './mail/index.js';
import { slaPoliciesRouter } from './sla-policies/index.js';
import { slaRouter } from './sla/index.js';
import { onError, problem } from './problem.js';

export function createApp(services: ApiServices): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestId());
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('services', services);
    c.set('logger', services.logger.child({ requestId: c.var.requestId }));
    await next();
    c.var.logger.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
  app.use('*', requireAuth);

  app.route('/', healthRouter);
  app.route('/api/incidents', incidentMessagesRouter);
  app.route('/api/incidents', incidentsRouter);
  app.route('/api/inbound', mailgateRouter);
  app.route('/api/mail', mailRouter);
  app.route('/api/calendars', calendarsRouter);
  app.route('/api/sla-policies', slaPoliciesRouter);
  app.route('/api/sla', slaRouter);
  mountDocs(app);

  app.notFound((c) => problem(c, 404, `No route for ${c.req.method} ${c.req.path}.`));
  app.onError(onError);
  return app;
}
