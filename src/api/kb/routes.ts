// OpenAPI route specs of the knowledge base (/api/kb), its import (/api/import/kb) and the
// incidents' article links (/api/incidents/{number}/articles); handlers live in index.ts.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { maxAttachmentBytes, maxKbImportBytes } from '../../services/kb/index.js';
import type { AppEnv } from '../context.js';
import { problem } from '../problem.js';
import { requireRole } from '../auth.js';
import { json, problemResponses } from '../common-schemas.js';
import { IncidentNumberParam } from '../incidents/schemas.js';
import {
  Article,
  ArticleBody,
  ArticleIdParam,
  ArticleList,
  ArticleListQuery,
  ArticleUpdate,
  AttachmentParams,
  AttachmentUpload,
  LinkBody,
  LinkedArticle,
  ReviewItem,
  SearchQuery,
  SearchResult,
  SuggestBody,
  Synonyms,
  Version,
  VoteBody,
} from './schemas.js';

const security = [{ bearerAuth: [] }];
const tags = ['Knowledge base'];

export const createArticleRoute = createRoute({
  method: 'post',
  path: '/articles',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Write an article',
  description: 'Agents write drafts; a `state` other than `draft` needs the manager role (403). The first version of the history records the author.',
  request: { body: { required: true, content: json(ArticleBody) } },
  responses: { 201: { description: 'The article.', content: json(Article) }, ...problemResponses(400, 401, 403) },
});

export const listArticlesRoute = createRoute({
  method: 'get',
  path: '/articles',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Articles, filtered',
  description: 'Every article in any state, the latest changed first; `tag` matches one tag, `category` the category exactly.',
  request: { query: ArticleListQuery },
  responses: { 200: { description: 'A page of articles.', content: json(ArticleList) }, ...problemResponses(400, 401, 403) },
});

export const getArticleRoute = createRoute({
  method: 'get',
  path: '/articles/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'An article',
  description: 'With its translations, attachments and counts: votes, linked incidents, suggestion opens and deflections.',
  request: { params: ArticleIdParam },
  responses: { 200: { description: 'The article.', content: json(Article) }, ...problemResponses(400, 401, 403, 404) },
});

export const updateArticleRoute = createRoute({
  method: 'put',
  path: '/articles/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Change an article',
  description: 'Replaces the fields (those left out take their defaults; `reviewBy` and `ownerId` left out stay). Each change that changes something is a new version naming the changed fields; give `version` to refuse a change made on an outdated copy (409). Agents change drafts only.',
  request: { params: ArticleIdParam, body: { required: true, content: json(ArticleUpdate) } },
  responses: { 200: { description: 'The article.', content: json(Article) }, ...problemResponses(400, 401, 403, 404, 409) },
});

export const deleteArticleRoute = createRoute({
  method: 'delete',
  path: '/articles/{id}',
  middleware: [requireRole('manager')],
  tags,
  security,
  summary: 'Delete an article (manager)',
  description: 'With its versions, attachments, votes and incident links. To keep it for the record, archive it instead.',
  request: { params: ArticleIdParam },
  responses: { 204: { description: 'Deleted.' }, ...problemResponses(400, 401, 403, 404) },
});

export const versionsRoute = createRoute({
  method: 'get',
  path: '/articles/{id}/versions',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "An article's version history",
  description: 'Newest first: who changed which fields when, and the article as each version left it.',
  request: { params: ArticleIdParam },
  responses: { 200: { description: 'The versions.', content: json(z.object({ items: z.array(Version) })) }, ...problemResponses(400, 401, 403, 404) },
});

export const addAttachmentRoute = createRoute({
  method: 'post',
  path: '/articles/{id}/attachments',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Attach a file',
  description: `A multipart form with one \`file\` (at most ${maxAttachmentBytes / 1024 / 1024} MB). The text of text files and PDFs is searched with the article; other files are stored and offered.`,
  request: { params: ArticleIdParam, body: { required: true, content: { 'multipart/form-data': { schema: AttachmentUpload } } } },
  responses: {
    201: { description: 'The attachment.', content: json(z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), searchable: z.boolean() })) },
    ...problemResponses(400, 401, 403, 404, 413),
  },
});

export const getAttachmentRoute = createRoute({
  method: 'get',
  path: '/articles/{id}/attachments/{attachmentId}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Download an attachment',
  request: { params: AttachmentParams },
  responses: { 200: { description: 'The file, as an attachment.', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...problemResponses(400, 401, 403, 404) },
});

export const deleteAttachmentRoute = createRoute({
  method: 'delete',
  path: '/articles/{id}/attachments/{attachmentId}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Remove an attachment',
  request: { params: AttachmentParams },
  responses: { 204: { description: 'Removed.' }, ...problemResponses(400, 401, 403, 404) },
});

export const voteRoute = createRoute({
  method: 'post',
  path: '/articles/{id}/votes',
  middleware: [requireRole('sales')],
  tags,
  security,
  summary: 'Was this helpful?',
  description: 'One vote per user and article; a second replaces the first. Several "not helpful" votes put the article on the review list.',
  request: { params: ArticleIdParam, body: { required: true, content: json(VoteBody) } },
  responses: { 204: { description: 'Recorded.' }, ...problemResponses(400, 401, 403, 404) },
});

export const searchRoute = createRoute({
  method: 'get',
  path: '/search',
  middleware: [requireRole('sales')],
  tags,
  security,
  summary: 'Search the knowledge base',
  description:
    'German and English full text (stemmed, accents and umlauts folded, umlauts typed as ae/oe/ue, compounds split into the words the articles use, typos corrected against the articles\' words, synonyms from the dictionary), ranked with the title above tags above the body, combined with trigram similarity to the title. Translations of one article count once. Best first.',
  request: { query: SearchQuery },
  responses: { 200: { description: 'The matches.', content: json(SearchResult) }, ...problemResponses(400, 401, 403) },
});

export const suggestRoute = createRoute({
  method: 'post',
  path: '/suggest',
  middleware: [requireRole('sales')],
  tags,
  security,
  summary: 'Articles for a request about to be opened',
  description: 'At most 5, from the title and the start of the description; an empty list when nothing matches well (a customer is not shown noise).',
  request: { body: { required: true, content: json(SuggestBody) } },
  responses: { 200: { description: 'The suggestions.', content: json(SearchResult) }, ...problemResponses(400, 401, 403) },
});

export const reviewRoute = createRoute({
  method: 'get',
  path: '/review',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Articles to review',
  description: 'Articles not archived that are past their review-by date, or have KB_REVIEW_NOT_HELPFUL (default 3) or more "not helpful" votes; overdue first.',
  responses: { 200: { description: 'The list.', content: json(z.object({ items: z.array(ReviewItem) })) }, ...problemResponses(401, 403) },
});

export const getSynonymsRoute = createRoute({
  method: 'get',
  path: '/synonyms',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "The house's synonym groups",
  description: 'Besides the groups the search ships with (Kennwort/Passwort/Password, USV/UPS, …).',
  responses: { 200: { description: 'The groups.', content: json(Synonyms) }, ...problemResponses(401, 403) },
});

export const putSynonymsRoute = createRoute({
  method: 'put',
  path: '/synonyms',
  middleware: [requireRole('admin')],
  tags,
  security,
  summary: "Replace the house's synonym groups (admin)",
  request: { body: { required: true, content: json(Synonyms) } },
  responses: { 200: { description: 'The groups as stored (folded).', content: json(Synonyms) }, ...problemResponses(400, 401, 403) },
});

const KbImportResult = z.object({ entries: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), dryRun: z.boolean() }).openapi('KbImportResult');

const importTypes = ['text/markdown', 'text/x-markdown', 'text/csv', 'multipart/form-data'];
const importLimit = bodyLimit({ maxSize: maxKbImportBytes, onError: (c) => problem(c as Context<AppEnv>, 413, `The upload is larger than ${maxKbImportBytes / 1024 / 1024} MB; split it.`) });
const importTypesOnly = createMiddleware<AppEnv>(async (c, next) => {
  const type = (c.req.header('Content-Type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!importTypes.includes(type)) {
    return problem(c, 415, `Send text/markdown, text/csv or multipart/form-data (got ${type || 'none'}).`, { errors: [{ field: 'Content-Type', message: `send text/markdown, text/csv or multipart/form-data (got ${type || 'none'})` }] });
  }
  await next();
});

export const importKbRoute = createRoute({
  method: 'post',
  path: '/kb',
  middleware: [requireRole('admin'), importLimit, importTypesOnly],
  tags,
  security,
  summary: 'Import articles (admin)',
  description:
    'Markdown with YAML front matter (`text/markdown`, one file; or `multipart/form-data` with files `files`), or CSV (`text/csv`, columns key, title, language, category, tags, visibility, customerNumbers, state, reviewBy, translationOf, body; lists separated by "|"). Front matter: title, language, and optionally key (default: the file name), category, tags, visibility (default public), customerNumbers, state (default published), reviewBy, translationOf (the key of the article translated). Articles are created or updated by key, so importing again changes nothing. Every entry is checked before any is written: a 400 lists every bad one. `?dryRun=true` checks and counts only.',
  request: {
    query: z.strictObject({ dryRun: z.enum(['true', 'false']).default('false') }),
    body: {
      required: true,
      content: {
        'text/markdown': { schema: z.string().openapi({ example: '---\nkey: drucker-offline\ntitle: Drucker zeigt offline\nlanguage: de\ncategory: Drucker & Scanner\ntags: [drucker, offline]\n---\n## Lösung\n1. Drucker neu starten' }) },
        'text/csv': { schema: z.string() },
        // A plain schema, not zod: a zod one would have the form validated for every content type of
        // a required body (a Markdown or CSV upload refused as "files is required"), and one file is
        // no list in a parsed form. importFiles reads the form itself.
        'multipart/form-data': { schema: { type: 'object', properties: { files: { type: 'array', items: { type: 'string', format: 'binary' } } }, required: ['files'] } },
      },
    },
  },
  responses: { 200: { description: 'Imported (or checked).', content: json(KbImportResult) }, ...problemResponses(400, 401, 403, 413) },
});

export const linkArticleRoute = createRoute({
  method: 'post',
  path: '/{number}/articles',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Link an article to an incident',
  description: "Shown in the incident view (`articles`) and counted in the article's `stats.incidents`. Linking again changes nothing (200).",
  request: { params: IncidentNumberParam, body: { required: true, content: json(LinkBody) } },
  responses: {
    201: { description: 'Linked.', content: json(z.object({ items: z.array(LinkedArticle) })) },
    200: { description: 'Already linked.', content: json(z.object({ items: z.array(LinkedArticle) })) },
    ...problemResponses(400, 401, 403, 404),
  },
});

export const incidentArticlesRoute = createRoute({
  method: 'get',
  path: '/{number}/articles',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: "An incident's linked articles",
  request: { params: IncidentNumberParam },
  responses: { 200: { description: 'The linked articles.', content: json(z.object({ items: z.array(LinkedArticle) })) }, ...problemResponses(400, 401, 403, 404) },
});

export const unlinkArticleRoute = createRoute({
  method: 'delete',
  path: '/{number}/articles/{id}',
  middleware: [requireRole('agent')],
  tags,
  security,
  summary: 'Unlink an article from an incident',
  request: { params: IncidentNumberParam.extend(ArticleIdParam.shape) },
  responses: { 204: { description: 'Unlinked.' }, ...problemResponses(400, 401, 403, 404) },
});
