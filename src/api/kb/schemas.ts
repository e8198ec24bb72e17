import { z } from '@hono/zod-openapi';
import { kbStates, kbVisibilities, languages } from '../../domain/enums.js';
import { maxBodyLength, maxCategoryLength, maxTagLength, maxTags, maxTitleLength, maxVoteCommentLength } from '../../services/kb/index.js';
import { calendarDay, line, paging, queryInt, queryText, text } from '../common-schemas.js';

export const ArticleIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) });
export const AttachmentParams = ArticleIdParam.extend({ attachmentId: z.uuid().openapi({ param: { name: 'attachmentId', in: 'path' } }) });

const Language = z.enum(languages);
const Visibility = z.enum(kbVisibilities).openapi({ description: '`public`: the portal and staff; `internal`: staff only; `restricted`: staff and the contacts of `customerNumbers`.' });
const State = z.enum(kbStates).openapi({ description: 'Only `published` articles are searched and reach the portal. Publishing, archiving and changing a published article need the manager role.' });

const articleFields = {
  title: line(maxTitleLength),
  body: text(maxBodyLength).min(1).openapi({ description: 'Markdown. Rendered and sanitized (no scripts, styles or raw HTML); a `#` heading becomes a level-2 heading.' }),
  language: Language,
  visibility: Visibility,
  state: State.optional().openapi({ description: 'Default `draft`.' }),
  category: text(maxCategoryLength)
    .nullish()
    .transform((c) => c || null)
    .openapi({ description: 'Empty: none.' }),
  tags: z.array(line(maxTagLength)).max(maxTags).optional().openapi({ description: 'Stored lower-case, without repeats.' }),
  customerNumbers: z.array(line(50)).max(500).optional().openapi({ description: 'For `restricted`: the customers whose contacts see the article.' }),
  reviewBy: calendarDay.nullish().openapi({ description: 'When someone should check the article is still right; after it, the article is on the review list.' }),
  ownerId: z.uuid().nullish().openapi({ description: 'The user responsible for the article; default the author.' }),
};

export const ArticleBody = z
  .strictObject({ ...articleFields, translationOf: z.uuid().optional().openapi({ description: 'The article (another language) this one translates; they are linked as translations.' }) })
  .openapi('KbArticleInput');

export const ArticleUpdate = z
  .strictObject({ ...articleFields, version: z.number().int().min(1).optional().openapi({ description: 'The version the change was made on: if the article changed since, 409.' }) })
  .openapi('KbArticleUpdate');

const Stats = z
  .object({
    helpful: z.number().int(),
    notHelpful: z.number().int(),
    incidents: z.number().int().openapi({ description: 'Incidents the article is linked to.' }),
    suggestionOpens: z.number().int().openapi({ description: "Times a contact opened it from the portal's New request suggestions." }),
    deflections: z.number().int().openapi({ description: 'Of those, the forms not sent within the deflection window (KB_DEFLECTION_WINDOW_MINUTES): requests the article saved.' }),
  })
  .openapi('KbArticleStats');

const ArticleSummaryFields = {
  id: z.uuid(),
  language: Language,
  title: z.string(),
  category: z.string().nullable(),
  tags: z.array(z.string()),
  visibility: Visibility,
  customerNumbers: z.array(z.string()),
  state: State,
  ownerId: z.uuid().nullable(),
  reviewBy: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publishedAt: z.string().nullable(),
};

export const ArticleSummary = z.object(ArticleSummaryFields).openapi('KbArticleSummary');

export const Article = z
  .object({
    ...ArticleSummaryFields,
    body: z.string(),
    bodyHtml: z.string().openapi({ description: 'The body rendered and sanitized.' }),
    importKey: z.string().nullable().openapi({ description: 'The key an import created it by (POST /api/import/kb).' }),
    translations: z.array(z.object({ id: z.uuid(), language: Language, title: z.string(), state: State })),
    attachments: z.array(z.object({ id: z.uuid(), filename: z.string(), contentType: z.string(), sizeBytes: z.number().int(), searchable: z.boolean().openapi({ description: 'Its text (text file or PDF) is searched with the article.' }) })),
    stats: Stats,
  })
  .openapi('KbArticle');

export const ArticleListQuery = z.strictObject({
  category: queryText(maxCategoryLength).optional(),
  tag: queryText(maxTagLength).optional(),
  state: z.enum(kbStates).optional(),
  language: Language.optional(),
  visibility: z.enum(kbVisibilities).optional(),
  ...paging(50, 200),
});

export const ArticleList = z.object({ items: z.array(ArticleSummary), total: z.number().int(), limit: z.number().int(), offset: z.number().int() }).openapi('KbArticleList');

export const Version = z
  .object({
    version: z.number().int(),
    changedAt: z.string(),
    changedBy: z.object({ id: z.uuid().nullable(), name: z.string() }),
    changes: z.array(z.string()).openapi({ description: 'The fields this version changed (`created` for the first).' }),
    snapshot: z.record(z.string(), z.unknown()).openapi({ description: 'The article as this version left it.' }),
  })
  .openapi('KbArticleVersion');

export const SearchItem = z
  .object({
    id: z.uuid(),
    title: z.string(),
    snippet: z.string().openapi({ description: 'HTML: the matching part of the body, escaped, with the matched words in `<mark>`.' }),
    score: z.number().openapi({ description: 'Higher is better; comparable within one answer.' }),
    language: Language,
    visibility: Visibility,
  })
  .openapi('KbSearchItem');

export const SearchResult = z.object({ items: z.array(SearchItem) }).openapi('KbSearchResult');

export const SearchQuery = z.strictObject({
  q: queryText(500).pipe(z.string().min(1, 'give the words to search for')),
  language: Language.optional().openapi({ description: 'Preferred: its articles come first, the other language still answers when it matches better or alone.' }),
  audience: z.enum(['customer', 'agent']).default('agent').openapi({ description: '`customer`: only published public articles (what a customer would find); `agent`: every published article.' }),
  limit: queryInt(1, 50).default(10),
});

export const SuggestBody = z
  .strictObject({
    title: line(200),
    description: text(20_000).optional(),
    language: Language.optional(),
    audience: z.enum(['customer', 'agent']).default('customer').openapi({ description: 'Default `customer`: what a customer would be shown.' }),
  })
  .openapi('KbSuggestInput');

export const VoteBody = z.strictObject({ helpful: z.boolean(), comment: text(maxVoteCommentLength).nullish() }).openapi('KbVoteInput');

export const LinkBody = z.strictObject({ articleId: z.uuid() }).openapi('KbLinkInput');

export const LinkedArticle = z.object({ id: z.uuid(), title: z.string(), language: Language, state: State, visibility: Visibility, linkedAt: z.string() }).openapi('KbLinkedArticle');

export const ReviewItem = z
  .object({
    id: z.uuid(),
    title: z.string(),
    language: Language,
    state: State,
    reviewBy: z.string().nullable(),
    ownerId: z.uuid().nullable(),
    reasons: z.array(z.enum(['reviewDue', 'notHelpful'])),
    helpful: z.number().int(),
    notHelpful: z.number().int(),
    comments: z.array(z.string()).openapi({ description: 'The latest comments of "not helpful" votes.' }),
  })
  .openapi('KbReviewItem');

export const Synonyms = z
  .strictObject({ groups: z.array(z.array(line(60)).min(2).max(50)).max(1000).openapi({ description: 'Each group: words a searcher means alike, single words.' }) })
  .openapi('KbSynonyms');

export const AttachmentUpload = z.object({ file: z.instanceof(File).openapi({ type: 'string', format: 'binary' }) });
