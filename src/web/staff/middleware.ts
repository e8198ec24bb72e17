// The staff session for every web area of agents, managers and admins (/staff, /reports, ...).
//
//   area.use('*', sameOriginForms(), staffSession());   // load the session (c.var.staff), refuse foreign forms
//   area.get('/weekly', requireStaff('manager'), ...);  // anonymous: 303 to sign-in; below the role: 404
//
// c.var.staff is the signed-in member ({ userId, name, email, role, csrfToken }) or null. Every
// form of a signed-in page carries c.var.staff.csrfToken as `_csrf` (or htmx's X-CSRF-Token
// header, which the Layout sets from its csrfToken), checked with checkCsrf(c, fields,
// c.var.staff.csrfToken) from src/web/forms.ts. Sessions come only from the cookie: a bearer token
// opens no page, and the session opens nothing under /api (src/api/auth.ts). A new area's path
// must also be listed in isWebPath (src/api/auth.ts), so the API's token check leaves it alone.
import type { MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import type { ApiServices, AppEnv } from '../../api/context.js';
import { NotFound } from '../../domain/errors.js';
import { staffRoleAtLeast, type StaffRole } from '../../domain/staff.js';
import { endStaffSession, findStaffSession, type StaffSession } from '../../services/staff/sessions.js';
import { clearSessionCookie, readSessionCookie, staffSessionCookie } from '../session.js';

export type { StaffRole, StaffSession };

export interface StaffEnv {
  Variables: AppEnv['Variables'] & {
    /** The signed-in staff member, or null; set by staffSession (undefined: the middleware is missing). */
    staff: StaffSession | null;
    /** The session id from the cookie, to end or rotate it (the sign-in pages' business only). */
    staffSessionId: string | undefined;
  };
}

/** What staffSession reads: the database and the session settings (STAFF_SESSION_*). */
export type StaffSessionServices = Pick<ApiServices, 'db' | 'staff'>;

/**
 * Loads the staff session named by the cookie into c.var.staff (null when there is none, it
 * expired or idled out, or its user is deactivated or no longer agent, manager or admin; a dead
 * session is deleted and its cookie cleared). `services` defaults to c.var.services, which createApp sets.
 */
export function staffSession(services?: StaffSessionServices): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const { db, staff: settings } = services ?? c.var.services;
    const id = readSessionCookie(c, staffSessionCookie);
    const session = id ? await findStaffSession(db, id, settings?.session) : undefined;
    if (id && !session) {
      // A dead session (idled out, expired, its user gone) is cleared on both ends.
      clearSessionCookie(c, staffSessionCookie);
      await endStaffSession(db, id);
    }
    c.set('staff', session ?? null);
    c.set('staffSessionId', session ? id : undefined);
    await next();
  };
}

/**
 * A safe place to go after sign-in: a path on this site (starting with one "/", never "//" or a
 * scheme), outside /api (which takes tokens, not sessions); anything else is null.
 */
export function staffNext(next: string | null | undefined): string | null {
  if (!next || next.length > 2000 || !/^\/(?![/\\])[A-Za-z0-9\-._~/%?=&+]*$/.test(next)) return null;
  const url = new URL(next, 'http://staff.invalid');
  if (url.origin !== 'http://staff.invalid' || url.pathname === '/api' || url.pathname.startsWith('/api/')) return null;
  return next;
}

/**
 * Pages for staff of at least `minRole` (agent < manager < admin). Anonymous: a GET goes to
 * /staff/sign-in?next=<this path> with a 303 (another method to /staff/sign-in; htmx gets 401 with
 * HX-Redirect). Signed in below the role: NotFound is thrown, which the area's onError renders as
 * its 404 page, so a page one may not see looks like one that does not exist.
 */
export function requireStaff(minRole: StaffRole): MiddlewareHandler<StaffEnv> {
  return async (c, next) => {
    const staff = c.var.staff;
    if (staff === undefined) throw new Error('requireStaff needs staffSession() before it');
    if (!staff) {
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' || c.req.method === 'HEAD' ? staffNext(`${url.pathname}${url.search}`) : null;
      const location = back ? `/staff/sign-in?next=${encodeURIComponent(back)}` : '/staff/sign-in';
      if (c.req.header('HX-Request') === 'true') {
        c.header('HX-Redirect', location);
        return c.body(null, 401);
      }
      return c.redirect(location, 303);
    }
    if (!staffRoleAtLeast(staff.role, minRole)) throw new NotFound('No such page.');
    await next();
  };
}

/**
 * Refuses a form posted from another origin before any handler reads it (Hono's origin check):
 * this server's own origin and PUBLIC_URL's (behind a proxy) are ours. The synchronizer token is
 * checked by the handler (checkCsrf).
 */
export function sameOriginForms(): MiddlewareHandler<StaffEnv> {
  return csrf({
    origin: (origin, c) => {
      const own = new URL(c.req.url).origin;
      const configured = (c.get('services') as ApiServices | undefined)?.portal?.baseUrl;
      return origin === own || (configured !== undefined && origin === new URL(configured).origin);
    },
  });
}
