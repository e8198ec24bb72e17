// The API on a real database without Temporal, for route tests that only read and write Postgres.
import { createApp } from '../../src/api/app.js';
import type { ApiServices } from '../../src/api/context.js';
import type { Db } from '../../src/db/client.js';
import type { Temporal } from '../../src/temporal/client.js';
import { silentLogger } from './stack.js';
import type { TestUser } from './users.js';

export type TestApp = ReturnType<typeof createApp>;

/** The app with a Temporal that must not be reached; `services` adds or overrides settings (rates, time zone, ...). */
export function databaseOnlyApp(db: Db, services: Partial<ApiServices> = {}): TestApp {
  return createApp({ db, temporal: {} as Temporal, logger: silentLogger, pingDatabase: () => Promise.resolve(), ...services });
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  type: string | null;
  text: string;
   
  body: any;
}

/** Calls the app as `user` with an optional JSON body; the answer's JSON body is parsed. */
export function apiCaller(app: TestApp) {
  return async (method: string, path: string, user: TestUser, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer> => {
    const res = await app.request(path, {
      method,
      headers: { Authorization: `Bearer ${user.token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const type = res.headers.get('Content-Type');
    return { status: res.status, headers: res.headers, type, text, body: text && (type ?? '').includes('json') ? JSON.parse(text) : undefined };
  };
}
