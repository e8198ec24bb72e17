// Who may enter the portal: sign-in by mailed link and by password, sessions (rotation, sign-out,
// idle timeout), CSRF (origin and synchronizer token), the rate limit, and the wall between
// portal sessions and API tokens. On a real Postgres, the app in-process.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outboxMessages, portalAttempts, portalLinks, portalSessions } from '../../src/db/schema/index.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { tokenHash } from '../../src/services/portal/secrets.js';
import { loadConfig } from '../../src/config.js';
import { portalSettings } from '../../src/server.js';
import { databaseOnlyApp } from '../support/api.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { appVisitor, linkIn, PortalVisitor, portalContact } from '../support/portal.js';

const api = apiOnTestDatabase({ agent: 'agent' }, { seed: seedDemoData, services: { portal: { signInLimits: { perAddress: 3, perClient: 1000, windowMinutes: 15 } } } });
const password = 'correct horse battery';

async function mailedLink(email: string): Promise<string> {
  const [row] = await api.database.db
    .select({ body: outboxMessages.body })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.recipient, email), eq(outboxMessages.template, 'portal_sign_in')))
    .orderBy(sql`${outboxMessages.createdAt} desc`)
    .limit(1);
  return linkIn(row!.body);
}

describe('portal sign-in', () => {
  it('signs in by password, rotates the session, and signs out', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    // A session from before (for example planted by someone else) does not survive sign-in.
    const first = await visitor.post('/portal/sign-in/password', { email: contact.email, password });
    expect(first.status).toBe(303);
    expect(first.location).toBe('/portal/requests');
    const firstSession = visitor.cookies.get('helpdesk_session')!;
    expect(firstSession).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [stored] = await api.database.db.select().from(portalSessions).where(eq(portalSessions.idHash, tokenHash(firstSession)));
    expect(stored?.contactId).toBe(contact.id);
    // Only the hash is stored.
    expect(JSON.stringify(await api.database.db.select().from(portalSessions))).not.toContain(firstSession);

    const page = await visitor.get('/portal/requests');
    expect(page.status).toBe(200);
    const again = await visitor.post('/portal/sign-in/password', { email: contact.email, password }, { _csrf: visitor.field('_csrf', page.html) } as never);
    expect(again.status).toBe(303);
    const secondSession = visitor.cookies.get('helpdesk_session')!;
    expect(secondSession).not.toBe(firstSession);
    expect(await api.database.db.select().from(portalSessions).where(eq(portalSessions.idHash, tokenHash(firstSession)))).toHaveLength(0);

    await visitor.get('/portal/requests');
    const out = await visitor.post('/portal/sign-out', {});
    expect(out.status).toBe(303);
    expect(out.location).toBe('/portal/sign-in?out=1');
    expect(await api.database.db.select().from(portalSessions).where(eq(portalSessions.idHash, tokenHash(secondSession)))).toHaveLength(0);
    // The old cookie, sent again, opens nothing.
    const replay = appVisitor(api.app);
    replay.cookies.set('helpdesk_session', secondSession);
    expect((await replay.get('/portal/requests')).status).toBe(303);
  });

  it('sets the cookie HttpOnly and SameSite=Lax, and Secure with the __Host- prefix outside localhost', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const local = appVisitor(api.app);
    await local.get('/portal/sign-in');
    const answer = await local.post('/portal/sign-in/password', { email: contact.email, password });
    const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('helpdesk_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);

    const remote = new PortalVisitor(async (path, init) => api.app.request(`https://portal.example.com${path}`, init), 'https://portal.example.com');
    await remote.get('/portal/sign-in');
    const secure = await remote.post('/portal/sign-in/password', { email: contact.email, password });
    const hostCookie = secure.headers.getSetCookie().find((c) => c.startsWith('__Host-helpdesk_session='))!;
    expect(hostCookie).toMatch(/Secure/);
    expect(hostCookie).toMatch(/Path=\//);
    expect(hostCookie).not.toMatch(/Domain=/);
  });

  it('builds the mailed link from PUBLIC_URL, never from the Host header, and sets cookies Secure by its scheme', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001' });
    // The API behind a TLS proxy: PUBLIC_URL is https, the request arrives with whatever Host the client sent.
    const behindProxy = databaseOnlyApp(api.database.db, { portal: portalSettings(loadConfig({ PUBLIC_URL: 'https://support.example.com' })) });
    const forged = new PortalVisitor(async (path, init) => behindProxy.request(`http://evil.example${path}`, init), 'http://evil.example');
    // The proxy forwards to 127.0.0.1: the cookies are still Secure, as PUBLIC_URL is https.
    const proxied = new PortalVisitor(async (path, init) => behindProxy.request(`http://127.0.0.1:3000${path}`, init), 'http://127.0.0.1:3000');
    const page = await proxied.get('/portal/sign-in');
    expect(page.headers.getSetCookie().find((c) => c.startsWith('__Host-helpdesk_csrf='))).toMatch(/Secure/);
    await forged.get('/portal/sign-in');
    expect((await forged.post('/portal/sign-in/link', { email: contact.email })).status).toBe(303);
    const [row] = await api.database.db.select({ body: outboxMessages.body }).from(outboxMessages).where(and(eq(outboxMessages.recipient, contact.email), eq(outboxMessages.template, 'portal_sign_in')));
    expect(row!.body).toContain('https://support.example.com/portal/sign-in/link?token=');
    expect(row!.body).not.toContain('evil.example');
    // And the server always configures it: without PUBLIC_URL, its own address.
    expect(portalSettings(loadConfig({ HOST: '127.0.0.1', PORT: '3000' }))).toMatchObject({ baseUrl: 'http://127.0.0.1:3000', secureCookies: undefined });
    expect(portalSettings(loadConfig({ PUBLIC_URL: 'https://support.example.com' })).baseUrl).toBe('https://support.example.com');
  });

  it('answers a wrong password and an unknown address alike', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    const wrong = await visitor.post('/portal/sign-in/password', { email: contact.email, password: 'not the password' });
    const unknown = await visitor.post('/portal/sign-in/password', { email: 'nobody@nowhere.example', password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
    expect(message(wrong.html)).toBe(message(unknown.html));
    expect(message(wrong.html)).toBeTruthy();
    expect(visitor.cookies.has('helpdesk_session')).toBe(false);
  });

  it('signs in by a single-use link that ends after 15 minutes', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10002' });
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    const asked = await visitor.post('/portal/sign-in/link', { email: contact.email.toUpperCase(), next: '/portal/contracts' });
    expect(asked.status).toBe(303);
    expect(asked.location).toContain('sent=1');
    const unknown = await visitor.post('/portal/sign-in/link', { email: 'nobody@nowhere.example' });
    expect(unknown.location).toBe('/portal/sign-in?sent=1');

    const link = await mailedLink(contact.email);
    const token = new URL(link, 'http://localhost').searchParams.get('token')!;
    const [stored] = await api.database.db.select().from(portalLinks).where(eq(portalLinks.tokenHash, tokenHash(token)));
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(15 * 60_000);

    // Opening the link (as a mail scanner would) does not use it up; the button does.
    const confirm = await visitor.get(link);
    expect(confirm.status).toBe(200);
    expect((await visitor.get(link)).status).toBe(200);
    const signedIn = await visitor.post('/portal/sign-in/link/confirm', { token });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/portal/contracts');
    expect((await visitor.get('/portal/contracts')).status).toBe(200);

    const second = appVisitor(api.app);
    const used = await second.get(link);
    expect(used.status).toBe(400);
    await second.get('/portal/sign-in');
    expect((await second.post('/portal/sign-in/link/confirm', { token })).status).toBe(400);
    expect(second.cookies.has('helpdesk_session')).toBe(false);

    // A link past its 15 minutes is refused too.
    await visitor.post('/portal/sign-in/link', { email: contact.email }, { _csrf: visitor.csrf } as never).catch(() => undefined);
    const late = appVisitor(api.app);
    await late.get('/portal/sign-in');
    await late.post('/portal/sign-in/link', { email: contact.email });
    const lateLink = await mailedLink(contact.email);
    const lateToken = new URL(lateLink, 'http://localhost').searchParams.get('token')!;
    await api.database.db.update(portalLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(portalLinks.tokenHash, tokenHash(lateToken)));
    const expired = await late.get(lateLink);
    expect(expired.status).toBe(400);
    expect((await late.post('/portal/sign-in/link/confirm', { token: lateToken })).status).toBe(400);
  });

  it('does not follow a next page off the portal', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    const answer = await visitor.post('/portal/sign-in/password', { email: contact.email, password, next: '//evil.example/portal' });
    expect(answer.location).toBe('/portal/requests');
  });

  it('limits sign-in attempts per address, known or not, with the same answer', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    for (const email of [contact.email, 'ghost@nowhere.example']) {
      const visitor = appVisitor(api.app);
      await visitor.get('/portal/sign-in');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await visitor.post('/portal/sign-in/password', { email, password: 'wrong wrong wrong' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    }
    // Even the right password waits now.
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    const blocked = await visitor.post('/portal/sign-in/password', { email: contact.email, password });
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('900');
  });

  it('holds the limit for attempts sent at the same moment', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitors = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const visitor = appVisitor(api.app);
        await visitor.get('/portal/sign-in');
        return visitor;
      }),
    );
    const statuses = await Promise.all(visitors.map(async (v) => (await v.post('/portal/sign-in/password', { email: contact.email, password: 'wrong wrong wrong' })).status));
    // Exactly the limit (3 here) were checked; the rest were refused without a password check.
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  it('does not extend the wait with refused attempts', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    for (let i = 0; i < 3; i++) await visitor.post('/portal/sign-in/password', { email: contact.email, password: 'wrong wrong wrong' });
    for (let i = 0; i < 5; i++) expect((await visitor.post('/portal/sign-in/password', { email: contact.email, password })).status).toBe(429);
    // Only the three counted attempts are on record: once they are older than the window, the address is free again.
    const stored = await api.database.db.select().from(portalAttempts).where(eq(portalAttempts.key, `address:${contact.email.toLowerCase()}`));
    expect(stored).toHaveLength(3);
    await api.database.db.update(portalAttempts).set({ at: sql`now() - interval '16 minutes'` }).where(eq(portalAttempts.key, `address:${contact.email.toLowerCase()}`));
    expect((await visitor.post('/portal/sign-in/password', { email: contact.email, password })).status).toBe(303);
  });

  it('sets a password by a mailed link, which ends every other session, once', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const elsewhere = appVisitor(api.app);
    expect((await elsewhere.signInWithPassword(contact.email, password)).status).toBe(303);
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/password/forgot');
    expect((await visitor.post('/portal/password/forgot', { email: contact.email })).status).toBe(303);
    const [row] = await api.database.db
      .select({ body: outboxMessages.body })
      .from(outboxMessages)
      .where(and(eq(outboxMessages.recipient, contact.email), eq(outboxMessages.template, 'portal_password_reset')));
    const link = linkIn(row!.body, 'password/reset');
    expect((await visitor.get(link)).status).toBe(200);
    const token = visitor.field('token');
    const short = await visitor.post('/portal/password/reset', { token, password: 'kurz', repeat: 'kurz' });
    expect(short.status).toBe(400);
    const set = await visitor.post('/portal/password/reset', { token, password: 'ein ganz neues Passwort', repeat: 'ein ganz neues Passwort' });
    expect(set.status).toBe(303);
    expect((await visitor.get('/portal/requests')).status).toBe(200);
    // The session opened with the old password is gone; the new password works; the link is used up.
    expect((await elsewhere.get('/portal/requests')).status).toBe(303);
    expect((await appVisitor(api.app).signInWithPassword(contact.email, 'ein ganz neues Passwort')).status).toBe(303);
    expect((await appVisitor(api.app).get(link)).status).toBe(400);
  });

  it('answers a broken form body and an overlong address with a 400, not a 500', async () => {
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    const cookie = [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const broken = await api.app.request('http://localhost/portal/sign-in/link', { method: 'POST', headers: { Cookie: cookie, Origin: 'http://localhost', 'Content-Type': 'multipart/form-data; boundary=xyz' }, body: 'garbage' });
    expect(broken.status).toBe(400);
    const long = await visitor.post('/portal/sign-in/password', { email: `${'x'.repeat(8000)}@example.com`, password: 'whatever whatever' });
    expect(long.status).toBe(400);
  });

  it('refuses a form without the CSRF token or from another origin', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitor = appVisitor(api.app);
    await visitor.get('/portal/sign-in');
    expect((await visitor.post('/portal/sign-in/password', { email: contact.email, password }, { withoutCsrf: true })).status).toBe(403);
    expect((await visitor.post('/portal/sign-in/password', { email: contact.email, password, _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await visitor.post('/portal/sign-in/password', { email: contact.email, password }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await visitor.post('/portal/sign-in/password', { email: contact.email, password }, { origin: null })).status).toBe(403);
    expect(visitor.cookies.has('helpdesk_session')).toBe(false);
    // Signed in, the session's token is the one that counts: the signed-out token no longer does.
    const anonymous = visitor.csrf;
    await visitor.post('/portal/sign-in/password', { email: contact.email, password });
    await visitor.get('/portal/profile');
    expect(visitor.csrf).not.toBe(anonymous);
    expect((await visitor.post('/portal/profile', { language: 'en', _csrf: anonymous })).status).toBe(403);
    expect((await visitor.post('/portal/profile', { language: 'en' })).status).toBe(303);
  });

  it('ends an idle session', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const visitor = appVisitor(api.app);
    await visitor.signInWithPassword(contact.email, password);
    expect((await visitor.get('/portal/requests')).status).toBe(200);
    const id = visitor.cookies.get('helpdesk_session')!;
    await api.database.db.update(portalSessions).set({ lastSeenAt: new Date(Date.now() - 61 * 60_000) }).where(eq(portalSessions.idHash, tokenHash(id)));
    const idle = await visitor.get('/portal/requests');
    expect(idle.status).toBe(303);
    expect(idle.location).toBe('/portal/sign-in?next=%2Fportal%2Frequests');
  });

  it('keeps API tokens and portal sessions apart', async () => {
    const contact = await portalContact(api.database.db, { customerNumber: 'K-10001', password });
    const staff = appVisitor(api.app, { Authorization: `Bearer ${api.users.agent.token}` });
    const page = await staff.get('/portal/requests');
    expect(page.status).toBe(303);
    expect(page.location).toContain('/portal/sign-in');

    const visitor = appVisitor(api.app);
    await visitor.signInWithPassword(contact.email, password);
    const apiCall = await api.app.request('/api/incidents', { headers: { Cookie: `helpdesk_session=${visitor.cookies.get('helpdesk_session')}` } });
    expect(apiCall.status).toBe(401);
  });
});
