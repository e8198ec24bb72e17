// A route that takes no query parameters refuses any (400 naming it), as the strict query schemas of
// the routes that take some do: `GET /api/incidents/INC-…?expand=timeline` must not look as if it
// had worked. The table is read from the OpenAPI registry on the first request, once every router is
// mounted, so a route added later is guarded without being listed here.
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createMiddleware } from 'hono/factory';
import { ValidationError } from '../domain/errors.js';
import type { AppEnv } from './context.js';

interface Guarded {
  method: string;
  pattern: RegExp;
}

function pathPattern(openApiPath: string): RegExp {
  const source = openApiPath
    .split('/')
    .map((segment) => (/^\{\w+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

export function refuseQueryWhereNoneIsTaken(app: OpenAPIHono<AppEnv>) {
  let table: { without: Guarded[]; withQuery: Guarded[] } | undefined;
  const tableOf = () => {
    if (table) return table;
    const routes = app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [d.route] : []));
    const entry = (r: (typeof routes)[number]) => ({ method: r.method.toUpperCase(), pattern: pathPattern(r.path) });
    table = { without: routes.filter((r) => !r.request?.query).map(entry), withQuery: routes.filter((r) => r.request?.query).map(entry) };
    return table;
  };
  return createMiddleware<AppEnv>(async (c, next) => {
    const url = new URL(c.req.url);
    const first = url.searchParams.keys().next();
    if (!first.done) {
      const { without, withQuery } = tableOf();
      const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
      const matches = (r: Guarded) => r.method === method && r.pattern.test(c.req.path);
      // A path such as /api/users/{id} and /api/users/me could both match; one that takes a query wins.
      if (without.some(matches) && !withQuery.some(matches)) {
        throw new ValidationError(`unknown query parameter "${first.value}": ${c.req.method} ${c.req.path} takes no query parameters`, first.value);
      }
    }
    await next();
  });
}
