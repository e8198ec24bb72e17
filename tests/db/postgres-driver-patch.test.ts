// The patch of postgres.js in patches/ (applied by `npm install`'s postinstall, patch-package): a
// write on a connection whose socket has closed used to throw a TypeError from a setImmediate,
// which no caller can catch, and the process died: the chaos run (bench/chaos.ts) lost a worker
// and an API process that way when it restarted Postgres (porsager/postgres#1154, #1208).
// A reserved connection whose backend is terminated is the deterministic way there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createTestDatabase } from '../support/database.js';

describe('postgres.js with a closed socket', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('rejects the query with CONNECTION_CLOSED instead of crashing the process', async () => {
    const sql = postgres(db.url, { max: 2, onnotice: () => {} });
    const uncaught: unknown[] = [];
    const onUncaught = (err: unknown) => uncaught.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const reserved = await sql.reserve();
      const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      const pid = row!.pid;
      await sql`select pg_terminate_backend(${pid})`;
      await new Promise((r) => setTimeout(r, 300));
      const outcome = await reserved`select 1`.then(
        () => 'answered',
        (err: { code?: string }) => err.code ?? 'rejected',
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught).toEqual([]);
      expect(outcome).not.toBe('answered');
      reserved.release();
      // The pool goes on serving.
      expect(await sql`select 2 as two`).toEqual([{ two: 2 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await sql.end({ timeout: 1 });
    }
  });
});
