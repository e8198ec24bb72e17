// Routes of staff sign-in: password sign-in and sign-out, the forgot-password mail, setting a
// password by a mailed link, and the language switch. Every form checks its synchronizer token.
import { Hono } from 'hono';
import { ValidationError } from '../../domain/errors.js';
import { openStaffSession } from '../../services/staff/identity.js';
import { passwordProvider, checkNewStaffPassword } from '../../services/staff/password.js';
import { passwordLinkDeps, passwordLinkRefusal, requestPasswordReset, setPasswordByLink } from '../../services/staff/password-links.js';
import { defaultStaffSessionSettings, endStaffSession } from '../../services/staff/sessions.js';
import { checkCsrf, readForm } from '../forms.js';
import { isLanguage, languageCookie } from '../i18n.js';
import { clearSessionCookie, staffSessionCookie, writePreferenceCookie, writeSessionCookie } from '../session.js';
import { clientOf, pageContext, render, seeOther, type StaffContext, type StaffPagesEnv } from './http.js';
import { staffNext } from './middleware.js';
import { ForgotPasswordPage, HomePage, LinkRefusedPage, SetPasswordPage, SignInPage } from './pages.js';

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const home = '/staff';

const sessionSettings = (c: StaffContext) => c.var.services.staff?.session ?? defaultStaffSessionSettings;

/** A new session for a verified identity (the browser's old one ends: rotation), then on to `next`. */
async function signedIn(c: StaffContext, opened: { id: string }, next: string) {
  if (c.var.staffSessionId) await endStaffSession(c.var.services.db, c.var.staffSessionId);
  writeSessionCookie(c, opened.id, sessionSettings(c).maxHours, staffSessionCookie);
  return seeOther(c, next);
}

/** Why a new password is not acceptable, in the page's language; undefined when it is. */
function passwordProblem(c: StaffContext, password: string, repeat: string): string | undefined {
  const t = c.var.t.setPassword;
  if (password !== repeat) return t.mismatch;
  try {
    checkNewStaffPassword(password);
  } catch {
    return password.length < 10 ? t.tooShort : t.tooLong;
  }
  return undefined;
}

export const staffRoutes = new Hono<StaffPagesEnv>()
  .get('/', (c) => {
    if (!c.var.staff) return seeOther(c, '/staff/sign-in');
    return render(c, <HomePage p={pageContext(c)} flash={c.req.query('password') === 'saved' ? c.var.t.home.passwordSaved : undefined} />);
  })
  .get('/sign-in', (c) => {
    const next = staffNext(c.req.query('next'));
    if (c.var.staff) return seeOther(c, next ?? home);
    const { signIn } = c.var.t;
    const message = c.req.query('out') ? { kind: 'info' as const, text: signIn.signedOut } : next ? { kind: 'info' as const, text: signIn.needed } : undefined;
    return render(c, <SignInPage p={pageContext(c)} next={next} message={message} />);
  })
  .post('/sign-in', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const next = staffNext(fields.next);
    const email = (fields.email ?? '').trim();
    const password = fields.password ?? '';
    const wrong = { kind: 'error' as const, text: c.var.t.signIn.wrong };
    if (!emailPattern.test(email) || email.length > 254 || password.length > 1000) return render(c, <SignInPage p={pageContext(c)} next={next} email={email.slice(0, 254)} message={wrong} />, 400);
    const { db, staff } = c.var.services;
    const identity = await passwordProvider(db, staff?.signInLimits).verify({ email, password, client: clientOf(c) });
    const opened = identity ? await openStaffSession(db, identity, sessionSettings(c)) : null;
    if (!opened) return render(c, <SignInPage p={pageContext(c)} next={next} email={email} message={wrong} />, 401);
    return signedIn(c, opened, next ?? home);
  })
  .post('/sign-out', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    if (c.var.staffSessionId) await endStaffSession(c.var.services.db, c.var.staffSessionId);
    clearSessionCookie(c, staffSessionCookie);
    return seeOther(c, '/staff/sign-in?out=1');
  })
  .get('/forgot-password', (c) => render(c, <ForgotPasswordPage p={pageContext(c)} sent={Boolean(c.req.query('sent'))} />))
  .post('/forgot-password', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const email = (fields.email ?? '').trim();
    if (!emailPattern.test(email) || email.length > 254) return render(c, <ForgotPasswordPage p={pageContext(c)} sent={false} error={c.var.t.forgot.invalidEmail} />, 400);
    const { services, logger } = c.var;
    const sent = await requestPasswordReset(passwordLinkDeps(services, logger), { email, client: clientOf(c), language: c.var.language });
    if (sent && services.portal?.logLinks && !services.mail?.mailer) logger.info({ link: sent.link, user: sent.email }, 'staff password link (no SMTP_URL configured, so it is logged for development)');
    return seeOther(c, '/staff/forgot-password?sent=1');
  })
  .get('/set-password', async (c) => {
    const token = c.req.query('token') ?? '';
    // Looking does not use the link up (mail scanners open links); the form's button does.
    const refusal = await passwordLinkRefusal(c.var.services.db, token);
    if (refusal) return render(c, <LinkRefusedPage p={pageContext(c)} refusal={refusal} />, 400);
    return render(c, <SetPasswordPage p={pageContext(c)} token={token} />);
  })
  .post('/set-password', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const token = fields.token ?? '';
    const problem = passwordProblem(c, fields.password ?? '', fields.repeat ?? '');
    if (problem) return render(c, <SetPasswordPage p={pageContext(c)} token={token} error={problem} />, 400);
    const { db } = c.var.services;
    const taken = await setPasswordByLink(db, token, fields.password!);
    if ('refused' in taken) return render(c, <LinkRefusedPage p={pageContext(c)} refusal={taken.refused} />, 400);
    // The mailed link proved the address: the same seam as any other identity provider.
    const opened = await openStaffSession(db, { email: taken.email, method: 'password_link' }, sessionSettings(c));
    if (!opened) return seeOther(c, '/staff/sign-in');
    return signedIn(c, opened, `${home}?password=saved`);
  })
  .post('/language', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const language = fields.language;
    if (!isLanguage(language)) throw new ValidationError('language must be de or en.', 'language');
    writePreferenceCookie(c, languageCookie, language);
    return seeOther(c, staffNext(fields.back) ?? (c.var.staff ? home : '/staff/sign-in'));
  });
