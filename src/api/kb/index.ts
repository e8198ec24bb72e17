// The knowledge base's API: articles, search and suggestions, votes, the review list, the synonym
// dictionary, the import, and the incidents' article links.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ImportRejected } from '../../services/master-data/import.js';
import {
  addAttachment,
  articleDetail,
  articleVersions,
  attachmentFor,
  createArticle,
  deleteArticle,
  getArticle,
  houseSynonyms,
  importKb,
  incidentArticles,
  linkIncident,
  listArticles,
  maxAttachmentBytes,
  removeAttachment,
  replaceHouseSynonyms,
  reviewList,
  searchArticles,
  suggestArticles,
  unlinkIncident,
  updateArticle,
  vote,
  type ArticleRow,
  type KbActor,
  type KbImportFile,
} from '../../services/kb/index.js';
import { findIntake } from '../../services/incident-queries.js';
import { NotFound } from '../../domain/errors.js';
import { businessDate, defaultBusinessTimezone } from '../../domain/ticket-number.js';
import { createRouter, type AppEnv, type Principal } from '../context.js';
import { articleView, linkedArticleView, summaryView } from './views.js';
import { problem } from '../problem.js';
import {
  addAttachmentRoute,
  createArticleRoute,
  deleteArticleRoute,
  deleteAttachmentRoute,
  getArticleRoute,
  getAttachmentRoute,
  getSynonymsRoute,
  importKbRoute,
  incidentArticlesRoute,
  linkArticleRoute,
  listArticlesRoute,
  putSynonymsRoute,
  reviewRoute,
  searchRoute,
  suggestRoute,
  unlinkArticleRoute,
  updateArticleRoute,
  versionsRoute,
  voteRoute,
} from './routes.js';

const detailOf = async (c: Context<AppEnv>, row: ArticleRow) => articleView(await articleDetail(c.var.services.db, row, c.var.services.kb?.deflectionWindowMinutes));

const actorOf = (principal: Principal): KbActor => ({ userId: principal.userId, name: principal.name, role: principal.role });

/** Mounted at /api/kb. */
export const kbRouter = createRouter();

kbRouter.openapi(createArticleRoute, async (c) => {
  const row = await createArticle(c.var.services.db, actorOf(c.var.principal), c.req.valid('json'));
  c.header('Location', `/api/kb/articles/${row.id}`);
  return c.json(await detailOf(c, row), 201);
});

kbRouter.openapi(listArticlesRoute, async (c) => {
  const filter = c.req.valid('query');
  const { rows, total } = await listArticles(c.var.services.db, filter);
  return c.json({ items: rows.map(summaryView), total, limit: filter.limit, offset: filter.offset }, 200);
});

kbRouter.openapi(getArticleRoute, async (c) => c.json(await detailOf(c, await getArticle(c.var.services.db, c.req.valid('param').id)), 200));

kbRouter.openapi(updateArticleRoute, async (c) => {
  const row = await updateArticle(c.var.services.db, actorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json'));
  return c.json(await detailOf(c, row), 200);
});

kbRouter.openapi(deleteArticleRoute, async (c) => {
  await deleteArticle(c.var.services.db, actorOf(c.var.principal), c.req.valid('param').id);
  return c.body(null, 204);
});

kbRouter.openapi(versionsRoute, async (c) => {
  const rows = await articleVersions(c.var.services.db, c.req.valid('param').id);
  return c.json(
    {
      items: rows.map((v) => ({ version: v.version, changedAt: v.changedAt.toISOString(), changedBy: { id: v.changedById, name: v.changedByName }, changes: v.changes, snapshot: v.snapshot as Record<string, unknown> })),
    },
    200,
  );
});

const attachmentLimit = bodyLimit({ maxSize: maxAttachmentBytes + 64 * 1024, onError: (c) => problem(c as Context<AppEnv>, 413, `A file has at most ${maxAttachmentBytes / 1024 / 1024} MB.`) });
kbRouter.use('/articles/:id/attachments', attachmentLimit);

kbRouter.openapi(addAttachmentRoute, async (c) => {
  const { file } = c.req.valid('form');
  const attachment = await addAttachment(c.var.services.db, actorOf(c.var.principal), c.req.valid('param').id, { filename: file.name, contentType: file.type, content: Buffer.from(await file.arrayBuffer()) });
  return c.json(attachment, 201);
});

kbRouter.openapi(getAttachmentRoute, async (c) => {
  const { id, attachmentId } = c.req.valid('param');
  const file = await attachmentFor(c.var.services.db, 'staff', id, attachmentId);
  // Always a download with sniffing off, as the mail attachments: an HTML file must never render in our origin.
  return c.body(new Uint8Array(file.content), 200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
    'X-Content-Type-Options': 'nosniff',
  });
});

kbRouter.openapi(deleteAttachmentRoute, async (c) => {
  const { id, attachmentId } = c.req.valid('param');
  await removeAttachment(c.var.services.db, actorOf(c.var.principal), id, attachmentId);
  return c.body(null, 204);
});

kbRouter.openapi(voteRoute, async (c) => {
  await vote(c.var.services.db, c.req.valid('param').id, { userId: c.var.principal.userId }, c.req.valid('json'), { kind: 'agent' });
  return c.body(null, 204);
});

kbRouter.openapi(searchRoute, async (c) => {
  const { q, language, audience, limit } = c.req.valid('query');
  const items = await searchArticles(c.var.services.db, { q, language, audience: audience === 'agent' ? { kind: 'agent' } : { kind: 'customer' }, limit });
  return c.json({ items: items.map(({ category: _, ...item }) => item) }, 200);
});

kbRouter.openapi(suggestRoute, async (c) => {
  const { audience, ...input } = c.req.valid('json');
  const items = await suggestArticles(c.var.services.db, { ...input, audience: audience === 'agent' ? { kind: 'agent' } : { kind: 'customer' } });
  return c.json({ items: items.map(({ category: _, ...item }) => item) }, 200);
});

kbRouter.openapi(reviewRoute, async (c) => c.json({ items: await reviewList(c.var.services.db, businessDate(new Date(), c.var.services.timezone ?? defaultBusinessTimezone), c.var.services.kb?.reviewNotHelpful) }, 200));

kbRouter.openapi(getSynonymsRoute, async (c) => c.json({ groups: await houseSynonyms(c.var.services.db) }, 200));

kbRouter.openapi(putSynonymsRoute, async (c) => c.json({ groups: await replaceHouseSynonyms(c.var.services.db, c.req.valid('json').groups) }, 200));

/** Mounted at /api/import before the master-data import: /kb only. */
export const kbImportRouter = createRouter();

async function importFiles(c: Context<AppEnv>): Promise<KbImportFile[]> {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'multipart/form-data') {
    const form = await c.req.parseBody({ all: true });
    const given = form.files ?? form.file;
    const files = (Array.isArray(given) ? given : given ? [given] : []).filter((f): f is File => f instanceof File);
    return Promise.all(files.map(async (f) => ({ filename: f.name, text: (await f.text()).toWellFormed() })));
  }
  // One file in the body: a CSV, or a Markdown file whose front matter names its key.
  return [{ filename: type === 'text/csv' ? 'upload.csv' : '', text: (await c.req.text()).toWellFormed() }];
}

kbImportRouter.openapi(importKbRoute, async (c) => {
  try {
    return c.json(await importKb(c.var.services.db, actorOf(c.var.principal), await importFiles(c), { dryRun: c.req.valid('query').dryRun === 'true' }), 200);
  } catch (err) {
    if (err instanceof ImportRejected) return problem(c, 400, err.message, { errors: err.rowErrors }) as never;
    throw err;
  }
});

/** Mounted at /api/incidents: /{number}/articles. */
export const incidentArticlesRouter = createRouter();

incidentArticlesRouter.openapi(linkArticleRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { db } = c.var.services;
  const created = await linkIncident(db, number, c.req.valid('json').articleId, c.var.principal.userId);
  const items = (await incidentArticles(db, number)).map(linkedArticleView);
  return c.json({ items }, created ? 201 : 200);
});

incidentArticlesRouter.openapi(incidentArticlesRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { db } = c.var.services;
  if (!(await findIntake(db, number))) throw new NotFound(`Incident ${number} does not exist.`);
  const items = (await incidentArticles(db, number)).map(linkedArticleView);
  return c.json({ items }, 200);
});

incidentArticlesRouter.openapi(unlinkArticleRoute, async (c) => {
  const { number, id } = c.req.valid('param');
  await unlinkIncident(c.var.services.db, number, id);
  return c.body(null, 204);
});
