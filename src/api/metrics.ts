// GET /metrics: the API's Prometheus metrics (requests by route pattern, method and status).
// Open unless METRICS_TOKEN is set; not in the OpenAPI document (it is for the scraper, not for
// integrations). Each app has its own registry, so many apps in one process (tests) do not clash.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Unauthorized } from '../domain/errors.js';
import type { AppEnv } from './context.js';

export const metricsPath = '/metrics';

/** The route label of a request no route matched (a 404, a 405): one value, whatever the URL. */
export const unmatchedRoute = '(unmatched)';

export interface ApiMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * A registry with the request metrics; `processMetrics` adds Node's own (event loop lag, heap, GC,
 * CPU), which start timers and observers: give it once per process, in the real server.
 */
export function createApiMetrics(options: { processMetrics?: boolean } = {}): ApiMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    requests: new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by method, route pattern and status.', labelNames, registers: [registry] }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route pattern and status.',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/**
 * The pattern of the route that answered (`/api/incidents/:number`, mount prefix included), or
 * unmatchedRoute. Middleware (`app.use`, method ALL) is skipped; when a middleware answered
 * (401, 413), it is the route the request was headed for.
 */
export function routePattern<C extends Context>(c: C): string {
  const routes = matchedRoutes(c);
  const from = Math.min(c.req.routeIndex, routes.length);
  const route = routes.slice(from).find((r) => r.method !== 'ALL') ?? routes.slice(0, from).findLast((r) => r.method !== 'ALL');
  return route?.path ?? unmatchedRoute;
}

/** The value of a `:name` parameter in a route pattern, read off the path (the handler's params may not be reached). */
export function patternParam(pattern: string, path: string, name: string): string | undefined {
  const index = pattern.split('/').indexOf(`:${name}`);
  if (index < 0) return undefined;
  const segment = path.split('/')[index];
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Counts a request answered and its duration. */
export function observeRequest(metrics: ApiMetrics, labels: { method: string; route: string; status: number }, seconds: number): void {
  const values = { method: labels.method, route: labels.route, status: String(labels.status) };
  metrics.requests.inc(values);
  metrics.duration.observe(values, seconds);
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** The handler of GET /metrics; with a token, only `Authorization: Bearer <token>` may read. */
export function serveMetrics(metrics: ApiMetrics, token: string | undefined): MiddlewareHandler<AppEnv> {
  const expected = token === undefined ? undefined : digest(token);
  return async (c) => {
    if (expected) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('Authorization') ?? '')?.[1];
      // Digests of equal length, compared in constant time: the token's length leaks nothing either.
      if (given === undefined || !timingSafeEqual(digest(given), expected)) {
        throw new Unauthorized('GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".');
      }
    }
    return c.body(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  };
}
