// /api/invoices: agents read, managers act, sales see nothing; bad periods are a 400, unknown invoices a 404.
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { invoiceRuns, invoices } from '../../../src/db/schema/index.js';
import { call, countOf, invoiceWorlds, novemberData } from '../../support/invoices.js';

const world = invoiceWorlds();

describe('reading, roles and validation', () => {
  it('lets agents read, managers act, and sales nothing under /api/invoices', async () => {
    const w = await world();
    await novemberData(w);
    expect((await call(w, 'POST', '/api/invoices/runs', w.agent, { period: '2026-11' })).status).toBe(403);
    expect(await countOf(w.db, invoices)).toBe(0);
    const run = await call(w, 'POST', '/api/invoices/runs', w.manager, { period: '2026-11' });
    const id = run.body.invoices[0].id;
    for (const [method, path] of [
      ['GET', '/api/invoices'],
      ['GET', `/api/invoices/${id}`],
      ['GET', `/api/invoices/${id}/csv`],
      ['GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30'],
      ['POST', '/api/invoices/runs'],
      ['POST', `/api/invoices/${id}/finalise`],
      ['DELETE', `/api/invoices/${id}`],
    ] as const) {
      expect((await call(w, method, path, w.sales, method === 'POST' ? { period: '2026-11' } : undefined)).status, `${method} ${path}`).toBe(403);
    }

    const list = await call(w, 'GET', '/api/invoices?limit=2', w.agent);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(list.body.items.map((i: { customerNumber: string }) => i.customerNumber)).toEqual(['K-100', 'K-200']);
    expect((await call(w, 'GET', '/api/invoices?limit=2&offset=2', w.agent)).body.items.map((i: { customerNumber: string }) => i.customerNumber)).toEqual(['K-300']);
    expect((await call(w, 'GET', '/api/invoices?customerNumber=K-200', w.agent)).body.total).toBe(1);
    expect((await call(w, 'GET', '/api/invoices?status=final', w.agent)).body.total).toBe(0);
    expect((await call(w, 'GET', '/api/invoices?from=2026-12-01', w.agent)).body.total).toBe(0);
    expect((await call(w, 'GET', '/api/invoices?from=2026-11-30&to=2026-12-31', w.agent)).body.total).toBe(3);
    expect((await call(w, 'GET', '/api/invoices?to=2026-10-31', w.agent)).body.total).toBe(0);
  });

  it('answers 400 for bad periods and 404 for unknown invoices', async () => {
    const w = await world();
    const bad = [
      [{ from: '2026-11-30', to: '2026-11-01' }, 'to', /starts \(2026-11-30\) after it ends/],
      [{ from: '2026-01-01', to: '2027-01-01' }, 'to', /at most one year/],
      [{ period: '2026-13' }, 'period', /YYYY-MM/],
      [{ period: 'November' }, 'period', /YYYY-MM/],
      [{ period: '2026-11', from: '2026-11-01' }, 'period', /either/],
      [{ from: '2026-11-01' }, 'to', /both from and to/],
      [{}, 'from', /period/],
    ] as const;
    for (const [body, field, message] of bad) {
      const res = await call(w, 'POST', '/api/invoices/runs', w.manager, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors[0].field).toBe(field);
      expect(res.body.detail).toMatch(message);
    }
    expect((await call(w, 'POST', '/api/invoices/runs', w.manager, { from: '2026-02-30', to: '2026-03-01' })).status).toBe(400);
    expect((await call(w, 'POST', '/api/invoices/runs', w.manager, { from: '2026-01-01', to: '2026-12-31' })).status).toBe(201);
    expect(await countOf(w.db, invoices)).toBe(0);
    expect((await w.db.select().from(invoiceRuns).where(and(eq(invoiceRuns.periodFrom, '2026-01-01'), eq(invoiceRuns.periodTo, '2026-12-31')))).length).toBe(1);

    expect((await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-30&to=2026-11-01', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices/export.csv?to=2026-11-01', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices/export.csv?from=2026-11-01&to=2026-11-30&status=paid', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices?from=2026-12-01&to=2026-11-01', w.agent)).status).toBe(400);
    expect((await call(w, 'GET', '/api/invoices/not-a-uuid', w.agent)).status).toBe(400);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const [method, path] of [['GET', `/api/invoices/${unknown}`], ['GET', `/api/invoices/${unknown}/csv`], ['POST', `/api/invoices/${unknown}/finalise`], ['DELETE', `/api/invoices/${unknown}`]] as const) {
      const res = await call(w, method, path, w.manager);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.detail).toContain(unknown);
    }
  });
});
