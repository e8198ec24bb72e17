// A portal visitor for HTTP-level tests: keeps cookies like a browser, reads the CSRF token and
// the submission id from the last page, and posts forms (URL-encoded, or multipart with files)
// from the portal's own origin. Works on the in-process app and on a real server alike.
import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { contacts, customers } from '../../src/db/schema/index.js';
import type { Language, PortalSharingMode } from '../../src/domain/enums.js';
import { hashPassword } from '../../src/services/portal/secrets.js';

export interface PortalAnswer {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

type Fetch = (path: string, init: RequestInit) => Promise<Response>;

export class PortalVisitor {
  readonly cookies = new Map<string, string>();
  lastHtml = '';

  constructor(
    private readonly fetcher: Fetch,
    readonly origin = 'http://localhost',
    private readonly extraHeaders: Record<string, string> = {},
  ) {}

  private headers(more: Record<string, string> = {}): Record<string, string> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    return { ...this.extraHeaders, ...(cookie ? { Cookie: cookie } : {}), ...more };
  }

  private async keep(res: Response): Promise<PortalAnswer> {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';');
      const [name = '', ...rest] = pair.split('=');
      const value = rest.join('=');
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()));
      if (expired || value === '') this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    const html = await res.text();
    if ((res.headers.get('content-type') ?? '').includes('text/html')) this.lastHtml = html;
    return { status: res.status, location: res.headers.get('location'), html, headers: res.headers };
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<PortalAnswer> {
    return this.keep(await this.fetcher(path, { method: 'GET', headers: this.headers(headers), redirect: 'manual' }));
  }

  /** GETs and follows redirects on our own origin, as a browser would. */
  async open(path: string): Promise<PortalAnswer> {
    let answer = await this.get(path);
    for (let hops = 0; answer.location && hops < 5; hops++) answer = await this.get(new URL(answer.location, this.origin).pathname + new URL(answer.location, this.origin).search);
    return answer;
  }

  /** The hidden value of a field on the last page (the first one with that name). */
  field(name: string, html = this.lastHtml): string {
    const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
    if (!match) throw new Error(`no field ${name} on the page`);
    return match[1]!.replaceAll('&amp;', '&');
  }

  get csrf(): string {
    return this.field('_csrf');
  }

  /** Posts a form with the last page's CSRF token (unless `_csrf` is given) from our origin (unless `origin` is given). */
  async post(path: string, fields: Record<string, string>, options: { files?: { name: string; filename: string; type: string; content: Buffer }[]; origin?: string | null; withoutCsrf?: boolean } = {}): Promise<PortalAnswer> {
    const all = { ...(options.withoutCsrf || '_csrf' in fields ? {} : { _csrf: this.csrf }), ...fields };
    let body: FormData | URLSearchParams;
    if (options.files) {
      const form = new FormData();
      for (const [k, v] of Object.entries(all)) form.append(k, v);
      for (const f of options.files) form.append(f.name, new Blob([new Uint8Array(f.content)], { type: f.type }), f.filename);
      body = form;
    } else body = new URLSearchParams(all);
    const origin = options.origin === undefined ? this.origin : options.origin;
    return this.keep(await this.fetcher(path, { method: 'POST', headers: this.headers(origin ? { Origin: origin } : {}), body, redirect: 'manual' }));
  }

  async signInWithPassword(email: string, password: string): Promise<PortalAnswer> {
    await this.get('/portal/sign-in');
    return this.post('/portal/sign-in/password', { email, password });
  }
}

/** A visitor of the in-process app (`app.request`). */
export function appVisitor(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, extraHeaders: Record<string, string> = {}): PortalVisitor {
  return new PortalVisitor(async (path, init) => app.request(`http://localhost${path}`, init), 'http://localhost', extraHeaders);
}

let contactSeq = 0;

/** A portal contact of the customer, optionally with a password and as customer admin. */
export async function portalContact(db: Db, options: { customerNumber: string; name?: string; email?: string; password?: string; admin?: boolean; language?: Language | null }) {
  const [customer] = await db.select().from(customers).where(eq(customers.customerNumber, options.customerNumber));
  if (!customer) throw new Error(`no customer ${options.customerNumber}`);
  contactSeq += 1;
  const email = options.email ?? `contact-${process.pid}-${contactSeq}-${Date.now()}@portal.example`;
  const [row] = await db
    .insert(contacts)
    .values({ customerId: customer.id, name: options.name ?? `Contact ${contactSeq}`, email, language: options.language ?? null, portalAdmin: Boolean(options.admin), passwordHash: options.password ? await hashPassword(options.password) : null, phone: '+49 211 555 0199' })
    .returning();
  return { id: row!.id, email, name: row!.name, customerId: customer.id };
}

export async function setSharing(db: Db, customerNumber: string, mode: PortalSharingMode): Promise<void> {
  await db.update(customers).set({ portalSharing: mode }).where(eq(customers.customerNumber, customerNumber));
}

/** The portal link in a mail body ("…/portal/sign-in/link?token=…"), as a path with its query. */
export function linkIn(body: string, kind: 'sign-in/link' | 'password/reset' = 'sign-in/link'): string {
  const match = new RegExp(`https?://[^\\s/]+(/portal/${kind}\\?token=[A-Za-z0-9_-]+)`).exec(body);
  if (!match) throw new Error(`no portal link in: ${body}`);
  return match[1]!;
}

