// Security at the edge: every route but health and docs needs a valid token; bad input is a
// 400 problem, never a 500. Uses a real database; Temporal is a stub that is never reached.
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { isPublicPath, isWebPath, requireAuth, requireRole } from '../../src/api/auth.js';
import type { AppEnv } from '../../src/api/context.js';
import { onError } from '../../src/api/problem.js';
import type { Database } from '../../src/db/client.js';
import { hasRole, userRoles, type UserRole } from '../../src/domain/enums.js';
import { apiTokens, users } from '../../src/db/schema/index.js';
import type { Temporal } from '../../src/temporal/client.js';
import { createTestDatabase } from '../support/database.js';
import { silentLogger } from '../support/stack.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

 
const body = (res: Response): Promise<any> => res.json();

let database: Database;
let app: ReturnType<typeof createApp>;
let agent: TestUser;

const unreachableTemporal = {
  connection: { workflowService: { getSystemInfo: () => Promise.reject(new Error('Temporal is down in this test')) } },
  client: new Proxy({}, { get: () => { throw new Error('Temporal must not be reached in this test'); } }),
} as unknown as Temporal;

beforeAll(async () => {
  database = await createTestDatabase();
  app = createApp({ db: database.db, temporal: unreachableTemporal, logger: silentLogger, pingDatabase: async () => void (await database.sql`select 1`) });
  agent = await createUserWithToken(database.db, 'agent');
});
afterAll(async () => database?.close());

const samples: Record<string, string> = { number: 'INC-2026-000001', asset: 'swagger-ui.css', customerNumber: 'K-10001', kind: 'customers' };
/** A route path with a plausible value for each parameter (a uuid where nothing else fits). */
const sampleId = '00000000-0000-4000-8000-000000000000';
const samplePath = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => samples[name] ?? sampleId);

/** Concrete routes of the app (middleware entries excluded), with sample path parameters. */
function allRoutes() {
  return app.routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*'));
}

/**
 * The routes that take a bearer token: all but the web pages, which take a portal or staff session
 * instead (tests/web/portal-access.test.ts and tests/web/staff-sign-in.test.ts look at those).
 */
function routeTable() {
  const seen = new Set<string>();
  return allRoutes()
    .filter((r) => !isWebPath(r.path))
    .map((r) => ({ method: r.method, path: samplePath(r.path) }))
    .filter((r) => {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

describe('route table', () => {
  it('has the routes this test is meant to guard', () => {
    const keys = routeTable().map((r) => `${r.method} ${r.path}`);
    expect(keys).toEqual(expect.arrayContaining(['POST /api/incidents', 'GET /api/incidents', 'GET /api/incidents/INC-2026-000001', 'POST /api/incidents/INC-2026-000001/assign', `POST /api/users/${sampleId}/password-link`, 'GET /healthz', 'GET /docs']));
    expect(keys.length).toBeGreaterThanOrEqual(10);
  });

  it('keeps exactly health, the metrics, the OpenAPI document and the docs free of API tokens', () => {
    // GET /metrics takes no API token; METRICS_TOKEN guards it when set (tests/api/metrics.test.ts).
    const publicRoutes = routeTable().filter((r) => isPublicPath(r.path)).map((r) => `${r.method} ${r.path}`);
    expect(publicRoutes.sort()).toEqual(['GET /docs', 'GET /docs/init.js', 'GET /docs/swagger-ui.css', 'GET /healthz', 'GET /metrics', 'GET /openapi.json']);
    for (const path of ['/api/incidents', '/healthz/x', '/openapi.json/x', '/docsx', '/api/docs', '/metrics/x', '/api/metrics', '/metricsx']) expect(isPublicPath(path), path).toBe(false);
  });

  it('leaves to the web layer exactly the portal, the staff pages (sign-in and reports) and their assets, and nothing under /api', () => {
    const web = [...new Set(allRoutes().filter((r) => isWebPath(r.path)).map((r) => r.path))];
    expect(web.length).toBeGreaterThanOrEqual(10);
    for (const path of web) expect(path, path).toMatch(/^\/(portal|staff|reports|assets)(\/|$)/);
    expect(web).toEqual(expect.arrayContaining(['/staff/sign-in', '/staff/set-password', '/reports', '/reports/sla.csv']));
    for (const path of ['/api/portal', '/portalx', '/api/staff', '/staffx', '/api/reports', '/api/reports/sla', '/reportsx', '/api/assets/x', '/assetsx', '/']) expect(isWebPath(path), path).toBe(false);
  });

  it('answers 401 problem+json without a token, with a wrong token and with a malformed header on every protected route', async () => {
    const protectedRoutes = routeTable().filter((r) => !isPublicPath(r.path));
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(8);
    for (const { method, path } of protectedRoutes) {
      for (const authorization of [undefined, 'Bearer hd_not-a-real-token', `Basic ${agent.token}`, 'Bearer']) {
        const res = await app.request(path, { method, headers: authorization ? { Authorization: authorization } : {} });
        expect(res.status, `${method} ${path} with ${authorization ?? 'no header'}`).toBe(401);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
      }
    }
  });

  it('serves health, the OpenAPI document and the docs without a token', async () => {
    const health = await app.request('/healthz');
    expect(health.status).toBe(503);
    expect(await body(health)).toMatchObject({ status: 'degraded', checks: { database: 'ok', temporal: 'failing' } });
    // Without METRICS_TOKEN the metrics are open too; with it they take that token, never an API token.
    expect((await app.request('/metrics')).status).toBe(200);
    const guarded = createApp({ db: database.db, temporal: unreachableTemporal, logger: silentLogger, pingDatabase: () => Promise.resolve(), metricsToken: 'scrape-token-0123456789' });
    expect((await guarded.request('/metrics', { headers: { Authorization: `Bearer ${agent.token}` } })).status).toBe(401);

    const spec = await app.request('/openapi.json');
    expect(spec.status).toBe(200);
    const doc = (await spec.json()) as { paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/incidents', '/api/incidents/{number}', '/api/incidents/{number}/timeline', '/healthz']));
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });

    const docs = await app.request('/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('swagger-ui');
    const bundle = await app.request('/docs/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    // Only the Swagger UI assets are served from that folder.
    expect((await app.request('/docs/package.json')).status).toBe(404);
  });

  it('refuses a revoked token', async () => {
    const user = await createUserWithToken(database.db, 'agent', 'Revoked');
    await database.db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.userId, user.id));
    const res = await app.request('/api/incidents', { headers: { Authorization: `Bearer ${user.token}` } });
    expect(res.status).toBe(401);
    expect((await body(res)).detail).toMatch(/revoked/);
  });

  it('records when a token was last used', async () => {
    const user = await createUserWithToken(database.db, 'agent', 'Used');
    await app.request('/api/nothing', { headers: { Authorization: `Bearer ${user.token}` } });
    await expect
      .poll(async () => (await database.db.select().from(apiTokens).where(eq(apiTokens.userId, user.id)))[0]!.lastUsedAt)
      .toBeInstanceOf(Date);
  });

  it('stores tokens only as hashes', async () => {
    const rows = await database.db.select().from(apiTokens).where(eq(apiTokens.userId, agent.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(agent.token);
  });
});

describe('bad input', () => {
  const post = (path: string, body: string, contentType = 'application/json') =>
    app.request(path, { method: 'POST', headers: { Authorization: `Bearer ${agent.token}`, 'Content-Type': contentType }, body });

  it.each(['{bad', '', '[1,2', 'null', '"string"', '[]'])('answers 400 problem+json for the body %j', async (raw) => {
    const res = await post('/api/incidents', raw);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await body(res)).status).toBe(400);
  });

  it('rejects NUL and other control characters in text with 400, before anything is stored', async () => {
    const res = await post('/api/incidents', JSON.stringify({ title: 'a\u0000b', customerNumber: 'K-1' }));
    expect(res.status).toBe(400);
    expect((await body(res)).errors[0]).toMatchObject({ field: 'title', message: 'title must not contain control characters' });
    const filter = await app.request('/api/incidents?customerNumber=K%00', { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(filter.status).toBe(400);
  });

  it('names each invalid field', async () => {
    const res = await post('/api/incidents', JSON.stringify({ title: '', customerNumber: 'K-1', impact: 'huge', channel: 'pigeon', contactEmail: 'not-mail' }));
    expect(res.status).toBe(400);
    const fields = ((await body(res)).errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['title', 'impact', 'channel', 'contactEmail']));
  });

  it('answers 400 for a malformed incident number and 415 for a non-JSON body', async () => {
    const res = await app.request('/api/incidents/INC-26-1', { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(400);
    expect((await body(res)).errors[0].field).toBe('number');
    const text = await post('/api/incidents/INC-2026-000001/notes', 'hello', 'text/plain');
    expect(text.status).toBe(415);
    expect(text.headers.get('content-type')).toContain('application/problem+json');
  });

  it('answers 404 problem+json for an unknown route, with the request id in header and body', async () => {
    const res = await app.request('/api/nothing-here', { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await body(res)).requestId).toBe(requestId);
  });
});

describe('roles', () => {
  it('answers 403 when the token role is below the route minimum', async () => {
    const mini = new Hono<AppEnv>();
    mini.use('*', async (c, next) => {
      c.set('services', { db: database.db } as never);
      await next();
    });
    mini.use('*', requireAuth);
    mini.get('/admin-only', requireRole('admin'), (c) => c.text('ok'));
    mini.onError(onError);
    const res = await mini.request('/admin-only', { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(res.status).toBe(403);
    expect((await body(res)).detail).toMatch(/needs the admin role; your token has agent/);
    const admin = await createUserWithToken(database.db, 'admin');
    expect((await mini.request('/admin-only', { headers: { Authorization: `Bearer ${admin.token}` } })).status).toBe(200);
  });

  it("takes the role from the user at each request, so a demotion or promotion holds for the user's existing tokens", async () => {
    const mini = new Hono<AppEnv>();
    mini.use('*', async (c, next) => {
      c.set('services', { db: database.db, logger: silentLogger } as never);
      await next();
    });
    mini.use('*', requireAuth);
    mini.get('/manager-only', requireRole('manager'), (c) => c.text(c.var.principal.role));
    mini.onError(onError);
    const user = await createUserWithToken(database.db, 'agent', 'Changing Roles');
    const call = (path: string) => app.request(path, { headers: { Authorization: `Bearer ${user.token}` } });
    const managerOnly = () => mini.request('/manager-only', { headers: { Authorization: `Bearer ${user.token}` } });
    expect((await call('/api/incidents')).status).toBe(200);
    expect((await managerOnly()).status).toBe(403);

    await database.db.update(users).set({ role: 'manager' }).where(eq(users.id, user.id));
    const promoted = await managerOnly();
    expect(promoted.status).toBe(200);
    expect(await promoted.text()).toBe('manager');

    await database.db.update(users).set({ role: 'sales' }).where(eq(users.id, user.id));
    expect((await managerOnly()).status).toBe(403);
    const demoted = await call('/api/incidents');
    expect(demoted.status).toBe(403);
    expect((await body(demoted)).detail).toMatch(/your token has sales/);
  });

  /** Routes a role may reach at all; every other protected route must answer it 403 before looking at the request. */
  const reachable: Record<'sales' | 'mailgate', string[]> = {
    sales: ['GET /api/entitlement', 'POST /api/sla/preview', 'GET /api/customers/K-10001/insight', 'GET /api/kb/search', 'POST /api/kb/suggest', `POST /api/kb/articles/${sampleId}/votes`],
    mailgate: ['POST /api/inbound/email', 'POST /api/callbacks'],
  };
  /** Every role may see itself and list and revoke its own tokens. */
  const everyone = ['GET /api/me', `GET /api/users/${sampleId}/tokens`, `DELETE /api/users/${sampleId}/tokens/${sampleId}`];

  it.each(['sales', 'mailgate'] as const)('lets %s reach only its own routes: 403 on everything else, incidents and mail included', async (role) => {
    const user = await createUserWithToken(database.db, role);
    expect(routeTable().map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(reachable[role]));
    const own = [...reachable[role], ...everyone];
    const others = routeTable().filter((r) => !isPublicPath(r.path) && !own.includes(`${r.method} ${r.path}`));
    expect(others.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['GET /api/incidents', 'GET /api/incidents/INC-2026-000001/messages', 'GET /api/mail/inbound']));
    for (const { method, path } of others) {
      const res = await app.request(path, { method, headers: { Authorization: `Bearer ${user.token}` } });
      expect(res.status, `${role}: ${method} ${path}`).toBe(403);
    }
    for (const key of own) {
      const [method, path] = key.split(' ') as [string, string];
      const res = await app.request(path, { method, headers: { Authorization: `Bearer ${user.token}` } });
      expect(res.status, `${role}: ${key}`).not.toBe(403);
    }
  });
});

describe('who may call what', () => {
  const ladder = (minimum: UserRole) => userRoles.filter((role) => hasRole(role, minimum));
  /** Operations outside "agents and above"; besides these, every write of master data and SLA configuration is the admin's. */
  const exceptions: Record<string, UserRole[]> = {
    'POST /api/inbound/email': ['mailgate', 'admin'],
    'POST /api/callbacks': ['mailgate', ...ladder('agent')],
    'POST /api/sla/preview': ladder('sales'),
    'GET /api/entitlement': ladder('sales'),
    'GET /api/customers/{customerNumber}/insight': ladder('sales'),
    'GET /api/time-entries': ladder('manager'),
    'PUT /api/time-entries/{id}/billing': ladder('manager'),
    'PATCH /api/material-entries/{id}': ladder('manager'),
    'PUT /api/material-entries/{id}/billing': ladder('manager'),
    'DELETE /api/material-entries/{id}': ladder('manager'),
    'POST /api/invoices/runs': ladder('manager'),
    'POST /api/invoices/{id}/finalise': ladder('manager'),
    'DELETE /api/invoices/{id}': ladder('manager'),
    'GET /api/reports/profitability': ladder('manager'),
    'GET /api/reports/sla': ladder('manager'),
    'GET /api/reports/sla/incidents': ladder('manager'),
    'GET /api/reports/escalations': ladder('manager'),
    'GET /api/reports/backlog': ladder('manager'),
    'GET /api/reports/volume': ladder('manager'),
    'GET /api/reports/breach-causes': ladder('manager'),
    'GET /api/reports/subscriptions': ladder('manager'),
    'PUT /api/reports/subscriptions': ladder('manager'),
    'DELETE /api/reports/subscriptions': ladder('manager'),
    'GET /api/kb/search': ladder('sales'),
    'POST /api/kb/suggest': ladder('sales'),
    'POST /api/kb/articles/{id}/votes': ladder('sales'),
    'DELETE /api/kb/articles/{id}': ladder('manager'),
    'PUT /api/kb/synonyms': ['admin'],
    'GET /api/me': [...userRoles],
    'GET /api/users/{id}/tokens': [...userRoles],
    'DELETE /api/users/{id}/tokens/{tokenId}': [...userRoles],
  };
  const adminWrites = ['/api/calendars', '/api/sla-policies', '/api/customers', '/api/contacts', '/api/contracts', '/api/assets', '/api/import', '/api/groups', '/api/users'];
  const expectedRoles = (method: string, path: string): UserRole[] =>
    exceptions[`${method} ${path}`] ?? (method !== 'GET' && adminWrites.some((prefix) => path === prefix || path.startsWith(`${prefix}/`)) ? ['admin'] : ladder('agent'));

  /** Every operation of the OpenAPI document: method, documented path, a concrete path and its x-roles. */
  async function operations() {
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { 'x-roles'?: UserRole[] }>> };
    return Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, concrete: samplePath(path.replace(/\{(\w+)\}/g, ':$1')), roles: op['x-roles'] })),
    );
  }

  it('names on every operation of /openapi.json but the public ones the roles that may call it (x-roles), as this table says', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThanOrEqual(90);
    for (const op of ops) {
      if (isPublicPath(op.path)) expect(op.roles, `${op.method} ${op.path}`).toBeUndefined();
      else expect(op.roles, `${op.method} ${op.path}`).toEqual(expectedRoles(op.method, op.path));
    }
    expect(Object.keys(exceptions).every((key) => ops.some((op) => `${op.method} ${op.path}` === key))).toBe(true);
  });

  it('documents every protected route, so none escapes the check below', async () => {
    const documented = (await operations()).filter((op) => !isPublicPath(op.path)).map((op) => `${op.method} ${op.concrete}`);
    const routes = routeTable().filter((r) => !isPublicPath(r.path)).map((r) => `${r.method} ${r.path}`);
    expect(routes.sort()).toEqual(documented.sort());
  });

  it('holds every route to its x-roles: a role outside them gets 403, a role inside does not', async () => {
    const tokens = new Map<UserRole, string>();
    for (const role of userRoles) tokens.set(role, (await createUserWithToken(database.db, role, `Table ${role}`)).token);
    for (const op of (await operations()).filter((o) => !isPublicPath(o.path))) {
      for (const role of userRoles) {
        const res = await app.request(op.concrete, { method: op.method, headers: { Authorization: `Bearer ${tokens.get(role)!}` } });
        const admitted = (op.roles ?? []).includes(role);
        if (admitted) expect(res.status, `${role}: ${op.method} ${op.path}`).not.toBe(403);
        else {
          expect(res.status, `${role}: ${op.method} ${op.path}`).toBe(403);
          expect((await body(res)).detail, `${role}: ${op.method} ${op.path}`).toMatch(/needs (the \w+ role|one of the roles)/);
        }
      }
    }
  });
});
