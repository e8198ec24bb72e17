// Who sees what in the portal, on a real Postgres: a property test over random worlds (customers,
// contacts, sharing modes, customer admins, incidents with files and callbacks, child tickets) checks every
// portal page and file for every contact against the access rule written out here once more, and
// that whatever is outside it answers exactly like something that does not exist. A walk over the
// route table proves that only the sign-in pages open without a session, that forms need the
// token, and that API tokens and portal sessions do not open each other's doors.
import { randomUUID } from 'node:crypto';
import { inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectionRow } from '../../src/db/projection.js';
import { contacts, customers, followUps, incidents, portalUploads } from '../../src/db/schema/index.js';
import { portalSharingModes, type PortalSharingMode } from '../../src/domain/enums.js';
import { openIncident, type IncidentIntake } from '../../src/domain/incident/state.js';
import { incidentCallbackWorkflowId } from '../../src/domain/workflow-ids.js';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { startSession } from '../../src/services/portal/sessions.js';
import { newSubmission } from '../../src/web/portal/http.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { appVisitor, type PortalVisitor } from '../support/portal.js';

const api = apiOnTestDatabase({ agent: 'agent' }, { seed: seedDemoData });

interface WorldSpec {
  customers: { sharing: PortalSharingMode; contacts: { admin: boolean }[] }[];
  /** Each incident: whose (customer and contact index, or none), resolved or not, with a callback or not. */
  incidents: { customer: number; contact: number | null; resolved: boolean; callback: boolean; child: boolean }[];
  /** Standalone callbacks (no incident): whose. */
  callbacks: { customer: number; contact: number }[];
}

const worldSpec: fc.Arbitrary<WorldSpec> = fc
  .array(fc.record({ sharing: fc.constantFrom(...portalSharingModes), contacts: fc.array(fc.record({ admin: fc.boolean() }), { minLength: 1, maxLength: 3 }) }), { minLength: 2, maxLength: 3 })
  .chain((cs) => {
    const owner = fc.integer({ min: 0, max: cs.length - 1 }).chain((customer) => fc.record({ customer: fc.constant(customer), contact: fc.integer({ min: 0, max: cs[customer]!.contacts.length - 1 }) }));
    return fc.record({
      customers: fc.constant(cs),
      incidents: fc.array(
        // One in six without a contact (opened by phone for the company).
        fc.record({ owner, resolved: fc.boolean(), callback: fc.boolean(), withoutContact: fc.integer({ min: 0, max: 5 }), child: fc.integer({ min: 0, max: 3 }) }).map((i) => ({ customer: i.owner.customer, contact: i.withoutContact === 0 ? null : i.owner.contact, resolved: i.resolved, callback: i.callback, child: i.child === 0 })),
        { minLength: 1, maxLength: 8 },
      ),
      callbacks: fc.array(owner, { maxLength: 3 }),
    });
  });

interface World {
  customers: { number: string; sharing: PortalSharingMode }[];
  contacts: { id: string; customer: number; admin: boolean; email: string; phone: string; name: string }[];
  incidents: { number: string; customer: number; contactId: string | null; title: string; uploadId: string; callbackTopic: string | null; child: boolean }[];
  callbacks: { id: string; customer: number; email: string; topic: string }[];
}

let seq = 0;
const tag = () => `${process.pid}x${++seq}`;

async function build(spec: WorldSpec): Promise<World> {
  const db = api.database.db;
  const world: World = { customers: [], contacts: [], incidents: [], callbacks: [] };
  for (const [ci, c] of spec.customers.entries()) {
    const number = `K-P${tag()}`;
    const [row] = await db.insert(customers).values({ customerNumber: number, name: `Kunde ${number}`, portalSharing: c.sharing }).returning();
    world.customers.push({ number, sharing: c.sharing });
    for (const contact of c.contacts) {
      const t = tag();
      const email = `contact-${t}@kunde.example`;
      const phone = `+49 30 ${t.replace(/\D/g, '')}`;
      const [inserted] = await db.insert(contacts).values({ customerId: row!.id, name: `Kontakt ${t}`, email, phone, portalAdmin: contact.admin }).returning();
      world.contacts.push({ id: inserted!.id, customer: ci, admin: contact.admin, email, phone, name: inserted!.name });
    }
  }
  const contactOf = (customer: number, index: number) => world.contacts.filter((c) => c.customer === customer)[index]!;
  for (const spec_ of spec.incidents) {
    const customer = world.customers[spec_.customer]!;
    const contact = spec_.contact === null ? null : contactOf(spec_.customer, spec_.contact);
    const number = `INC-2026-${String(500_000 + ++seq).padStart(6, '0')}`;
    const title = `Anfrage ${number}`;
    const intake: IncidentIntake = {
      number,
      title,
      description: `Beschreibung von ${number}`,
      channel: 'portal',
      impact: null,
      urgency: null,
      priority: 'P3',
      receivedAt: new Date(Date.now() - 3_600_000).toISOString(),
      openedBy: { id: 'system', name: 'Test' },
      customer: { id: randomUUID(), number: customer.number, name: `Kunde ${customer.number}` },
      contact: contact ? { id: contact.id, email: contact.email, name: contact.name } : null,
      asset: null,
      contract: null,
      slaPolicyId: null,
    };
    const state = openIncident(intake).state;
    await db.insert(incidents).values({ ...projectionRow({ ...state, status: spec_.resolved ? 'resolved' : 'in_progress', resolvedAt: spec_.resolved ? new Date().toISOString() : null }), customerId: null, contractId: null, parentNumber: spec_.child ? 'INC-2026-499999' : null });
    const [upload] = await db
      .insert(portalUploads)
      .values({ incidentNumber: number, contactId: contact?.id ?? null, submissionId: `s-${tag()}`, position: 0, filename: `${number}.txt`, contentType: 'text/plain', sizeBytes: number.length, content: Buffer.from(number) })
      .returning();
    let callbackTopic: string | null = null;
    if (spec_.callback) {
      callbackTopic = `Rückruf zu ${number}`;
      await db.insert(followUps).values({ workflowId: incidentCallbackWorkflowId(number), kind: 'callback', incidentNumber: number, customerNumber: customer.number, title: callbackTopic, state: 'requested', details: { topic: callbackTopic, contactEmail: contact?.email ?? null }, version: 1, updatedAt: new Date() });
    }
    world.incidents.push({ number, customer: spec_.customer, contactId: contact?.id ?? null, title, uploadId: upload!.id, callbackTopic, child: spec_.child });
  }
  for (const cb of spec.callbacks) {
    const customer = world.customers[cb.customer]!;
    const contact = contactOf(cb.customer, cb.contact);
    const id = randomUUID();
    const topic = `Rückruf ohne Anfrage ${tag()}`;
    await db.insert(followUps).values({ workflowId: `callback-${id}`, kind: 'callback', incidentNumber: null, customerNumber: customer.number, title: topic, state: 'requested', details: { topic, contactEmail: contact.email }, version: 1, updatedAt: new Date() });
    world.callbacks.push({ id, customer: cb.customer, email: contact.email, topic });
  }
  return world;
}

async function tearDown(world: World) {
  const db = api.database.db;
  const numbers = world.incidents.map((i) => i.number);
  const workflowIds = [...world.incidents.filter((i) => i.callbackTopic).map((i) => incidentCallbackWorkflowId(i.number)), ...world.callbacks.map((c) => `callback-${c.id}`)];
  if (workflowIds.length) await db.delete(followUps).where(inArray(followUps.workflowId, workflowIds));
  await db.delete(portalUploads).where(inArray(portalUploads.incidentNumber, numbers));
  await db.delete(incidents).where(inArray(incidents.number, numbers));
}

// The rule, written out independently of the SQL in src/services/portal/access.ts.
const seesAll = (world: World, viewer: World['contacts'][number]) => viewer.admin || world.customers[viewer.customer]!.sharing !== 'own';
// A child ticket (internal work split off a request) only for the contact it names.
const sees = (world: World, viewer: World['contacts'][number], incident: World['incidents'][number]) =>
  incident.customer === viewer.customer && (incident.contactId === viewer.id || (seesAll(world, viewer) && !incident.child));
const answers = (world: World, viewer: World['contacts'][number], incident: World['incidents'][number]) =>
  sees(world, viewer, incident) && (viewer.admin || world.customers[viewer.customer]!.sharing === 'organisation_reply' || incident.contactId === viewer.id);
const seesCallback = (world: World, viewer: World['contacts'][number], cb: World['callbacks'][number]) => cb.customer === viewer.customer && (seesAll(world, viewer) || cb.email === viewer.email);

async function signedIn(contactId: string): Promise<PortalVisitor> {
  const session = await startSession(api.database.db, contactId);
  const visitor = appVisitor(api.app);
  visitor.cookies.set('helpdesk_session', session.id);
  return visitor;
}

const numbersIn = (html: string) => new Set(html.match(/INC-\d{4}-\d{6}/g) ?? []);
/** A 404 page with the asked-for path taken out (the language switch carries it back). */
const anonymised = (html: string, ...parts: string[]) => parts.reduce((h, part) => h.replaceAll(part, '…'), html);

describe('the access rule, for random customers, contacts and sharing modes', () => {
  it('shows every contact exactly what the rule allows, and nothing else exists for them', async () => {
    await fc.assert(
      fc.asyncProperty(worldSpec, async (spec) => {
        const world = await build(spec);
        try {
          for (const viewer of world.contacts) {
            const visitor = await signedIn(viewer.id);
            const visible = world.incidents.filter((i) => sees(world, viewer, i));
            const list = await visitor.get('/portal/requests?view=all');
            expect(list.status).toBe(200);
            expect([...numbersIn(list.html)].sort()).toEqual(visible.map((i) => i.number).sort());

            const missing = 'INC-2099-999999';
            const nothing = await visitor.get(`/portal/requests/${missing}`);
            expect(nothing.status).toBe(404);
            const missingFile = await visitor.get(`/portal/requests/${missing}/files/upload/${randomUUID()}`);
            for (const incident of world.incidents) {
              const page = await visitor.get(`/portal/requests/${incident.number}`);
              const file = await visitor.get(`/portal/requests/${incident.number}/files/upload/${incident.uploadId}`);
              if (sees(world, viewer, incident)) {
                expect(page.status).toBe(200);
                expect(page.html).toContain(incident.title);
                expect(file.status).toBe(200);
                expect(file.html).toBe(incident.number);
                // The reply form is there exactly when the contact may answer; a read-only contact's reply is refused in words.
                const canAnswer = answers(world, viewer, incident);
                expect(page.html.includes(`/portal/requests/${incident.number}/reopen`) || page.html.includes(`/portal/requests/${incident.number}/reply`)).toBe(canAnswer);
                if (!canAnswer) {
                  const refused = await visitor.post(`/portal/requests/${incident.number}/reply`, { submission: newSubmission(), text: 'Darf ich?' }, { _csrf: visitor.field('_csrf', page.html) } as never);
                  expect(refused.status).toBe(409);
                }
              } else {
                // Indistinguishable from a number that does not exist: same status, same page.
                expect(page.status).toBe(404);
                expect(anonymised(page.html, incident.number)).toBe(anonymised(nothing.html, missing));
                expect(file.status).toBe(404);
                const solved = await visitor.post(`/portal/requests/${incident.number}/solved`, { submission: newSubmission(), _csrf: visitor.field('_csrf', list.html) });
                expect(solved.status).toBe(404);
              }
              // A file id belongs to its request: under another request's number it is not there.
              const other = world.incidents.find((i) => i !== incident && sees(world, viewer, i));
              if (other) {
                const crossed = await visitor.get(`/portal/requests/${other.number}/files/upload/${incident.uploadId}`);
                expect(crossed.status).toBe(404);
                expect(anonymised(crossed.html, other.number, incident.uploadId)).toBe(anonymised(missingFile.html, missing, /files\/upload\/([^"]+)/.exec(missingFile.html)?.[1] ?? '\u0000'));
              }
            }

            const callbackPage = await visitor.get('/portal/callback');
            expect(callbackPage.status).toBe(200);
            for (const incident of world.incidents.filter((i) => i.callbackTopic)) expect(callbackPage.html.includes(incident.callbackTopic!), incident.callbackTopic!).toBe(sees(world, viewer, incident));
            for (const cb of world.callbacks) {
              expect(callbackPage.html.includes(cb.topic), cb.topic).toBe(seesCallback(world, viewer, cb));
              const detail = await visitor.get(`/portal/callbacks/${cb.id}`);
              expect(detail.status).toBe(seesCallback(world, viewer, cb) ? 200 : 404);
            }

            // Other contacts' addresses and phone numbers are on none of the pages.
            const pages = [list.html, callbackPage.html, ...(await Promise.all(visible.map(async (i) => (await visitor.get(`/portal/requests/${i.number}`)).html)))].join('\n');
            for (const someone of world.contacts.filter((c) => c.id !== viewer.id)) {
              expect(pages).not.toContain(someone.email);
              expect(pages).not.toContain(someone.phone);
            }
          }
        } finally {
          await tearDown(world);
        }
      }),
      { numRuns: 15 },
    );
  }, 240_000);
});

describe('the route table', () => {
  const publicPages = new Set(['/portal', '/portal/sign-in', '/portal/sign-in/link', '/portal/password/forgot', '/portal/password/reset']);
  const portalRoutes = () => {
    const seen = new Set<string>();
    return api.app.routes
      .filter((r) => (r.method === 'GET' || r.method === 'POST') && r.path.startsWith('/portal') && !r.path.includes('*'))
      .map((r) => ({ method: r.method, path: r.path.replace(':number', 'INC-2026-000001').replace(':source', 'upload').replace(':id', randomUUID()) }))
      .filter((r) => !seen.has(`${r.method} ${r.path}`) && Boolean(seen.add(`${r.method} ${r.path}`)));
  };

  it('lists the portal\'s pages and forms', () => {
    const paths = portalRoutes().map((r) => `${r.method} ${r.path.replace(/INC-2026-000001|[0-9a-f-]{36}/g, '…')}`);
    for (const expected of ['GET /portal/requests', 'GET /portal/requests/…', 'POST /portal/requests/…/reply', 'GET /portal/callback', 'GET /portal/contracts', 'GET /portal/profile', 'POST /portal/sign-in/password', 'POST /portal/language', 'GET /portal/kb', 'GET /portal/kb/…', 'POST /portal/kb/…/vote', 'GET /portal/kb/…/attachments/:attachmentId', 'GET /portal/requests/new/suggestions']) expect(paths).toContain(expected);
    expect(paths.length).toBeGreaterThan(20);
  });

  it('sends every page but sign-in to the sign-in, and refuses every form without the token', async () => {
    for (const route of portalRoutes()) {
      const visitor = appVisitor(api.app);
      if (route.method === 'GET') {
        const answer = await visitor.get(route.path);
        // Public: the page itself (the link page without its token says so in a 400).
        if (publicPages.has(route.path)) expect([200, 303, 400], route.path).toContain(answer.status);
        else {
          expect(answer.status, route.path).toBe(303);
          expect(answer.location, route.path).toMatch(/^\/portal\/sign-in(\?|$)/);
        }
      } else {
        // Without a session a form is not taken: to the sign-in, or refused for its missing token.
        const answer = await visitor.post(route.path, { text: 'x' }, { withoutCsrf: true });
        expect([303, 403], `${route.method} ${route.path}`).toContain(answer.status);
        if (answer.status === 303) expect(answer.location, route.path).toMatch(/^\/portal\/sign-in(\?|$)/);
      }
    }
    // Signed in, every form is refused without the synchronizer token, and from another origin even with it.
    const [contact] = await api.database.db.select().from(contacts).limit(1);
    const visitor = await signedIn(contact!.id);
    const page = await visitor.get('/portal/profile');
    const token = visitor.field('_csrf', page.html);
    for (const route of portalRoutes().filter((r) => r.method === 'POST')) {
      const without = await visitor.post(route.path, { text: 'x', submission: newSubmission() }, { withoutCsrf: true });
      expect(without.status, `${route.path} without the token`).toBe(403);
      const foreign = await visitor.post(route.path, { text: 'x', submission: newSubmission(), _csrf: token }, { origin: 'https://evil.example' });
      expect(foreign.status, `${route.path} from another origin`).toBe(403);
    }
    expect((await visitor.get('/portal/requests')).status).toBe(200);
  });

  it('does not open to an API token, and a portal session does not open the API', async () => {
    for (const route of portalRoutes().filter((r) => r.method === 'GET' && !publicPages.has(r.path))) {
      const withToken = appVisitor(api.app, { Authorization: `Bearer ${api.users.agent.token}` });
      const answer = await withToken.get(route.path);
      expect(answer.status, route.path).toBe(303);
      expect(answer.location, route.path).toMatch(/^\/portal\/sign-in/);
    }
    const [contact] = await api.database.db.select().from(contacts).limit(1);
    const visitor = await signedIn(contact!.id);
    expect((await visitor.get('/portal/requests')).status).toBe(200);
    for (const path of ['/api/incidents', '/api/customers', '/api/reports/escalations', '/api/kb/articles', '/api/kb/search?q=drucker']) {
      const answer = await visitor.get(path);
      expect(answer.status, path).toBe(401);
    }
  });
});

describe('refusals before anything is stored', () => {
  it('refuses a reply to a closed request without keeping its files, and an overlong request', async () => {
    const spec: WorldSpec = { customers: [{ sharing: 'own', contacts: [{ admin: false }] }], incidents: [{ customer: 0, contact: 0, resolved: true, callback: false, child: false }], callbacks: [] };
    const world = await build(spec);
    try {
      const [incident] = world.incidents;
      await api.database.db.update(incidents).set({ status: 'closed' }).where(inArray(incidents.number, [incident!.number]));
      const visitor = await signedIn(world.contacts[0]!.id);
      const page = await visitor.get(`/portal/requests/${incident!.number}`);
      const submission = newSubmission();
      const refused = await visitor.post(
        `/portal/requests/${incident!.number}/reply`,
        { submission, text: 'Noch eine Frage', _csrf: visitor.field('_csrf', page.html) },
        { files: [{ name: 'attachments', filename: 'late.txt', type: 'text/plain', content: Buffer.from('late') }] },
      );
      expect(refused.status).toBe(409);
      expect(refused.html).toContain('Diese Anfrage ist abgeschlossen.');
      expect(await api.database.db.select().from(portalUploads).where(inArray(portalUploads.submissionId, [submission]))).toHaveLength(0);

      await visitor.get('/portal/requests/new');
      const tooLong = await visitor.post('/portal/requests', { submission: newSubmission(), title: 'Lang', description: 'x'.repeat(20_001), impact: 'low', urgency: 'low' });
      expect(tooLong.status).toBe(400);
      expect(tooLong.html).toContain('Die Beschreibung darf höchstens 20000 Zeichen haben.');
      // A tab pasted into the subject is a space there, not an error page.
      const tab = await visitor.post('/portal/requests', { submission: newSubmission(), intent: 'preview', title: 'Drucker\t2. OG', description: 'Kein Papier', impact: 'low', urgency: 'low' });
      expect(tab.status).toBe(200);
      expect(tab.html).toContain('value="Drucker 2. OG"');

      // Reopening a request that is open again already (an old tab) is refused in words.
      await api.database.db.update(incidents).set({ status: 'in_progress' }).where(inArray(incidents.number, [incident!.number]));
      const open = await visitor.get(`/portal/requests/${incident!.number}`);
      const reopen = await visitor.post(`/portal/requests/${incident!.number}/reopen`, { submission: newSubmission(), reason: 'Geht wieder nicht', _csrf: visitor.field('_csrf', open.html) });
      expect(reopen.status).toBe(409);
      expect(reopen.html).toContain('Diese Anfrage ist schon wieder geöffnet.');

      // A callback topic longer than the callback service takes.
      await visitor.get('/portal/callback');
      const topic = await visitor.post('/portal/callback', { submission: newSubmission(), phone: '+49 30 1234567', topic: 'x'.repeat(201), request: '', from: '', to: '' });
      expect(topic.status).toBe(400);
      expect(topic.html).toContain('Das Thema darf höchstens 200 Zeichen haben.');
    } finally {
      await tearDown(world);
    }
  });
});
