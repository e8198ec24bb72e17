// Set-password links of the staff pages: sent by an admin through the API, asked for on the
// forgot-password page and mailed to a real SMTP receiver; single use, expiring, ending every
// other session of the user. On a real Postgres, the app in-process.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffPasswordLinks, staffSessions } from '../../src/db/schema/index.js';
import { createSmtpMailer, type Mailer } from '../../src/mail/outbound.js';
import { tokenHash } from '../../src/services/portal/secrets.js';
import { databaseOnlyApp, type TestApp } from '../support/api.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { houseMailFrom } from '../support/mail-stack.js';
import { appVisitor } from '../support/portal.js';
import { startSmtpReceiver, type SmtpReceiver } from '../support/smtp.js';
import { outboxStaffLink, staffCookie as cookie, staffLinkIn, staffMember, staffPassword as password, staffSignIn as signIn } from '../support/staff.js';

const api = apiOnTestDatabase({ admin: 'admin' });
const db = () => api.database.db;
const mailedLink = (email: string, template: 'staff_password_set' | 'staff_password_reset') => outboxStaffLink(db(), email, template);

let smtp: SmtpReceiver;
let mailer: Mailer;
let mailingApp: TestApp;
beforeAll(async () => {
  smtp = await startSmtpReceiver();
  mailer = createSmtpMailer(smtp.url);
  mailingApp = databaseOnlyApp(api.database.db, { mail: { mailFrom: houseMailFrom, mailer }, portal: { baseUrl: 'http://localhost' } });
});
afterAll(async () => {
  mailer?.close();
  await smtp?.close();
});

describe('set-password links', () => {
  it('an admin mails a link; it sets the password once, signs in and ends every other session', async () => {
    const agent = await staffMember(db(), 'agent');
    const elsewhere = appVisitor(api.app);
    await signIn(elsewhere, agent.email, password);
    expect((await elsewhere.get('/staff')).status).toBe(200);

    const sent = await api.call('POST', `/api/users/${agent.id}/password-link`, api.users.admin, { language: 'en' });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ userId: agent.id, sentTo: agent.email });
    expect(sent.text).not.toContain('token');
    const link = await mailedLink(agent.email, 'staff_password_set');
    const token = new URL(link, 'http://localhost').searchParams.get('token')!;
    const [stored] = await db().select().from(staffPasswordLinks).where(eq(staffPasswordLinks.tokenHash, tokenHash(token)));
    expect(stored).toMatchObject({ userId: agent.id, purpose: 'set', createdBy: `user:${api.users.admin.id}` });
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(72 * 3_600_000);
    expect(new Date(sent.body.expiresAt).getTime()).toBe(stored!.expiresAt.getTime());
    expect(JSON.stringify(await db().select().from(staffPasswordLinks))).not.toContain(token);

    const visitor = appVisitor(api.app);
    // Opening the link (as a mail scanner would) does not use it up.
    expect((await visitor.get(link)).status).toBe(200);
    expect((await visitor.get(link)).status).toBe(200);
    expect(visitor.field('token')).toBe(token);
    expect((await visitor.post('/staff/set-password', { token, password: 'kurz', repeat: 'kurz' })).status).toBe(400);
    expect((await visitor.post('/staff/set-password', { token, password: 'ein ganz neues Passwort', repeat: 'ein ganz anderes Passwort' })).status).toBe(400);
    const set = await visitor.post('/staff/set-password', { token, password: 'ein ganz neues Passwort', repeat: 'ein ganz neues Passwort' });
    expect(set.status).toBe(303);
    expect(set.location).toBe('/staff?password=saved');
    expect((await visitor.get('/staff')).status).toBe(200);
    expect(await db().select({ method: staffSessions.method }).from(staffSessions).where(eq(staffSessions.userId, agent.id))).toEqual([{ method: 'password_link' }]);

    // The session of the old password is gone; the old password no longer works, the new one does.
    expect((await elsewhere.get('/staff')).location).toBe('/staff/sign-in');
    expect((await signIn(appVisitor(api.app), agent.email, password)).status).toBe(401);
    expect((await signIn(appVisitor(api.app), agent.email, 'ein ganz neues Passwort')).status).toBe(303);
    // Once only.
    const second = appVisitor(api.app);
    expect((await second.get(link)).status).toBe(400);
    await second.get('/staff/sign-in');
    expect((await second.post('/staff/set-password', { token, password: 'noch ein Passwort!', repeat: 'noch ein Passwort!' })).status).toBe(400);
    expect(second.cookies.has(cookie)).toBe(false);
  });

  it('refuses an expired link, and one whose user was deactivated meanwhile', async () => {
    const agent = await staffMember(db(), 'agent');
    expect((await api.call('POST', `/api/users/${agent.id}/password-link`, api.users.admin)).status).toBe(202);
    const link = await mailedLink(agent.email, 'staff_password_set');
    const token = new URL(link, 'http://localhost').searchParams.get('token')!;
    await db().update(staffPasswordLinks).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(staffPasswordLinks.tokenHash, tokenHash(token)));
    const visitor = appVisitor(api.app);
    const expired = await visitor.get(link);
    expect(expired.status).toBe(400);
    await visitor.get('/staff/sign-in');
    expect((await visitor.post('/staff/set-password', { token, password: 'ein ganz neues Passwort', repeat: 'ein ganz neues Passwort' })).status).toBe(400);

    expect((await api.call('POST', `/api/users/${agent.id}/password-link`, api.users.admin)).status).toBe(202);
    const fresh = await mailedLink(agent.email, 'staff_password_set');
    expect((await visitor.get(fresh)).status).toBe(200);
    expect((await api.call('PATCH', `/api/users/${agent.id}`, api.users.admin, { active: false })).status).toBe(200);
    expect((await visitor.post('/staff/set-password', { token: visitor.field('token'), password: 'ein ganz neues Passwort', repeat: 'ein ganz neues Passwort' })).status).toBe(400);
    expect(visitor.cookies.has(cookie)).toBe(false);
  });

  it('is an admin route: 403 below admin, 404 for no such user, 409 for a deactivated user or one who uses tokens only', async () => {
    const agent = await staffMember(db(), 'agent');
    const manager = await staffMember(db(), 'manager');
    expect((await api.call('POST', `/api/users/${agent.id}/password-link`, manager)).status).toBe(403);
    expect((await api.call('POST', '/api/users/00000000-0000-4000-8000-000000000000/password-link', api.users.admin)).status).toBe(404);
    const gone = await staffMember(db(), 'agent', { deactivated: true });
    const deactivated = await api.call('POST', `/api/users/${gone.id}/password-link`, api.users.admin);
    expect(deactivated.status).toBe(409);
    expect(deactivated.body.detail).toMatch(/deactivated/);
    for (const role of ['sales', 'mailgate'] as const) {
      const user = await staffMember(db(), role);
      const refused = await api.call('POST', `/api/users/${user.id}/password-link`, api.users.admin);
      expect(refused.status, role).toBe(409);
      expect(refused.body.detail).toMatch(/only agent, manager, admin sign in/);
    }
    const unlisted = await api.call('POST', `/api/users/${agent.id}/password-link`, api.users.admin, { language: 'fr' });
    expect(unlisted.status).toBe(400);
  });

  it('mails a reset link from the forgot-password page to the SMTP server, the same answer for an unknown address, and the link works', async () => {
    const manager = await staffMember(db(), 'manager', { name: 'Rita Reset' });
    const visitor = appVisitor(mailingApp, { 'Accept-Language': 'de' });
    await visitor.get('/staff/forgot-password');
    const known = await visitor.post('/staff/forgot-password', { email: manager.email });
    const unknown = await visitor.post('/staff/forgot-password', { email: 'ghost@nowhere.example' });
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(unknown.location).toBe(known.location);
    expect(known.location).toBe('/staff/forgot-password?sent=1');

    await expect.poll(() => smtp.to(manager.email).length, { timeout: 10_000 }).toBe(1);
    expect(smtp.to('ghost@nowhere.example')).toHaveLength(0);
    const mail = smtp.to(manager.email)[0]!.parsed;
    expect(mail.subject).toBe('Neues Passwort für die Helpdesk-Seiten');
    expect(mail.text).toContain('Guten Tag Rita Reset');
    expect(mail.text).toContain('gültig 30 Minuten');
    const link = staffLinkIn(mail.text ?? '');
    const token = new URL(link, 'http://localhost').searchParams.get('token')!;
    const [stored] = await db().select().from(staffPasswordLinks).where(eq(staffPasswordLinks.tokenHash, tokenHash(token)));
    expect(stored).toMatchObject({ purpose: 'reset', createdBy: 'self' });
    expect(stored!.expiresAt.getTime() - stored!.createdAt.getTime()).toBe(30 * 60_000);

    const reader = appVisitor(mailingApp);
    expect((await reader.get(link)).status).toBe(200);
    const set = await reader.post('/staff/set-password', { token, password: 'Rita ihr neues Passwort', repeat: 'Rita ihr neues Passwort' });
    expect(set.status).toBe(303);
    expect((await reader.get('/staff')).html).toContain('Rita Reset');
    expect((await signIn(appVisitor(api.app), manager.email, 'Rita ihr neues Passwort')).status).toBe(303);
  });
});

describe('POST /api/users/{id}/password-link without a body', () => {
  it('takes an empty body without Content-Type as none, as curl -X POST sends it', async () => {
    const agent = await staffMember(db(), 'agent');
    const res = await api.app.request(`/api/users/${agent.id}/password-link`, { method: 'POST', headers: { Authorization: `Bearer ${api.users.admin.token}` }, body: new Uint8Array(0) });
    expect(res.status).toBe(202);
    const text = await api.app.request(`/api/users/${agent.id}/password-link`, { method: 'POST', headers: { Authorization: `Bearer ${api.users.admin.token}` }, body: new TextEncoder().encode('{"language":"en"}') });
    expect(text.status).toBe(415);
  });
});
