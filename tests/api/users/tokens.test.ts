// API tokens through the API: issued by admins and shown once, listed without secrets, revoked by
// their owner or an admin; another user's tokens are not found.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { apiTokens } from '../../../src/db/schema/index.js';
import { hashToken } from '../../../src/services/directory/tokens.js';
import { apiOnTestDatabase } from '../../support/api-database.js';
import { createUserWithToken, type TestUser } from '../../support/users.js';

const world = apiOnTestDatabase({ admin: ['admin', 'Ada Admin'], agent: ['agent', 'Anna Agent'], other: ['agent', 'Otto Other'] });
const { call, users: { admin, agent, other } } = world;
const db = () => world.database.db;

const as = (user: TestUser, token: string): TestUser => ({ ...user, token });

describe('tokens', () => {
  it('issues a token shown once: it works at once, and only its hash is stored', async () => {
    const issued = await call('POST', `/api/users/${agent.id}/tokens`, admin, { name: 'laptop' });
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ name: 'laptop', createdBy: `user:${admin.id}`, expiresAt: null, lastUsedAt: null, revokedAt: null });
    expect(issued.body.token).toMatch(/^hd_[A-Za-z0-9_-]{43}$/);
    const me = await call('GET', '/api/me', as(agent, issued.body.token as string));
    expect(me.body).toMatchObject({ id: agent.id, tokenId: issued.body.id });
    const [row] = await db().select().from(apiTokens).where(eq(apiTokens.id, issued.body.id as string));
    expect(row!.tokenHash).toBe(hashToken(issued.body.token as string));
    expect(JSON.stringify(row)).not.toContain(issued.body.token);
  });

  it('lists a user\'s tokens to the user and to admins, never with the secret; another agent gets 404', async () => {
    const own = await call('GET', `/api/users/${agent.id}/tokens`, agent);
    expect(own.status).toBe(200);
    expect(own.body.items.map((t: { name: string }) => t.name)).toEqual(['laptop', 'test']);
    for (const t of own.body.items) {
      expect(Object.keys(t as object).sort()).toEqual(['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt']);
    }
    expect((await call('GET', `/api/users/${agent.id}/tokens`, admin)).body.items).toHaveLength(2);
    const foreign = await call('GET', `/api/users/${agent.id}/tokens`, other);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain('laptop');
  });

  it('revokes: the owner their own (then 401 "revoked"), not another\'s (404); revoked ones are listed on request', async () => {
    const issued = await call('POST', `/api/users/${agent.id}/tokens`, admin, { name: 'old phone' });
    const tokenId = issued.body.id as string;
    expect((await call('DELETE', `/api/users/${agent.id}/tokens/${tokenId}`, other)).status).toBe(404);
    expect((await call('DELETE', `/api/users/${other.id}/tokens/${tokenId}`, other)).status).toBe(404);
    expect((await call('DELETE', `/api/users/${agent.id}/tokens/${tokenId}`, agent)).status).toBe(204);
    expect((await call('DELETE', `/api/users/${agent.id}/tokens/${tokenId}`, agent)).status).toBe(204);
    const refused = await call('GET', '/api/me', as(agent, issued.body.token as string));
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('This token was revoked.');
    const active = await call('GET', `/api/users/${agent.id}/tokens`, agent);
    expect(active.body.items.map((t: { id: string }) => t.id)).not.toContain(tokenId);
    const all = await call('GET', `/api/users/${agent.id}/tokens?includeRevoked=true`, agent);
    expect(all.body.items.find((t: { id: string }) => t.id === tokenId).revokedAt).toMatch(/^\d{4}-/);
  });

  it('ends a token at its expiry, and refuses an expiry in the past', async () => {
    const past = await call('POST', `/api/users/${agent.id}/tokens`, admin, { name: 'x', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.errors[0].field).toBe('expiresAt');
    const issued = await call('POST', `/api/users/${agent.id}/tokens`, admin, { name: 'short', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect(issued.status).toBe(201);
    expect((await call('GET', '/api/me', as(agent, issued.body.token as string))).status).toBe(200);
    await db().update(apiTokens).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(apiTokens.id, issued.body.id as string));
    const expired = await call('GET', '/api/me', as(agent, issued.body.token as string));
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toBe('This token has expired; ask an admin for a new one.');
  });

  it('issues no token for a deactivated user (409) nor for an unknown one (404), and only admins issue (403)', async () => {
    const leaving = await createUserWithToken(db(), 'agent', 'Leaving');
    await call('PATCH', `/api/users/${leaving.id}`, admin, { active: false });
    expect((await call('POST', `/api/users/${leaving.id}/tokens`, admin, { name: 'x' })).status).toBe(409);
    expect((await call('POST', '/api/users/00000000-0000-4000-8000-000000000000/tokens', admin, { name: 'x' })).status).toBe(404);
    expect((await call('POST', `/api/users/${agent.id}/tokens`, agent, { name: 'self-made' })).status).toBe(403);
  });
});
