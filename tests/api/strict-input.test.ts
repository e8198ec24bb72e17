// Strict input in words people understand: an unknown field is a 400 naming it (with the field it
// was probably meant to be), every zod issue reads as a sentence about the field, a JSON body must
// come as JSON, and a known path asked with a method it lacks is a 405 listing the ones it has.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers, incidents } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { apiOnTestDatabase } from '../support/api-database.js';

const api = apiOnTestDatabase({ admin: 'admin', agent: 'agent' }, { seed: seedDemoData });
const { call, users: { admin, agent } } = api;

const incident = { title: 'Printer jams', customerNumber: 'K-10001' };
const calendar = { name: 'Strict', timezone: 'Europe/Berlin', week: { mon: [['08:00', '17:00']] } };
const incidentCount = async () => (await api.database.db.select({ n: incidents.number }).from(incidents)).length;

describe('unknown fields', () => {
  it('a misspelled body field is a 400 naming it and the field it was meant to be; nothing is opened', async () => {
    const before = await incidentCount();
    const res = await call('POST', '/api/incidents', agent, { ...incident, priorty: 'P1' });
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'priorty', message: 'unknown field "priorty"; did you mean "priority"?' }]);
    expect(res.body.detail).toBe('Invalid request body: unknown field "priorty"; did you mean "priority"?');
    expect(await incidentCount()).toBe(before);
  });

  it('serialnumber (wrong case) names the field, not the missing customerNumber the refine would ask for', async () => {
    const res = await call('POST', '/api/incidents', agent, { title: 'Firewall down', serialnumber: 'FW-FG100F-0042' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'serialnumber', message: 'unknown field "serialnumber"; did you mean "serialNumber"?' }]);
  });

  it('a field nothing is close to is named without a guess; a short one is guessed only by case', async () => {
    const res = await call('POST', '/api/incidents', agent, { ...incident, colour: 'red' });
    expect(res.body.errors).toEqual([{ field: 'colour', message: 'unknown field "colour"' }]);
    const targets = { firstResponse: 60, nextResponse: 240, resolution: 480 };
    const [cal] = (await call('GET', '/api/calendars', admin)).body.items as { id: string }[];
    const policy = await call('POST', '/api/sla-policies', admin, { name: 'Strict', calendarId: cal!.id, targets: { P1: targets, P2: targets, P3: targets, P4: targets, p5: targets, p4: targets } });
    expect(policy.status).toBe(400);
    expect(policy.body.errors).toEqual([
      { field: 'targets.p5', message: 'unknown field "targets.p5"' },
      { field: 'targets.p4', message: 'unknown field "targets.p4"; did you mean "targets.P4"?' },
    ]);
  });

  it('nested objects are strict too: the full path of the unknown key, in objects and in lists', async () => {
    const nested = await call('POST', '/api/calendars', admin, { ...calendar, holidays: { regoin: 'DE-NW' } });
    expect(nested.status).toBe(400);
    expect(nested.body.errors).toContainEqual({ field: 'holidays.regoin', message: 'unknown field "holidays.regoin"; did you mean "holidays.region"?' });
    const inList = await call('POST', '/api/sla/preview', agent, {
      calendar: { timezone: 'UTC', week: { mon: [['00:00', '24:00']] } },
      start: '2026-12-07T09:00:00Z',
      targets: { firstResponse: 60 },
      pauses: [{ from: '2026-12-07T09:10:00Z', to: '2026-12-07T09:20:00Z', untill: 'x' }],
    });
    expect(inList.status).toBe(400);
    expect(inList.body.errors).toEqual([{ field: 'pauses.0.untill', message: 'unknown field "pauses.0.untill"' }]);
  });

  it('an unknown query filter is a 400, not the whole list', async () => {
    const misspelled = await call('GET', '/api/incidents?priorty=P1', agent);
    expect(misspelled.status).toBe(400);
    expect(misspelled.body.errors).toEqual([{ field: 'priorty', message: 'unknown field "priorty"; did you mean "priority"?' }]);
    expect(misspelled.body.detail).toBe('Invalid query: unknown field "priorty"; did you mean "priority"?');
    const unknown = await call('GET', '/api/customers?colour=red', agent);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'colour', message: 'unknown field "colour"' }]);
    expect((await call('GET', '/api/customers?limit=5', agent)).status).toBe(200);
  });

  it('a route that takes no query parameters refuses any, naming it; its neighbours with a query still take theirs', async () => {
    const res = await call('GET', '/api/customers/K-10001?expand=contracts', agent);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'expand', message: 'unknown query parameter "expand": GET /api/customers/K-10001 takes no query parameters' }]);
    expect((await call('GET', '/api/customers/K-10001', agent)).status).toBe(200);
    expect((await call('GET', '/api/groups?name=x', agent)).status).toBe(400);
    expect((await call('GET', '/api/me?verbose=1', agent)).status).toBe(400);
    expect((await call('GET', '/api/users?role=agent', agent)).status).toBe(200);
    expect((await call('GET', '/api/users/00000000-0000-4000-8000-000000000000/tokens?includeRevoked=true', agent)).status).toBe(404);
    // Authentication still comes first.
    expect((await api.app.request('/api/me?verbose=1')).status).toBe(401);
  });

  it('a callback action checks its own body with the same words, before it looks for the callback', async () => {
    const res = await call('POST', '/api/callbacks/3f1c2a9e-8b4d-4c6e-9a7f-1d2e3f4a5b6c/cancel', agent, { reasn: 'customer called back' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'reasn', message: 'unknown field "reasn"; did you mean "reason"?' }]);
  });
});

describe('messages', () => {
  const refused = async (body: unknown) => {
    const res = await call('POST', '/api/incidents', agent, body);
    expect(res.status).toBe(400);
    return res.body as { detail: string; errors: { field: string; message: string }[] };
  };

  it.each([
    ['a missing field', { customerNumber: 'K-10001' }, 'title', 'title is required'],
    ['null', { ...incident, title: null }, 'title', 'title must be a string, not null'],
    ['a wrong type', { ...incident, title: 42 }, 'title', 'title must be a string'],
    ['an empty text', { ...incident, title: '   ' }, 'title', 'title must not be empty'],
    ['a text too long', { ...incident, title: 'x'.repeat(201) }, 'title', 'title must be at most 200 characters long'],
    ['an enum', { ...incident, priority: 'P9' }, 'priority', 'priority must be one of P1, P2, P3, P4'],
    ['an e-mail', { ...incident, contactEmail: 'nobody' }, 'contactEmail', 'contactEmail must be an e-mail address such as name@example.com'],
    ['a refine naming its field', { title: 'Who?' }, 'customerNumber', 'give customerNumber, serialNumber, identNumber or contactEmail to identify the caller'],
  ])('%s', async (_kind, body, field, message) => {
    const problem = await refused(body);
    expect(problem.errors).toEqual([{ field, message }]);
    expect(problem.detail).toBe(`Invalid request body: ${message}`);
    expect(problem.detail).not.toMatch(/Invalid input|expected string|received|Invalid json/);
  });

  it('several problems are listed in one detail', async () => {
    const problem = await refused({ customerNumber: 'K-10001', priority: 'P0', channel: 'fax' });
    expect(problem.detail).toBe('Invalid request body: title is required; priority must be one of P1, P2, P3, P4; channel must be one of phone, email, portal, api');
  });

  it('numbers, dates, date-times, UUIDs and lists', async () => {
    const limit = await call('GET', '/api/incidents?limit=500', agent);
    expect(limit.body.errors).toEqual([{ field: 'limit', message: 'limit must be at most 200' }]);
    expect(limit.body.detail).toBe('Invalid query: limit must be at most 200');
    const twice = await call('GET', '/api/incidents?limit=1&limit=2', agent);
    expect(twice.body.errors).toEqual([{ field: 'limit', message: 'limit must be given once' }]);
    const start = await call('POST', '/api/sla/preview', agent, { calendar: { timezone: 'UTC', week: { mon: [['00:00', '24:00']] } }, start: 'tomorrow', targets: { firstResponse: '60' } });
    expect(start.body.errors).toEqual([
      { field: 'start', message: 'start must be an ISO 8601 date-time such as 2026-12-02T09:00:00Z' },
      { field: 'targets.firstResponse', message: 'targets.firstResponse must be a number' },
    ]);
    const week = await call('POST', '/api/calendars', admin, { ...calendar, week: { mon: '08-17' } });
    expect(week.body.errors).toEqual([{ field: 'week.mon', message: 'week.mon must be a list' }]);
    const assignee = await call('POST', '/api/incidents/INC-2026-000001/assign', agent, { assigneeId: 'someone' });
    expect(assignee.body.errors).toEqual([{ field: 'assigneeId', message: 'assigneeId must be a UUID such as 3f1c2a9e-8b4d-4c6e-9a7f-1d2e3f4a5b6c' }]);
  });

  it('a message the schema sets itself is kept, led by its field', async () => {
    const offset = await call('GET', '/api/invoices?offset=abc', admin);
    expect(offset.body.errors).toEqual([{ field: 'offset', message: 'offset: expected a whole number' }]);
    const path = await call('GET', '/api/incidents/INC-26-1', agent);
    expect(path.body.errors).toEqual([{ field: 'number', message: 'number: expected an incident number like INC-2026-000123' }]);
    expect(path.body.detail).toBe('Invalid path: number: expected an incident number like INC-2026-000123');
    const empty = await call('PATCH', '/api/customers/K-10001', admin, {});
    expect(empty.body.errors).toEqual([{ field: 'body', message: 'give at least one field to change' }]);
  });

  it('a follow-up of an unknown kind names the kinds there are', async () => {
    const res = await call('POST', '/api/incidents/INC-2026-000001/follow-ups', agent, { kind: 'repair', title: 'Fix it' });
    expect(res.body.errors).toEqual([{ field: 'kind', message: 'kind must be one of service_order, hardware_change, software_change, child_ticket, callback' }]);
  });
});

describe('JSON bodies', () => {
  const raw = (method: string, path: string, body: string | Uint8Array | undefined, type?: string) =>
    api.app.request(path, { method, headers: { Authorization: `Bearer ${admin.token}`, ...(type ? { 'Content-Type': type } : {}) }, body });
  const stored = async (number: string) => api.database.db.select().from(customers).where(eq(customers.customerNumber, number));

  it('without Content-Type: application/json a body is a 415 saying to send JSON (it used to be read as {} or not at all)', async () => {
    const body = JSON.stringify({ customerNumber: 'K-78001', name: 'Typeless GmbH' });
    for (const [type, said] of [[undefined, 'has no Content-Type'], ['text/plain', 'is text/plain'], ['application/x-www-form-urlencoded', 'is application/x-www-form-urlencoded']] as const) {
      // A string body gets text/plain from fetch itself; bytes go without any Content-Type.
      const res = await raw('POST', '/api/customers', type === undefined ? new TextEncoder().encode(body) : body, type);
      expect(res.status, type).toBe(415);
      const problem = (await res.json()) as { detail: string; errors: unknown };
      expect(problem.detail).toBe(`The request body ${said}; send it as JSON with Content-Type: application/json.`);
      expect(problem.errors).toEqual([{ field: 'Content-Type', message: `the request body ${said}; send it as JSON with Content-Type: application/json` }]);
    }
    const bare = await raw('POST', '/api/incidents/INC-2026-000001/notes', undefined);
    expect(bare.status).toBe(415);
    expect(await stored('K-78001')).toEqual([]);
    expect((await raw('POST', '/api/customers', body, 'application/json; charset=utf-8')).status).toBe(201);
  });

  it('malformed JSON says so plainly, and so does an empty body', async () => {
    const res = await raw('POST', '/api/customers', '{"customerNumber": "K-78002", "name": ', 'application/json');
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { detail: string; errors: { field: string; message: string }[] };
    expect(problem.detail).toMatch(/^The request body is not valid JSON \(.+\)\.$/);
    expect(problem.errors[0]!.field).toBe('body');
    const empty = await raw('POST', '/api/customers', '', 'application/json');
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { detail: string }).detail).toBe('The request body is empty; send a JSON object.');
    expect(await stored('K-78002')).toEqual([]);
  });
});

describe('methods', () => {
  /** Over a real socket: fetch's Request refuses to build a TRACE, the Node server does not. */
  async function overHttp(method: string, path: string): Promise<{ status: number; allow: string | undefined; body: { detail: string } }> {
    const server = serve({ fetch: api.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      return await new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { Authorization: `Bearer ${agent.token}` } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, allow: res.headers.allow, body: JSON.parse(text) as { detail: string } }));
        });
        req.on('error', reject);
        req.end();
      });
    } finally {
      server.close();
    }
  }

  it('TRACE, OPTIONS and an unsupported method on a known path are 405 with Allow', async () => {
    const trace = await overHttp('TRACE', '/api/incidents');
    expect(trace.status).toBe(405);
    expect(trace.allow).toBe('GET, HEAD, POST');
    expect(trace.body.detail).toBe('/api/incidents does not take TRACE; it takes GET, HEAD, POST.');
    expect((await overHttp('OPTIONS', '/api/incidents/INC-2026-000001')).allow).toBe('GET, HEAD');
    const del = await call('DELETE', '/api/incidents', agent);
    expect(del.status).toBe(405);
    expect(del.headers.get('Allow')).toBe('GET, HEAD, POST');
    const put = await call('PUT', '/api/customers/K-10001/insight', agent);
    expect(put.status).toBe(405);
    expect(put.headers.get('Allow')).toBe('GET, HEAD');
  });

  it('an unknown path stays a 404, whatever the method', async () => {
    expect((await overHttp('TRACE', '/api/nothing-here')).status).toBe(404);
    const res = await call('GET', '/api/nothing-here', agent);
    expect(res.status).toBe(404);
    expect(res.headers.get('Allow')).toBeNull();
  });
});
