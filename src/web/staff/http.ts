// The staff pages' request plumbing: their context, the page context, rendering and the client address.
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import type { Language } from '../../domain/enums.js';
import type { StaffEnv } from './middleware.js';
import type { StaffMessages } from './messages.js';
import type { PageContext } from './components.js';

export interface StaffPagesEnv {
  Variables: StaffEnv['Variables'] & {
    /** The token signed-out forms carry (double-submit cookie); signed-in forms carry the session's. */
    anonymousCsrf: string;
    language: Language;
    t: StaffMessages;
  };
}

export type StaffContext = Context<StaffPagesEnv>;

export function pageContext(c: StaffContext): PageContext {
  const staff = c.var.staff;
  const url = new URL(c.req.url);
  // With its query: the language switch comes back to a set-password page with its token.
  return { t: c.var.t, language: c.var.language, csrfToken: staff?.csrfToken ?? c.var.anonymousCsrf, member: staff ?? null, path: `${url.pathname}${url.search}` };
}

/** The HTML of an element (hono/jsx renders on toString; our components are synchronous). */
const htmlOf = async (element: JSX.Element) => (element as unknown as { toString(): string | Promise<string> }).toString();

export async function render(c: StaffContext, page: JSX.Element, status: 200 | 400 | 401 | 403 | 404 | 429 | 500 = 200) {
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${await htmlOf(page)}`, status);
}

/** After a form: 303 to the next page (htmx follows it by itself). */
export const seeOther = (c: StaffContext, location: string) => c.redirect(location, 303);

/** The client's address for the rate limit: the socket's peer (X-Forwarded-For is not trusted). */
export function clientOf(c: StaffContext): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
