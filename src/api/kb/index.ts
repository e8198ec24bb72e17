// The knowledge base's API: articles, search and suggestions, votes, the review list, the synonym
// dictionary, the import, and the incidents' article links.
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ImportRejected } from '../../services/master-data/import.js';
import {
  addAttachment,
  articleStats,
  articleVersions,
  attachmentFor,
  attachmentsOf,
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
  translationsOf,
  unlinkIncident,
  updateArticle,
  vote,
  type ArticleRow,
  type KbActor,
  type KbImportFile,
} from '../../services/kb/index.js';
import { findIntake } from '../../services/incident-queries.js';
import { NotFound } from '../../domain/errors.js';
import { createRouter, type AppEnv, type Principal } from '../context.js';
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

const actorOf = (principal: Principal): KbActor => ({ userId: principal.userId, name: principal.name, role: principal.role });

export function summaryView(row: ArticleRow) {
  return {
    id: row.id,
    language: row.language,
    title: row.title,
    category: row.category,
    tags: row.tags,
    visibility: row.visibility,
    customerNumbers: row.customerNumbers,
    state: row.state,
    ownerId: row.ownerId,
    reviewBy: row.reviewBy,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    publishedAt: row.publishedAt?.toISOString() ?? null,
  };
}

async function articleView(c: Context<AppEnv>, row: ArticleRow) {
  const { db } = c.var.services;
  const [translations, attachments, stats] = await Promise.all([translationsOf(db, row), attachmentsOf(db, row.id), articleStats(db, [row.id], c.var.services.kb?.deflectionWindowMinutes)]);
  return {
    ...summaryView(row),
    body: row.body,
    bodyHtml: row.bodyHtml,
    importKey: row.externalKey,
    translations: translations.map(({ id, language, title, state }) => ({ id, language, title, state })),
    attachments,
    stats: stats.get(row.id)!,
  };
}

/** Today in the house's time zone, for review-by dates. */
const todayIn = (timezone: string | undefined) => new Intl.DateTimeFormat('en-CA', { timeZone: timezone ?? 'Europe/Berlin', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

/** Mounted at /api/kb. */
export const kbRouter = createRouter();

kbRouter.openapi(createArticleRoute, async (c) => {
  const row = await createArticle(c.var.services.db, actorOf(c.var.principal), c.req.valid('json'));
  c.header('Location', `/api/kb/articles/${row.id}`);
  return c.json(await articleView(c, row), 201);
});

kbRouter.openapi(listArticlesRoute, async (c) => {
  const filter = c.req.valid('query');
  const { rows, total } = await listArticles(c.var.services.db, filter);
  return c.json({ items: rows.map(summaryView), total, limit: filter.limit, offset: filter.offset }, 200);
});

kbRouter.openapi(getArticleRoute, async (c) => c.json(await articleView(c, await getArticle(c.var.services.db, c.req.valid('param').id)), 200));

kbRouter.openapi(updateArticleRoute, async (c) => {
  const row = await updateArticle(c.var.services.db, actorOf(c.var.principal), c.req.valid('param').id, c.req.valid('json'));
  return c.json(await articleView(c, row), 200);
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

export function fileResponse(file: { filename: string; contentType: string; content: Buffer }): Response {
  const ascii = file.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return new Response(new Uint8Array(file.content), {
    status: 200,
    headers: {
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
    },
  });
}

kbRouter.openapi(getAttachmentRoute, async (c) => {
  const { id, attachmentId } = c.req.valid('param');
  return fileResponse(await attachmentFor(c.var.services.db, 'staff', id, attachmentId));
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

kbRouter.openapi(reviewRoute, async (c) => c.json({ items: await reviewList(c.var.services.db, todayIn(c.var.services.timezone), c.var.services.kb?.reviewNotHelpful) }, 200));

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
  const items = (await incidentArticles(db, number)).map((a) => ({ ...a, linkedAt: a.linkedAt.toISOString() }));
  return c.json({ items }, created ? 201 : 200);
});

incidentArticlesRouter.openapi(incidentArticlesRoute, async (c) => {
  const { number } = c.req.valid('param');
  const { db } = c.var.services;
  if (!(await findIntake(db, number))) throw new NotFound(`Incident ${number} does not exist.`);
  const items = (await incidentArticles(db, number)).map((a) => ({ ...a, linkedAt: a.linkedAt.toISOString() }));
  return c.json({ items }, 200);
});

incidentArticlesRouter.openapi(unlinkArticleRoute, async (c) => {
  const { number, id } = c.req.valid('param');
  await unlinkIncident(c.var.services.db, number, id);
  return c.body(null, 204);
});
