// Support groups as master data: admins write, agents read; a group in use cannot be deleted.
import { describe, expect, it } from 'vitest';
import { apiOnTestDatabase } from '../support/api-database.js';

const { call, users: { admin, agent } } = apiOnTestDatabase({ admin: 'admin', agent: 'agent' });

describe('/api/groups', () => {
  it('creates, lists with member counts, changes and deletes groups; a name is unique', async () => {
    expect((await call('POST', '/api/groups', admin, { name: 'network', description: 'Network and VPN' })).status).toBe(201);
    expect((await call('POST', '/api/groups', admin, { name: 'network' })).status).toBe(409);
    await call('POST', '/api/groups', admin, { name: '1st-level' });
    await call('POST', '/api/users', admin, { name: 'Nina Netz', email: 'nina@helpdesk.example', role: 'agent', group: 'network' });
    const list = await call('GET', '/api/groups', agent);
    expect(list.status).toBe(200);
    expect(list.body.items.map((g: { name: string; members: number }) => [g.name, g.members])).toEqual([['1st-level', 0], ['network', 1]]);
    const changed = await call('PATCH', '/api/groups/1st-level', admin, { description: 'Phone and mail' });
    expect(changed.body).toMatchObject({ name: '1st-level', description: 'Phone and mail' });
    expect((await call('DELETE', '/api/groups/1st-level', admin)).status).toBe(204);
    expect((await call('GET', '/api/groups/1st-level', agent)).status).toBe(404);
  });

  it('refuses to delete a group with members (409), a bad name (400), and writes by agents (403)', async () => {
    const held = await call('DELETE', '/api/groups/network', admin);
    expect(held.status).toBe(409);
    expect(held.body.detail).toBe('Group network still has 1 member(s); move them to another group first.');
    const bad = await call('POST', '/api/groups', admin, { name: 'two words' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('name');
    expect((await call('POST', '/api/groups', agent, { name: 'mine' })).status).toBe(403);
  });
});
