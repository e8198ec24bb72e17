// The staff directory through the API: admins create and change users, agents look them up, the
// last active admin stays, deactivated users open nothing and cannot be named for work.
import { eq } from 'drizzle-orm';
import { describe, expect, it, beforeAll } from 'vitest';
import { users } from '../../../src/db/schema/index.js';
import { apiCaller, databaseOnlyApp } from '../../support/api.js';
import { apiOnTestDatabase } from '../../support/api-database.js';
import { createTestDatabase } from '../../support/database.js';
import { createUserWithToken, ensureGroups } from '../../support/users.js';

const world = apiOnTestDatabase({ admin: ['admin', 'Ada Admin'], agent: ['agent', 'Anna Agent'] }, { seed: (db) => ensureGroups(db, ['1st-level', '2nd-level']) });
const { call, users: { admin, agent } } = world;
const db = () => world.database.db;

describe('creating users', () => {
  it('creates a user with role, group and cost rate, and refuses the same e-mail in other case with 409', async () => {
    const created = await call('POST', '/api/users', admin, { name: 'Bernd Berater', email: 'Bernd.Berater@helpdesk.example', role: 'agent', group: '1st-level', costRateCents: 6500 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Bernd Berater', email: 'Bernd.Berater@helpdesk.example', role: 'agent', group: '1st-level', costRateCents: 6500, active: true, deactivatedAt: null });
    expect(created.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await call('POST', '/api/users', admin, { name: 'Bernd 2', email: 'bernd.berater@HELPDESK.example', role: 'agent' });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe('A user with the e-mail bernd.berater@HELPDESK.example exists already.');
  });

  it('refuses an unknown group with 400 naming the field and listing the known groups', async () => {
    const res = await call('POST', '/api/users', admin, { name: 'Gerd', email: 'gerd@helpdesk.example', role: 'agent', group: '3rd-level' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({ field: 'group' });
    expect(res.body.detail).toBe('group: unknown group "3rd-level"; known groups: 1st-level, 2nd-level.');
    expect((await db().select().from(users).where(eq(users.email, 'gerd@helpdesk.example'))).length).toBe(0);
  });

  it('names a misspelled field and a missing one', async () => {
    const typo = await call('POST', '/api/users', admin, { name: 'X', email: 'x@helpdesk.example', role: 'agent', grup: '1st-level' });
    expect(typo.status).toBe(400);
    expect(typo.body.detail).toContain('unknown field "grup"; did you mean "group"?');
    const missing = await call('POST', '/api/users', admin, { name: 'X', role: 'agent' });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'email', message: 'email is required' })]);
    const role = await call('POST', '/api/users', admin, { name: 'X', email: 'x@helpdesk.example', role: 'boss' });
    expect(role.status).toBe(400);
    expect(role.body.errors[0].field).toBe('role');
  });

  it('is for admins only: an agent gets 403', async () => {
    const res = await call('POST', '/api/users', agent, { name: 'Y', email: 'y@helpdesk.example', role: 'admin' });
    expect(res.status).toBe(403);
  });
});

describe('finding users', () => {
  beforeAll(async () => {
    await call('POST', '/api/users', admin, { name: 'Mia Manager', email: 'mia@helpdesk.example', role: 'manager', group: '2nd-level', costRateCents: 7500 });
    await call('POST', '/api/users', admin, { name: 'Sam Sales', email: 'sam@helpdesk.example', role: 'sales' });
  });

  it('lists by role (several) and group for agents, without cost rates', async () => {
    const staff = await call('GET', '/api/users?role=manager,sales&limit=500', agent);
    expect(staff.status).toBe(200);
    expect(staff.body.items.map((u: { email: string }) => u.email)).toEqual(['mia@helpdesk.example', 'sam@helpdesk.example']);
    expect(staff.body.items[0]).not.toHaveProperty('costRateCents');
    const group = await call('GET', '/api/users?group=2nd-level', agent);
    expect(group.body.items.map((u: { name: string }) => u.name)).toEqual(['Mia Manager']);
    const q = await call('GET', '/api/users?q=MIA', agent);
    expect(q.body.total).toBe(1);
    const bad = await call('GET', '/api/users?role=boss', agent);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('role');
    const unknown = await call('GET', '/api/users?roles=agent', agent);
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('unknown field "roles"; did you mean "role"?');
  });

  it('shows the cost rate to admins only', async () => {
    const id = (await call('GET', '/api/users?q=mia', agent)).body.items[0].id as string;
    expect((await call('GET', `/api/users/${id}`, admin)).body.costRateCents).toBe(7500);
    expect((await call('GET', `/api/users/${id}`, agent)).body).not.toHaveProperty('costRateCents');
    expect((await call('GET', '/api/users/00000000-0000-4000-8000-000000000000', agent)).status).toBe(404);
  });

  it('tells a token who it belongs to at /api/me, for every role', async () => {
    const mailgate = await createUserWithToken(db(), 'mailgate', 'Mail gateway');
    const me = await call('GET', '/api/me', mailgate);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: mailgate.id, name: 'Mail gateway', role: 'mailgate', group: null });
    expect(me.body.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('changing users', () => {
  it('changes role, group and cost rate; null clears the group', async () => {
    const user = await createUserWithToken(db(), 'agent', 'Changing');
    const res = await call('PATCH', `/api/users/${user.id}`, admin, { role: 'manager', group: '2nd-level', costRateCents: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'manager', group: '2nd-level', costRateCents: null });
    expect((await call('PATCH', `/api/users/${user.id}`, admin, { group: null })).body.group).toBeNull();
    expect((await call('PATCH', `/api/users/${user.id}`, admin, {})).status).toBe(400);
    expect((await call('PATCH', `/api/users/${user.id}`, admin, { group: 'nowhere' })).body.detail).toContain('unknown group "nowhere"');
  });

  it('deactivates a user: their tokens answer 401 saying so, nobody can assign them work, and reactivation restores both', async () => {
    const user = await createUserWithToken(db(), 'agent', 'Leaving');
    const [row] = await db().select({ email: users.email }).from(users).where(eq(users.id, user.id));
    const off = await call('PATCH', `/api/users/${user.id}`, admin, { active: false });
    expect(off.body).toMatchObject({ active: false });
    expect(off.body.deactivatedAt).toMatch(/^\d{4}-/);
    const refused = await call('GET', '/api/me', user);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe("This token's user is deactivated.");
    const assign = await call('POST', '/api/incidents/INC-2026-000001/assign', agent, { assigneeEmail: row!.email });
    expect(assign.status).toBe(400);
    expect(assign.body.errors[0]).toMatchObject({ field: 'assigneeEmail' });
    expect(assign.body.detail).toBe(`assigneeEmail: ${row!.email} is deactivated.`);
    const byId = await call('POST', '/api/incidents/INC-2026-000001/assign', agent, { assigneeId: user.id });
    expect(byId.body.detail).toBe(`assigneeId: user ${user.id} is deactivated.`);
    expect((await call('PATCH', `/api/users/${user.id}`, admin, { active: true })).body.active).toBe(true);
    expect((await call('GET', '/api/me', user)).status).toBe(200);
  });

  it('refuses to name a non-staff user, or an unknown group, for an incident, before the workflow is asked', async () => {
    const sales = await createUserWithToken(db(), 'sales', 'Seller');
    const res = await call('POST', '/api/incidents/INC-2026-000001/assign', agent, { assigneeId: sales.id });
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain('has the sales role; only staff');
    const group = await call('POST', '/api/incidents/INC-2026-000001/assign', agent, { group: 'networking' });
    expect(group.status).toBe(400);
    expect(group.body.detail).toBe('group: unknown group "networking"; known groups: 1st-level, 2nd-level.');
    const both = await call('POST', '/api/incidents/INC-2026-000001/assign', agent, { assigneeId: agent.id, assigneeEmail: 'a@b.example' });
    expect(both.status).toBe(400);
    expect(both.body.detail).toBe('assigneeEmail: give assigneeId or assigneeEmail, not both.');
  });
});

describe('the last active admin', () => {
  it('cannot be demoted or deactivated; with a second admin, one of two crossing demotions wins', async () => {
    const lone = await createTestDatabase();
    try {
      const lonely = apiCaller(databaseOnlyApp(lone.db));
      const first = await createUserWithToken(lone.db, 'admin', 'First Admin');
      const demote = await lonely('PATCH', `/api/users/${first.id}`, first, { role: 'agent' });
      expect(demote.status).toBe(409);
      expect(demote.body.detail).toMatch(/^role: .* is the last active admin; make another user admin first\.$/);
      const deactivate = await lonely('PATCH', `/api/users/${first.id}`, first, { active: false });
      expect(deactivate.status).toBe(409);
      expect(deactivate.body.detail).toMatch(/^active: /);
      // A deactivated admin does not count.
      const idle = await createUserWithToken(lone.db, 'admin', 'Idle Admin');
      expect((await lonely('PATCH', `/api/users/${idle.id}`, first, { active: false })).status).toBe(200);
      expect((await lonely('PATCH', `/api/users/${first.id}`, first, { role: 'manager' })).status).toBe(409);

      const second = await createUserWithToken(lone.db, 'admin', 'Second Admin');
      const [a, b] = await Promise.all([
        lonely('PATCH', `/api/users/${second.id}`, first, { role: 'agent' }),
        lonely('PATCH', `/api/users/${first.id}`, second, { role: 'agent' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const admins = await lone.db.select().from(users).where(eq(users.role, 'admin'));
      expect(admins.filter((u) => u.deactivatedAt === null)).toHaveLength(1);
    } finally {
      await lone.close();
    }
  });
});
