// The knowledge base's API on a real Postgres, without Temporal: writing articles (sanitized
// Markdown, the role rule for publishing, versions and conflicts), listing, translations, the
// search and suggestions (who sees what), votes and the review list, attachments (text and PDF,
// searched with the article), incident links and the incident view's articles, the import
// (Markdown, CSV, multipart) and the house's synonyms. The corpus of 42 articles is loaded first,
// so searches compete with realistic articles; each test uses words no corpus article has.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/client.js';
import { customers, incidentIntakes, incidents } from '../../src/db/schema/index.js';
import { apiOnTestDatabase } from '../support/api-database.js';
import type { ApiAnswer } from '../support/api.js';
import { testIntake } from '../support/intake.js';
import { loadKbCorpus } from '../support/kb.js';
import { createUserWithToken, type TestUser } from '../support/users.js';

let corpus = new Map<string, string>();

async function seed(db: Db) {
  await db.insert(customers).values([
    { customerNumber: 'K-7001', name: 'Kessel GmbH' },
    { customerNumber: 'K-7002', name: 'Ofen AG' },
  ]);
  corpus = await loadKbCorpus(db);
}

const api = apiOnTestDatabase({ agent: ['agent', 'Anna Agentin'], manager: ['manager', 'Mia Managerin'], admin: 'admin', sales: 'sales' }, { seed });
const { agent, manager, admin, sales } = api.users;

const call = (user: TestUser, method: string, path: string, body?: unknown): Promise<ApiAnswer> => api.call(method, path, user, body);

/** A request with a body of our own (multipart, Markdown, CSV); the JSON answer parsed. */
async function send(user: TestUser, method: string, path: string, body: string | FormData, contentType?: string): Promise<ApiAnswer> {
  const res = await api.app.request(path, { method, headers: { Authorization: `Bearer ${user.token}`, ...(contentType ? { 'Content-Type': contentType } : {}) }, body });
  const text = await res.text();
  const type = res.headers.get('Content-Type');
  return { status: res.status, headers: res.headers, type, text, body: text && (type ?? '').includes('json') ? JSON.parse(text) : undefined };
}

type Input = Record<string, unknown>;
const draftOf = (extra: Input = {}): Input => ({ title: 'Testartikel', body: 'Ein Text.', language: 'de', visibility: 'public', ...extra });

async function create(user: TestUser, input: Input) {
  const res = await call(user, 'POST', '/api/kb/articles', input);
  expect(res.status, res.text).toBe(201);
  return res.body;
}
const publish = (input: Input) => create(manager, { ...draftOf(), state: 'published', ...input });

async function search(query: string, user: TestUser = agent): Promise<{ id: string; title: string; snippet: string; score: number; language: string; visibility: string }[]> {
  const res = await call(user, 'GET', `/api/kb/search?${query}`);
  expect(res.status, res.text).toBe(200);
  return res.body.items;
}
const searchIds = async (query: string, user?: TestUser) => (await search(query, user)).map((i) => i.id);

const fieldsOf = (res: ApiAnswer): string[] => (res.body?.errors ?? []).map((e: { field: string }) => e.field);

function minimalPdf(text: string): Uint8Array {
  const stream = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n` + offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

function upload(user: TestUser, articleId: string, file: File) {
  const form = new FormData();
  form.append('file', file);
  return send(user, 'POST', `/api/kb/articles/${articleId}/attachments`, form);
}

describe('POST /api/kb/articles', () => {
  it('creates a draft with sanitized HTML, clean tags and version 1', async () => {
    const res = await call(agent, 'POST', '/api/kb/articles', {
      title: 'Heizungssteuerung neu starten',
      body: '# Überblick\n\nDas ist **wichtig**.\n\n<script>alert("xss")</script>\n\n<img src=x onerror="alert(2)">',
      language: 'de',
      visibility: 'public',
      category: 'Gebäude',
      tags: [' Heizung ', 'heizung', 'HEIZUNG', 'Steuerung'],
    });
    expect(res.status, res.text).toBe(201);
    const a = res.body;
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('Location')).toBe(`/api/kb/articles/${a.id}`);
    expect(a).toMatchObject({ state: 'draft', version: 1, tags: ['heizung', 'steuerung'], ownerId: agent.id, publishedAt: null, language: 'de', category: 'Gebäude', translations: [], attachments: [] });
    expect(a.stats).toEqual({ helpful: 0, notHelpful: 0, incidents: 0, suggestionOpens: 0, deflections: 0 });
    expect(a.bodyHtml).toContain('<strong>wichtig</strong>');
    expect(a.bodyHtml).toContain('<h2>Überblick</h2>');
    expect(a.bodyHtml).not.toMatch(/<script|alert|onerror|<img|<h1/i);
    expect(a.body).toContain('<script>');
  });

  it.each([
    ['missing title', { title: undefined }, 'title'],
    ['an unknown language', { language: 'fr' }, 'language'],
    ['restricted without customers', { visibility: 'restricted' }, 'customerNumbers'],
    ['restricted to an unknown customer', { visibility: 'restricted', customerNumbers: ['K-7001', 'K-9999'] }, 'customerNumbers'],
    ['customers on a public article', { customerNumbers: ['K-7001'] }, 'customerNumbers'],
    ['an unknown field', { titel: 'Tippfehler' }, 'titel'],
    ['an unknown owner', { ownerId: randomUUID() }, 'ownerId'],
  ])('answers 400 naming the field for %s', async (_, extra, field) => {
    const res = await call(agent, 'POST', '/api/kb/articles', draftOf(extra));
    expect(res.status, res.text).toBe(400);
    expect(fieldsOf(res)).toContain(field);
  });

  it('lets only a manager create a published article', async () => {
    const refused = await call(agent, 'POST', '/api/kb/articles', draftOf({ state: 'published' }));
    expect(refused.status).toBe(403);
    expect((await call(agent, 'POST', '/api/kb/articles', draftOf({ state: 'archived' }))).status).toBe(403);
    const res = await call(manager, 'POST', '/api/kb/articles', draftOf({ state: 'published' }));
    expect(res.status, res.text).toBe(201);
    expect(res.body.state).toBe('published');
    expect(res.body.publishedAt).not.toBeNull();
  });

  it('keeps sales and anonymous callers out', async () => {
    expect((await call(sales, 'POST', '/api/kb/articles', draftOf())).status).toBe(403);
    const anonymous = await api.app.request('/api/kb/articles', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(draftOf()) });
    expect(anonymous.status).toBe(401);
  });
});

describe('GET and PUT /api/kb/articles/{id}', () => {
  it('reads an article by id, 404 for an unknown one and 400 for a malformed id', async () => {
    const a = await create(agent, draftOf({ title: 'Lesbarer Artikel' }));
    const res = await call(agent, 'GET', `/api/kb/articles/${a.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: a.id, title: 'Lesbarer Artikel', version: 1, body: 'Ein Text.', });
    expect(res.body.bodyHtml.trim()).toBe('<p>Ein Text.</p>');
    expect((await call(agent, 'GET', `/api/kb/articles/${randomUUID()}`)).status).toBe(404);
    const malformed = await call(agent, 'GET', '/api/kb/articles/not-a-uuid');
    expect(malformed.status).toBe(400);
    expect(fieldsOf(malformed)).toContain('id');
  });

  it('versions each change, refuses outdated ones, keeps the version when nothing changes, and lets agents change drafts only', async () => {
    const a = await create(agent, draftOf({ title: 'Entwurf Lüftung', tags: ['lüftung'] }));
    const changed = await call(agent, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Entwurf Lüftungsanlage', tags: ['lüftung'], body: 'Neuer **Text**.', version: 1 }));
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body).toMatchObject({ version: 2, title: 'Entwurf Lüftungsanlage' });
    expect(changed.body.bodyHtml.trim()).toBe('<p>Neuer <strong>Text</strong>.</p>');

    const outdated = await call(agent, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Auf alter Kopie', version: 1 }));
    expect(outdated.status).toBe(409);
    expect((await call(agent, 'GET', `/api/kb/articles/${a.id}`)).body.title).toBe('Entwurf Lüftungsanlage');

    const same = await call(agent, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Entwurf Lüftungsanlage', tags: ['Lüftung'], body: 'Neuer **Text**.', version: 2 }));
    expect(same.status, same.text).toBe(200);
    expect(same.body.version).toBe(2);

    const published = await call(manager, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Entwurf Lüftungsanlage', tags: ['lüftung'], body: 'Neuer **Text**.', state: 'published' }));
    expect(published.status, published.text).toBe(200);
    expect(published.body).toMatchObject({ version: 3, state: 'published' });
    expect(published.body.publishedAt).not.toBeNull();

    const byAgent = await call(agent, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Agent ändert Veröffentlichtes', tags: ['lüftung'], body: 'Neuer **Text**.', state: 'published' }));
    expect(byAgent.status).toBe(403);
    const backToDraft = await call(agent, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Entwurf Lüftungsanlage', tags: ['lüftung'], body: 'Neuer **Text**.', state: 'draft' }));
    expect(backToDraft.status).toBe(403);
    expect((await call(agent, 'PUT', `/api/kb/articles/${randomUUID()}`, draftOf())).status).toBe(404);

    const versions = await call(agent, 'GET', `/api/kb/articles/${a.id}/versions`);
    expect(versions.status).toBe(200);
    const items = versions.body.items as { version: number; changes: string[]; changedBy: { id: string; name: string }; snapshot: Record<string, unknown> }[];
    expect(items.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(items[0]!.changes).toEqual(['state']);
    expect(items[0]!.changedBy).toEqual({ id: manager.id, name: 'Mia Managerin' });
    expect([...items[1]!.changes].sort()).toEqual(['body', 'title']);
    expect(items[1]!.changedBy).toEqual({ id: agent.id, name: 'Anna Agentin' });
    expect(items[1]!.snapshot).toMatchObject({ title: 'Entwurf Lüftungsanlage', body: 'Neuer **Text**.' });
    expect(items[2]!.changes).toEqual(['created']);
    expect(items[2]!.snapshot).toMatchObject({ title: 'Entwurf Lüftung' });
    expect((await call(agent, 'GET', `/api/kb/articles/${randomUUID()}/versions`)).status).toBe(404);
  });

  it('keeps reviewBy and ownerId when a change leaves them out', async () => {
    const a = await create(agent, draftOf({ title: 'Mit Prüfdatum', reviewBy: '2031-05-01', ownerId: manager.id }));
    const res = await call(agent, 'PUT', `/api/kb/articles/${a.id}`, draftOf({ title: 'Mit Prüfdatum, geändert' }));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ reviewBy: '2031-05-01', ownerId: manager.id, version: 2 });
  });
});

describe('GET /api/kb/articles', () => {
  it('filters by category, tag, state and language, and pages with a total', async () => {
    const category = 'Filterprobe';
    const first = await create(agent, draftOf({ title: 'Filter eins', category, tags: ['filter-a'] }));
    const second = await publish({ title: 'Filter two', language: 'en', category, tags: ['filter-b'] });
    const third = await publish({ title: 'Filter drei', category, tags: ['filter-a', 'filter-b'] });
    await create(agent, draftOf({ title: 'Andere Kategorie', category: 'Filterprobe 2', tags: ['filter-a'] }));
    const ids = async (query: string) => {
      const res = await call(agent, 'GET', `/api/kb/articles?${query}`);
      expect(res.status, res.text).toBe(200);
      return { ids: (res.body.items as { id: string }[]).map((i) => i.id), total: res.body.total as number, body: res.body };
    };
    const cat = `category=${encodeURIComponent(category)}`;
    expect(await ids(cat)).toMatchObject({ ids: [third.id, second.id, first.id], total: 3 });
    expect(await ids(`${cat}&tag=filter-a`)).toMatchObject({ ids: [third.id, first.id], total: 2 });
    expect(await ids(`${cat}&tag=FILTER-B`)).toMatchObject({ ids: [third.id, second.id], total: 2 });
    expect(await ids(`${cat}&state=published`)).toMatchObject({ ids: [third.id, second.id], total: 2 });
    expect(await ids(`${cat}&state=draft`)).toMatchObject({ ids: [first.id], total: 1 });
    expect(await ids(`${cat}&language=en`)).toMatchObject({ ids: [second.id], total: 1 });
    const page = await ids(`${cat}&limit=1&offset=1`);
    expect(page).toMatchObject({ ids: [second.id], total: 3 });
    expect(page.body).toMatchObject({ limit: 1, offset: 1 });
    expect((await ids(`${cat}&limit=2&offset=2`)).ids).toEqual([first.id]);
    expect((await call(agent, 'GET', '/api/kb/articles?state=deleted')).status).toBe(400);
    expect((await call(agent, 'GET', '/api/kb/articles?colour=red')).status).toBe(400);
  });
});

describe('DELETE /api/kb/articles/{id}', () => {
  it('is for managers: agent 403, manager 204, then the article is gone', async () => {
    const a = await create(agent, draftOf({ title: 'Zu löschen' }));
    expect((await call(agent, 'DELETE', `/api/kb/articles/${a.id}`)).status).toBe(403);
    expect((await call(agent, 'GET', `/api/kb/articles/${a.id}`)).status).toBe(200);
    expect((await call(manager, 'DELETE', `/api/kb/articles/${a.id}`)).status).toBe(204);
    expect((await call(agent, 'GET', `/api/kb/articles/${a.id}`)).status).toBe(404);
    expect((await call(manager, 'DELETE', `/api/kb/articles/${a.id}`)).status).toBe(404);
  });
});

describe('translations', () => {
  it('links a translation both ways and refuses a second one into the same language', async () => {
    const de = await publish({ title: 'Schaltschrank öffnen', body: 'Den Schaltschrank öffnen.' });
    const en = await create(agent, draftOf({ title: 'Opening the control cabinet', body: 'Open the cabinet.', language: 'en', translationOf: de.id }));
    expect(en.translations).toEqual([{ id: de.id, language: 'de', title: 'Schaltschrank öffnen', state: 'published' }]);
    const deView = await call(agent, 'GET', `/api/kb/articles/${de.id}`);
    expect(deView.body.translations).toEqual([{ id: en.id, language: 'en', title: 'Opening the control cabinet', state: 'draft' }]);

    const again = await call(agent, 'POST', '/api/kb/articles', draftOf({ title: 'Another English one', language: 'en', translationOf: de.id }));
    expect(again.status).toBe(400);
    expect(fieldsOf(again)).toEqual(['translationOf']);
    const ofTranslation = await call(agent, 'POST', '/api/kb/articles', draftOf({ title: 'Noch ein deutscher', language: 'de', translationOf: en.id }));
    expect(ofTranslation.status).toBe(400);
    expect(fieldsOf(ofTranslation)).toEqual(['translationOf']);
    const unknown = await call(agent, 'POST', '/api/kb/articles', draftOf({ language: 'en', translationOf: randomUUID() }));
    expect(unknown.status).toBe(400);
    expect(fieldsOf(unknown)).toEqual(['translationOf']);
  });
});

describe('GET /api/kb/search', () => {
  it('finds a published article by an inflected word and by a typo', async () => {
    const a = await publish({ title: 'Pelletkessel zündet nicht', body: 'Wenn der Pelletkessel nicht zündet, prüfen Sie die Förderschnecke und den Brennraum.' });
    expect(await searchIds('q=Pelletkessels')).toContain(a.id);
    expect(await searchIds('q=F%C3%B6rderschnecken')).toContain(a.id);
    expect(await searchIds('q=Pelletkesel')).toContain(a.id);
    expect(await searchIds('q=Foerderschnecke')).toContain(a.id);
  });

  it('shows customers only published public articles, agents every published one', async () => {
    const word = 'Zisternenpumpe';
    const open = await publish({ title: `${word} läuft trocken`, body: `Die ${word} schaltet ab.` });
    const internal = await publish({ title: `${word} Relais intern`, body: `Interne Diagnose der ${word}.`, visibility: 'internal' });
    const restricted = await publish({ title: `${word} Sonderfall`, body: `Nur für Kessel: ${word}.`, visibility: 'restricted', customerNumbers: ['K-7001'] });
    const draft = await create(agent, draftOf({ title: `${word} Entwurf`, body: `Entwurf zur ${word}.` }));
    const archived = await publish({ title: `${word} alt`, body: `Alte ${word}.`, state: 'archived' });

    const forCustomer = await searchIds(`q=${word}&audience=customer`);
    expect(forCustomer).toEqual([open.id]);
    const forAgent = await searchIds(`q=${word}&audience=agent`);
    expect(new Set(forAgent)).toEqual(new Set([open.id, internal.id, restricted.id]));
    expect(forAgent).not.toContain(draft.id);
    expect(forAgent).not.toContain(archived.id);
    expect(new Set(await searchIds(`q=${word}`))).toEqual(new Set(forAgent));
    expect(await searchIds(`q=${word}&limit=2`)).toHaveLength(2);
    expect(await searchIds(`q=${word}&limit=1`, sales)).toHaveLength(1);
  });

  it('answers items of exactly id, title, snippet, score, language and visibility, the snippet escaped with the words marked', async () => {
    const a = await publish({ title: 'Kassenbondrucker', body: 'Der Kassenbondrucker zeigt `<b>Fehler & "42"</b>` an, dann hilft ein Neustart.' });
    const items = await search('q=Kassenbondrucker');
    const item = items.find((i) => i.id === a.id)!;
    expect(item).toBeDefined();
    expect(Object.keys(item).sort()).toEqual(['id', 'language', 'score', 'snippet', 'title', 'visibility']);
    expect(item).toMatchObject({ title: 'Kassenbondrucker', language: 'de', visibility: 'public' });
    expect(typeof item.score).toBe('number');
    expect(item.score).toBeGreaterThan(0);
    expect(item.snippet).toContain('<mark>Kassenbondrucker</mark>');
    expect(item.snippet).toContain('&amp;');
    expect(item.snippet).not.toContain('<b>');
    expect(item.snippet.replace(/<\/?mark>/g, '')).not.toMatch(/[<>"]/);
  });

  it('answers one of a translated pair, in the language asked for', async () => {
    const de = await publish({ title: 'Wärmemengenzähler ablesen', body: 'So lesen Sie den Wärmemengenzähler ab.', tags: ['heatmeter'] });
    const en = await publish({ title: 'Reading the heat meter', body: 'How to read the heat meter (heatmeter).', language: 'en', tags: ['heatmeter'], translationOf: de.id });
    const inEnglish = await searchIds('q=heatmeter&language=en');
    expect(inEnglish).toContain(en.id);
    expect(inEnglish).not.toContain(de.id);
    const inGerman = await searchIds('q=heatmeter&language=de');
    expect(inGerman).toContain(de.id);
    expect(inGerman).not.toContain(en.id);
  });

  it('answers 400 without q, for an empty q and for a limit out of range', async () => {
    const missing = await call(agent, 'GET', '/api/kb/search');
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing)).toContain('q');
    expect((await call(agent, 'GET', '/api/kb/search?q=')).status).toBe(400);
    expect((await call(agent, 'GET', '/api/kb/search?q=drucker&limit=0')).status).toBe(400);
    expect((await call(agent, 'GET', '/api/kb/search?q=drucker&limit=51')).status).toBe(400);
    expect((await call(agent, 'GET', '/api/kb/search?q=drucker&audience=everyone')).status).toBe(400);
  });
});

describe('POST /api/kb/suggest', () => {
  it('suggests at most five articles, none for an unrelated title', async () => {
    const res = await call(sales, 'POST', '/api/kb/suggest', { title: 'Drucker druckt nicht, Toner leer, Papierstau', description: 'Der Drucker im Büro zeigt Fehler.' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.length).toBeGreaterThan(0);
    expect(res.body.items.length).toBeLessThanOrEqual(5);
    const noise = await call(agent, 'POST', '/api/kb/suggest', { title: 'Speiseplan Kantine Mittwoch' });
    expect(noise.status).toBe(200);
    expect(noise.body.items).toEqual([]);
  });

  it('suggests what a customer would see by default, internal articles only for audience agent', async () => {
    const internal = await publish({ title: 'Notstromaggregat springt nicht an', body: 'Das Notstromaggregat prüfen.', visibility: 'internal' });
    const title = 'Notstromaggregat springt nicht an';
    const byDefault = await call(agent, 'POST', '/api/kb/suggest', { title });
    expect(byDefault.status).toBe(200);
    expect(byDefault.body.items.map((i: { id: string }) => i.id)).not.toContain(internal.id);
    const forAgent = await call(agent, 'POST', '/api/kb/suggest', { title, audience: 'agent' });
    expect(forAgent.body.items.map((i: { id: string }) => i.id)).toContain(internal.id);
    expect((await call(agent, 'POST', '/api/kb/suggest', {})).status).toBe(400);
  });
});

describe('votes and the review list', () => {
  it('counts one vote per user, the latest, and lists an article with three "not helpful" votes', async () => {
    const a = await publish({ title: 'Wenig hilfreicher Artikel' });
    const path = `/api/kb/articles/${a.id}/votes`;
    const stats = async () => (await call(agent, 'GET', `/api/kb/articles/${a.id}`)).body.stats;
    expect((await call(agent, 'POST', path, { helpful: false, comment: 'Schritt 3 fehlt' })).status).toBe(204);
    expect(await stats()).toMatchObject({ helpful: 0, notHelpful: 1 });
    expect((await call(agent, 'POST', path, { helpful: true })).status).toBe(204);
    expect(await stats()).toMatchObject({ helpful: 1, notHelpful: 0 });
    expect((await call(agent, 'POST', path, { helpful: false, comment: 'Schritt 3 fehlt immer noch' })).status).toBe(204);
    expect(await stats()).toMatchObject({ helpful: 0, notHelpful: 1 });

    const reviewIds = async () => {
      const res = await call(agent, 'GET', '/api/kb/review');
      expect(res.status).toBe(200);
      return res.body.items as { id: string; reasons: string[]; comments: string[]; notHelpful: number }[];
    };
    const second = await createUserWithToken(api.database.db, 'agent', 'Zweiter Agent');
    expect((await call(sales, 'POST', path, { helpful: false })).status).toBe(204);
    expect(await stats()).toMatchObject({ notHelpful: 2 });
    expect((await reviewIds()).map((i) => i.id)).not.toContain(a.id);
    expect((await call(second, 'POST', path, { helpful: false, comment: 'Veraltet' })).status).toBe(204);

    const item = (await reviewIds()).find((i) => i.id === a.id);
    expect(item).toMatchObject({ reasons: ['notHelpful'], notHelpful: 3 });
    expect(new Set(item!.comments)).toEqual(new Set(['Schritt 3 fehlt immer noch', 'Veraltet']));

    expect((await call(agent, 'POST', `/api/kb/articles/${randomUUID()}/votes`, { helpful: true })).status).toBe(404);
    expect((await call(agent, 'POST', path, { helpful: 'ja' })).status).toBe(400);

    // A change is the review: the votes before it no longer put the article on the list.
    const current = (await call(agent, 'GET', `/api/kb/articles/${a.id}`)).body;
    const changed = await call(manager, 'PUT', `/api/kb/articles/${a.id}`, { title: current.title, body: `${current.body}\n\nSchritt 3: neu starten.`, language: 'de', visibility: 'public', state: 'published' });
    expect(changed.status, changed.text).toBe(200);
    expect((await reviewIds()).map((i) => i.id)).not.toContain(a.id);
  });

  it('lists articles past their review-by date, not archived or future ones', async () => {
    const due = await create(agent, draftOf({ title: 'Überfällig', reviewBy: '2020-01-01' }));
    const later = await create(agent, draftOf({ title: 'Noch nicht fällig', reviewBy: '2099-01-01' }));
    const archived = await publish({ title: 'Archiviert und überfällig', reviewBy: '2020-01-01', state: 'archived' });
    const res = await call(agent, 'GET', '/api/kb/review');
    expect(res.status).toBe(200);
    const items = res.body.items as { id: string; reasons: string[]; reviewBy: string }[];
    expect(items.find((i) => i.id === due.id)).toMatchObject({ reasons: ['reviewDue'], reviewBy: '2020-01-01', state: 'draft' });
    expect(items.map((i) => i.id)).not.toContain(later.id);
    expect(items.map((i) => i.id)).not.toContain(archived.id);
    expect((await call(sales, 'GET', '/api/kb/review')).status).toBe(403);
  });
});

describe('attachments', () => {
  it('searches a text file with its article and offers it for download', async () => {
    const a = await publish({ title: 'Taktgeber der Steuerung', body: 'Siehe Anhang.' });
    expect(await searchIds('q=Quarzoszillator')).not.toContain(a.id);
    const content = 'Der Quarzoszillator der Steuerung schwingt mit 16 MHz.';
    // A published article's files are changed as its text is: by a publisher, as a new version.
    const refused = await upload(agent, a.id, new File([content], 'taktgeber.txt', { type: 'text/plain' }));
    expect(refused.status).toBe(403);
    const res = await upload(manager, a.id, new File([content], 'taktgeber.txt', { type: 'text/plain' }));
    expect(res.status, res.text).toBe(201);
    const versions = await call(agent, 'GET', `/api/kb/articles/${a.id}/versions`);
    expect(versions.body.items[0]).toMatchObject({ changes: ['attachments'], changedBy: { name: manager.name } });
    expect(res.body).toMatchObject({ filename: 'taktgeber.txt', sizeBytes: Buffer.byteLength(content), searchable: true });
    expect(res.body.contentType).toMatch(/^text\/plain/);
    expect(await searchIds('q=Quarzoszillator')).toContain(a.id);

    const view = await call(agent, 'GET', `/api/kb/articles/${a.id}`);
    expect(view.body.attachments).toEqual([{ id: res.body.id, filename: 'taktgeber.txt', contentType: res.body.contentType, sizeBytes: Buffer.byteLength(content), searchable: true }]);

    const download = await api.app.request(`/api/kb/articles/${a.id}/attachments/${res.body.id}`, { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('Content-Disposition')).toMatch(/^attachment; filename="taktgeber\.txt"/);
    expect(Buffer.from(await download.arrayBuffer()).toString('utf8')).toBe(content);
    expect((await call(agent, 'GET', `/api/kb/articles/${a.id}/attachments/${randomUUID()}`)).status).toBe(404);
  });

  it('searches the text of a PDF until the attachment is removed', async () => {
    const a = await publish({ title: 'Datenblatt Sensor', body: 'Das Datenblatt liegt bei.' });
    const pdf = minimalPdf('Piezokeramik Messbereich');
    const res = await upload(manager, a.id, new File([pdf], 'datenblatt.pdf', { type: 'application/pdf' }));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ searchable: true, contentType: 'application/pdf', sizeBytes: pdf.length });
    expect(await searchIds('q=Piezokeramik')).toContain(a.id);

    const download = await api.app.request(`/api/kb/articles/${a.id}/attachments/${res.body.id}`, { headers: { Authorization: `Bearer ${agent.token}` } });
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(pdf);

    expect((await call(agent, 'DELETE', `/api/kb/articles/${a.id}/attachments/${res.body.id}`)).status).toBe(403);
    expect((await call(manager, 'DELETE', `/api/kb/articles/${a.id}/attachments/${res.body.id}`)).status).toBe(204);
    expect(await searchIds('q=Piezokeramik')).not.toContain(a.id);
    expect((await call(agent, 'GET', `/api/kb/articles/${a.id}`)).body.attachments).toEqual([]);
    expect((await call(manager, 'DELETE', `/api/kb/articles/${a.id}/attachments/${res.body.id}`)).status).toBe(404);
  });

  it('stores a file without text as not searchable, refuses an empty file and an unknown article', async () => {
    const a = await create(agent, draftOf({ title: 'Mit Bild' }));
    const image = await upload(agent, a.id, new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], 'bild.png', { type: 'image/png' }));
    expect(image.status, image.text).toBe(201);
    expect(image.body.searchable).toBe(false);
    const empty = await upload(agent, a.id, new File([], 'leer.txt', { type: 'text/plain' }));
    expect(empty.status).toBe(400);
    expect(fieldsOf(empty)).toContain('file');
    expect((await upload(agent, randomUUID(), new File(['x'], 'x.txt', { type: 'text/plain' }))).status).toBe(404);
  });
});

describe('incident links', () => {
  const number = 'INC-2026-000501';
  async function incident(n: string, title: string, description = '') {
    const now = new Date();
    await api.database.db.insert(incidentIntakes).values({ number: n, request: testIntake({ number: n, title, description }), receivedAt: now });
    await api.database.db.insert(incidents).values({ number: n, title, description, channel: 'api', priority: 'P3', status: 'new', receivedAt: now, updatedAt: now, version: 1 });
  }

  it('links an article once, lists it, counts it and leaves it out of the suggestions', async () => {
    await incident(number, 'Tonerkartusche wechseln', 'Der Drucker meldet Toner leer.');
    const toner = corpus.get('tonerkartusche-wechseln')!;
    expect(toner).toBeDefined();

    const before = await call(agent, 'GET', `/api/incidents/${number}`);
    expect(before.status, before.text).toBe(200);
    expect(before.body.articles).toEqual([]);
    const suggested = before.body.suggestedArticles as { id: string }[];
    expect(suggested.map((s) => s.id)).toContain(toner);
    expect(Object.keys(suggested[0]!).sort()).toEqual(['id', 'language', 'score', 'snippet', 'title', 'visibility']);

    const other = await publish({ title: 'Tonerkartusche entsorgen', body: 'Leere Tonerkartusche zurückgeben.' });
    const linked = await call(agent, 'POST', `/api/incidents/${number}/articles`, { articleId: toner });
    expect(linked.status, linked.text).toBe(201);
    expect(linked.body.items).toEqual([expect.objectContaining({ id: toner, title: 'Tonerkartusche wechseln', language: 'de', state: 'published', visibility: 'public' })]);
    const again = await call(agent, 'POST', `/api/incidents/${number}/articles`, { articleId: toner });
    expect(again.status).toBe(200);
    expect(again.body.items).toHaveLength(1);

    const list = await call(agent, 'GET', `/api/incidents/${number}/articles`);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([toner]);
    expect((await call(agent, 'GET', `/api/kb/articles/${toner}`)).body.stats.incidents).toBe(1);

    const after = await call(agent, 'GET', `/api/incidents/${number}`);
    expect(after.status).toBe(200);
    expect(after.body.articles).toEqual([{ id: toner, title: 'Tonerkartusche wechseln', language: 'de', visibility: 'public' }]);
    const afterIds = (after.body.suggestedArticles as { id: string }[]).map((s) => s.id);
    expect(afterIds).not.toContain(toner);
    expect(afterIds).toContain(other.id);

    expect((await call(agent, 'DELETE', `/api/incidents/${number}/articles/${toner}`)).status).toBe(204);
    expect((await call(agent, 'GET', `/api/incidents/${number}/articles`)).body.items).toEqual([]);
    expect((await call(agent, 'DELETE', `/api/incidents/${number}/articles/${toner}`)).status).toBe(404);
  });

  it('answers 404 for an unknown incident and 400 for an unknown article', async () => {
    const unknownIncident = await call(agent, 'POST', '/api/incidents/INC-2026-009999/articles', { articleId: corpus.get('tonerkartusche-wechseln') });
    expect(unknownIncident.status).toBe(404);
    expect((await call(agent, 'GET', '/api/incidents/INC-2026-009999/articles')).status).toBe(404);
    await incident('INC-2026-000502', 'Bildschirm bleibt schwarz');
    const unknownArticle = await call(agent, 'POST', '/api/incidents/INC-2026-000502/articles', { articleId: randomUUID() });
    expect(unknownArticle.status).toBe(400);
    expect(fieldsOf(unknownArticle)).toEqual(['articleId']);
    expect((await call(sales, 'GET', '/api/incidents/INC-2026-000502/articles')).status).toBe(403);
  });
});

describe('POST /api/import/kb', () => {
  const markdown = (body: string, meta = 'key: imp-heizkreis\ntitle: Heizkreispumpe entlüften\nlanguage: de\ncategory: Importprobe\ntags: [Heizung, Pumpe, heizung]') => `---\n${meta}\n---\n${body}\n`;
  const importKb = (user: TestUser, body: string | FormData, type: string, query = '') => send(user, 'POST', `/api/import/kb${query}`, body, type);
  const byCategory = async (category: string) => (await call(agent, 'GET', `/api/kb/articles?category=${encodeURIComponent(category)}`)).body;

  it('is for admins only', async () => {
    expect((await importKb(agent, markdown('Text'), 'text/markdown')).status).toBe(403);
    expect((await importKb(manager, markdown('Text'), 'text/markdown')).status).toBe(403);
    // The role is checked before the upload's type.
    expect((await importKb(sales, '{}', 'application/json')).status).toBe(403);
    expect((await byCategory('Importprobe')).total).toBe(0);
  });

  it('creates a Markdown article by key, then leaves it unchanged, then updates it', async () => {
    const first = await importKb(admin, markdown('## Lösung\n1. Pumpe entlüften'), 'text/markdown');
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ entries: 1, created: 1, updated: 0, unchanged: 0, dryRun: false });
    const listed = await byCategory('Importprobe');
    expect(listed.total).toBe(1);
    expect(listed.items[0]).toMatchObject({ title: 'Heizkreispumpe entlüften', language: 'de', tags: ['heizung', 'pumpe'], state: 'published', visibility: 'public', version: 1 });
    const article = (await call(agent, 'GET', `/api/kb/articles/${listed.items[0].id}`)).body;
    expect(article.importKey).toBe('imp-heizkreis');
    expect(article.bodyHtml).toContain('<h2>Lösung</h2>');

    const second = await importKb(admin, markdown('## Lösung\n1. Pumpe entlüften'), 'text/markdown');
    expect(second.body).toEqual({ entries: 1, created: 0, updated: 0, unchanged: 1, dryRun: false });
    const third = await importKb(admin, markdown('## Lösung\n1. Pumpe entlüften\n2. Druck prüfen'), 'text/markdown');
    expect(third.body).toEqual({ entries: 1, created: 0, updated: 1, unchanged: 0, dryRun: false });
    const updated = await byCategory('Importprobe');
    expect(updated.total).toBe(1);
    expect(updated.items[0]).toMatchObject({ id: article.id, version: 2 });
  });

  it('imports CSV rows with "|" lists', async () => {
    const csv = 'key;title;language;category;tags;visibility;state;body\nimp-csv-1;CSV Artikel eins;de;CSV-Probe;Alpha|Beta;internal;draft;Erster Text\nimp-csv-2;CSV article two;en;CSV-Probe;;public;published;Second text\n';
    const res = await importKb(admin, csv, 'text/csv');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ entries: 2, created: 2 });
    const listed = await byCategory('CSV-Probe');
    const byTitle = new Map((listed.items as { title: string }[]).map((i) => [i.title, i]));
    expect(byTitle.get('CSV Artikel eins')).toMatchObject({ tags: ['alpha', 'beta'], visibility: 'internal', state: 'draft', language: 'de' });
    expect(byTitle.get('CSV article two')).toMatchObject({ tags: [], visibility: 'public', state: 'published', language: 'en' });
  });

  it('refuses an upload with a bad entry, naming it, and writes none of it', async () => {
    const csv = 'key;title;language;category;tags;visibility;state;body\nimp-bad-1;Gut;de;Fehlerprobe;;public;published;Text\nimp-bad-2;Schlecht;xx;Fehlerprobe;;public;published;Text\n';
    const res = await importKb(admin, csv, 'text/csv');
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: expect.stringMatching(/line 3.*language/) })]);
    expect((await byCategory('Fehlerprobe')).total).toBe(0);
    const md = await importKb(admin, markdown('Text', 'key: imp-bad-md\ntitle: Schlecht\nlanguage: xx'), 'text/markdown');
    expect(md.status).toBe(400);
    expect(md.body.errors.map((e: { field: string }) => e.field).join(' ')).toMatch(/language/);
  });

  it('links translations named in any order, refuses one of itself, and writes nothing when one entry breaks a rule', async () => {
    const form = new FormData();
    form.append('files', new File([markdown('English', 'title: Chain English\nlanguage: en\ncategory: Kettenprobe\ntranslationOf: imp-chain-de')], 'imp-chain-en.md'));
    form.append('files', new File([markdown('Deutsch', 'title: Kette deutsch\nlanguage: de\ncategory: Kettenprobe')], 'imp-chain-de.md'));
    const res = await send(admin, 'POST', '/api/import/kb', form);
    expect(res.status, res.text).toBe(200);
    const listed = (await byCategory('Kettenprobe')).items as { id: string; language: string }[];
    const de = listed.find((i) => i.language === 'de')!;
    expect((await call(agent, 'GET', `/api/kb/articles/${de.id}`)).body.translations).toEqual([expect.objectContaining({ language: 'en' })]);

    const itself = await importKb(admin, markdown('Text', 'key: imp-self\ntitle: Selbst\nlanguage: de\ntranslationOf: imp-self'), 'text/markdown');
    expect(itself.status).toBe(400);
    expect(itself.body.errors[0].field).toBe('key imp-self: translationOf');

    // A second English translation of imp-chain-de: the database refuses it, and the good entry before it is not kept.
    const both = new FormData();
    both.append('files', new File([markdown('Gut', 'title: Alles oder nichts\nlanguage: de\ncategory: Allesodernichts')], 'imp-good.md'));
    both.append('files', new File([markdown('Second', 'title: Second English\nlanguage: en\ntranslationOf: imp-chain-de')], 'imp-second-en.md'));
    const refused = await send(admin, 'POST', '/api/import/kb', both);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors[0].field).toBe('key imp-second-en: translationOf');
    expect((await byCategory('Allesodernichts')).total).toBe(0);

    const badDate = await importKb(admin, markdown('Text', 'key: imp-date\ntitle: Datum\nlanguage: de\nreviewBy: 0000-01-01'), 'text/markdown');
    expect(badDate.status).toBe(400);
    const control = await importKb(admin, markdown('Text mit \u0002 Steuerzeichen', 'key: imp-ctl\ntitle: Steuerzeichen\nlanguage: de'), 'text/markdown');
    expect(control.status).toBe(400);
    expect(control.body.errors[0].field).toMatch(/body/);
  });

  it('imports several Markdown files of a form and links a translation by key', async () => {
    const form = new FormData();
    form.append('files', new File([markdown('Deutscher Text', 'title: Mehrdatei deutsch\nlanguage: de\ncategory: Mehrdateiprobe')], 'imp-multi-a.md', { type: 'text/markdown' }));
    form.append('files', new File([markdown('English text', 'title: Multi file English\nlanguage: en\ncategory: Mehrdateiprobe\ntranslationOf: imp-multi-a')], 'imp-multi-b.md', { type: 'text/markdown' }));
    const res = await send(admin, 'POST', '/api/import/kb', form);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ entries: 2, created: 2 });
    const listed = await byCategory('Mehrdateiprobe');
    expect(listed.total).toBe(2);
    const de = (listed.items as { id: string; language: string }[]).find((i) => i.language === 'de')!;
    const en = (listed.items as { id: string; language: string }[]).find((i) => i.language === 'en')!;
    const view = (await call(agent, 'GET', `/api/kb/articles/${de.id}`)).body;
    expect(view.importKey).toBe('imp-multi-a');
    expect(view.translations).toEqual([expect.objectContaining({ id: en.id, language: 'en' })]);
  });

  it('imports one Markdown file of a form', async () => {
    const form = new FormData();
    form.append('files', new File([markdown('Ein Text', 'title: Einzeldatei\nlanguage: de\ncategory: Einzeldateiprobe')], 'imp-single.md', { type: 'text/markdown' }));
    const res = await send(admin, 'POST', '/api/import/kb', form);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ entries: 1, created: 1 });
  });

  it('writes nothing on a dry run, and refuses other content types with 415', async () => {
    const md = markdown('Text', 'key: imp-dry\ntitle: Trockenlauf\nlanguage: de\ncategory: Trockenprobe');
    const dry = await importKb(admin, md, 'text/markdown', '?dryRun=true');
    expect(dry.status, dry.text).toBe(200);
    expect(dry.body).toEqual({ entries: 1, created: 1, updated: 0, unchanged: 0, dryRun: true });
    expect((await byCategory('Trockenprobe')).total).toBe(0);
    const wrong = await importKb(admin, JSON.stringify({ title: 'x' }), 'application/json');
    expect(wrong.status).toBe(415);
    expect((await byCategory('Trockenprobe')).total).toBe(0);
  });
});

describe('synonyms', () => {
  it('finds an article by a house synonym once an admin adds the group', async () => {
    const a = await publish({ title: 'Kassenterminal an der Zapfsäule', body: 'Das Terminal an der Zapfsäule neu starten.' });
    expect(await searchIds('q=Tankstelle')).not.toContain(a.id);
    const put = await call(admin, 'PUT', '/api/kb/synonyms', { groups: [['Zapfsäule', 'Tankstelle']] });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toEqual({ groups: [['zapfsaule', 'tankstelle']] });
    expect((await call(agent, 'GET', '/api/kb/synonyms')).body).toEqual({ groups: [['zapfsaule', 'tankstelle']] });
    expect(await searchIds('q=Tankstelle')).toContain(a.id);
  });

  it('is changed by admins only, with groups of at least two words', async () => {
    expect((await call(agent, 'PUT', '/api/kb/synonyms', { groups: [['Zapfhahn', 'Tankventil']] })).status).toBe(403);
    expect((await call(manager, 'PUT', '/api/kb/synonyms', { groups: [['Zapfhahn', 'Tankventil']] })).status).toBe(403);
    const single = await call(admin, 'PUT', '/api/kb/synonyms', { groups: [['Zapfhahn']] });
    expect(single.status).toBe(400);
    expect(fieldsOf(single)[0]).toMatch(/^groups\.0/);
    const same = await call(admin, 'PUT', '/api/kb/synonyms', { groups: [['Zapfhahn', 'zapfhahn']] });
    expect(same.status).toBe(400);
    const phrase = await call(admin, 'PUT', '/api/kb/synonyms', { groups: [['Zapf hahn', 'Ventil']] });
    expect(phrase.status).toBe(400);
    expect((await call(agent, 'GET', '/api/kb/synonyms')).body.groups).toEqual([['zapfsaule', 'tankstelle']]);
  });
});
