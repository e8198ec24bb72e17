// Cookies of the web pages. Served over HTTPS (PUBLIC_URL says so; without it, any host but
// localhost) they are Secure and carry the __Host- prefix (bound to this host, path /); on
// http://localhost they go without both. Always HttpOnly and SameSite=Lax.
import type { Context } from 'hono';
import type { ApiServices } from '../api/context.js';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomToken } from '../services/portal/secrets.js';

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Whether the pages are served over HTTPS, so cookies are Secure: by PUBLIC_URL's scheme when it
 * is configured (behind a TLS proxy the request itself may arrive as http://127.0.0.1), else true
 * for any host but localhost.
 */
export function isSecureRequest(c: Context): boolean {
  const configured = (c.get('services') as ApiServices | undefined)?.portal?.secureCookies;
  if (configured !== undefined) return configured;
  return !loopbackHosts.has(new URL(c.req.url).hostname);
}

const cookieName = (c: Context, base: string) => (isSecureRequest(c) ? `__Host-${base}` : base);

const cookieOptions = (c: Context) => ({ httpOnly: true, sameSite: 'Lax' as const, secure: isSecureRequest(c), path: '/' });

export const sessionCookie = 'helpdesk_session';
/** The staff's session (src/web/staff): a cookie of its own, so a portal and a staff sign-in in one browser leave each other alone. */
export const staffSessionCookie = 'helpdesk_staff_session';
const csrfCookie = 'helpdesk_csrf';

export const readSessionCookie = (c: Context, base = sessionCookie) => getCookie(c, cookieName(c, base));

export function writeSessionCookie(c: Context, id: string, maxHours: number, base = sessionCookie): void {
  setCookie(c, cookieName(c, base), id, { ...cookieOptions(c), maxAge: maxHours * 3600 });
}

export function clearSessionCookie(c: Context, base = sessionCookie): void {
  deleteCookie(c, cookieName(c, base), cookieOptions(c));
}

/** The signed-out forms' token: kept in a cookie and repeated in each form (double submit). */
export function anonymousCsrfToken(c: Context): string {
  const existing = getCookie(c, cookieName(c, csrfCookie));
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const token = randomToken();
  setCookie(c, cookieName(c, csrfCookie), token, cookieOptions(c));
  return token;
}

export function readCookie(c: Context, name: string): string | undefined {
  return getCookie(c, name);
}

export function writePreferenceCookie(c: Context, name: string, value: string): void {
  setCookie(c, name, value, { ...cookieOptions(c), httpOnly: false, maxAge: 365 * 24 * 3600 });
}
