// A fresh, migrated database per test file on the run's Postgres server.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { createDatabase, runMigrations, type Database } from '../../src/db/client.js';

/** The database, with its connection string (for child processes such as the admin command). */
export async function createTestDatabase(): Promise<Database & { url: string }> {
  const adminUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = createDatabase(url.toString(), { max: 20 });
  await runMigrations(database);
  return Object.assign(database, { url: url.toString() });
}
