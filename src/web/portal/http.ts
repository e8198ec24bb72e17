// The portal's request plumbing: the page context, rendering, the sign-in guard and redirects.
import type { Context, MiddlewareHandler } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { maxWindowDays } from '../../domain/callback.js';
import { CallbackWindowRefused, type CallbackWindowProblem } from '../../domain/callback-window.js';
import { ValidationError, type IllegalTransition } from '../../domain/errors.js';
import type { RefusalReason } from '../../services/portal/refusals.js';
import { isPortalRefusal } from '../../services/portal/refusals.js';
import { randomToken } from '../../services/portal/secrets.js';
import { defaultSessionSettings, type PortalViewer } from '../../services/portal/sessions.js';
import { defaultBusinessTimezone } from '../../domain/ticket-number.js';
import type { PortalEnv } from '../context.js';
import { when } from '../format.js';
import type { PageContext } from './components.js';

export type PortalContext = Context<PortalEnv>;

export function pageContext(c: PortalContext): PageContext {
  const session = c.var.session;
  return {
    t: c.var.t,
    language: c.var.language,
    zone: c.var.services.timezone ?? defaultBusinessTimezone,
    csrfToken: session?.csrfToken ?? c.var.anonymousCsrf,
    viewer: session?.viewer,
    path: c.req.path,
    now: new Date(),
  };
}

/** A full page, or with HX-Request only the part htmx asked for when `partial` is given. */
/** The HTML of an element (hono/jsx renders on toString; our components are synchronous). */
const htmlOf = async (element: JSX.Element) => (element as unknown as { toString(): string | Promise<string> }).toString();

export async function render(c: PortalContext, page: JSX.Element, status: 200 | 400 | 401 | 403 | 404 | 409 | 429 | 503 | 500 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${await htmlOf(page)}`, status);
}

export async function renderPartial(c: PortalContext, fragment: JSX.Element) {
  c.header('Cache-Control', 'no-store');
  c.header('Vary', 'HX-Request');
  return c.html(await htmlOf(fragment));
}

export const isHtmx = (c: PortalContext) => c.req.header('HX-Request') === 'true';

/** After a form: 303 to the next page (htmx follows it by itself). */
export const seeOther = (c: PortalContext, location: string) => c.redirect(location, 303);

/** The signed-in contact; the guard below has made sure there is one. */
export function viewerOf(c: PortalContext): PortalViewer {
  const viewer = c.var.session?.viewer;
  if (!viewer) throw new Error('portal route without the sign-in guard');
  return viewer;
}

/** Pages for signed-in contacts only: others go to sign-in, and come back here after it. */
export const requireSignIn: MiddlewareHandler<PortalEnv> = async (c, next) => {
  if (c.var.session) return next();
  const url = new URL(c.req.url);
  const back = c.req.method === 'GET' ? `${url.pathname}${url.search}` : '/portal/requests';
  const location = `/portal/sign-in?next=${encodeURIComponent(back)}`;
  if (isHtmx(c)) {
    c.header('HX-Redirect', location);
    return c.body(null, 401);
  }
  return c.redirect(location, 303);
};

export const newSubmission = () => randomToken().slice(0, 32);

export const sessionSettings = (c: PortalContext) => c.var.services.portal?.session ?? defaultSessionSettings;

/** The callback service's window refusals, in the portal's words. */
const windowRefusals: Record<CallbackWindowProblem, RefusalReason> = { order: 'windowOrder', over: 'windowOver', tooLong: 'windowTooLong', tooLate: 'windowTooLate' };

/**
 * A refusal in the page's words: the portal's own by their reason, the callback service's window
 * refusals by their problem, a bad phone number by its field; anything else (a rule of the
 * engine's that the portal does not know) by its message.
 */
export function refusalText(p: PageContext, err: ValidationError | IllegalTransition): string {
  const { refusals, errors } = p.t;
  if (isPortalRefusal(err)) return refusals[err.reason]({ ...err.params, latest: err.params.latest ? when(err.params.latest, p.language, p.zone, p.now) : '' });
  if (err instanceof CallbackWindowRefused) {
    const latest = err.latestEnd ? when(err.latestEnd, p.language, p.zone, p.now) : '';
    return refusals[windowRefusals[err.problem]]({ latest, count: maxWindowDays });
  }
  if (err instanceof ValidationError && err.field === 'phone') return refusals.phone;
  return err instanceof ValidationError ? `${errors.problem}: ${err.message}` : err.message;
}
