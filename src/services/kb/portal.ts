// The knowledge base as a customer's portal shows it: topics, lists, one article with the
// translations and files the customer may see. Everything goes through the access rule (access.ts).
import { and, asc, count, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { kbArticles } from '../../db/schema/index.js';
import type { Language } from '../../domain/enums.js';
import { NotFound } from '../../domain/errors.js';
import { canSee, visibleArticles, type KbAudience } from './access.js';
import { attachmentsOf, translationsOf } from './articles.js';

export const customerAudience = (customerNumber: string): KbAudience => ({ kind: 'customer', customerNumber });

/** The topics with their article counts, in the language given. */
export async function portalCategories(db: Db, audience: KbAudience, language: Language) {
  return db
    .select({ category: kbArticles.category, count: count() })
    .from(kbArticles)
    .where(and(visibleArticles(audience), eq(kbArticles.language, language)))
    .groupBy(kbArticles.category)
    .orderBy(sql`${kbArticles.category} asc nulls last`);
}

/** The articles of one topic (null: those without one), or the latest published, in the language given. */
export async function portalArticleList(db: Db, audience: KbAudience, language: Language, category: string | null | undefined, limit = 50) {
  const topic = category === undefined ? undefined : category === null ? sql`${kbArticles.category} is null` : eq(kbArticles.category, category);
  return db
    .select({ id: kbArticles.id, title: kbArticles.title, category: kbArticles.category, updatedAt: kbArticles.updatedAt, bodyText: kbArticles.bodyText })
    .from(kbArticles)
    .where(and(visibleArticles(audience), eq(kbArticles.language, language), topic))
    .orderBy(category === undefined ? desc(kbArticles.publishedAt) : asc(kbArticles.title), asc(kbArticles.id))
    .limit(limit);
}

/** One article, if the customer may see it; else NotFound (the same as no such article). */
export async function portalArticle(db: Db, audience: KbAudience, id: string) {
  const [row] = await db.select().from(kbArticles).where(eq(kbArticles.id, id));
  if (!row || !canSee(audience, row)) throw new NotFound(`Article ${id} was not found.`);
  const [translations, attachments] = await Promise.all([translationsOf(db, row), attachmentsOf(db, row.id)]);
  return { article: row, translations: translations.filter((t) => canSee(audience, t)), attachments };
}
