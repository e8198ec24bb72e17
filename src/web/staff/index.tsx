// Staff sign-in for the web pages: server-rendered pages under /staff for agents, managers and
// admins (sign-in, sign-out, forgot password, set password by a mailed link), and the middleware
// other staff areas (/reports, ...) use: staffSession() loads the session into c.var.staff,
// requireStaff(minRole) guards a page, sameOriginForms() refuses forms from another origin (see
// middleware.ts for how to use them). Sessions, not API tokens, open these pages; the session opens
// nothing under /api. Signing in goes through an identity provider (src/services/staff/identity.ts):
// the password is the one provider today, single sign-on (OIDC) the intended second.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { DomainError, NotFound, ValidationError } from '../../domain/errors.js';
import { TooManyAttempts } from '../../services/staff/attempts.js';
import { CsrfRefused } from '../forms.js';
import { languageCookie, pickLanguage } from '../i18n.js';
import { anonymousCsrfToken, readCookie } from '../session.js';
import { pageContext, render, type StaffContext, type StaffPagesEnv } from './http.js';
import { staffMessages } from './messages.js';
import { sameOriginForms, staffSession } from './middleware.js';
import { ErrorPage, SignInPage } from './pages.js';
import { staffRoutes } from './routes.js';

export { requireStaff, sameOriginForms, staffNext, staffSession, type StaffEnv, type StaffRole, type StaffSession, type StaffSessionServices } from './middleware.js';

function errorPage(c: StaffContext, err: unknown) {
  const p = pageContext(c);
  const { errors } = p.t;
  if (err instanceof CsrfRefused || (err instanceof HTTPException && err.status === 403)) return render(c, <ErrorPage p={p} title={errors.problem} message={errors.csrf} />, 403);
  if (err instanceof HTTPException && err.status === 413) return render(c, <ErrorPage p={p} title={errors.problem} message={errors.form} />, 400);
  if (err instanceof NotFound) return render(c, <ErrorPage p={p} title={errors.notFoundTitle} message={errors.notFound} />, 404);
  if (err instanceof TooManyAttempts) {
    c.header('Retry-After', String(err.retryAfterMinutes * 60));
    return render(c, <SignInPage p={p} next={null} message={{ kind: 'error', text: p.t.signIn.tooMany(err.retryAfterMinutes) }} />, 429);
  }
  if (err instanceof ValidationError) return render(c, <ErrorPage p={p} title={errors.problem} message={err.field === 'body' ? errors.form : `${errors.problem}: ${err.message}`} />, 400);
  if (err instanceof DomainError && err.status === 400) return render(c, <ErrorPage p={p} title={errors.problem} message={err.message} />, 400);
  c.var.logger.error({ err }, 'staff page failed');
  return render(c, <ErrorPage p={p} title={errors.problem} message={errors.server} />, 500);
}

/** The /staff pages, mounted by createApp. */
export function createStaffPages() {
  const pages = new Hono<StaffPagesEnv>();
  pages.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"] },
      referrerPolicy: 'same-origin',
    }),
  );
  pages.use('*', staffSession());
  pages.use('*', async (context, next) => {
    const c = context as StaffContext;
    const language = pickLanguage({ cookie: readCookie(c, languageCookie), acceptLanguage: c.req.header('accept-language') });
    c.set('language', language);
    c.set('t', staffMessages[language]);
    c.set('anonymousCsrf', c.var.staff ? '' : anonymousCsrfToken(c));
    await next();
  });
  pages.use('*', sameOriginForms());
  pages.route('/', staffRoutes);
  // Last: any other path under /staff is the staff pages' own 404 page (a mounted app's notFound is not used).
  pages.all('*', (c) => errorPage(c, new NotFound('No such page.')));
  pages.onError((err, c) => errorPage(c as StaffContext, err));
  return pages;
}
