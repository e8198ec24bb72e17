// The knowledge base in the portal, on a real Postgres: an internal article, a draft and another
// customer's restricted article never reach a customer (search, suggestions, the article page,
// its file: the portal's 404), the customer's own restricted article does; votes and the New
// request form's suggestions (with and without JavaScript) and their deflection count.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { seedDemoData } from '../../src/infra/demo-seed.js';
import { addAttachment, articleStats, createArticle, recordSubmitted, type KbActor } from '../../src/services/kb/index.js';
import { incidentIntakes } from '../../src/db/schema/index.js';
import { startSession } from '../../src/services/portal/sessions.js';
import { newSubmission } from '../../src/web/portal/http.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import { appVisitor, portalContact, type PortalVisitor } from '../support/portal.js';

const api = apiOnTestDatabase({ agent: 'agent' }, { seed: seedDemoData, services: { kb: { deflectionWindowMinutes: 0 } } });
const editor: KbActor = { userId: null, name: 'KB editor', role: 'manager' };

async function signedIn(customerNumber: string): Promise<PortalVisitor & { contactId: string }> {
  const contact = await portalContact(api.database.db, { customerNumber, language: 'de' });
  const session = await startSession(api.database.db, contact.id);
  const visitor = appVisitor(api.app);
  visitor.cookies.set('helpdesk_session', session.id);
  return Object.assign(visitor, { contactId: contact.id });
}

/** Five articles about the same rare device, one per visibility case; the word finds them all for staff. */
async function articles(word: string) {
  const db = api.database.db;
  const make = (title: string, extra: Partial<Parameters<typeof createArticle>[2]>) =>
    createArticle(db, editor, { title: `${word} ${title}`, body: `Der ${word} zeigt einen Fehler. Schritte zur Lösung für ${title}.`, language: 'de', visibility: 'public', state: 'published', category: 'Hardware', ...extra });
  const [open, internal, draft, ours, theirs] = await Promise.all([
    make('neu starten', {}),
    make('interne Diagnose', { visibility: 'internal' }),
    make('Entwurf Firmware', { state: 'draft' }),
    make('Sonderfall Müller', { visibility: 'restricted', customerNumbers: ['K-10001'] }),
    make('Sonderfall Stadtwerke', { visibility: 'restricted', customerNumbers: ['K-10002'] }),
  ]);
  const files = await Promise.all(
    [open, internal, draft, ours, theirs].map((a) => addAttachment(db, editor, a.id, { filename: 'anleitung.txt', contentType: 'text/plain', content: Buffer.from(`Anleitung ${word}`) })),
  );
  return { open, internal, draft, ours, theirs, files };
}

describe('who sees which article in the portal', () => {
  it('shows a customer public articles and their own restricted ones, and nothing else exists for them', async () => {
    const word = 'Plotterschneider';
    const a = await articles(word);
    const visitor = await signedIn('K-10001');
    const visible = [a.open, a.ours];
    const hidden = [a.internal, a.draft, a.theirs];

    const search = await visitor.get(`/portal/kb?q=${word}`);
    expect(search.status).toBe(200);
    for (const v of visible) expect(search.html).toContain(`/portal/kb/${v.id}`);
    for (const h of hidden) expect(search.html).not.toContain(h.id);

    const suggestions = await visitor.get(`/portal/requests/new/suggestions?title=${encodeURIComponent(`${word} Fehler`)}`, { 'HX-Request': 'true' });
    expect(suggestions.status).toBe(200);
    expect(suggestions.html).toContain(`/portal/kb/${a.open.id}`);
    for (const h of hidden) expect(suggestions.html).not.toContain(h.id);

    const missing = await visitor.get(`/portal/kb/${randomUUID()}`);
    expect(missing.status).toBe(404);
    for (const [i, article] of [a.open, a.internal, a.draft, a.ours, a.theirs].entries()) {
      const page = await visitor.get(`/portal/kb/${article.id}`);
      const file = await visitor.get(`/portal/kb/${article.id}/attachments/${a.files[i]!.id}`);
      if (visible.includes(article)) {
        expect(page.status, article.title).toBe(200);
        expect(page.html).toContain(article.title);
        expect(file.status).toBe(200);
        expect(file.html).toBe(`Anleitung ${word}`);
        // Never rendered in the portal's origin, whatever type it came with.
        expect(file.headers.get('content-type')).toBe('application/octet-stream');
        expect(file.headers.get('content-disposition')).toMatch(/^attachment/);
      } else {
        // The same answer as an article that does not exist.
        expect(page.status, article.title).toBe(404);
        expect(page.html.replaceAll(article.id, '')).toBe(missing.html.replace(/\/portal\/kb\/[0-9a-f-]{36}/g, (m) => m.replace(/[0-9a-f-]{36}$/, '')));
        expect(file.status).toBe(404);
      }
    }
    // A file of a visible article named under another article is no file at all.
    expect((await visitor.get(`/portal/kb/${a.open.id}/attachments/${a.files[4]!.id}`)).status).toBe(404);
    // The other customer sees their own restricted article instead.
    const other = await signedIn('K-10002');
    expect((await other.get(`/portal/kb/${a.theirs.id}`)).status).toBe(200);
    expect((await other.get(`/portal/kb/${a.ours.id}`)).status).toBe(404);
  });

  it('browses by topic in the contact\'s language and links a translation', async () => {
    const visitor = await signedIn('K-10003');
    const home = await visitor.get('/portal/kb');
    expect(home.status).toBe(200);
    expect(home.html).toContain('Drucker &amp; Scanner');
    const topic = await visitor.get(`/portal/kb?category=${encodeURIComponent('Drucker & Scanner')}`);
    expect(topic.html).toContain('Drucker wird als „Offline“ angezeigt');
    // English demo articles are not listed on the German topic page.
    expect(topic.html).not.toContain('Printer shows as offline');
    const id = /\/portal\/kb\/([0-9a-f-]{36})">Drucker wird als/.exec(topic.html)![1]!;
    const page = await visitor.get(`/portal/kb/${id}`);
    expect(page.html).toMatch(/hreflang="en"/);
    expect(page.html).toContain('<nav');
    expect(page.html).toMatch(/href="\/portal\/kb"[^>]*aria-current="page"/);
  });
});

describe('votes and suggestions', () => {
  it('takes one vote per contact, and counts a suggestion opened from an unsent form as a deflection', async () => {
    const db = api.database.db;
    const article = await createArticle(db, editor, { title: 'Etikettendrucker druckt versetzt', body: 'Kalibrieren Sie den Etikettendrucker über die Feed-Taste.', language: 'de', visibility: 'public', state: 'published' });
    const visitor = await signedIn('K-10001');

    // Without JavaScript: the form's "find matching articles" button.
    const form = await visitor.get('/portal/requests/new');
    const submission = visitor.field('submission', form.html);
    const found = await visitor.post('/portal/requests', { title: 'Etikettendrucker druckt schief', description: '', intent: 'suggest', submission });
    expect(found.status).toBe(200);
    expect(found.html).toContain(`/portal/kb/${article.id}?from=${submission}`);
    expect(visitor.field('submission', found.html)).toBe(submission);

    const opened = await visitor.get(`/portal/kb/${article.id}?from=${submission}`);
    expect(opened.status).toBe(200);
    await visitor.get(`/portal/kb/${article.id}?from=${submission}`);
    expect((await visitor.post(`/portal/kb/${article.id}/vote`, { comment: 'ohne Wahl' })).status).toBe(400);
    const voted = await visitor.post(`/portal/kb/${article.id}/vote?from=${submission}`, { helpful: 'no', comment: 'Feed-Taste gibt es nicht.\r\nWelche Taste?' });
    expect(voted.status).toBe(303);
    expect(voted.location).toBe(`/portal/kb/${article.id}?voted=1&from=${submission}`);
    await visitor.post(`/portal/kb/${article.id}/vote`, { helpful: 'yes', comment: '' });

    const stats = (await articleStats(db, [article.id], 0)).get(article.id)!;
    expect(stats).toMatchObject({ helpful: 1, notHelpful: 0, suggestionOpens: 1, deflections: 1 });

    // Back to the form from the article: the same submission id, as long as it was not sent.
    expect(visitor.field('submission', (await visitor.get(`/portal/requests/new?submission=${submission}`)).html)).toBe(submission);
    expect(visitor.field('submission', (await visitor.get('/portal/requests/new?submission=made-up-submission-0001')).html)).not.toBe('made-up-submission-0001');
    // Opened, then a request sent after all (the route records it; the browser test sends a real
    // one): neither this form's suggestion nor the one opened shortly before saved a request.
    const second = await visitor.get('/portal/requests/new');
    const submission2 = visitor.field('submission', second.html);
    await visitor.get(`/portal/kb/${article.id}?from=${submission2}`);
    await recordSubmitted(db, { contactId: visitor.contactId, submission: submission2, incidentNumber: 'INC-2026-000001' });
    expect((await articleStats(db, [article.id], 0)).get(article.id)).toMatchObject({ suggestionOpens: 2, deflections: 0 });
    expect(visitor.field('submission', (await visitor.get(`/portal/requests/new?submission=${submission}`)).html)).not.toBe(submission);
    // A form already sent (its id opened a request) opens no suggestion and is not taken up again.
    const sent = newSubmission();
    await db.insert(incidentIntakes).values({ number: 'INC-2026-000777', request: {}, receivedAt: new Date(), idempotencyKey: `contact:${visitor.contactId}:${sent}` });
    await visitor.get(`/portal/kb/${article.id}?from=${sent}`);
    expect((await articleStats(db, [article.id], 0)).get(article.id)!.suggestionOpens).toBe(2);
    expect(visitor.field('submission', (await visitor.get(`/portal/requests/new?submission=${sent}`)).html)).not.toBe(sent);
    // Within the window a fresh open is not yet a deflection.
    const third = await visitor.get('/portal/requests/new');
    await visitor.get(`/portal/kb/${article.id}?from=${visitor.field('submission', third.html)}`);
    expect((await articleStats(db, [article.id], 30)).get(article.id)).toMatchObject({ suggestionOpens: 3, deflections: 0 });
  });

  it('suggests nothing for a title no article answers, and nothing before a few letters are typed', async () => {
    const visitor = await signedIn('K-10001');
    const none = await visitor.get('/portal/requests/new/suggestions?title=Speiseplan%20Kantine%20Mittwoch', { 'HX-Request': 'true' });
    expect(none.html).not.toContain('/portal/kb/');
    expect(none.html).toContain('Keine passenden Artikel');
    const short = await visitor.get('/portal/requests/new/suggestions?title=Dr', { 'HX-Request': 'true' });
    expect(short.html).not.toContain('/portal/kb/');
    expect(short.html).not.toContain('Keine passenden Artikel');
  });
});
