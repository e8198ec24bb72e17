// The middleware other staff areas (/reports, ...) build on, in a tiny app of its own:
// staffSession loads the session, requireStaff sends an anonymous browser to sign-in (303, with
// a same-site `next`) and answers 404 to a signed-in user below the page's role. A bearer token
// opens nothing here.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { NotFound } from '../../src/domain/errors.js';
import { startStaffSession } from '../../src/services/staff/sessions.js';
import { requireStaff, staffNext, staffSession, type StaffEnv } from '../../src/web/staff/index.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { appVisitor } from '../support/portal.js';
import { staffMember, staffPassword } from '../support/staff.js';

const api = apiOnTestDatabase({});
const cookie = 'helpdesk_staff_session';

/** A manager-only report page and an agent page, guarded as a real area would guard them. */
function reportsApp() {
  const app = new Hono<StaffEnv>();
  app.use('*', staffSession({ db: api.database.db }));
  app.get('/reports/weekly', requireStaff('manager'), (c) => c.text(`weekly for ${c.var.staff!.name} (${c.var.staff!.role}), csrf ${c.var.staff!.csrfToken.length}`));
  app.post('/reports/weekly', requireStaff('manager'), (c) => c.text('posted'));
  app.get('/reports/queue', requireStaff('agent'), (c) => c.text(`queue for ${c.var.staff!.email}`));
  app.onError((err, c) => (err instanceof NotFound ? c.text('no such page', 404) : c.text(String(err), 500)));
  return app;
}

async function sessionCookie(role: 'agent' | 'manager' | 'admin') {
  const member = await staffMember(api.database.db, role, { name: `Mini ${role}` });
  const { id } = await startStaffSession(api.database.db, member.id, 'password');
  return { member, header: `${cookie}=${id}` };
}

describe('staffSession and requireStaff', () => {
  it('send an anonymous browser to sign-in with the page to come back to', async () => {
    const app = reportsApp();
    const get = await app.request('/reports/weekly?from=2026-01-01&to=2026-01-31');
    expect(get.status).toBe(303);
    expect(get.headers.get('location')).toBe(`/staff/sign-in?next=${encodeURIComponent('/reports/weekly?from=2026-01-01&to=2026-01-31')}`);
    // A form posted without a session cannot be replayed after sign-in: to the sign-in page alone.
    const post = await app.request('/reports/weekly', { method: 'POST' });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('/staff/sign-in');
    // htmx is told where to go instead of swapping in a sign-in page.
    const htmx = await app.request('/reports/weekly', { headers: { 'HX-Request': 'true' } });
    expect(htmx.status).toBe(401);
    expect(htmx.headers.get('hx-redirect')).toBe('/staff/sign-in?next=%2Freports%2Fweekly');
  });

  it('answer 404, not 403, to a signed-in user below the role, and let the role and those above it in', async () => {
    const app = reportsApp();
    const agent = await sessionCookie('agent');
    const refused = await app.request('/reports/weekly', { headers: { Cookie: agent.header } });
    expect(refused.status).toBe(404);
    expect(await refused.text()).toBe('no such page');
    expect((await app.request('/reports/queue', { headers: { Cookie: agent.header } })).status).toBe(200);
    for (const role of ['manager', 'admin'] as const) {
      const { header } = await sessionCookie(role);
      const page = await app.request('/reports/weekly', { headers: { Cookie: header } });
      expect(page.status, role).toBe(200);
      expect(await page.text()).toBe(`weekly for Mini ${role} (${role}), csrf 43`);
    }
  });

  it('take the session the /staff sign-in made, and no bearer token', async () => {
    const manager = await staffMember(api.database.db, 'manager', { name: 'Real Manager' });
    const visitor = appVisitor(api.app);
    await visitor.get('/staff/sign-in');
    await visitor.post('/staff/sign-in', { email: manager.email, password: staffPassword, next: '/reports/weekly' });
    const app = reportsApp();
    const page = await app.request('/reports/weekly', { headers: { Cookie: `${cookie}=${visitor.cookies.get(cookie)}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Real Manager');
    const withToken = await app.request('/reports/weekly', { headers: { Authorization: `Bearer ${manager.token}` } });
    expect(withToken.status).toBe(303);
  });

  it('refuse to guard a page without staffSession before requireStaff', async () => {
    const app = new Hono<StaffEnv>();
    app.get('/unguarded', requireStaff('agent'), (c) => c.text('open'));
    app.onError((err, c) => c.text(err.message, 500));
    const res = await app.request('/unguarded');
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/needs staffSession/);
  });
});

describe('staffNext', () => {
  it.each([
    ['/reports/weekly?from=2026-01-01', '/reports/weekly?from=2026-01-01'],
    ['/staff', '/staff'],
    ['//evil.example/x', null],
    ['/\\evil.example', null],
    ['https://evil.example/', null],
    ['javascript:alert(1)', null],
    ['reports', null],
    ['/api/incidents', null],
    ['/api', null],
    ['', null],
    [undefined, null],
  ])('%j -> %j', (next, expected) => {
    expect(staffNext(next)).toBe(expected);
  });
});
