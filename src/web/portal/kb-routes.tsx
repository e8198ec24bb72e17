// Routes of the knowledge base in the portal: topics and search, an article with its vote and
// files, and the New request form's suggestions (htmx while typing; the form's "find matching
// articles" button without JavaScript). Every article goes through the access rule: one the
// contact may not see is the portal's 404, whether it exists or not.
import { Hono } from 'hono';
import { NotFound, ValidationError } from '../../domain/errors.js';
import { attachmentFor, customerAudience, portalArticle, portalArticleList, portalCategories, recordSuggestionOpened, searchArticles, suggestArticles, vote } from '../../services/kb/index.js';
import { submissionPattern } from '../../services/portal/actions.js';
import type { PortalEnv } from '../context.js';
import { checkCsrf, readForm } from '../forms.js';
import { pageContext, render, requireSignIn, seeOther, viewerOf, type PortalContext } from './http.js';
import { KbArticlePage, KbHomePage } from './kb-pages.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The least a title needs before suggestions are looked up. */
const minSuggestLength = 4;

const idOf = (c: PortalContext, name = 'id') => {
  const id = c.req.param(name) ?? '';
  if (!uuid.test(id)) throw new NotFound('No such article.');
  return id.toLowerCase();
};

const audienceOf = (c: PortalContext) => customerAudience(viewerOf(c).customerNumber);

/** Suggestions for the New request form's title and description (undefined: too little typed yet). */
export async function suggestionsFor(c: PortalContext, title: string, description: string) {
  if (title.trim().length < minSuggestLength) return undefined;
  return suggestArticles(c.var.services.db, { title: title.slice(0, 200), description: description.slice(0, 2000), language: c.var.language, audience: audienceOf(c) });
}

export const kbRoutes = new Hono<PortalEnv>()
  .use('/kb', requireSignIn)
  .use('/kb/*', requireSignIn)
  .get('/kb', async (c) => {
    const { db } = c.var.services;
    const audience = audienceOf(c);
    const q = (c.req.query('q') ?? '').trim().slice(0, 200);
    const categoryParam = c.req.query('category');
    const category = categoryParam === undefined ? undefined : categoryParam === '' ? null : categoryParam.slice(0, 80);
    const topics = await portalCategories(db, audience, c.var.language);
    let items;
    if (q) {
      items = (await searchArticles(db, { q, language: c.var.language, audience, limit: 20 })).map((h) => ({ id: h.id, title: h.title, category: h.category, snippet: h.snippet }));
    } else {
      items = (await portalArticleList(db, audience, c.var.language, category, category === undefined ? 10 : 100)).map((a) => ({ id: a.id, title: a.title, category: a.category, snippet: '' }));
    }
    return render(c, <KbHomePage p={pageContext(c)} q={q} category={category} topics={topics} items={items} searched={q !== ''} />);
  })
  .get('/kb/:id', async (c) => {
    const { db } = c.var.services;
    const viewer = viewerOf(c);
    const { article, translations, attachments } = await portalArticle(db, audienceOf(c), idOf(c));
    const fromParam = c.req.query('from');
    const from = fromParam && submissionPattern.test(fromParam) ? fromParam : undefined;
    // Opened from the New request form's suggestions: counted, and a deflection unless the form is sent.
    if (from) await recordSuggestionOpened(db, { articleId: article.id, contactId: viewer.contactId, submission: from });
    return render(
      c,
      <KbArticlePage
        p={pageContext(c)}
        article={{ ...article, translations, attachments }}
        from={from}
        voted={c.req.query('voted') === '1'}
        vote={undefined}
      />,
    );
  })
  .post('/kb/:id/vote', async (c) => {
    const { fields } = await readForm(c);
    checkCsrf(c, fields, pageContext(c).csrfToken);
    const id = idOf(c);
    const helpful = fields.helpful === 'yes' ? true : fields.helpful === 'no' ? false : undefined;
    if (helpful === undefined) throw new ValidationError('Choose yes or no.', 'helpful');
    await vote(c.var.services.db, id, { contactId: viewerOf(c).contactId }, { helpful, comment: (fields.comment ?? '').slice(0, 2000) }, audienceOf(c));
    const from = c.req.query('from');
    return seeOther(c, `/portal/kb/${id}?voted=1${from && submissionPattern.test(from) ? `&from=${encodeURIComponent(from)}` : ''}`);
  })
  .get('/kb/:id/attachments/:attachmentId', async (c) => {
    const file = await attachmentFor(c.var.services.db, audienceOf(c), idOf(c), idOf(c, 'attachmentId'));
    // Always a download, never rendered in our origin, as a request's files.
    return c.body(new Uint8Array(file.content), 200, {
      'Content-Type': 'application/octet-stream',
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
  });
