// The Hono application: middleware, routers and the single error path.
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { requireAuth } from './auth.js';
import { apiBodyLimit, wellFormedInput } from './input-guard.js';
import type { ApiServices, AppEnv } from './context.js';
import { mountDocs } from './docs.js';
import { entitlementRouter } from './entitlement/index.js';
import { callbacksRouter } from './callbacks/index.js';
import { materialEntriesRouter } from './material-entries/index.js';
import { followUpsRouter } from './follow-ups/index.js';
import { healthRouter } from './health.js';
import { createApiMetrics, metricsPath, observeRequest, patternParam, routePattern, serveMetrics } from './metrics.js';
import { invoicesRouter } from './invoices/index.js';
import { assetsRouter, contactsRouter, contractsRouter, customersRouter, groupsRouter, importRouter } from './master-data/index.js';
import { meRouter, usersRouter } from './users/index.js';
import { customerInsightRouter, reportsRouter } from './reports/index.js';
import { incidentTimeEntriesRouter, timeEntriesRouter } from './time-entries/index.js';
import { calendarsRouter } from './calendars/index.js';
import { incidentsRouter } from './incidents/index.js';
import { incidentArticlesRouter, kbImportRouter, kbRouter } from './kb/index.js';
import { incidentMessagesRouter, mailgateRouter, mailRouter } from './mail/index.js';
import { slaPoliciesRouter } from './sla-policies/index.js';
import { slaRouter } from './sla/index.js';
import { noRoute } from './method-not-allowed.js';
import { onError } from './problem.js';
import { refuseQueryWhereNoneIsTaken } from './query-guard.js';
import { assetsRouter as webAssets } from '../web/assets.js';
import { createPortal } from '../web/portal/index.js';
import { createReports } from '../web/reports/index.js';
import { createStaffPages } from '../web/staff/index.js';

/** The incident number of a request whose route names one (`/api/incidents/:number...`). */
function incidentOf(route: string, path: string): string | undefined {
  return route.startsWith('/api/incidents/:number') ? patternParam(route, path, 'number') : undefined;
}

export function createApp(services: ApiServices): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestId());
  const metrics = services.metrics ?? createApiMetrics();
  app.use('*', async (c, next) => {
    const started = performance.now();
    c.set('services', services);
    // Every line a request logs names its incident when the route has one (/api/incidents/:number/...).
    const incidentNumber = incidentOf(routePattern(c), c.req.path);
    c.set('logger', services.logger.child({ requestId: c.var.requestId, ...(incidentNumber ? { incidentNumber } : {}) }));
    await next();
    const ms = performance.now() - started;
    const route = routePattern(c);
    observeRequest(metrics, { method: c.req.method, route, status: c.res.status }, ms / 1000);
    c.var.logger.info({ method: c.req.method, path: c.req.path, route, status: c.res.status, ms: Math.round(ms) }, 'request');
  });
  app.use('*', apiBodyLimit(services.bodyLimitBytes));
  app.use('*', requireAuth);
  app.use('*', wellFormedInput);
  app.use('/api/*', refuseQueryWhereNoneIsTaken(app));

  // The web pages: sessions, not bearer tokens (requireAuth leaves them alone; see isWebPath).
  app.route('/assets', webAssets);
  app.route('/portal', createPortal() as unknown as OpenAPIHono<AppEnv>);
  app.route('/staff', createStaffPages() as unknown as OpenAPIHono<AppEnv>);
  app.route('/reports', createReports() as unknown as OpenAPIHono<AppEnv>);
  app.route('/', healthRouter);
  app.get(metricsPath, serveMetrics(metrics, services.metricsToken));
  app.route('/api/incidents', incidentMessagesRouter);
  app.route('/api/incidents', incidentsRouter);
  app.route('/api/inbound', mailgateRouter);
  app.route('/api/mail', mailRouter);
  app.route('/api/calendars', calendarsRouter);
  app.route('/api/sla-policies', slaPoliciesRouter);
  app.route('/api/sla', slaRouter);
  app.route('/api/entitlement', entitlementRouter);
  app.route('/api/customers', customerInsightRouter);
  app.route('/api/customers', customersRouter);
  app.route('/api/contacts', contactsRouter);
  app.route('/api/contracts', contractsRouter);
  app.route('/api/assets', assetsRouter);
  app.route('/api/import', kbImportRouter);
  app.route('/api/import', importRouter);
  app.route('/api/kb', kbRouter);
  app.route('/api/groups', groupsRouter);
  app.route('/api/users', usersRouter);
  app.route('/api/me', meRouter);
  app.route('/api/incidents', incidentTimeEntriesRouter);
  app.route('/api/incidents', followUpsRouter);
  app.route('/api/incidents', incidentArticlesRouter);
  app.route('/api/callbacks', callbacksRouter);
  app.route('/api/time-entries', timeEntriesRouter);
  app.route('/api/material-entries', materialEntriesRouter);
  app.route('/api/invoices', invoicesRouter);
  app.route('/api/reports', reportsRouter);
  mountDocs(app);

  app.notFound((c) => noRoute(app, c)); // 404, or 405 with Allow for a known path
  app.onError(onError);
  return app;
}
