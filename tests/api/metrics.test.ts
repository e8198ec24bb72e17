// GET /metrics: requests counted by method, route pattern and status (unknown URLs in one
// label value), open without METRICS_TOKEN and behind it with one; request logs name the incident.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { ApiServices } from '../../src/api/context.js';
import { createApiMetrics } from '../../src/api/metrics.js';
import type { Db } from '../../src/db/client.js';
import { createLogger } from '../../src/logger.js';
import type { Temporal } from '../../src/temporal/client.js';
import { silentLogger } from '../support/stack.js';

// Nothing here gets past authentication to the database or Temporal, but /healthz asks them.
const unreachable = new Proxy({}, { get: () => { throw new Error('must not be reached in this test'); } });
const services = (more: Partial<ApiServices> = {}): ApiServices => ({
  db: unreachable as Db,
  temporal: { connection: { workflowService: { getSystemInfo: () => Promise.resolve({}) } }, client: unreachable } as unknown as Temporal,
  logger: silentLogger,
  pingDatabase: () => Promise.resolve(),
  ...more,
});

/** The sample lines of one metric, as `labels value`. */
async function samples(app: ReturnType<typeof createApp>, name: string, headers: Record<string, string> = {}): Promise<string[]> {
  const res = await app.request('/metrics', { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return (await res.text()).split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('GET /metrics', () => {
  it('counts requests by method, route pattern (mount prefix included) and status', async () => {
    const app = createApp(services());
    await app.request('/healthz');
    await app.request('/healthz');
    await app.request('/api/incidents/INC-2026-000001'); // no token: 401, on the route it was headed for
    await app.request('/api/incidents/INC-2026-000001/timeline');
    await app.request('/api/incidents/INC-2026-000002/assign', { method: 'POST' });
    const counted = await samples(app, 'http_requests_total');
    expect(counted).toEqual(
      expect.arrayContaining([
        'http_requests_total{method="GET",route="/healthz",status="200"} 2',
        'http_requests_total{method="GET",route="/api/incidents/:number",status="401"} 1',
        'http_requests_total{method="GET",route="/api/incidents/:number/timeline",status="401"} 1',
      ]),
    );
    expect(counted).toContain('http_requests_total{method="POST",route="/api/incidents/:number/assign",status="401"} 1');
    expect(counted.join('\n')).not.toMatch(/INC-2026|route="\/\*"|route="\*"/);
    const durations = await samples(app, 'http_request_duration_seconds_count');
    expect(durations).toContain('http_request_duration_seconds_count{method="GET",route="/healthz",status="200"} 2');
    expect((await samples(app, 'http_request_duration_seconds_bucket')).some((l) => l.includes('le="0.005"'))).toBe(true);
  });

  it('puts every URL no route knows under one route label', async () => {
    const app = createApp(services());
    // Without a token they get 401 before routing answers 404; a known path with another method gets 405.
    for (let i = 0; i < 20; i += 1) await app.request(`/random-${i}/${Math.random()}`);
    await app.request('/healthz', { method: 'DELETE' });
    const counted = await samples(app, 'http_requests_total');
    expect(counted).toContain('http_requests_total{method="GET",route="(unmatched)",status="401"} 20');
    expect(counted).toContain('http_requests_total{method="DELETE",route="(unmatched)",status="405"} 1');
    expect(counted.filter((l) => l.includes('(unmatched)'))).toHaveLength(2);
    expect(counted.join('\n')).not.toContain('random');
  });

  it('is open without METRICS_TOKEN, also to API tokens it does not check', async () => {
    const app = createApp(services());
    expect((await app.request('/metrics')).status).toBe(200);
    expect((await app.request('/metrics', { headers: { Authorization: 'Bearer not-a-token' } })).status).toBe(200);
  });

  it('answers 401 without the METRICS_TOKEN or with a wrong one, and 200 with it', async () => {
    const token = 'scrape-token-0123456789';
    const app = createApp(services({ metricsToken: token }));
    const refused: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token-0123456789' }, { Authorization: `Bearer ${token}x` }, { Authorization: token }, { Authorization: `Basic ${token}` }];
    for (const headers of refused) {
      const res = await app.request('/metrics', { headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.text()).not.toContain('http_requests_total');
    }
    expect(await samples(app, 'http_requests_total', { Authorization: `Bearer ${token}` })).toContain('http_requests_total{method="GET",route="/metrics",status="401"} 5');
  });

  it('keeps each app\'s counts apart and adds the process metrics only when asked', async () => {
    const one = createApp(services());
    const two = createApp(services({ metrics: createApiMetrics({ processMetrics: true }) }));
    await one.request('/healthz');
    expect(await samples(two, 'http_requests_total')).toEqual([]);
    expect(await samples(one, 'process_cpu_user_seconds_total')).toEqual([]);
    expect(await samples(two, 'process_cpu_user_seconds_total')).toHaveLength(1);
  });

  it('is not in the OpenAPI document', async () => {
    const doc = (await (await createApp(services()).request('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });
});

describe('request log lines', () => {
  it('name the route pattern, and the incident when the route has one', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const app = createApp(services({ logger: createLogger('info', destination) }));
    await app.request('/api/incidents/INC-2026-000042/timeline');
    await app.request('/healthz');
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/api/incidents/INC-2026-000042/timeline', route: '/api/incidents/:number/timeline', status: 401, incidentNumber: 'INC-2026-000042' });
    expect(requests[1]).toMatchObject({ route: '/healthz', status: 200 });
    expect(requests[1]).not.toHaveProperty('incidentNumber');
  });
});
