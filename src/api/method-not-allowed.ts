// A known path asked with a method it does not have (TRACE, OPTIONS, DELETE on a list, ...) is a 405
// whose Allow header lists the methods it has; an unknown path stays a 404.
import type { Context, Hono } from 'hono';
import type { AppEnv } from './context.js';
import { problem } from './problem.js';

interface Route {
  pattern: RegExp;
  method: string;
}

/** The app's routes as patterns, read once (after every router is mounted). */
const tables = new WeakMap<object, Route[]>();

function routesOf(app: Hono<AppEnv>): Route[] {
  let table = tables.get(app);
  if (!table) {
    table = app.routes.filter((r) => r.method !== 'ALL').map((r) => ({ pattern: pathPattern(r.path), method: r.method.toUpperCase() }));
    tables.set(app, table);
  }
  return table;
}

/** Hono's path syntax (`/:id`, `/:id{[0-9]+}`, `/:id?`, `*`) as a regular expression. */
function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:[^{?]+(\{(.+)\})?(\?)?$/.exec(segment);
      if (param) return `(?:${param[2] ?? '[^/]+'})${param[3] ? '?' : ''}`;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** The methods `path` answers, HEAD with GET; empty for a path no route has. */
export function allowedMethods(app: Hono<AppEnv>, path: string): string[] {
  const methods = new Set(routesOf(app).filter((r) => r.pattern.test(path)).map((r) => r.method));
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

/** The answer for a request no route took: 405 with Allow when the path has other methods, else 404. */
export function noRoute(app: Hono<AppEnv>, c: Context<AppEnv>): Response {
  const allowed = allowedMethods(app, c.req.path);
  if (allowed.length === 0 || allowed.includes(c.req.method.toUpperCase())) return problem(c, 404, `No route for ${c.req.method} ${c.req.path}.`);
  c.header('Allow', allowed.join(', '));
  return problem(c, 405, `${c.req.path} does not take ${c.req.method}; it takes ${allowed.join(', ')}.`);
}
