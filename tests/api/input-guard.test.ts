// The edge of every route: text that is not well-formed Unicode or carries control characters,
// empty query numbers, empty changes and oversized bodies are 400 or 413 naming what is wrong,
// never a 500 and never stored.
import { eq } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { businessCalendars, contacts, customers } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { apiCaller, databaseOnlyApp, type TestApp } from '../support/api.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let database: Database;
let app: TestApp;
let agent: TestUser;
let admin: TestUser;
let sales: TestUser;
let contactId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  app = databaseOnlyApp(database.db, { bodyLimitBytes: 64 * 1024 });
  await seedDemoData(database.db);
  agent = await createUserWithToken(database.db, 'agent');
  admin = await createUserWithToken(database.db, 'admin');
  sales = await createUserWithToken(database.db, 'sales');
  const [contact] = await database.db.select().from(contacts).limit(1);
  contactId = contact!.id;
});
afterAll(async () => database?.close());

const call = (...args: Parameters<ReturnType<typeof apiCaller>>) => apiCaller(app)(...args);
const calendar = (name: string, region = 'DE-NW') => ({ name, timezone: 'Europe/Berlin', week: { mon: [['08:00', '17:00']] }, holidays: { region } });

describe('query strings', () => {
  it.each([
    ['/api/customers?q=%00'],
    ['/api/contacts?q=%00'],
    ['/api/assets?q=ab%00cd'],
    ['/api/time-entries?customerNumber=%00'],
    ['/api/callbacks?group=%07'],
    ['/api/incidents?customerNumber=K-1%1B'],
    ['/api/customers?q=line%0Abreak'],
  ])('%s is a 400 naming the parameter', async (path) => {
    const res = await call('GET', path, agent);
    expect(res.status).toBe(400);
    expect(res.type).toContain('application/problem+json');
    const param = new URL(path, 'http://x').searchParams.keys().next().value;
    expect(res.body.errors).toEqual([{ field: param, message: `${param} must not contain control characters` }]);
  });

  it('a control character in a parameter name is a 400 too', async () => {
    const res = await call('GET', '/api/customers?%00=1', agent);
    expect(res.status).toBe(400);
  });

  it('an empty number (offset=, limit=, days=) is a 400, not the default', async () => {
    for (const path of ['/api/invoices?offset=', '/api/customers?limit=', '/api/incidents?offset=', '/api/customers/K-10001/insight?days=']) {
      const res = await call('GET', path, admin);
      expect(res.status, path).toBe(400);
      const param = new URL(path, 'http://x').searchParams.keys().next().value;
      expect(res.body.errors[0].message).toBe(`${param}: expected a whole number`);
    }
    expect((await call('GET', '/api/invoices?offset=0', admin)).status).toBe(200);
    expect((await call('GET', '/api/invoices?offset=1e3', admin)).status).toBe(400);
  });

  it('NUL in a path segment is a 400', async () => {
    for (const path of ['/api/customers/K-1%00', '/api/customers/K-1%00%ZZ', '/api/customers/%E2%82%AC%00']) {
      const res = await call('GET', path, agent);
      expect(res.status, path).toBe(400);
      expect(res.body.errors, path).toEqual([{ field: 'path', message: 'path must not contain control characters' }]);
    }
  });
});

describe('JSON bodies', () => {
  it('an unpaired surrogate in any string is a 400 naming the field, and nothing is stored', async () => {
    const res = await call('POST', '/api/customers', admin, { customerNumber: 'K-77001', name: 'Broken \ud800 GmbH' });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'name', message: 'name must be well-formed Unicode (it contains an unpaired surrogate)' }]);
    expect(await database.db.select().from(customers).where(eq(customers.customerNumber, 'K-77001'))).toEqual([]);
  });

  it('names the path of a nested string and of a bad key', async () => {
    const nested = await call('POST', '/api/customers', admin, { customerNumber: 'K-77002', name: 'Fine', mailDomains: ['ok.example', 'bad\udc00.example'] });
    expect(nested.status).toBe(400);
    expect(nested.body.errors[0].field).toBe('mailDomains.1');
    const key = await call('POST', '/api/customers', admin, { customerNumber: 'K-77002', name: 'Fine', ['x\u0000']: 1 });
    expect(key.status).toBe(400);
    expect(key.body.errors[0].message).toContain('field name');
  });

  it('a body nested deeper than 64 levels is a 400, not a stack overflow', async () => {
    const deep = `${'['.repeat(30_000)}1${']'.repeat(30_000)}`;
    const res = await app.request('/api/sla/preview', { method: 'POST', headers: { Authorization: `Bearer ${sales.token}`, 'Content-Type': 'application/json' }, body: `{"a":${deep}}` });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0]!.message).toMatch(/^a(\.0)+ nests deeper than 64 levels$/);
  });

  it('a calendar name with NUL, BEL, ESC or DEL is a 400 and not stored', async () => {
    for (const bad of ['Nacht\u0000', 'Ruf\u0007', 'Esc\u001b[31m', 'Del\u007f']) {
      const res = await call('POST', '/api/calendars', admin, calendar(bad));
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.errors[0]).toEqual({ field: 'name', message: 'name must not contain control characters' });
    }
    const names = (await database.db.select({ name: businessCalendars.name }).from(businessCalendars)).map((r) => r.name);
    expect(names.some((n) => /[\u0000-\u001f\u007f]/.test(n))).toBe(false);
  });

  it('holiday regions "__proto__" and "constructor" are unknown regions', async () => {
    for (const region of ['__proto__', 'constructor', 'DE-__proto__', 'DE-constructor', 'toString']) {
      const res = await call('POST', '/api/calendars', admin, calendar(`Regional ${region}`, region));
      expect(res.status, region).toBe(400);
      expect(res.body.errors[0].field).toBe('holidays.region');
    }
    expect((await call('POST', '/api/calendars', admin, calendar('Regional DE-NW'))).status).toBe(201);
  });

  it('an invoice run for a month outside 1900-9999 is a 400', async () => {
    for (const period of ['0000-01', '1899-12']) {
      const res = await call('POST', '/api/invoices/runs', admin, { period });
      expect(res.status, period).toBe(400);
      expect(res.body.errors[0].field).toBe('period');
    }
  });

  it('a PATCH with no field to change is a 400, one without a body a 415, and neither changes anything', async () => {
    const targets = ['/api/customers/K-10001', `/api/contacts/${contactId}`, '/api/contracts/V-2026-0001', '/api/assets/SRV-DL380-7731'];
    for (const path of targets) {
      const empty = await call('PATCH', path, admin, {});
      expect(empty.status, `${path} {}`).toBe(400);
      expect(empty.body.detail).toContain('give at least one field to change');
      const none = await call('PATCH', path, admin);
      expect(none.status, `${path} without a body`).toBe(415);
    }
    const changed = await call('PATCH', '/api/customers/K-10001', admin, { creditHold: false });
    expect(changed.status).toBe(200);
  });

  it('never answers 500 to any string as a customer name, a note-like text or a filter (property)', async () => {
    const nasty = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: fc.constantFrom('\u0000', '\u0007', '\u001b', '\u007f', '\ud800', '\udfff', 'a', 'ä', '\n', '\t'), maxLength: 8 }),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(nasty, async (value) => {
        n += 1;
        const created = await call('POST', '/api/customers', admin, { customerNumber: `K-8${String(n).padStart(4, '0')}`, name: value });
        expect(created.status).not.toBe(500);
        // A name is one line: the master-data rules refuse line breaks and tabs in it too.
        // The edge refuses control characters anywhere (but tab and line breaks), before any trim;
        // the name is then trimmed (tabs and line breaks at its ends too) and must be one line.
        const name = value.trim();
        const acceptable = value.isWellFormed() && !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value) && !/[\t\n\r]/.test(name) && name !== '';
        expect(created.status).toBe(acceptable ? 201 : 400);
        const listed = await call('GET', `/api/customers?q=${encodeURIComponent(value.toWellFormed())}`, agent);
        expect(listed.status).not.toBe(500);
        const preview = await call('POST', '/api/sla/preview', sales, { calendar: { timezone: value, week: {} }, start: '2026-11-02T08:00:00Z', targets: { firstResponse: 60, nextResponse: 60, resolution: 60 } });
        expect(preview.status).toBe(400);
      }),
      { numRuns: 300, examples: [['\u000b!'], ['!\t'], ['ä\nä'], ['\ud800'], ['  ']] },
    );
  });
});

describe('body limit', () => {
  it('a JSON body over the limit is a 413 problem, for any token, before it is parsed', async () => {
    const big = { calendar: { timezone: 'Europe/Berlin', week: {} }, start: '2026-11-02T08:00:00Z', targets: { firstResponse: 1, nextResponse: 1, resolution: 1 }, pad: 'x'.repeat(70 * 1024) };
    const res = await call('POST', '/api/sla/preview', sales, big);
    expect(res.status).toBe(413);
    expect(res.type).toContain('application/problem+json');
    expect(res.body.detail).toBe('The request body is larger than 64 KiB.');
    const declared = await call('POST', '/api/sla/preview', sales, { a: 1 }, { 'Content-Length': String(10 * 1024 * 1024) });
    expect(declared.status).toBe(413);
  });

  it('the CSV import keeps its own, larger limit', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `K-9${String(i).padStart(4, '0')};Importkunde ${i} ${'x'.repeat(40)};;de;no;`);
    const csv = ['customerNumber;name;mailDomains;language;creditHold;accountManagerEmail', ...rows].join('\n');
    expect(csv.length).toBeGreaterThan(64 * 1024);
    const res = await app.request('/api/import/customers?dryRun=true', { method: 'POST', headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'text/csv' }, body: csv });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: true });
  });

  it('a CSV cell with NUL or a control character is a row error, not a 500', async () => {
    const csv = 'customerNumber;name;mailDomains;language;creditHold;accountManagerEmail\nK-96001;Null\u0000Kunde;;de;no;\n';
    const res = await app.request('/api/import/customers', { method: 'POST', headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': 'text/csv' }, body: csv });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { field: string }[] };
    expect(body.errors[0]!.field).toBe('line 2: name');
  });
});
