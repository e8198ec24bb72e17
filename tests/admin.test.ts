// The operator's command (src/admin.ts): the first admin of an installation without demo data,
// then groups, users and tokens, straight in Postgres; the token is printed once, alone on stdout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../src/admin.js';
import type { Database } from '../src/db/client.js';
import { apiCaller, databaseOnlyApp } from './support/api.js';
import { createTestDatabase } from './support/database.js';
import type { TestUser } from './support/users.js';

let database: Database & { url: string };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database?.close());

async function admin(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const status = await runAdminCommand(database.db, argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { status, out, err: err.join('\n') };
}

const me = async (token: string) => {
  const call = apiCaller(databaseOnlyApp(database.db));
  return call('GET', '/api/me', { token } as TestUser);
};

describe('npm run admin', () => {
  it('creates the first admin and prints a working token once, alone on stdout', async () => {
    const res = await admin('create-user', '--email', 'ops@house.example', '--name', 'Olga Ops', '--role', 'admin');
    expect(res.status).toBe(0);
    expect(res.out).toHaveLength(1);
    expect(res.out[0]).toMatch(/^hd_[A-Za-z0-9_-]{43}$/);
    expect(res.err).toMatch(/^Created admin Olga Ops <ops@house\.example> \(id [0-9a-f-]{36}\)\./);
    const answer = await me(res.out[0]!);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'Olga Ops', email: 'ops@house.example', role: 'admin' });
  });

  it('creates groups and users in them; refuses an unknown group, a taken e-mail and a wrong role with the reason', async () => {
    expect((await admin('create-group', '--name', '1st-level', '--description', 'Phone and mail')).status).toBe(0);
    const agent = await admin('create-user', '--email', 'anna@house.example', '--role', 'agent', '--group', '1st-level', '--no-token');
    expect(agent.status).toBe(0);
    expect(agent.out).toEqual([]);
    const unknown = await admin('create-user', '--email', 'bert@house.example', '--role', 'agent', '--group', 'night');
    expect(unknown).toMatchObject({ status: 1, out: [], err: 'group: unknown group "night"; known groups: 1st-level.' });
    const taken = await admin('create-user', '--email', 'ANNA@house.example', '--role', 'agent');
    expect(taken).toMatchObject({ status: 1, err: 'A user with the e-mail ANNA@house.example exists already.' });
    const role = await admin('create-user', '--email', 'carl@house.example', '--role', 'boss');
    expect(role).toMatchObject({ status: 1, err: 'role: "boss" is not a role; use one of mailgate, sales, agent, manager, admin.' });
    const list = await admin('list-users');
    expect(list.out.map((l) => l.split('\t').slice(0, 4))).toEqual([
      ['anna@house.example', 'agent', '1st-level', 'active'],
      ['ops@house.example', 'admin', '-', 'active'],
    ]);
    expect((await admin('list-groups')).out).toEqual(['1st-level\t1\tPhone and mail']);
  });

  it('issues another token for an existing user (a lost admin token), with an optional expiry', async () => {
    const res = await admin('issue-token', '--email', 'OPS@house.example', '--token-name', 'recovery', '--expires-at', '2099-01-01T00:00:00Z');
    expect(res.status).toBe(0);
    expect((await me(res.out[0]!)).body.role).toBe('admin');
    expect(await admin('issue-token', '--email', 'nobody@house.example')).toMatchObject({ status: 2, out: [], err: 'No user with the e-mail nobody@house.example; create one with create-user.' });
    expect((await admin('issue-token', '--email', 'ops@house.example', '--expires-at', 'tomorrow')).err).toContain('--expires-at: "tomorrow" is not an ISO instant');
  });

  it('answers bad usage with exit status 2 and the usage', async () => {
    expect((await admin('create-user', '--role', 'admin')).err).toBe('--email is required.');
    const unknownOption = await admin('create-user', '--emial', 'x@y.example');
    expect(unknownOption.status).toBe(2);
    expect(unknownOption.err).toContain("Unknown option '--emial'");
    expect(unknownOption.err).toContain('Usage: npm run -s admin');
    expect((await admin('make-coffee')).err).toMatch(/^Unknown command "make-coffee"\./);
    expect((await admin()).status).toBe(2);
    expect(await admin('--help')).toMatchObject({ status: 0, out: [] });
  });
});

describe('the command as a process', () => {
  const repoRoot = fileURLToPath(new URL('..', import.meta.url));
  function run(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/admin.ts', ...args], { cwd: repoRoot, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  }

  it('runs against DATABASE_URL: the token is the only line on stdout', async () => {
    const res = await run(['create-user', '--email', 'second@house.example', '--role', 'admin'], { DATABASE_URL: database.url });
    expect(res.stderr).toContain('Created admin second <second@house.example>');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^hd_[A-Za-z0-9_-]{43}\n$/);
    expect((await me(res.stdout.trim())).body.email).toBe('second@house.example');
  }, 30_000);

  it('prints the usage without a database', async () => {
    const res = await run(['--help'], { DATABASE_URL: 'postgres://postgres:x@127.0.0.1:9/none' });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/^Usage: npm run -s admin -- <command>/);
  }, 30_000);

  it('says in one line what to do when Postgres cannot be reached', async () => {
    const res = await run(['list-users'], { DATABASE_URL: 'postgres://postgres:x@127.0.0.1:9/none' });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim()).toMatch(/^Cannot reach Postgres \(.*\): set DATABASE_URL, or start the embedded stack with npm start\.$/);
  }, 30_000);
});
