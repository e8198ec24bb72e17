// Postgres away (down, restarting): a request that needs it answers 503 with Retry-After, never 500,
// so clients and proxies retry (the chaos run, bench/chaos.ts, kills Postgres under load). A query
// that fails on its data is still a 500.
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { ApiServices } from '../../src/api/context.js';
import { createDatabase } from '../../src/db/client.js';
import { isDatabaseUnavailable } from '../../src/db/pg-errors.js';
import type { Temporal } from '../../src/temporal/client.js';
import { freePort } from '../support/ports.js';
import { silentLogger } from '../support/stack.js';
import { createTestDatabase } from '../support/database.js';

describe('Postgres not reachable', () => {
  it('answers 503 with Retry-After on an authenticated route, not 500', async () => {
    // A port nobody listens on: every query fails to connect.
    const database = createDatabase(`postgres://helpdesk:helpdesk@127.0.0.1:${await freePort()}/helpdesk`);
    try {
      const services = { db: database.db, temporal: {} as Temporal, logger: silentLogger, pingDatabase: () => Promise.reject(new Error('down')) } as unknown as ApiServices;
      const app = createApp(services);
      const res = await app.request('/api/incidents', { headers: { Authorization: 'Bearer hd_not-checked-because-postgres-is-down' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(((await res.json()) as { detail: string }).detail).toMatch(/database is not reachable/);
    } finally {
      await database.close();
    }
  });

  it('tells a connection failure from a query that failed on its data', async () => {
    const closed = createDatabase(`postgres://helpdesk:helpdesk@127.0.0.1:${await freePort()}/helpdesk`);
    const refused = await closed.sql`select 1`.then(() => undefined, (err: unknown) => err);
    await closed.close();
    expect(isDatabaseUnavailable(refused)).toBe(true);
    // Wrapped the way drizzle wraps it.
    expect(isDatabaseUnavailable(Object.assign(new Error('Failed query'), { cause: refused }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('admin shutdown'), { code: '57P01' }))).toBe(true);
    const db = await createTestDatabase();
    const syntax = await db.sql`select * from no_such_table`.then(() => undefined, (err: unknown) => err);
    await db.close();
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('plain'))).toBe(false);
  });
});
