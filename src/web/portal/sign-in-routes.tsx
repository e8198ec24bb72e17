// Routes of signing in and out: mailed link, password, password reset, and the language switch.
import { Hono } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { isLanguage, languageCookie } from '../i18n.js';
import { checkCsrf, readForm } from '../forms.js';
import { clearSessionCookie, writePreferenceCookie, writeSessionCookie } from '../session.js';
import type { PortalEnv } from '../context.js';
import { ValidationError } from '../../domain/errors.js';
import { updateProfile } from '../../services/portal/actions.js';
import { endAllSessions, endSession, startSession } from '../../services/portal/sessions.js';
import { checkNewPassword, consumePortalLink, linkIsValid, portalNext, sendPortalLink, setPassword, signInWithPassword, type SignInDeps } from '../../services/portal/sign-in.js';
import { ConfirmLinkPage, ForgotPasswordPage, LinkRefusedPage, ResetPasswordPage, SignInPage } from './sign-in-pages.js';
import { pageContext, render, seeOther, sessionSettings, type PortalContext } from './http.js';

/** The client's address for the rate limit: the socket's peer (a proxy in front sets X-Forwarded-For, which is not trusted). */
function clientOf(c: PortalContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function signInDeps(c: PortalContext): SignInDeps {
  const { services } = c.var;
  const portal = services.portal ?? {};
  return {
    db: services.db,
    mailFrom: services.mail?.mailFrom ?? 'Helpdesk <helpdesk@localhost>',
    mailer: services.mail?.mailer,
    logger: c.var.logger,
    // PUBLIC_URL (the server always sets it), never the request's Host header: a forged Host must
    // not put the attacker's address into the link we mail to the victim.
    baseUrl: portal.baseUrl ?? 'http://localhost',
    ...(portal.signInLimits ? { limits: portal.signInLimits } : {}),
  };
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
function emailOf(fields: Record<string, string>): string {
  const email = (fields.email ?? '').trim();
  if (!emailPattern.test(email) || email.length > 254) throw new ValidationError('Enter an e-mail address.', 'email');
  return email;
}

/** A new session (the old one, if any, ends: rotation), then on to where the contact was going. */
async function signedIn(c: PortalContext, contactId: string, next: string | null) {
  const settings = sessionSettings(c);
  if (c.var.sessionId) await endSession(c.var.services.db, c.var.sessionId);
  const session = await startSession(c.var.services.db, contactId, settings);
  writeSessionCookie(c, session.id, settings.maxHours);
  return seeOther(c, portalNext(next) ?? '/portal/requests');
}

export const signInRoutes = new Hono<PortalEnv>()
  .get('/', (c) => seeOther(c, c.var.session ? '/portal/requests' : '/portal/sign-in'))
  .get('/sign-in', (c) => {
    const next = portalNext(c.req.query('next'));
    if (c.var.session) return seeOther(c, next ?? '/portal/requests');
    const { signIn } = c.var.t;
    const message = c.req.query('sent') ? { kind: 'ok' as const, text: signIn.sent } : c.req.query('out') ? { kind: 'info' as const, text: signIn.signedOut } : next ? { kind: 'info' as const, text: signIn.needed } : undefined;
    return render(c, <SignInPage p={pageContext(c)} state={{ next, ...(message ? { message } : {}) }} />);
  })
  .post('/sign-in/link', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const next = portalNext(fields.next);
    let email: string;
    try {
      email = emailOf(fields);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return render(c, <SignInPage p={pageContext(c)} state={{ next, email: fields.email ?? '', message: { kind: 'error', text: c.var.t.signIn.intro } }} />, 400);
    }
    const link = await sendPortalLink(signInDeps(c), { email, purpose: 'sign_in', next, client: clientOf(c) });
    if (link && c.var.services.portal?.logLinks && !c.var.services.mail?.mailer) c.var.logger.info({ link }, 'portal sign-in link (no SMTP_URL configured, so it is logged for development)');
    return seeOther(c, `/portal/sign-in?sent=1${next ? `&next=${encodeURIComponent(next)}` : ''}`);
  })
  .get('/sign-in/link', async (c) => {
    const token = c.req.query('token') ?? '';
    const refusal = await linkIsValid(c.var.services.db, token, 'sign_in');
    if (refusal) return render(c, <LinkRefusedPage p={pageContext(c)} refusal={refusal} />, 400);
    return render(c, <ConfirmLinkPage p={pageContext(c)} token={token} />);
  })
  .post('/sign-in/link/confirm', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const taken = await consumePortalLink(c.var.services.db, fields.token ?? '', 'sign_in');
    if ('refused' in taken) return render(c, <LinkRefusedPage p={pageContext(c)} refusal={taken.refused} />, 400);
    return signedIn(c, taken.contactId, taken.next);
  })
  .post('/sign-in/password', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const next = portalNext(fields.next);
    const email = (fields.email ?? '').trim();
    if (!emailPattern.test(email) || email.length > 254 || (fields.password ?? '').length > 1000) {
      return render(c, <SignInPage p={pageContext(c)} state={{ next, email: email.slice(0, 254), message: { kind: 'error', text: c.var.t.signIn.wrong } }} />, 400);
    }
    const contactId = await signInWithPassword(c.var.services.db, { email, password: fields.password ?? '', client: clientOf(c) }, c.var.services.portal?.signInLimits);
    if (!contactId) return render(c, <SignInPage p={pageContext(c)} state={{ next, email: fields.email ?? '', message: { kind: 'error', text: c.var.t.signIn.wrong } }} />, 401);
    return signedIn(c, contactId, next);
  })
  .post('/sign-out', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    if (c.var.sessionId) await endSession(c.var.services.db, c.var.sessionId);
    clearSessionCookie(c);
    return seeOther(c, '/portal/sign-in?out=1');
  })
  .get('/password/forgot', (c) => render(c, <ForgotPasswordPage p={pageContext(c)} sent={Boolean(c.req.query('sent'))} />))
  .post('/password/forgot', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    let email: string;
    try {
      email = emailOf(fields);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      return render(c, <ForgotPasswordPage p={pageContext(c)} sent={false} error={c.var.t.password.forgotIntro} />, 400);
    }
    const link = await sendPortalLink(signInDeps(c), { email, purpose: 'password_reset', client: clientOf(c) });
    if (link && c.var.services.portal?.logLinks && !c.var.services.mail?.mailer) c.var.logger.info({ link }, 'portal password link (no SMTP_URL configured, so it is logged for development)');
    return seeOther(c, '/portal/password/forgot?sent=1');
  })
  .get('/password/reset', async (c) => {
    const token = c.req.query('token') ?? '';
    const refusal = await linkIsValid(c.var.services.db, token, 'password_reset');
    if (refusal) return render(c, <LinkRefusedPage p={pageContext(c)} refusal={refusal} />, 400);
    return render(c, <ResetPasswordPage p={pageContext(c)} token={token} />);
  })
  .post('/password/reset', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const token = fields.token ?? '';
    const problem = passwordProblem(c, fields.password ?? '', fields.repeat ?? '');
    if (problem) return render(c, <ResetPasswordPage p={pageContext(c)} token={token} error={problem} />, 400);
    const taken = await consumePortalLink(c.var.services.db, token, 'password_reset');
    if ('refused' in taken) return render(c, <LinkRefusedPage p={pageContext(c)} refusal={taken.refused} />, 400);
    await setPassword(c.var.services.db, taken.contactId, fields.password!);
    // A new password ends every session of the contact (one opened by whoever knew the old one too).
    await endAllSessions(c.var.services.db, taken.contactId);
    return signedIn(c, taken.contactId, '/portal/requests');
  })
  .post('/language', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const language = fields.language;
    if (!isLanguage(language)) throw new ValidationError('language must be de or en.', 'language');
    writePreferenceCookie(c, languageCookie, language);
    if (c.var.session) await updateProfile(c.var.services.db, c.var.session.viewer, { language });
    return seeOther(c, portalNext(fields.back) ?? (c.var.session ? '/portal/requests' : '/portal/sign-in'));
  });

/** Why a new password is not acceptable, in the page's language; undefined when it is. */
export function passwordProblem(c: PortalContext, password: string, repeat: string): string | undefined {
  const t = c.var.t.password;
  if (password !== repeat) return t.mismatch;
  try {
    checkNewPassword(password);
  } catch {
    return password.length < 10 ? t.tooShort : t.tooLong;
  }
  return undefined;
}
