// The customer portal: server-rendered pages under /portal for contacts of a customer. Sessions
// (not API tokens) open it; every form is checked for its origin and its synchronizer token.
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { DomainError, IllegalTransition, NotFound, Unavailable, ValidationError } from '../../domain/errors.js';
import { findSession } from '../../services/portal/sessions.js';
import { TooManyAttempts } from '../../services/portal/sign-in.js';
import type { PortalEnv } from '../context.js';
import { CsrfRefused } from '../forms.js';
import { languageCookie, pickLanguage } from '../i18n.js';
import { anonymousCsrfToken, clearSessionCookie, readCookie, readSessionCookie } from '../session.js';
import { accountRoutes } from './account-routes.js';
import { ErrorPage } from './components.js';
import { pageContext, refusalText, render, type PortalContext } from './http.js';
import { portalMessages } from './messages.js';
import { kbRoutes } from './kb-routes.js';
import { requestRoutes } from './request-routes.js';
import { signInRoutes } from './sign-in-routes.js';
import { SignInPage } from './sign-in-pages.js';

/** The largest form body, files included (PORTAL_UPLOAD_LIMIT_BYTES default). */
export const defaultUploadLimitBytes = 25 * 1024 * 1024;

function errorPage(c: PortalContext, err: unknown) {
  const p = pageContext(c);
  const { errors } = p.t;
  if (err instanceof CsrfRefused || (err instanceof HTTPException && err.status === 403)) return render(c, <ErrorPage p={p} title={errors.problem} message={errors.csrf} />, 403);
  if (err instanceof HTTPException && err.status === 413) return render(c, <ErrorPage p={p} title={errors.problem} message={p.t.request.files} />, 400);
  if (err instanceof NotFound) return render(c, <ErrorPage p={p} title={errors.notFoundTitle} message={errors.notFound} />, 404);
  if (err instanceof TooManyAttempts) {
    c.header('Retry-After', String(err.retryAfterMinutes * 60));
    return render(c, <SignInPage p={p} state={{ next: null, message: { kind: 'error', text: p.t.signIn.tooMany(err.retryAfterMinutes) } }} />, 429);
  }
  if (err instanceof Unavailable) return render(c, <ErrorPage p={p} title={errors.problem} message={errors.unavailable} />, 503);
  if (err instanceof ValidationError || err instanceof IllegalTransition) return render(c, <ErrorPage p={p} title={errors.problem} message={refusalText(p, err)} />, err.status);
  if (err instanceof DomainError && (err.status === 400 || err.status === 409)) return render(c, <ErrorPage p={p} title={errors.problem} message={err.message} />, err.status);
  c.var.logger.error({ err }, 'portal page failed');
  return render(c, <ErrorPage p={p} title={errors.problem} message={errors.server} />, 500);
}

export function createPortal() {
  const portal = new Hono<PortalEnv>();
  portal.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: { defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'], formAction: ["'self'"], frameAncestors: ["'none'"], baseUri: ["'none'"], objectSrc: ["'none'"] },
      referrerPolicy: 'same-origin',
    }),
  );
  portal.use('*', async (context, next) => {
    const c = context as PortalContext;
    const id = readSessionCookie(c);
    const session = id ? await findSession(c.var.services.db, id, c.var.services.portal?.session) : undefined;
    if (id && !session) clearSessionCookie(c);
    c.set('session', session);
    c.set('sessionId', session ? id : undefined);
    const language = pickLanguage({ contact: session?.viewer.language, cookie: readCookie(c, languageCookie), acceptLanguage: c.req.header('accept-language') });
    c.set('language', language);
    c.set('t', portalMessages[language]);
    c.set('anonymousCsrf', session ? '' : anonymousCsrfToken(c));
    await next();
  });
  // Forms from another origin are refused before any handler reads them (Hono's origin check);
  // the synchronizer token in each form is checked by the handler (checkCsrf).
  portal.use(
    '*',
    csrf({
      origin: (origin, c) => {
        const own = new URL(c.req.url).origin;
        const configured = (c as PortalContext).var.services.portal?.baseUrl;
        return origin === own || (configured !== undefined && origin === new URL(configured).origin);
      },
    }),
  );
  const limits = new Map<number, MiddlewareHandler>();
  portal.use('*', async (c, next) => {
    const maxSize = c.var.services.portal?.uploadLimitBytes ?? defaultUploadLimitBytes;
    if (!limits.has(maxSize)) limits.set(maxSize, bodyLimit({ maxSize }));
    // hono's bodyLimit is typed for any environment (Context<any>), which the lint reads as unsafe.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument
    return limits.get(maxSize)!(c, next);
  });
  portal.route('/', signInRoutes);
  portal.route('/', requestRoutes);
  portal.route('/', accountRoutes);
  portal.route('/', kbRoutes);
  // Last: any other path under /portal is the portal's own 404 page (a mounted app's notFound is not used).
  portal.all('*', (c) => errorPage(c as PortalContext, new NotFound('No such page.')));
  portal.onError((err, c) => errorPage(c as PortalContext, err));
  return portal;
}
