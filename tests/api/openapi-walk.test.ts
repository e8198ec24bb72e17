// The OpenAPI document states the real rules: for every operation a request built from the document
// alone (its examples, or the least value its schema allows) passes validation, and the same request
// with one field the document does not list is a 400 naming that field. A rule enforced by a refine
// or a transform that the document does not state fails the first walk; a loose schema the second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { apiCaller, databaseOnlyApp, type ApiAnswer, type TestApp } from '../support/api.js';
import { createTestDatabase } from '../support/database.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

type Schema = Record<string, any>;
interface Operation {
  method: string;
  path: string;
  parameters: { name: string; in: string; required?: boolean; schema: Schema }[];
  body?: { type: string; schema: Schema };
}

let database: Database;
let app: TestApp;
let admin: TestUser;
let doc: { paths: Record<string, Record<string, Schema>>; components: { schemas: Record<string, Schema> } };
let operations: Operation[];

beforeAll(async () => {
  database = await createTestDatabase();
  app = databaseOnlyApp(database.db);
  await seedDemoData(database.db);
  admin = await createUserWithToken(database.db, 'admin');
  doc = (await (await app.request('/openapi.json')).json()) as typeof doc;
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const [type, content] = Object.entries((op.requestBody?.content ?? {}) as Record<string, { schema: Schema }>)[0] ?? [];
      return { method: method.toUpperCase(), path, parameters: op.parameters ?? [], body: type ? { type, schema: content!.schema } : undefined };
    }),
  );
});
afterAll(async () => database?.close());

const resolve = (schema: Schema): Schema => (schema.$ref ? resolve(doc.components.schemas[String(schema.$ref).split('/').at(-1)!]!) : schema);

/** The least value the schema allows, or its example; a pattern without an example cannot be guessed and fails the test. */
function sample(input: Schema, where: string): unknown {
  const schema = resolve(input);
  if (schema.example !== undefined) return schema.example;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => sample(s, where)));
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  const alternatives: Schema[] | undefined = schema.oneOf ?? schema.anyOf;
  if (type !== 'object' && !schema.properties && alternatives) return sample(alternatives[0]!, where);
  switch (type) {
    case 'string': {
      const byFormat: Record<string, string> = { date: '2026-12-02', 'date-time': '2026-12-02T09:00:00Z', email: 'walk@example.com', uuid: '3f1c2a9e-8b4d-4c6e-9a7f-1d2e3f4a5b6c', binary: 'x' };
      if (schema.format && byFormat[schema.format]) return byFormat[schema.format];
      if (schema.pattern) throw new Error(`${where}: a pattern (${schema.pattern}) without an example`);
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    }
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'array':
      if (schema.prefixItems) return schema.prefixItems.map((s: Schema, i: number) => sample(s, `${where}.${i}`));
      return Array.from({ length: schema.minItems ?? 0 }, (_, i) => sample(schema.items ?? {}, `${where}.${i}`));
    case 'object':
    default: {
      // "give one of a, b or c": the document lists the alternatives as anyOf/oneOf of required fields; the first is taken.
      const required: string[] = [...(schema.required ?? []), ...(alternatives?.[0]?.required ?? [])];
      // "give at least one field": minProperties; the first field is given.
      if (required.length < (schema.minProperties ?? 0)) required.push(...Object.keys(schema.properties ?? {}).filter((k) => !required.includes(k)).slice(0, schema.minProperties - required.length));
      return Object.fromEntries(required.map((key) => [key, sample(schema.properties?.[key] ?? {}, `${where}.${key}`)]));
    }
  }
}

/** A multipart form from the document: each required field, a small text file where it is binary. */
function sampleForm(schema: Schema): FormData {
  const resolved = resolve(schema);
  const form = new FormData();
  for (const key of resolved.required ?? []) {
    const field = resolve(resolved.properties?.[key] ?? {});
    const binary = field.format === 'binary' || resolve(field.items ?? {}).format === 'binary';
    if (binary) form.append(key, new File(['sample text'], 'sample.txt', { type: 'text/plain' }));
    else form.append(key, String(sample(field, key)));
  }
  return form;
}

/** The operation as a request built from the document: every path and query parameter, the body's required fields. */
function request(op: Operation, extra?: { query?: string; body?: string }) {
  const where = `${op.method} ${op.path}`;
  let path = op.path;
  const query = new URLSearchParams();
  for (const p of op.parameters) {
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(sample(p.schema, `${where} ${p.name}`))));
    // Parameters the document says go only one at a time (`x-exclusive-with`): the first is sent.
    const exclusive: string[] = resolve(p.schema)['x-exclusive-with'] ?? [];
    if (p.in === 'query' && !exclusive.some((other) => query.has(other))) query.set(p.name, String(sample(p.schema, `${where} ${p.name}`)));
  }
  if (extra?.query) query.set(extra.query, '1');
  const url = `${path}${query.size > 0 ? `?${query.toString()}` : ''}`;
  if (!op.body) return { url, body: undefined, type: undefined };
  const body = op.body.type.includes('json') ? { ...(sample(op.body.schema, `${where} body`) as object), ...(extra?.body ? { [extra.body]: 1 } : {}) } : String(sample(op.body.schema, `${where} body`));
  return { url, body, type: op.body.type };
}

async function send(op: Operation, extra?: { query?: string; body?: string }): Promise<ApiAnswer> {
  const { url, body, type } = request(op, extra);
  if (type === undefined || type.includes('json')) return apiCaller(app)(op.method, url, admin, body);
  const res = type.startsWith('multipart/form-data')
    ? await app.request(url, { method: op.method, headers: { Authorization: `Bearer ${admin.token}` }, body: sampleForm(op.body!.schema) })
    : await app.request(url, { method: op.method, headers: { Authorization: `Bearer ${admin.token}`, 'Content-Type': type }, body: body as string });
  const text = await res.text();
  return { status: res.status, headers: res.headers, type: res.headers.get('Content-Type'), text, body: text.startsWith('{') ? JSON.parse(text) : undefined };
}

/**
 * Bodies the document leaves open on purpose: a follow-up's or a callback's action takes the input
 * of the action named in the path (documented in the description), checked by that action.
 */
const openBodies = new Set(['POST /api/incidents/{number}/follow-ups/{ref}/{action}', 'POST /api/callbacks/{id}/{action}']);

describe('the OpenAPI document', () => {
  it('lists the operations of every router', () => {
    expect(operations.length).toBeGreaterThan(80);
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(['POST /api/incidents', 'GET /api/incidents', 'POST /api/sla/preview', 'POST /api/callbacks']));
  });

  it('states every rule: a request built from it alone is never refused on validation', async () => {
    const refused: string[] = [];
    for (const op of operations) {
      const res = await send(op);
      // A record the request names that does not exist (a sampled id) is not a rule of the document.
      const missingRecord = res.status === 400 && /^(\w+: )?[Nn]o [\w ]+ with (id|number|e-mail) /.test(res.body?.detail ?? '');
      if ((res.status === 400 && !missingRecord) || res.status === 415) refused.push(`${op.method} ${op.path} -> ${res.status} ${res.body?.detail ?? res.text}`);
    }
    expect(refused).toEqual([]);
  });

  it('lists every field: one more in the body or the query is a 400 naming it', async () => {
    const loose: string[] = [];
    let checked = 0;
    for (const op of operations) {
      const key = `${op.method} ${op.path}`;
      const bodies = op.body?.type.includes('json') && !openBodies.has(key);
      if (bodies) {
        checked++;
        const res = await send(op, { body: 'zzUnlisted' });
        if (res.status !== 400 || !res.body.errors?.some((e: { field: string; message: string }) => e.field === 'zzUnlisted' && e.message.startsWith('unknown field "zzUnlisted"'))) {
          loose.push(`${key} body -> ${res.status} ${res.body?.detail ?? res.text}`);
        }
      }
      if (op.parameters.some((p) => p.in === 'query')) {
        checked++;
        const res = await send(op, { query: 'zzUnlisted' });
        if (res.status !== 400 || !res.body.errors?.some((e: { field: string }) => e.field === 'zzUnlisted')) loose.push(`${key} query -> ${res.status} ${res.body?.detail ?? res.text}`);
      }
    }
    expect(loose).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });
});
