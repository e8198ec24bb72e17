// /api/reports/subscriptions: managers subscribe themselves to the weekly report mail, see their own
// subscription and end it; an admin sees everyone's; agents may not.
import { describe, expect, it } from 'vitest';
import { activeReportSubscribers } from '../../src/services/reports/subscriptions.js';
import { apiOnTestDatabase } from '../support/api-database.js';

const api = apiOnTestDatabase({ mia: ['manager', 'Mia Manager'], max: ['manager', 'Max Manager'], admin: 'admin', agent: 'agent' });
const { mia, max, admin, agent } = api.users;
const path = '/api/reports/subscriptions';

describe('/api/reports/subscriptions', () => {
  it('subscribes a manager in their language, shows only their own, and an admin everyone\'s', async () => {
    expect((await api.call('GET', path, mia)).body).toEqual({ items: [] });
    const subscribed = await api.call('PUT', path, mia, { language: 'en' });
    expect(subscribed.status).toBe(200);
    expect(subscribed.body).toMatchObject({ userId: mia.id, name: 'Mia Manager', language: 'en', active: true });
    expect((await api.call('PUT', path, max, {})).body).toMatchObject({ userId: max.id, language: 'de' });

    expect((await api.call('GET', path, mia)).body.items.map((s: { userId: string }) => s.userId)).toEqual([mia.id]);
    expect((await api.call('GET', path, admin)).body.items.map((s: { name: string }) => s.name)).toEqual(['Max Manager', 'Mia Manager']);

    // A repeat changes the language and keeps the first date.
    const again = await api.call('PUT', path, mia, { language: 'de' });
    expect(again.body).toMatchObject({ language: 'de', createdAt: subscribed.body.createdAt });
  });

  it('unsubscribes: the row stays inactive, the weekly run skips it, a second DELETE is 404', async () => {
    expect((await api.call('DELETE', path, max)).status).toBe(204);
    expect((await api.call('GET', path, max)).body.items).toEqual([expect.objectContaining({ active: false })]);
    expect((await activeReportSubscribers(api.database.db)).map((s) => s.userId)).toEqual([mia.id]);
    expect((await api.call('DELETE', path, max)).status).toBe(404);
    expect((await api.call('PUT', path, max, { language: 'en' })).body).toMatchObject({ active: true, language: 'en' });
  });

  it('refuses agents and unknown fields', async () => {
    expect((await api.call('PUT', path, agent, { language: 'de' })).status).toBe(403);
    expect((await api.call('GET', path, agent)).status).toBe(403);
    const bad = await api.call('PUT', path, mia, { language: 'fr' });
    expect(bad.status).toBe(400);
    expect((await api.call('PUT', path, mia, { language: 'de', userId: max.id })).status).toBe(400);
  });
});
