// Staff sign-in to the web pages: password sign-in (and who cannot sign in), sessions (stored
// hashed, rotated, signed out, idle and absolute end, deactivation), CSRF (origin and synchronizer
// token), the rate limit, and the wall between staff sessions and API tokens. On a real Postgres,
// the app in-process. Password links: tests/web/staff-password-links.test.ts.
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { staffAttempts, staffSessions, users } from '../../src/db/schema/index.js';
import { demoStaffPassword, demoStaffWithPassword } from '../../src/infra/demo-data.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { staffSettings } from '../../src/server.js';
import { tokenHash } from '../../src/services/portal/secrets.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { appVisitor, PortalVisitor } from '../support/portal.js';
import { staffCookie as cookie, staffMember, staffPassword as password, staffSignIn as signIn } from '../support/staff.js';

const api = apiOnTestDatabase({ admin: 'admin' }, { seed: seedDemoData, services: { staff: { signInLimits: { perAddress: 3, perClient: 1000, windowMinutes: 15 } } } });
const db = () => api.database.db;

// Each test's sign-ins start with a fresh count (the rate limit has a test of its own).
afterEach(async () => void (await db().delete(staffAttempts)));

/** The alert on a page: the message of a refusal. */
const alert = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];

describe('staff sign-in', () => {
  it('signs in with e-mail and password, stores only the hash of the session id, and signs out', async () => {
    const agent = await staffMember(db(), 'agent', { name: 'Erika Agent' });
    const visitor = appVisitor(api.app);
    const answer = await signIn(visitor, agent.email.toUpperCase(), password);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/staff');
    const id = visitor.cookies.get(cookie)!;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const set = answer.headers.getSetCookie().find((c) => c.startsWith(`${cookie}=`))!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Lax/);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/);

    const [stored] = await db().select().from(staffSessions).where(eq(staffSessions.idHash, tokenHash(id)));
    expect(stored).toMatchObject({ userId: agent.id, method: 'password' });
    expect(JSON.stringify(await db().select().from(staffSessions))).not.toContain(id);

    const home = await visitor.get('/staff');
    expect(home.status).toBe(200);
    expect(home.html).toContain('Erika Agent');
    expect(home.html).toContain('Agent');

    const out = await visitor.post('/staff/sign-out', { _csrf: visitor.field('_csrf', home.html) });
    expect(out.status).toBe(303);
    expect(out.location).toBe('/staff/sign-in?out=1');
    expect(await db().select().from(staffSessions).where(eq(staffSessions.idHash, tokenHash(id)))).toHaveLength(0);
    const replay = appVisitor(api.app);
    replay.cookies.set(cookie, id);
    expect((await replay.get('/staff')).location).toBe('/staff/sign-in');
  });

  it('rotates the session at sign-in: a session from before does not survive', async () => {
    const manager = await staffMember(db(), 'manager');
    const visitor = appVisitor(api.app);
    await signIn(visitor, manager.email, password);
    const first = visitor.cookies.get(cookie)!;
    const home = await visitor.get('/staff');
    // Signed in, the form carries the session's token.
    const again = await visitor.post('/staff/sign-in', { email: manager.email, password, _csrf: visitor.field('_csrf', home.html) });
    expect(again.status).toBe(303);
    const second = visitor.cookies.get(cookie)!;
    expect(second).not.toBe(first);
    expect(await db().select().from(staffSessions).where(eq(staffSessions.idHash, tokenHash(first)))).toHaveLength(0);
    expect(await db().select().from(staffSessions).where(eq(staffSessions.idHash, tokenHash(second)))).toHaveLength(1);
  });

  it('answers a wrong password, an unknown address, a user without password, a deactivated user and a sales user alike', async () => {
    const agent = await staffMember(db(), 'agent');
    const noPassword = await staffMember(db(), 'agent', { password: null });
    const deactivated = await staffMember(db(), 'manager', { deactivated: true });
    const sales = await staffMember(db(), 'sales');
    const attempts = [
      [agent.email, 'not the password'],
      ['nobody@nowhere.example', password],
      [noPassword.email, password],
      [deactivated.email, password],
      [sales.email, password],
    ] as const;
    const messages = new Set<string | undefined>();
    for (const [email, pass] of attempts) {
      const visitor = appVisitor(api.app);
      const answer = await signIn(visitor, email, pass);
      expect(answer.status, email).toBe(401);
      expect(visitor.cookies.has(cookie), email).toBe(false);
      messages.add(alert(answer.html));
    }
    expect(messages.size).toBe(1);
    expect([...messages][0]).toBeTruthy();
  });

  it('ends the sessions of a user an admin deactivates, and does not revive them on reactivation', async () => {
    const agent = await staffMember(db(), 'agent');
    const visitor = appVisitor(api.app);
    await signIn(visitor, agent.email, password);
    expect((await visitor.get('/staff')).status).toBe(200);
    const id = visitor.cookies.get(cookie)!;
    expect((await api.call('PATCH', `/api/users/${agent.id}`, api.users.admin, { active: false })).status).toBe(200);
    expect((await visitor.get('/staff')).location).toBe('/staff/sign-in');
    expect(await db().select().from(staffSessions).where(eq(staffSessions.userId, agent.id))).toHaveLength(0);
    expect((await api.call('PATCH', `/api/users/${agent.id}`, api.users.admin, { active: true })).status).toBe(200);
    const replay = appVisitor(api.app);
    replay.cookies.set(cookie, id);
    expect((await replay.get('/staff')).location).toBe('/staff/sign-in');
  });

  it('stops a session whose user was deactivated or left the staff roles behind its back', async () => {
    for (const change of [{ deactivatedAt: new Date() }, { role: 'sales' as const }]) {
      const agent = await staffMember(db(), 'agent');
      const visitor = appVisitor(api.app);
      await signIn(visitor, agent.email, password);
      await db().update(users).set(change).where(eq(users.id, agent.id));
      expect((await visitor.get('/staff')).location, JSON.stringify(change)).toBe('/staff/sign-in');
    }
  });

  it('ends an idle session and one past its absolute end', async () => {
    const agent = await staffMember(db(), 'agent');
    for (const expire of [{ lastSeenAt: new Date(Date.now() - 61 * 60_000) }, { expiresAt: new Date(Date.now() - 1000) }]) {
      const visitor = appVisitor(api.app);
      await signIn(visitor, agent.email, password);
      const id = visitor.cookies.get(cookie)!;
      await db().update(staffSessions).set(expire).where(eq(staffSessions.idHash, tokenHash(id)));
      const page = await visitor.get('/staff');
      expect(page.location).toBe('/staff/sign-in');
      // The dead cookie is cleared.
      expect(visitor.cookies.has(cookie)).toBe(false);
    }
    const [session] = await db().select().from(staffSessions).where(eq(staffSessions.userId, agent.id));
    expect(session).toBeUndefined();
  });

  it('sets the cookie Secure with the __Host- prefix outside localhost', async () => {
    const agent = await staffMember(db(), 'agent');
    const remote = new PortalVisitor(async (path, init) => api.app.request(`https://helpdesk.example.com${path}`, init), 'https://helpdesk.example.com');
    await remote.get('/staff/sign-in');
    const answer = await remote.post('/staff/sign-in', { email: agent.email, password });
    const set = answer.headers.getSetCookie().find((c) => c.startsWith(`__Host-${cookie}=`))!;
    expect(set).toMatch(/Secure/);
    expect(set).toMatch(/HttpOnly/);
    expect(set).not.toMatch(/Domain=/);
  });

  it('follows only a relative path of this site after sign-in', async () => {
    const agent = await staffMember(db(), 'agent');
    const cases: [string, string][] = [
      ['/reports/weekly?from=2026-01-01', '/reports/weekly?from=2026-01-01'],
      ['//evil.example/reports', '/staff'],
      ['/\\evil.example', '/staff'],
      ['https://evil.example/', '/staff'],
      ['/api/incidents', '/staff'],
    ];
    for (const [next, location] of cases) {
      const visitor = appVisitor(api.app);
      const page = await visitor.get(`/staff/sign-in?next=${encodeURIComponent(next)}`);
      expect(page.html.includes('name="next"'), next).toBe(location !== '/staff');
      await db().delete(staffAttempts);
      expect((await visitor.post('/staff/sign-in', { email: agent.email, password, next })).location, next).toBe(location);
    }
  });

  it('refuses a form without the CSRF token, with a wrong one, or from another origin', async () => {
    const agent = await staffMember(db(), 'agent');
    const visitor = appVisitor(api.app);
    await visitor.get('/staff/sign-in');
    expect((await visitor.post('/staff/sign-in', { email: agent.email, password }, { withoutCsrf: true })).status).toBe(403);
    expect((await visitor.post('/staff/sign-in', { email: agent.email, password, _csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await visitor.post('/staff/sign-in', { email: agent.email, password }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await visitor.post('/staff/sign-in', { email: agent.email, password }, { origin: null })).status).toBe(403);
    expect(visitor.cookies.has(cookie)).toBe(false);
    // Signed in, the session's token counts, not the signed-out one.
    const anonymous = visitor.csrf;
    expect((await visitor.post('/staff/sign-in', { email: agent.email, password })).status).toBe(303);
    const home = await visitor.get('/staff');
    expect(visitor.field('_csrf', home.html)).not.toBe(anonymous);
    expect((await visitor.post('/staff/sign-out', { _csrf: anonymous })).status).toBe(403);
    expect((await visitor.post('/staff/sign-out', { _csrf: visitor.field('_csrf', home.html) }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await visitor.get('/staff')).status).toBe(200);
  });

  it('limits attempts per address, known or not, with the same answer, and counts reset requests too', async () => {
    const agent = await staffMember(db(), 'agent');
    for (const email of [agent.email, 'ghost@nowhere.example']) {
      const visitor = appVisitor(api.app);
      await visitor.get('/staff/sign-in');
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await visitor.post('/staff/sign-in', { email, password: 'wrong wrong wrong' })).status);
      expect(statuses).toEqual([401, 401, 401, 429]);
    }
    const blocked = await signIn(appVisitor(api.app), agent.email, password);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('900');
    const forgot = appVisitor(api.app);
    await forgot.get('/staff/forgot-password');
    expect((await forgot.post('/staff/forgot-password', { email: agent.email })).status).toBe(429);
    // Refused attempts are not written: once the counted ones are older than the window, the address is free again.
    expect(await db().select().from(staffAttempts).where(eq(staffAttempts.key, `address:${agent.email.toLowerCase()}`))).toHaveLength(3);
    await db().update(staffAttempts).set({ at: sql`now() - interval '16 minutes'` });
    expect((await signIn(appVisitor(api.app), agent.email, password)).status).toBe(303);
  });

  it('keeps API tokens and staff sessions apart', async () => {
    const manager = await staffMember(db(), 'manager');
    // A bearer token opens no staff page.
    const withToken = appVisitor(api.app, { Authorization: `Bearer ${manager.token}` });
    const page = await withToken.get('/staff');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/staff/sign-in');
    // A staff session opens nothing under /api.
    const visitor = appVisitor(api.app);
    await signIn(visitor, manager.email, password);
    const session = `${cookie}=${visitor.cookies.get(cookie)}`;
    for (const path of ['/api/incidents', '/api/me', '/api/users']) {
      const res = await api.app.request(path, { headers: { Cookie: session } });
      expect(res.status, path).toBe(401);
    }
    const write = await api.app.request(`/api/users/${manager.id}/password-link`, { method: 'POST', headers: { Cookie: session, Origin: 'http://localhost' } });
    expect(write.status).toBe(401);
  });

  it('speaks German by default and English when the browser asks for it', async () => {
    expect((await appVisitor(api.app).get('/staff/sign-in')).html).toContain('Passwort vergessen?');
    const english = await appVisitor(api.app, { 'Accept-Language': 'en-GB,en;q=0.9' }).get('/staff/sign-in');
    expect(english.html).toContain('Forgot your password?');
    expect(english.html).toContain('lang="en"');
  });

  it('lets the demo agent and manager sign in with the demo password', async () => {
    for (const email of demoStaffWithPassword) expect((await signIn(appVisitor(api.app), email, demoStaffPassword)).status, email).toBe(303);
  });

  it('reads its settings from the configuration', () => {
    expect(staffSettings(loadConfig({}))).toEqual({ session: { idleMinutes: 60, maxHours: 12 }, signInLimits: { perAddress: 5, perClient: 30, windowMinutes: 15 }, setLinkValidHours: 72 });
    expect(staffSettings(loadConfig({ STAFF_SESSION_IDLE_MINUTES: '15', STAFF_PASSWORD_LINK_HOURS: '24' }))).toMatchObject({ session: { idleMinutes: 15 }, setLinkValidHours: 24 });
    expect(() => loadConfig({ STAFF_SESSION_IDLE_MINUTES: '1' })).toThrow(/^Invalid configuration: STAFF_SESSION_IDLE_MINUTES="1"/);
  });

  it('answers an unknown page under /staff with its own 404 page', async () => {
    const page = await appVisitor(api.app).get('/staff/nothing-here');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});
