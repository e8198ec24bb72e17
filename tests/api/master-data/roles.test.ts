// Master data roles (agents read, admins write, sales see nothing) and the OpenAPI document of its routes.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { customers } from '../../../src/db/schema/index.js';
import { contract, masterDataApi } from '../../support/master-data.js';

const { api } = masterDataApi();
const { call, users: { agent, manager, sales } } = api;

describe('roles', () => {
  const writes: [string, string, unknown][] = [
    ['POST', '/api/customers', { customerNumber: 'K-30000', name: 'X' }],
    ['PATCH', '/api/customers/K-10001', { creditHold: true }],
    ['DELETE', '/api/customers/K-10001', undefined],
    ['POST', '/api/contacts', { customerNumber: 'K-10001', name: 'X', email: 'x@mueller-maschinenbau.example' }],
    ['POST', '/api/contracts', contract({ contractNumber: 'V-X' })],
    ['PATCH', '/api/contracts/V-2026-0001', { monthlyFeeCents: 0 }],
    ['POST', '/api/assets', { serialNumber: 'X-1', product: 'X', customerNumber: 'K-10001' }],
    ['DELETE', '/api/assets/SRV-DL380-7731', undefined],
  ];

  it('lets agents read every resource', async () => {
    for (const path of ['/api/customers', '/api/contacts', '/api/contracts', '/api/assets', '/api/contracts/V-2026-0001', '/api/assets/SRV-DL380-7731']) {
      expect((await call('GET', path, agent)).status, path).toBe(200);
    }
  });

  it('refuses writes to agents, managers and sales with 403, and reads to sales', async () => {
    for (const user of [agent, manager, sales]) {
      for (const [method, path, body] of writes) {
        const res = await call(method, path, user, body);
        expect(res.status, `${user.role} ${method} ${path}`).toBe(403);
      }
      if (user === sales) {
        for (const path of ['/api/customers', '/api/contacts', '/api/contracts', '/api/assets']) expect((await call('GET', path, sales)).status, path).toBe(403);
      }
    }
    const [k1] = await api.database.db.select().from(customers).where(eq(customers.customerNumber, 'K-10001'));
    expect(k1!.creditHold).toBe(false);
  });
});

describe('OpenAPI', () => {
  it('documents the master data routes and the CSV import body', async () => {
    const doc = (await (await api.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/customers', '/api/customers/{customerNumber}', '/api/contacts/{id}', '/api/contracts/{contractNumber}', '/api/assets/{serialNumber}', '/api/import/{kind}']));
    expect(Object.keys(doc.paths['/api/import/{kind}']!.post!.requestBody!.content)).toEqual(['text/csv']);
  });
});
