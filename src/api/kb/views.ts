// The knowledge base's answers: an explicit allow-list of fields per shape.
import type { ArticleDetail, ArticleRow } from '../../services/kb/index.js';

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

export function articleView({ article, translations, attachments, stats }: ArticleDetail) {
  return {
    ...summaryView(article),
    body: article.body,
    bodyHtml: article.bodyHtml,
    importKey: article.externalKey,
    translations: translations.map(({ id, language, title, state }) => ({ id, language, title, state })),
    attachments,
    stats,
  };
}

export const linkedArticleView = (a: { id: string; title: string; language: 'de' | 'en'; state: 'draft' | 'published' | 'archived'; visibility: 'public' | 'internal' | 'restricted'; linkedAt: Date }) => ({ ...a, linkedAt: a.linkedAt.toISOString() });
