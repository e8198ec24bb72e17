// The OpenAPI document and a self-hosted Swagger UI (no CDN: works on closed networks).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { RouterRoute } from 'hono/types';
import { rolesAdmittedBy } from './auth.js';
import type { AppEnv } from './context.js';

const swaggerDir = (createRequire(import.meta.url)('swagger-ui-dist') as { getAbsoluteFSPath(): string }).getAbsoluteFSPath();
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Helpdesk API</title><link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-ui-standalone-preset.js"></script>
<script src="/docs/init.js"></script>
</body></html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', persistAuthorization: true, showExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`hd_...`). `npm start` prints the demo tokens.',
  });
  const config = {
    openapi: '3.1.0',
    info: {
      title: 'Helpdesk API',
      version: '0.1.0',
      description: 'Incidents with contracts, exact SLA timers and escalation, each run as a Temporal workflow. Errors are application/problem+json.',
    },
  };
  app.get('/openapi.json', (c) => c.json(withRoles(app.getOpenAPI31Document(config), app.routes)));
  app.get('/docs', (c) => c.html(page));
  app.get('/docs/init.js', (c) => c.body(init, 200, { 'Content-Type': 'text/javascript; charset=utf-8' }));
  app.get('/docs/:asset', async (c) => {
    const name = c.req.param('asset');
    const type = assets[name];
    if (!type) return c.notFound();
    return c.body(await readFile(join(swaggerDir, name)), 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });
  });
}

type Operations = Record<string, Record<string, Record<string, unknown>> | undefined>;

/**
 * Writes into each operation who may call it (`x-roles`), read off the role guard its route
 * declares (`middleware: [requireRole(...)]`), so the document says what the code enforces.
 */
function withRoles<D extends { paths?: object }>(document: D, routes: RouterRoute[]): D {
  const paths = (document.paths ?? {}) as Operations;
  for (const route of routes) {
    const roles = rolesAdmittedBy(route.handler);
    const operation = roles && paths[route.path.replace(/:(\w+)/g, '{$1}')]?.[route.method.toLowerCase()];
    if (operation) operation['x-roles'] = [...roles];
  }
  return document;
}
