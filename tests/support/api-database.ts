// The set-up most API test files share: one fresh database for the file, the app on it without
// Temporal, optional seed data, and a user with a token per role the file asks for.
import { afterAll, beforeAll } from 'vitest';
import type { ApiServices } from '../../src/api/context.js';
import type { Database, Db } from '../../src/db/client.js';
import type { UserRole } from '../../src/domain/enums.js';
import { apiCaller, databaseOnlyApp, type ApiAnswer, type TestApp } from './api.js';
import { createTestDatabase } from './database.js';
import { createUserWithToken, type TestUser } from './users.js';

export interface ApiOnTestDatabase<K extends string> {
  /** Filled in before the file's first test; the objects stay the same, so they can be destructured at the top. */
  users: Record<K, TestUser>;
  /** The file's database (from beforeAll on). */
  readonly database: Database;
  /** The app on it (from beforeAll on). */
  readonly app: TestApp;
  /** Calls the app as a user, as `apiCaller(app)` does. */
  call: (...args: Parameters<ReturnType<typeof apiCaller>>) => Promise<ApiAnswer>;
}

/**
 * Registers the file's beforeAll and afterAll. The users are made in the order given, after the
 * seed; a role alone gets the name `Test <role>`, a pair names the user.
 */
export function apiOnTestDatabase<K extends string>(
  roles: Record<K, UserRole | readonly [UserRole, string]>,
  options: { seed?: (db: Db) => Promise<unknown>; services?: Partial<ApiServices> } = {},
): ApiOnTestDatabase<K> {
  const users = Object.fromEntries(Object.keys(roles).map((key) => [key, {} as TestUser])) as Record<K, TestUser>;
  let database: Database | undefined;
  let app: TestApp | undefined;
  const world: ApiOnTestDatabase<K> = {
    users,
    get database() {
      if (!database) throw new Error('the test database is there from beforeAll on');
      return database;
    },
    get app() {
      if (!app) throw new Error('the app is there from beforeAll on');
      return app;
    },
    call: (...args) => apiCaller(world.app)(...args),
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    app = databaseOnlyApp(database.db, options.services);
    await options.seed?.(database.db);
    for (const [key, spec] of Object.entries(roles) as [K, UserRole | readonly [UserRole, string]][]) {
      const [role, name] = typeof spec === 'string' ? [spec] : spec;
      Object.assign(users[key], await createUserWithToken(database.db, role, name));
    }
  });
  afterAll(async () => database?.close());

  return world;
}
